"""Which sentences the reply cache keeps on disk: those the seat says to every caller alike.

The cache (voice/tts/cache.py) stores a sentence's audio as a plain file, named by the hash of its
text. A read-back ("回访电话一三九…，对吗？"), an address said back or a model's reply in the
caller's own words would sit there in clear, where the database holds the same words sealed, and
an 11-digit number is found again from its hash by trying them all. So only the seat's stock
sentences (agent.replies and agent.survey SAID_TO_EVERYONE), the sentences of the knowledge
base's answers and the surveys' openings (which name a catalogue topic) are kept; anything else is
synthesised each time it is said.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from agent import replies, survey
from voice.tts.chunks import speech_chunks

# A survey's opening sentence names its order's catalogue topic, never the caller's words; known
# by its form, as a node that only dials surveys never loads the catalogue.
_OPENING = re.compile(r"您之前反映的(?:[^，。！？]{1,40}的)?问题，承办单位已经办理并反馈了结果。")


class SaidToEveryone:
    """`policy(sentence)`: whether the reply cache may keep the sentence's audio on disk."""

    def __init__(self) -> None:
        self._stock = frozenset(
            chunk for text in (*replies.SAID_TO_EVERYONE, *survey.SAID_TO_EVERYONE) for chunk in speech_chunks(text)
        )
        self._answers: tuple[str, ...] = ()

    def learn_answers(self, answers: Iterable[str]) -> None:
        """The knowledge base's answers as last loaded (an edited article's old text is forgotten)."""
        self._answers = tuple(answers)

    def __call__(self, sentence: str) -> bool:
        if sentence in self._stock or _OPENING.fullmatch(sentence):
            return True
        # A sentence of an answer as the seat says it: the article's own words, whole.
        return len(sentence) > 1 and any(sentence in answer for answer in self._answers)

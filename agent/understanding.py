"""Who reads a caller's turn for the seat: the seam between the one dialogue policy and its backends.

A backend turns the words of one turn into a TurnReading (agent.reading): category cues, danger,
slots, yes/no, a request for a person. The offline backend is the rules of agent.reading; the LLM
backend (agent.llm.understanding) asks a model and keeps of its answer only what the caller's words
bear out, falling back to the rules for the turn when the model fails. What to do with a reading
(what is still missing, read-back, safety, filing) is the seat's, whichever backend read it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from agent.reading import TurnReading, read_turn
from knowledge.gazetteer import Gazetteer
from knowledge.kb import KbArticle


class WordingFailed(Exception):
    """A backend could not word an answer this time; `reason` is stored with the turn."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class CallView:
    """What a backend may know of the call besides the turn itself."""

    earlier: str = ""  # the caller's earlier turns, joined
    asked: str | None = None  # what the seat said last
    known: Mapping[str, str | None] = field(default_factory=dict)  # slots collected so far
    recent: Sequence[tuple[str, str]] = ()  # (speaker, text): "座席" or "来电者"


class Understanding(Protocol):
    name: str

    def read(self, text: str, call: CallView) -> TurnReading:
        """The turn as this backend reads it (`reading.backend` / `reading.fallback` say who did)."""
        ...

    def word_answer(self, question: str, articles: Sequence[KbArticle]) -> tuple[Iterator[str], str] | None:
        """Sentences answering `question` from these articles only, and the id it cites; None when
        this backend reads the article's answer out as written. Raises WordingFailed."""
        ...

    def word_reply(self, draft: str, caller_said: str) -> Iterator[str] | None:
        """The seat's own reply (`draft`: a question or an acknowledgement, no figures) in this
        backend's words, sentence by sentence; None to say the draft as written. Raises WordingFailed."""
        ...


class OfflineUnderstanding:
    """The rules and lexicons of agent.reading: no model, the same answer every time."""

    name = "offline"

    def __init__(self, gazetteer: Gazetteer):
        self._gazetteer = gazetteer

    def read(self, text: str, call: CallView) -> TurnReading:
        return read_turn(self._gazetteer, text, call.earlier)

    def word_answer(self, question: str, articles: Sequence[KbArticle]) -> tuple[Iterator[str], str] | None:
        return None

    def word_reply(self, draft: str, caller_said: str) -> Iterator[str] | None:
        return None

"""The dialler seam: one small interface, one file per way of ringing a phone.

A dialler rings the number of one claimed callback and connects whoever answers to our
`/media-stream`, where the survey runs (server/telephony/survey_call.py). The stream's `start`
carries the callback, the attempt and a one-time token as custom parameters; the token's hash is
stored with the attempt, so whichever node the stream reaches can tell a real survey call from a
forged one and record its answers for the node that dialled.

`place` returns once the call is placed or has failed. What a dialler knows at once (no phone
registered, busy, the carrier refused the request) it returns as an outcome; what it learns later
(the survey's answers, a carrier's status callback) is recorded where it arrives.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Protocol

from server.workflow.callbacks import Outcome


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SurveyRing:
    """One attempt at one callback, to be rung."""

    callback_id: int
    attempt_id: int
    phone: str
    token: str = field(repr=False)  # a secret: kept out of logs

    def stream_parameters(self) -> dict[str, str]:
        """The custom parameters the media stream's `start` must carry."""
        return {"callback": str(self.callback_id), "attempt": str(self.attempt_id), "token": self.token}


@dataclass(frozen=True)
class Placed:
    """How placing the call went: `outcome` None means it is under way (answered or ringing), and the
    survey or the carrier's status callback will say how it ended."""

    outcome: Outcome | None = None
    call_sid: str = ""
    note: str = ""


class Dialer(Protocol):
    name: str

    async def place(self, ring: SurveyRing, stream_url: str) -> Placed:
        """Ring `ring.phone` and connect an answer to `stream_url` with `ring.stream_parameters()`."""
        ...

    async def close(self) -> None:
        """Let go of connections; calls already placed are not hung up."""
        ...

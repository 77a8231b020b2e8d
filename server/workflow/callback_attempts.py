"""Which attempt a survey call belongs to.

A node that claims a callback (server/workflow/callbacks.py) arms its attempt with the hash of a
one-time token before ringing; the survey's media stream presents the token, and may reach any
node. A carrier's status callback names the call by the carrier's id instead, stored once the
call is placed. Either way the answer is recorded for the node that dialled (`finish(node=...)`),
so the claim stays with it.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from server.storage.db import NotFound, session_scope
from server.storage.models import Callback, CallbackAttempt, Ticket
from server.workflow.callbacks import CallbackStatus


class SurveyRefused(Exception):
    """A survey stream whose token does not open its attempt, or whose attempt is over."""


@dataclass(frozen=True)
class SurveyTarget:
    callback_id: int
    attempt_id: int
    node: str
    topic: str | None


def arm_attempt(engine: Engine, callback_id: int, node: str, token_hash: str) -> int | None:
    """The id of `node`'s open attempt at `callback_id`, now holding `token_hash`; None when the
    node no longer holds the claim (it expired and another node took the callback)."""
    with session_scope(engine) as session:
        callback = session.get(Callback, callback_id)
        if callback is None or callback.status != CallbackStatus.CALLING or callback.claimed_by != node:
            return None
        attempt = _open_attempt(session, callback_id, node)
        if attempt is None:
            return None
        attempt.token_hash = token_hash
        session.add(attempt)
        return attempt.id


def note_call_sid(engine: Engine, attempt_id: int, call_sid: str) -> None:
    with session_scope(engine) as session:
        attempt = session.get(CallbackAttempt, attempt_id)
        if attempt is not None:
            attempt.call_sid = call_sid
            session.add(attempt)


def survey_target(engine: Engine, callback_id: int, attempt_id: int, token_hash: str) -> SurveyTarget:
    """The survey a stream with these parameters runs. Raises NotFound for an unknown attempt and
    SurveyRefused for a wrong token or an attempt already ended."""
    with session_scope(engine) as session:
        attempt = session.get(CallbackAttempt, attempt_id)
        if attempt is None or attempt.callback_id != callback_id:
            raise NotFound(f"no attempt {attempt_id} at callback {callback_id}")
        if not attempt.token_hash or not hmac.compare_digest(attempt.token_hash, token_hash):
            raise SurveyRefused(f"the token does not open attempt {attempt_id}")
        if attempt.outcome is not None:
            raise SurveyRefused(f"attempt {attempt_id} has ended ({attempt.outcome})")
        callback = session.get(Callback, callback_id)
        order = session.get(Ticket, callback.order_id) if callback else None
        return SurveyTarget(callback_id, attempt_id, attempt.node, order.topic if order else None)


def attempt_of_call(engine: Engine, call_sid: str) -> SurveyTarget | None:
    """The attempt a carrier's call is, while it has not ended."""
    with session_scope(engine) as session:
        attempt = session.exec(select(CallbackAttempt).where(CallbackAttempt.call_sid == call_sid)).first()
        if attempt is None or attempt.outcome is not None:
            return None
        return SurveyTarget(attempt.callback_id, attempt.id, attempt.node, None)


def _open_attempt(session: Session, callback_id: int, node: str) -> CallbackAttempt | None:
    return session.exec(
        select(CallbackAttempt)
        .where(CallbackAttempt.callback_id == callback_id, CallbackAttempt.node == node)
        .where(col(CallbackAttempt.outcome).is_(None))
        .order_by(col(CallbackAttempt.id).desc())
    ).first()

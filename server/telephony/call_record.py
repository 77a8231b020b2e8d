"""What a call stores while it runs and when it ends, all through the call's ordered writer
(server/telephony/call_writes.py), so that the dialogue never waits on the database:

- each turn, as soon as the seat has answered it, and the seat's draft with it: the call's
  outcome were it to end now, which is what gets filed if the node dies before the call ends
  (server/workflow/recovery.py);
- what is known of a turn later (when its reply's audio went out, the words a backend streamed,
  how much of the reply the caller heard, the words respelt), and the draft again when it changes;
- the end: the outcome, with its work order filed and dispatched (server/workflow/intake.py).

The call session waits for a turn's writes (at most `[recovery] store_wait_seconds`) before it
says the reply, so a node killed after the caller heard a reply has stored the turn; during an
outage it says the reply anyway and the writes follow when the database is back. The end waits
for every write, retried up to `[recovery] give_up_seconds`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from agent.seat import Seat, SeatReply
from agent.types import CallOutcome
from server.storage import repository
from server.telephony.call_writes import CallWrites
from server.workflow import intake

if TYPE_CHECKING:
    from server.services import Services
    from server.telephony.call_state import SpokenTurn


def draft_of(seat: Seat) -> dict[str, Any]:
    """The call's outcome were it to end now (as `seat.finish()` would give it), as stored."""
    return asdict(seat.fork().finish())


class CallRecord:
    def __init__(self, services: Services, call_id: int, label: str) -> None:
        self._engine = services.engine
        self._rules = services.dispatch_rules
        self.call_id = call_id
        self._store_wait_s: float = services.settings.get("recovery", "store_wait_seconds")
        self._writes = CallWrites(label, services.settings.get("recovery", "give_up_seconds"))

    def turn(
        self, index: int, text: str, spoken: SpokenTurn | None, final_at: datetime, partials: list[dict],
        reply: SeatReply | None, draft: dict[str, Any] | None = None,
    ) -> None:
        """A turn and the seat's reply to it (None: an agent has the call and answers it)."""
        fields: dict[str, Any] = dict(
            asr_text=text, asr_final_at=final_at,
            speech_started_at=spoken.ended.started_at_s if spoken else None,
            speech_ended_at=spoken.ended.ended_at_s if spoken else None,
            partials=json.dumps(partials, ensure_ascii=False) if partials else None,
        )
        if reply is None:
            fields.update(reply_text="", reply_action="agent")
        else:
            fields.update(reply_text=reply.text, reply_action=reply.action, backend=reply.backend,
                          fallback_reason=reply.fallback, kb_article=reply.kb_article)
        engine, call_id = self._engine, self.call_id
        # `replace` finds the row of a turn already stored at `index`: the caller took the turn up
        # again, or a retried write's first commit went through though its answer was lost.
        self._writes.put("turn", lambda: repository.add_turn(engine, call_id=call_id, index=index, replace=True,
                                                             **fields))
        if draft is not None:
            self.draft(draft)

    def draft(self, draft: dict[str, Any]) -> None:
        self._put("draft", repository.save_draft, draft)

    def reply_audio_at(self, index: int, at: datetime) -> None:
        self._put("reply time", repository.set_turn_reply_audio_at, index, at)

    def reply_text(self, index: int, text: str) -> None:
        self._put("reply", repository.set_turn_reply_text, index, text)

    def reply_heard(self, index: int, heard: str) -> None:
        self._put("reply heard", repository.set_turn_reply_heard, index, heard)

    def turn_text(self, index: int, text: str) -> None:
        self._put("respelt turn", repository.set_turn_text, index, text)

    def _put(self, what: str, write: Callable[..., object], *args: Any) -> None:
        engine, call_id = self._engine, self.call_id
        self._writes.put(what, lambda: write(engine, call_id, *args))

    async def stored(self) -> bool:
        """Wait (at most store_wait_seconds) until what was written so far is stored; whether it is."""
        return await self._writes.settled(self._store_wait_s)

    def end(
        self, outcome: CallOutcome, error: str | None, heard_marks: Iterable[str], dtmf: str | None
    ) -> asyncio.Future[str | None]:
        """The call's end, its order filed; the future has the order's id (None: no order)."""
        ended_at = datetime.now(UTC)  # now, however long the database makes the write wait
        heard = list(heard_marks)

        def work() -> str | None:
            call = intake.close_call(self._engine, self._rules, call_id=self.call_id, outcome=outcome, error=error,
                                     heard_marks=heard, dtmf=dtmf, ended_at=ended_at)
            return repository.ticket_id_of_call(self._engine, call.id)

        return self._writes.put("end", work)

    async def close(self) -> bool:
        """Wait for every write (retried up to give_up_seconds); whether all were stored."""
        return await self._writes.close()

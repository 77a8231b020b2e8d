"""A work order's history replayed: its events' changes applied in order give the order as stored.

Each event records who took a step, when, the status it moved from and to, and every field it
set; `replay` rebuilds the order from them alone, and `check_history` says where a stored order and
its history disagree (which a test asserts never happens).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from server.storage.models import Ticket, TicketEvent
from server.storage.tickets import TICKET_FIELDS, as_recorded


def replay(events: Iterable[TicketEvent]) -> dict[str, Any]:
    """The order's fields as its events left them (times as ISO strings)."""
    state: dict[str, Any] = {}
    for event in events:
        state.update(event.changes or {})
    return state


def check_history(ticket: Ticket, events: list[TicketEvent]) -> list[str]:
    """Disagreements between the stored order and its history; empty when they agree."""
    problems = []
    replayed = replay(events)
    for name in TICKET_FIELDS:
        stored = as_recorded(getattr(ticket, name))
        if replayed.get(name) != stored:
            problems.append(f"{name}: stored {stored!r}, history says {replayed.get(name)!r}")
    status = None
    for event in events:
        if event.from_status is not None and event.from_status != status:
            problems.append(f"event {event.kind} at {event.at} starts from {event.from_status}, not {status}")
        status = event.to_status or status
    return problems

"""Stored rows as JSON-ready dicts (REST API, simulate results). Times are ISO 8601 in UTC."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from server.storage.calls import CallDetail
from server.storage.models import Call, Callback, CallbackAttempt, Ticket, TicketEvent, Turn
from server.storage.tickets import TicketDetail


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def call_to_dict(call: Call) -> dict[str, Any]:
    """The call with its outcome fields (category, route, …) alongside."""
    return {
        "call_sid": call.call_sid,
        "stream_sid": call.stream_sid,
        "caller_number": call.caller_number,
        "callback_number": call.callback_number,
        "started_at": iso(call.started_at),
        "ended_at": iso(call.ended_at),
        "status": call.status,
        "error": call.error,
        "category": call.category,
        "route": call.route,
        "topic": call.topic,
        "kb_article": call.kb_article,
        "urgent": call.urgent,
        "police": call.police,
        "handoff_reason": call.handoff_reason,
        "caller_name": call.caller_name,
        "district": call.district,
        "street": call.street,
        "address": call.address,
        "dtmf": call.dtmf,
        "heard_marks": list(call.heard_marks or []),
        "pii_purged_at": iso(call.pii_purged_at),  # retention cleared the caller's details and words
    }


def turn_to_dict(turn: Turn) -> dict[str, Any]:
    return {
        "index": turn.index,
        "asr_text": turn.asr_text,
        "reply_text": turn.reply_text,
        "reply_action": turn.reply_action,
        "speech_started_at": turn.speech_started_at,
        "speech_ended_at": turn.speech_ended_at,
        "created_at": iso(turn.created_at),
        "asr_final_at": iso(turn.asr_final_at),
        "reply_audio_at": iso(turn.reply_audio_at),
        "partials": json.loads(turn.partials) if turn.partials else [],
        "reply_heard": turn.reply_heard,
        "backend": turn.backend,
        "fallback_reason": turn.fallback_reason,
        "kb_article": turn.kb_article,
    }


def ticket_to_dict(ticket: Ticket, call_sid: str | None = None) -> dict[str, Any]:
    """The simulate contract's ticket fields first, then the lifecycle fields."""
    return {
        "id": ticket.id,
        "topic": ticket.topic,
        "district": ticket.district,
        "street": ticket.street,
        "address": ticket.address,
        "caller_name": ticket.caller_name,
        "phone": ticket.phone,
        "urgent": ticket.urgent,
        "police": ticket.police,
        "unit": ticket.unit,
        "co_unit": ticket.co_unit,
        "due_at": iso(ticket.due_at),
        "summary": ticket.summary,
        "category": ticket.category,
        "dispatch": ticket.dispatch,
        "status": ticket.status,
        "created_at": iso(ticket.created_at),
        "call_sid": call_sid,
        "accepted_at": iso(ticket.accepted_at),
        "reported_at": iso(ticket.reported_at),
        "result": ticket.result,
        "result_text": ticket.result_text,
        "extension_hours": ticket.extension_hours,
        "extension_reason": ticket.extension_reason,
        "merged_into": ticket.merged_into,
        "callers": ticket.callers,
    }


def event_to_dict(event: TicketEvent) -> dict[str, Any]:
    return {
        "at": iso(event.at), "kind": event.kind, "actor": event.actor, "note": event.note,
        "from_status": event.from_status, "to_status": event.to_status, "changes": event.changes or {},
    }


def callback_to_dict(callback: Callback, attempts: list[CallbackAttempt]) -> dict[str, Any]:
    """A callback survey as supervisors and units read it: the number is the order's own, not repeated."""
    return {
        "id": callback.id, "ticket_id": callback.ticket_id, "order_id": callback.order_id, "status": callback.status,
        "due_at": iso(callback.due_at), "attempts": [
            {"node": a.node, "started_at": iso(a.started_at), "ended_at": iso(a.ended_at), "outcome": a.outcome,
             "answers": a.answers, "note": a.note}
            for a in attempts
        ],
        "contacted": callback.contacted, "solved": callback.solved, "satisfaction": callback.satisfaction,
        "finished_at": iso(callback.finished_at),
    }


def ticket_detail_to_dict(detail: TicketDetail, with_events: bool = True) -> dict[str, Any]:
    data = ticket_to_dict(detail.ticket, detail.call_sid)
    if with_events:
        data["events"] = [event_to_dict(e) for e in detail.events]
    return data


def call_detail_to_dict(detail: CallDetail) -> dict[str, Any]:
    """{"call": …, "turns": [… in order], "ticket": … or null}."""
    return {
        "call": call_to_dict(detail.call),
        "turns": [turn_to_dict(t) for t in detail.turns],
        "ticket": ticket_detail_to_dict(detail.ticket) if detail.ticket is not None else None,
    }

"""Calls, turns and call outcomes (with the ticket a call makes), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from server_harness import close_call
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from agent.types import CallerRecord, CallOutcome, WorkOrderDraft
from knowledge.catalogue import CatalogueEntry
from server.storage import repository
from server.storage.db import NotFound

NOISE = CatalogueEntry(
    topic="噪音扰民-夜间施工", keywords=["施工"], category_hint="投诉", unit="区城管执法局",
    dispatch="dual", co_unit="属地街道(乡镇)", time_limit_hours=24,
)


def work_order(**changes) -> WorkOrderDraft:
    fields = dict(
        topic="噪音扰民-夜间施工", category="投诉", district="朝阳区", street="望京街道",
        address="望京西园三区", caller_name="王先生", phone="13911223344", urgent=False, police=False,
        summary="夜间工地施工噪音扰民",
    )
    return WorkOrderDraft(**{**fields, **changes})


def ticket_outcome(order: WorkOrderDraft) -> CallOutcome:
    return CallOutcome(
        category=order.category, route="ticket", topic=order.topic, kb_article=None, urgent=order.urgent,
        police=order.police, handoff_reason=None, work_order=order,
    )


def test_call_turns_and_answer_outcome(engine: Engine) -> None:
    call_id = repository.create_call(engine, "CA1", stream_sid="MZ1", caller_number="13800138000")
    call = repository.get_call(engine, "CA1")
    assert call is not None and call.id == call_id
    assert (call.status, call.callback_number, call.ended_at) == ("active", "13800138000", None)

    heard = datetime.now(UTC)
    repository.add_turn(
        engine, call_id=call_id, index=0, asr_text="居住证怎么办", reply_text="您好，办理居住证……",
        reply_action="answer", speech_started_at=1.2, speech_ended_at=3.4, asr_final_at=heard,
    )
    repository.add_turn(engine, call_id=call_id, asr_text="好的谢谢", reply_text="不客气", reply_action="goodbye")
    repository.set_turn_reply_audio_at(engine, call_id, 0, heard + timedelta(milliseconds=700))

    outcome = CallOutcome(
        category="咨询", route="answer", topic=None, kb_article="kb-001", urgent=False, police=False,
        handoff_reason=None, work_order=None,
    )
    close_call(engine, call_id=call_id, outcome=outcome, heard_marks=["greeting", "reply-0"], dtmf="1")

    detail = repository.get_call_detail(engine, "CA1")
    assert detail is not None and detail.ticket is None
    assert (detail.call.status, detail.call.category, detail.call.route) == ("ended", "咨询", "answer")
    assert detail.call.kb_article == "kb-001" and detail.call.ended_at is not None
    assert detail.call.heard_marks == ["greeting", "reply-0"] and detail.call.dtmf == "1"
    assert [t.index for t in detail.turns] == [0, 1]
    first, second = detail.turns
    assert (first.asr_text, first.reply_action, first.speech_ended_at) == ("居住证怎么办", "answer", 3.4)
    assert first.asr_final_at == heard
    assert first.reply_audio_at - heard == timedelta(milliseconds=700)
    assert (second.reply_action, second.reply_audio_at) == ("goodbye", None)


def test_a_praise_keeps_its_caller_and_place_and_a_turn_its_backend(engine: Engine) -> None:
    call_id = repository.create_call(engine, "CA-praise", caller_number="+8613700001111")
    repository.add_turn(
        engine, call_id=call_id, asr_text="我想表扬一下社区的刘主任", reply_text="感谢您的表扬……",
        reply_action="record", backend="offline", fallback_reason="timeout", kb_article=None,
    )
    caller = CallerRecord(caller_name="戚海燕", phone="13520771406", district="顺义区", street="空港街道",
                          address="裕祥花园")
    outcome = CallOutcome(category="表扬", route="answer", topic="表扬", kb_article=None, urgent=False, police=False,
                          handoff_reason=None, work_order=None, caller=caller)
    close_call(engine, call_id=call_id, outcome=outcome)

    detail = repository.get_call_detail(engine, "CA-praise")
    assert detail is not None and detail.ticket is None
    call = detail.call
    assert (call.caller_name, call.district, call.street, call.address) == ("戚海燕", "顺义区", "空港街道", "裕祥花园")
    assert call.callback_number == "13520771406"
    assert (detail.turns[0].backend, detail.turns[0].fallback_reason) == ("offline", "timeout")


def test_ticket_call_stores_a_dispatched_ticket(engine: Engine) -> None:
    repository.replace_catalogue(engine, [NOISE])
    call_id = repository.create_call(engine, "CA2", caller_number="13700001111")
    ended = datetime(2026, 11, 21, 14, 0, tzinfo=UTC)
    close_call(engine, call_id=call_id, outcome=ticket_outcome(work_order()), ended_at=ended)

    detail = repository.get_call_detail(engine, "CA2")
    assert detail is not None and detail.ticket is not None
    # The number the caller gave becomes the callback number.
    assert detail.call.callback_number == "13911223344"
    assert detail.call.caller_number == "13700001111"
    ticket = detail.ticket.ticket
    assert ticket.id == "HL20261121-0001"
    assert (ticket.unit, ticket.co_unit, ticket.dispatch) == ("朝阳区城管执法局", "望京街道", "dual")
    assert ticket.created_at == ended and ticket.due_at == ended + timedelta(hours=24)
    assert (ticket.district, ticket.street, ticket.phone, ticket.caller_name) == (
        "朝阳区", "望京街道", "13911223344", "王先生")
    assert ticket.status == "dispatched"
    assert [(e.kind, e.actor, e.to_status) for e in detail.ticket.events] == [
        ("created", "seat", "review"), ("dispatched", "catalogue", "dispatched")]
    assert detail.ticket.call_sid == "CA2"

    # Finishing again (a duplicate stop) must not make a second ticket.
    close_call(engine, call_id=call_id, outcome=ticket_outcome(work_order()), ended_at=ended)
    assert len(repository.list_tickets(engine)) == 1


def test_ticket_with_a_topic_outside_the_catalogue_waits_for_a_dispatcher(engine: Engine) -> None:
    call_id = repository.create_call(engine, "CA3")
    close_call(engine, call_id=call_id, outcome=ticket_outcome(work_order(topic="外星人入侵")))
    ticket = repository.get_call_detail(engine, "CA3").ticket
    assert ticket is not None
    assert (ticket.ticket.unit, ticket.ticket.due_at, ticket.ticket.status) == (None, None, "review")
    held = ticket.events[-1]
    assert (held.kind, held.actor, held.to_status) == ("held_for_review", "catalogue", "review")
    assert "not in the catalogue" in held.note


def test_failed_call_keeps_its_error(engine: Engine) -> None:
    call_id = repository.create_call(engine, "CA4")
    close_call(engine, call_id=call_id, outcome=None, error="caller hung up mid-turn")
    call = repository.get_call(engine, "CA4")
    assert (call.status, call.error, call.route) == ("failed", "caller hung up mid-turn", None)


def test_gateway_numbers_of_any_form_are_kept(engine: Engine) -> None:
    sip = "sip:+8613800138000@gateway.example.com;transport=tcp;user=phone"
    repository.create_call(engine, "CA-sip", caller_number=sip)
    assert repository.get_call(engine, "CA-sip").callback_number == sip


def test_calls_list_newest_first(engine: Engine) -> None:
    start = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
    for i in range(5):
        repository.create_call(engine, f"CA-{i}", started_at=start + timedelta(minutes=i))
    assert [c.call_sid for c in repository.list_calls(engine, limit=3)] == ["CA-4", "CA-3", "CA-2"]
    assert [c.call_sid for c in repository.list_calls(engine, limit=3, offset=3)] == ["CA-1", "CA-0"]


def test_unknown_calls_and_turns(engine: Engine) -> None:
    assert repository.get_call(engine, "nope") is None
    assert repository.get_call_detail(engine, "nope") is None
    with pytest.raises(NotFound):
        repository.add_turn(engine, call_id=999, asr_text="x", reply_text="y")
    with pytest.raises(NotFound):
        close_call(engine, call_id=999, outcome=None)
    call_id = repository.create_call(engine, "CA5")
    with pytest.raises(NotFound):
        repository.set_turn_reply_audio_at(engine, call_id, 3, datetime.now(UTC))


def test_call_sids_and_turn_indexes_are_unique(engine: Engine) -> None:
    call_id = repository.create_call(engine, "CA6")
    with pytest.raises(IntegrityError):
        repository.create_call(engine, "CA6")
    repository.add_turn(engine, call_id=call_id, index=0, asr_text="a", reply_text="b")
    with pytest.raises(IntegrityError):
        repository.add_turn(engine, call_id=call_id, index=0, asr_text="again", reply_text="b")
    assert [t.asr_text for t in repository.get_call_detail(engine, "CA6").turns] == ["a"]

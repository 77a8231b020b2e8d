"""Callback surveys rung on a softphone registered over /phones: the node's own loop claims the due
callback and rings the phone; the survey runs on the media stream and its answers, by keypad or in
words, are stored for the attempt. Busy, unanswered, unregistered and hung-up calls are tried again
later; a stream with a forged token is refused. On both databases, with the real models."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import websockets
import workflow_orders
from server_harness import wait_for
from sqlalchemy import Engine, update
from sqlmodel import Session
from survey_callee import SurveyCallee, answer_survey, spoken
from workflow_orders import attempts_of, callbacks_of

from server.storage import repository
from server.storage.models import Callback
from server.telephony.phone_registration import PhoneRegistration, Ring

CITIZEN = workflow_orders.CALLER


@pytest.fixture
def dialling_server(settings, database_url, models) -> Iterator[str]:  # noqa: ANN001
    from server_harness import dialling_server

    recognizer, synthesizer = models
    with dialling_server(settings, database_url, recognizer, synthesizer) as address:
        yield address


def reported_order(engine: Engine, phone: str = CITIZEN) -> str:
    """A noise complaint in 望京 from `phone`, reported solved, its callback due now."""
    order = workflow_orders.reported_order(engine, phone=phone)
    with Session(engine) as session:
        session.execute(update(Callback).where(Callback.order_id == order).values(
            due_at=datetime.now(UTC) - timedelta(seconds=1)))
        session.commit()
    return order


def the_callback(engine: Engine, order: str) -> Callback:
    (callback,) = callbacks_of(engine, order)
    return callback


def survey(callee: SurveyCallee, engine: Engine, calls: int = 1) -> str:
    """Register the callee, report an order with its number and let the server ring it `calls`
    times; the order's id."""
    registered = asyncio.Event()

    async def run() -> str:
        task = asyncio.create_task(callee.take_calls(calls, registered))
        await asyncio.wait_for(registered.wait(), 30)
        order = await asyncio.to_thread(reported_order, engine, callee.number)
        await asyncio.wait_for(task, 180)
        return order

    return asyncio.run(run())


def test_a_survey_answered_by_keypad_closes_the_order(dialling_server: str, engine: Engine) -> None:
    callee = SurveyCallee(dialling_server, CITIZEN, script=["1", "1", "1", "1"])
    order = survey(callee, engine)
    callback = wait_for(lambda: (c := the_callback(engine, order)).status == "done" and c)
    assert (callback.contacted, callback.solved, callback.satisfaction, callback.attempts) == (True, True, "满意", 1)
    (attempt,) = attempts_of(engine, callback.id)
    assert attempt.outcome == "answered" and attempt.answers == {"contacted": True, "solved": True,
                                                                  "satisfaction": "满意"}
    assert attempt.note == "按1 / 按1 / 按1 / 按1" and attempt.call_sid
    heard = callee.heard[0]
    assert heard.prompts == 4 and heard.close_code == 1000  # we hung up after the thanks
    assert repository.get_ticket(engine, order).ticket.status == "closed"


def test_an_unsatisfied_answer_in_words_reopens_the_order(dialling_server: str, engine: Engine, models) -> None:  # noqa: ANN001
    _, synthesizer = models
    callee = SurveyCallee(dialling_server, CITIZEN, script=["1", "1", "2", spoken(synthesizer, "不满意")])
    order = survey(callee, engine)
    callback = wait_for(lambda: (c := the_callback(engine, order)).status == "done" and c)
    assert (callback.contacted, callback.solved, callback.satisfaction) == (True, False, "不满意")
    (attempt,) = attempts_of(engine, callback.id)
    assert attempt.note.startswith("按1 / 按1 / 按2 / ") and "不满意" in attempt.note
    ticket = repository.get_ticket(engine, order).ticket
    assert ticket.status == "dispatched" and ticket.reported_at is None  # back to its unit


@pytest.mark.parametrize(("behaviour", "outcome"), [
    ("busy", "busy"),
    ("reject", "busy"),
    ("ignore", "no_answer"),  # rings out after ring_seconds
])
def test_a_phone_not_answered_is_tried_again_later(
    dialling_server: str, engine: Engine, behaviour: str, outcome: str
) -> None:
    callee = SurveyCallee(dialling_server, CITIZEN, behaviour=behaviour)
    order = survey(callee, engine)
    callback = wait_for(lambda: (c := the_callback(engine, order)).status == "pending" and c.attempts and c)
    (attempt,) = attempts_of(engine, callback.id)
    assert attempt.outcome == outcome
    assert callback.due_at > datetime.now(UTC) + timedelta(minutes=20)  # backs off (30 min, in calling hours)
    assert repository.get_ticket(engine, order).ticket.status == "reported"


def test_a_number_no_phone_registered_for_fails_and_is_retried(dialling_server: str, engine: Engine) -> None:
    order = reported_order(engine, "13700007777")
    callback = wait_for(lambda: (c := the_callback(engine, order)).attempts and c.status == "pending" and c)
    (attempt,) = attempts_of(engine, callback.id)
    assert attempt.outcome == "failed" and "no phone is registered" in attempt.note


def test_declining_at_the_start_ends_the_survey_for_good(dialling_server: str, engine: Engine) -> None:
    callee = SurveyCallee(dialling_server, CITIZEN, script=["2"])
    order = survey(callee, engine)
    callback = wait_for(lambda: (c := the_callback(engine, order)).status == "declined" and c)
    assert callback.satisfaction is None
    assert repository.get_ticket(engine, order).ticket.status == "closed"  # nobody else to ask


def test_hanging_up_mid_survey_keeps_nothing_half_and_tries_again(dialling_server: str, engine: Engine) -> None:
    callee = SurveyCallee(dialling_server, CITIZEN, script=["1", "1"], behaviour="hang_up")
    order = survey(callee, engine)
    callback = wait_for(lambda: (c := the_callback(engine, order)).status == "pending" and c.attempts and c)
    (attempt,) = attempts_of(engine, callback.id)
    assert attempt.outcome == "unclear" and "hung up" in attempt.note and attempt.note.endswith("按1 / 按1")
    assert callback.contacted is None and callback.satisfaction is None


def test_a_stream_with_a_forged_token_is_refused_and_changes_nothing(dialling_server: str, engine: Engine) -> None:
    callee = SurveyCallee(dialling_server, CITIZEN, behaviour="ignore")
    order = survey(callee, engine)  # rung once, and left to ring out
    callback = wait_for(lambda: (c := the_callback(engine, order)).attempts and c.status == "pending" and c)
    (attempt,) = attempts_of(engine, callback.id)
    stream = f"ws://{dialling_server}/media-stream"
    for parameters in (
        {"callback": str(callback.id), "attempt": str(attempt.id), "token": "guessed"},
        {"callback": str(callback.id), "attempt": "999999", "token": "guessed"},
        {"callback": "x", "attempt": "1", "token": "guessed"},
    ):
        heard = asyncio.run(answer_survey(Ring("CAforged", stream, parameters), ["1", "1", "1", "1"]))
        assert heard.close_code == 1008 and heard.prompts == 0
    assert the_callback(engine, order) == callback
    assert attempts_of(engine, callback.id) == [attempt]


def test_hanging_up_on_the_goodbye_keeps_the_answers(dialling_server: str, engine: Engine) -> None:
    callee = SurveyCallee(dialling_server, CITIZEN, script=["1", "2", "2", "2"], behaviour="hang_up")
    order = survey(callee, engine)
    callback = wait_for(lambda: (c := the_callback(engine, order)).status == "done" and c)
    assert (callback.contacted, callback.solved, callback.satisfaction) == (False, False, "基本满意")
    (attempt,) = attempts_of(engine, callback.id)
    assert attempt.outcome == "answered"


@pytest.mark.parametrize(("first", "code"), [
    ("not json", 1007),
    ('["register"]', 1007),
    ('{"event": "answered", "callSid": "CS1"}', 1008),     # not registered yet
    ('{"event": "register"}', 1008),                       # no number
    ('{"event": "register", "number": "139-1111"}', 1008),  # not digits
])
def test_a_phone_that_does_not_register_properly_is_refused(dialling_server: str, first: str, code: int) -> None:
    async def register() -> tuple[int | None, str]:
        async with websockets.connect(f"ws://{dialling_server}/phones") as ws:
            await ws.send(first)
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 10)
            return ws.close_code, ws.close_reason

    closed, reason = asyncio.run(register())
    assert closed == code and reason


def test_a_number_registered_again_rings_the_newer_phone(dialling_server: str, engine: Engine) -> None:
    older = PhoneRegistration(f"ws://{dialling_server}/phones", CITIZEN)
    newer = SurveyCallee(dialling_server, CITIZEN, script=["1", "1", "1", "1"])

    async def run() -> tuple[int | None, str]:
        async with older:
            registered = asyncio.Event()
            answering = asyncio.create_task(newer.take_calls(1, registered))
            await asyncio.wait_for(registered.wait(), 30)
            rings = [ring async for ring in older.rings()]  # ends when the server lets go of it
            assert rings == []
            await asyncio.to_thread(reported_order, engine)
            await asyncio.wait_for(answering, 120)
            return older.let_go

    code, reason = asyncio.run(run())
    assert code == 4000 and "registered again" in reason
    assert newer.heard[0].prompts == 4

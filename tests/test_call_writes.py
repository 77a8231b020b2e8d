"""A call's writes in order through a database outage (server/telephony/call_writes.py): a real
PostgreSQL behind a proxy the test cuts (tests/db_proxy.py), read directly past the proxy."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from db_proxy import proxy_to
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from server.storage import repository
from server.storage.db import NotFound, make_engine
from server.storage.models import Call, Turn
from server.telephony.call_writes import CallWrites, WritesGivenUp

# The outage is of PostgreSQL, several nodes' database; the writer is the same on SQLite.
pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


def stored_turns(engine: Engine, call_id: int) -> list[tuple[int, str]]:
    """(index, words) of the call's turns, in the order they were written (row id)."""
    with Session(engine) as session:
        turns = session.exec(select(Turn).where(Turn.call_id == call_id).order_by(col(Turn.id)))
        return [(t.index, t.asr_text) for t in turns]


def turn_write(engine: Engine, call_id: int, index: int, words: str):  # noqa: ANN201
    return lambda: repository.add_turn(engine, call_id=call_id, index=index, asr_text=words, reply_text="好的",
                                       replace=True)


async def until(check, seconds: float = 60) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not so in time"
        await asyncio.sleep(0.05)


def test_writes_wait_out_an_outage_and_are_stored_in_order(engine: Engine, database_url: str) -> None:
    call_id = repository.create_call(engine, "CA-outage")
    with proxy_to(database_url) as proxy:
        through = make_engine(proxy.url(database_url))

        async def call() -> bool:
            writes = CallWrites("CA-outage", give_up_s=120)
            writes.put("turn", turn_write(through, call_id, 0, "我要投诉"))
            assert await writes.settled(30)
            proxy.cut()
            for index, words in ((1, "朝阳区望京街道"), (2, "我姓王")):
                writes.put("turn", turn_write(through, call_id, index, words))
            writes.put("draft", lambda: repository.save_draft(through, call_id, {"category": "投诉"}))
            await until(lambda: proxy.dropped >= 2)  # tried, and tried again
            assert not await writes.settled(0.2)  # the call goes on without them meanwhile
            assert stored_turns(engine, call_id) == [(0, "我要投诉")]
            proxy.let_through()
            return await writes.close()

        try:
            assert asyncio.run(call())
        finally:
            through.dispose()
    assert stored_turns(engine, call_id) == [(0, "我要投诉"), (1, "朝阳区望京街道"), (2, "我姓王")]
    with Session(engine) as session:
        assert session.get(Call, call_id).draft == {"category": "投诉"}


def test_a_wrong_write_is_logged_and_skipped_not_retried(engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    call_id = repository.create_call(engine, "CA-wrong")

    async def call() -> tuple[asyncio.Future, bool]:
        writes = CallWrites("CA-wrong", give_up_s=120)
        wrong = writes.put("turn", turn_write(engine, call_id + 1000, 0, "我姓王"))  # no such call
        writes.put("turn", turn_write(engine, call_id, 0, "我要投诉"))
        return wrong, await writes.close()

    wrong, stored = asyncio.run(call())
    assert stored and isinstance(wrong.exception(), NotFound)
    assert stored_turns(engine, call_id) == [(0, "我要投诉")]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "CA-wrong: its turn could not be stored" in logged and "我姓王" not in logged


def test_writes_are_given_up_when_the_database_stays_away(
    engine: Engine, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    call_id = repository.create_call(engine, "CA-away")
    with proxy_to(database_url) as proxy:
        through = make_engine(proxy.url(database_url))
        proxy.cut()

        async def call() -> tuple[list[asyncio.Future], bool, asyncio.Future]:
            writes = CallWrites("CA-away", give_up_s=1.0)
            queued = [writes.put("turn", turn_write(through, call_id, n, "我姓王")) for n in range(2)]
            stored = await writes.close()
            return queued, stored, writes.put("end", lambda: None)

        try:
            queued, stored, later = asyncio.run(call())
        finally:
            through.dispose()
    assert not stored and all(isinstance(f.exception(), WritesGivenUp) for f in queued)
    assert stored_turns(engine, call_id) == []  # left as it was: the recovery sweep takes it from there
    assert isinstance(later.exception(), WritesGivenUp)  # and so is any write after
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "CA-away: database unreachable" in logged and "given up" in logged and "我姓王" not in logged

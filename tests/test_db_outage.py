"""The database unreachable for 10 s mid-call: the call goes on (the caller hears the seat's replies
while the database is away), and the call's writes, queued meanwhile (server/telephony/call_writes.py),
are stored once it is back: every turn, in order, the call's end and its order. A real server
(shared models) on PostgreSQL reached through a proxy the test cuts (tests/db_proxy.py), a real
call from the dev corpus."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

import pytest
from db_proxy import proxy_to
from server_harness import DEV, running_server, wait_for

from server.storage import repository
from server.storage.db import make_engine
from server.telephony.softphone import PhoneCall, Softphone

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)]

CORPUS = {c["id"]: c for c in map(json.loads, (DEV / "calls.jsonl").read_text(encoding="utf-8").splitlines())}
CALL = "d013"  # a complaint in three turns
OUTAGE_S = 10.0


async def until(check: Callable[[], object], seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not so in time"
        await asyncio.sleep(0.05)


def test_a_call_goes_on_through_a_database_outage_and_nothing_is_lost(settings, database_url: str, models) -> None:
    clips = [DEV / turn["audio"] for turn in CORPUS[CALL]["turns"]]
    with proxy_to(database_url) as proxy, running_server(settings, proxy.url(database_url), *models) as address:
        phone = Softphone(f"ws://{address}/media-stream", realtime=False)

        async def call_with_outage() -> tuple[PhoneCall, list[str]]:
            placing = asyncio.create_task(phone.call(clips, caller_number="13700001111"))
            await until(lambda: phone.current is not None and phone.current.replies)
            assert phone.current is not None
            heard_before = len(phone.current.replies)
            proxy.cut()
            cut_at = time.monotonic()
            # Away for OUTAGE_S at least, and until the caller has heard the seat answer meanwhile.
            await until(lambda: len(phone.current.replies) > heard_before and time.monotonic() - cut_at >= OUTAGE_S)
            heard_while_away = phone.current.replies[heard_before:]
            proxy.let_through()
            return await placing, heard_while_away

        placed, heard_while_away = asyncio.run(call_with_outage())
    assert heard_while_away and all(name.startswith("reply-") for name in heard_while_away)
    assert proxy.dropped > 0  # the server did try the database while it was away

    engine = make_engine(database_url)  # past the proxy
    try:
        detail = wait_for(lambda: (d := repository.get_call_detail(engine, placed.call_sid)) and d.call.ended_at and d)
    finally:
        engine.dispose()
    call, turns = detail.call, detail.turns
    assert call.status == "ended" and call.category == "投诉" and call.route == "ticket"
    # Every turn the caller was answered, stored whole and in the order spoken (the row ids say
    # in which order they were written).
    answered = {int(name.removeprefix("reply-")) for name in placed.replies if name.startswith("reply-")}
    assert [t.index for t in turns] == list(range(len(turns))) and answered <= {t.index for t in turns}
    assert len(turns) >= len(clips)
    assert all(t.asr_text and t.reply_text for t in turns)
    assert [t.id for t in turns] == sorted(t.id for t in turns)
    assert detail.ticket is not None and detail.ticket.ticket.category == "投诉"
    assert call.draft is None  # the working copy for recovery goes once the call's end is stored

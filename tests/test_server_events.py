"""The live-event fan-out: every watcher gets each event of the calls it watches, in order, and a
watcher that falls behind loses its oldest events instead of holding a call up."""

from __future__ import annotations

import asyncio

from server.telephony.call_events import QUEUE_LIMIT, CallEvents


def test_watchers_get_the_events_of_the_calls_they_watch() -> None:
    async def run() -> tuple[list, list]:
        events = CallEvents()
        everything, one = events.watch(), events.watch("CA1")
        events.publish("CA1", "partial", confirmed="你好")
        events.publish("CA2", "call_started")
        events.publish("CA1", "final", text="你好。")
        drained = [[queue.get_nowait() for _ in range(queue.qsize())] for queue in (everything, one)]
        events.unwatch(everything)
        events.publish("CA1", "call_ended")
        assert everything.empty() and one.qsize() == 1
        return drained[0], drained[1]

    everything, one = asyncio.run(run())
    assert [(e["call_sid"], e["type"]) for e in everything] == [("CA1", "partial"), ("CA2", "call_started"),
                                                                ("CA1", "final")]
    assert [e["type"] for e in one] == ["partial", "final"] and one[0]["confirmed"] == "你好"
    assert all(e["at"].endswith("+00:00") for e in everything)


def test_a_watcher_that_falls_behind_loses_its_oldest_events() -> None:
    async def run() -> list[int]:
        events = CallEvents()
        slow = events.watch()
        for number in range(QUEUE_LIMIT + 5):
            events.publish("CA1", "partial", n=number)
        return [slow.get_nowait()["n"] for _ in range(slow.qsize())]

    kept = asyncio.run(run())
    assert len(kept) == QUEUE_LIMIT and kept[0] == 5 and kept[-1] == QUEUE_LIMIT + 4

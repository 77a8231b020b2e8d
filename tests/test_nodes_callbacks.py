"""Several `hotline serve` nodes on one PostgreSQL share the due callbacks (issue 17, point 8).

Two real server processes dial 1,000 due callbacks through the Twilio stand-in
(tests/twilio_standin.py), which answers every call and keys in 1, 1, 1, 1 over the media stream (a
whole keypad survey; the answers come back through the stream, not a shortcut). Each callback is
dialled exactly once, and answered. Then one node is killed (SIGKILL) mid-run: its claims expire,
the other node dials those callbacks again, and nothing is lost — every callback answered once,
the killed node's unreported attempts marked lost, every order closed.

The harness (a scratch schema's worth of orders and callbacks, the node processes) is in
tests/node_harness.py, shared with bench/callbacks.py.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from node_harness import (  # noqa: E402
    ACCOUNT,
    ANSWERS,
    CALLBACKS,
    KEYS,
    RUN_TIMEOUT_S,
    TOKEN,
    callbacks_and_attempts,
    claimed_by,
    finished,
    load_callbacks,
    make_due,
    node_of_stream,
    order_statuses,
    running_nodes,
    showing_logs,
    statuses,
    survey_seconds,
    surveying,
    wait_until_finished,
)
from twilio_standin import Callee, TwilioStandIn, read_twiml
from workflow_orders import history_holds

from server.storage.db import make_engine

pytestmark = [pytest.mark.slow, pytest.mark.alone]  # each node loads the real models

# The kill needs only enough callbacks to be mid-run when it comes (and keeps the suite shorter).
KILL_RUN_CALLBACKS = 300


@pytest.fixture
def twilio() -> Iterator[TwilioStandIn]:
    with TwilioStandIn(ACCOUNT, TOKEN) as standin:
        standin.default_callee = Callee("answer", keys=KEYS)
        yield standin


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_nodes_dial_each_of_a_thousand_due_callbacks_exactly_once(
    database_url: str, twilio: TwilioStandIn, tmp_path: Path
) -> None:
    orders = load_callbacks(database_url, CALLBACKS)
    engine = make_engine(database_url)
    try:
        with running_nodes(["a", "b"], database_url, twilio, tmp_path) as nodes, showing_logs(nodes):
            make_due(engine)
            seconds = wait_until_finished(engine, nodes, CALLBACKS)
            print(f"{CALLBACKS} callbacks answered on 2 nodes in {seconds:.1f} s ({CALLBACKS / seconds:.1f}/s)")
            time.sleep(1.0)  # the last status callbacks
            assert all(n.process.poll() is None for n in nodes), "a node died"
            owed, attempts = callbacks_and_attempts(engine)
            assert len(owed) == CALLBACKS
            # Every callback answered, with the keys' answers, and let go.
            for callback in owed:
                assert (callback.status, callback.contacted, callback.solved, callback.satisfaction) == \
                    ("done", True, True, "满意"), callback
                assert callback.attempts == 1 and callback.claimed_by is None and callback.finished_at is not None
            # Exactly one Calls.json a callback, each naming its callback and attempt once.
            assert len(twilio.requests) == CALLBACKS
            dialled = Counter(read_twiml(form["Twiml"])[1]["callback"] for form in twilio.requests)
            assert dialled == Counter({str(c.id): 1 for c in owed})
            by_sid = {call.sid: call for call in twilio.calls}
            per_node: Counter[str] = Counter()
            for callback in owed:
                (attempt,) = attempts[callback.id]
                assert (attempt.outcome, attempt.answers) == ("answered", ANSWERS), attempt
                call = by_sid[attempt.call_sid]
                assert call.parameters["callback"] == str(callback.id)
                assert call.parameters["attempt"] == str(attempt.id)
                # The node that claimed it dialled it, and its survey came back to that node.
                assert node_of_stream(nodes, call.stream_url) == attempt.node
                assert call.form["To"] == "+86" + callback.phone
                assert (call.error, call.keys_sent, call.status, call.reported) == (None, KEYS, "completed", 200)
                per_node[attempt.node] += 1
            took = survey_seconds(attempts)
            print(f"dialled by node: {dict(per_node)}; claim to answer: median {took[len(took) // 2]:.2f} s, "
                  f"max {took[-1]:.2f} s")
            assert set(per_node) == {"a", "b"} and min(per_node.values()) >= CALLBACKS // 10
            # Every order closed once all its callers were called back, its history whole.
            assert set(order_statuses(engine, orders).values()) == {"closed"}
            for order in orders:
                assert [e.kind for e in history_holds(engine, order)].count("closed") == 1
    finally:
        engine.dispose()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_node_killed_mid_run_leaves_its_callbacks_to_the_other(
    database_url: str, twilio: TwilioStandIn, tmp_path: Path
) -> None:
    orders = load_callbacks(database_url, KILL_RUN_CALLBACKS)
    engine = make_engine(database_url)
    # A claim lasts 10 s instead of 5 minutes, so the killed node's callbacks come back within the
    # run; a live node's surveys take 0.5 s (at most 2-3 s) from claim to answer here, so its own
    # claims do not expire.
    settings = {"HOTLINE_CALLBACK_CLAIM_SECONDS": "10"}
    try:
        with running_nodes(["a", "b"], database_url, twilio, tmp_path, settings) as nodes, showing_logs(nodes):
            killed, survivor = nodes
            make_due(engine)
            start = time.monotonic()
            # Mid-run, and mid-survey: half the callbacks done, and the node's surveys under way.
            # (Node a's claims are looked at last: its surveys take half a second, so the kill lands
            # while it holds some.)
            while not (finished(engine) >= KILL_RUN_CALLBACKS // 2 and surveying(twilio, nodes, "a")
                       and claimed_by(engine, "a") >= 2):
                assert time.monotonic() - start < RUN_TIMEOUT_S, f"never mid-run: {statuses(engine)}"
                time.sleep(0.02)
            os.kill(killed.process.pid, signal.SIGKILL)
            killed.process.wait()
            held, done_at_kill = claimed_by(engine, "a"), finished(engine)
            print(f"node a killed with {done_at_kill} callbacks finished and {held} claimed by it")
            assert held > 0
            seconds = wait_until_finished(engine, [survivor], KILL_RUN_CALLBACKS)
            print(f"all {KILL_RUN_CALLBACKS} callbacks finished {seconds:.1f} s after the kill")
            time.sleep(1.0)
            assert survivor.process.poll() is None, "the surviving node died"
            owed, attempts = callbacks_and_attempts(engine)
            assert len(owed) == KILL_RUN_CALLBACKS
            dialled = Counter(read_twiml(form["Twiml"])[1]["callback"] for form in twilio.requests)
            by_node: Counter[str] = Counter()
            retried = 0
            for callback in owed:
                tried = attempts[callback.id]
                by_node.update(a.node for a in tried)
                # Finished and answered, exactly once, and let go.
                assert (callback.status, callback.contacted, callback.solved, callback.satisfaction) == \
                    ("done", True, True, "满意"), (callback, tried)
                assert callback.claimed_by is None and callback.attempts == len(tried)
                answered = [a for a in tried if a.outcome == "answered"]
                assert len(answered) == 1 and answered[0].answers == ANSWERS, tried
                # Every other attempt was the killed node's, which never said how it went.
                others = [a for a in tried if a.outcome != "answered"]
                assert all((a.node, a.outcome) == ("a", "lost") for a in others), tried
                assert all(a.ended_at is not None for a in tried)
                # Dialled at most once an attempt: only what the killed node left is dialled again.
                assert dialled[str(callback.id)] <= len(tried)
                if others:  # the killed node's: answered by the survivor once its claim expired
                    assert len(others) == 1 and answered[0].node == "b", tried
                    retried += 1
                else:
                    assert dialled[str(callback.id)] == 1
            # Calls the kill cut off: their stream or their status callback had nobody to reach.
            cut = [c for c in twilio.calls if node_of_stream(nodes, c.stream_url) == "a" and c.error]
            print(f"attempts by node: {dict(by_node)}; {retried} callbacks of the killed node answered by b; "
                  f"{len(cut)} of its calls cut off ({', '.join(sorted({c.error or '' for c in cut}))})")
            assert cut
            # The survivor took over exactly what the killed node was holding.
            assert retried == held
            assert set(dialled) == {str(c.id) for c in owed}
            assert set(order_statuses(engine, orders).values()) == {"closed"}
            for order in orders:
                assert [e.kind for e in history_holds(engine, order)].count("closed") == 1
    finally:
        engine.dispose()

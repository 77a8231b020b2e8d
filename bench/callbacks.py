"""Callback surveys completed per second by one and by two `hotline serve` nodes on one PostgreSQL.

    .venv/bin/python bench/callbacks.py [--callbacks 300] [--max-calls 16] [--poll-seconds 1] [--nodes 1,2]

For each number of nodes (1, then 2) a scratch PostgreSQL schema (dropped afterwards) gets
--callbacks due callbacks over ten reported orders, and that many real `hotline serve` processes
dial them through the Twilio stand-in (tests/twilio_standin.py: Calls.json over HTTP, then the
survey on each node's own /media-stream, keyed 1, 1, 1, 1, then the signed status callback), as
tests/test_nodes_callbacks.py does. Timed from the moment they are all due until every one is
answered (node start-up and model loading excluded).

Printed per run: nodes, callbacks, seconds, callbacks/s, the median and p95 of claim → answer of a
survey, the nodes' CPU seconds per callback, and the claim ceiling (each node claims up to
--max-calls every --poll-seconds, counted whether or not its earlier calls have ended: a run that
reaches it measures the setting, not the nodes); then the 2-vs-1 ratio. The stand-in runs in this
process on the same (2-core) machine, as PostgreSQL does: they share the CPU with the nodes.

On this 2-core machine (300 callbacks, nothing else running): with --max-calls 16 one node did
12.3-13.6/s, two 17.2-18.0/s (1.3-1.5x; both near saturation, survey p50 1-3 s as claims outpace
the nodes and calls pile up); with --max-calls 8 both sit at the claim ceiling, 7.7/s and 15.2/s,
survey p50 0.4 s. With other work on the machine, saturated runs vary a lot (two nodes 6.5/s once).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from node_harness import (  # noqa: E402
    ACCOUNT,
    KEYS,
    TOKEN,
    callbacks_and_attempts,
    finished,
    load_callbacks,
    make_due,
    running_nodes,
    statuses,
    survey_seconds,
)
from sqlalchemy import Engine, and_, create_engine, func, or_, text  # noqa: E402
from sqlmodel import Session, col, select  # noqa: E402
from twilio_standin import Callee, TwilioStandIn  # noqa: E402

from server.storage.db import make_engine  # noqa: E402
from server.storage.models import Callback  # noqa: E402

POSTGRES_URL = os.environ.get("HOTLINE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def put_off(engine: Engine) -> int:
    """How many callbacks wait until later (an attempt not answered), when nothing is due or being
    dialled any more; 0 while something is (one statement: one snapshot)."""
    now, pending = datetime.now(UTC), col(Callback.status) == "pending"
    active = or_(col(Callback.status) == "calling", and_(pending, col(Callback.due_at) <= now))
    with Session(engine) as session:
        busy, later = session.exec(select(func.count().filter(active),
                                          func.count().filter(pending, col(Callback.due_at) > now))).one()
    return 0 if busy else later


def schema_url(postgres: str, schema: str) -> str:
    return f"{postgres}{'&' if '?' in postgres else '?'}options=-csearch_path%3D{schema}"


def run(nodes: int, callbacks: int, max_calls: int, poll_seconds: int, postgres: str, timeout_s: float,
        log_level: str) -> dict:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = schema_url(postgres, schema)
    engine = None
    try:
        load_callbacks(url, callbacks)
        engine = make_engine(url)
        settings = {"HOTLINE_DIALER_MAX_CALLS": str(max_calls), "HOTLINE_DIALER_POLL_SECONDS": str(poll_seconds),
                    "HOTLINE_SERVER_LOG_LEVEL": log_level}
        names = [chr(ord("a") + i) for i in range(nodes)]
        with tempfile.TemporaryDirectory(prefix="hotline-bench-nodes-") as folder, \
                TwilioStandIn(ACCOUNT, TOKEN) as twilio:
            twilio.default_callee = Callee("answer", keys=KEYS)
            with running_nodes(names, url, twilio, Path(folder), settings) as running:
                cpu_before = sum(cpu_seconds(n.process.pid) for n in running)
                make_due(engine)
                start = time.monotonic()
                while (done := finished(engine)) < callbacks:
                    # A callback put off until later (an attempt not answered) would not come back in this run.
                    stuck = put_off(engine) > 0
                    if stuck or time.monotonic() - start > timeout_s:
                        counts = statuses(engine)
                        for node in running:
                            print(node.tail(), file=sys.stderr)
                        for tried in callbacks_and_attempts(engine)[1].values():
                            for attempt in tried:
                                if attempt.outcome != "answered":
                                    print(f"  callback {attempt.callback_id} attempt {attempt.id} by {attempt.node}: "
                                          f"{attempt.outcome} {attempt.note!r}", file=sys.stderr)
                        raise SystemExit(f"{nodes} node(s): {done}/{callbacks} finished after "
                                         f"{time.monotonic() - start:.0f} s: {dict(counts)}")
                    time.sleep(0.1)
                seconds = time.monotonic() - start
                cpu = sum(cpu_seconds(n.process.pid) for n in running) - cpu_before
        owed, attempts = callbacks_and_attempts(engine)
        took = survey_seconds(attempts)
        answered = sum(1 for c in owed if c.status == "done")
        dialled_twice = sum(1 for tried in attempts.values() if len(tried) > 1)
        return {"nodes": nodes, "callbacks": callbacks, "seconds": seconds, "per_s": callbacks / seconds,
                "median": statistics.median(took), "p95": took[int(0.95 * (len(took) - 1))],
                "cpu_per_callback": cpu / callbacks, "ceiling": nodes * max_calls / poll_seconds,
                "answered": answered, "retried": dialled_twice, "requests": len(twilio.requests)}
    finally:
        if engine is not None:
            engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callbacks", type=int, default=300, help="due callbacks per run")
    parser.add_argument("--max-calls", type=int, default=16, help="[dialer] max_calls: claims per poll, per node")
    parser.add_argument("--poll-seconds", type=int, default=1, help="[dialer] poll_seconds (a whole number)")
    parser.add_argument("--postgres", default=POSTGRES_URL, help="a PostgreSQL database to make scratch schemas in")
    parser.add_argument("--timeout", type=float, default=600, help="give a run up this many seconds")
    parser.add_argument("--nodes", default="1,2", help="the runs: how many nodes each")
    parser.add_argument("--log-level", default="warning", help="the nodes' [server] log_level")
    args = parser.parse_args()
    results = []
    for nodes in (int(n) for n in args.nodes.split(",")):
        print(f"{nodes} node(s), {args.callbacks} callbacks …", file=sys.stderr)
        result = run(nodes, args.callbacks, args.max_calls, args.poll_seconds, args.postgres, args.timeout,
                     args.log_level)
        if result["answered"] != args.callbacks or result["requests"] != args.callbacks:
            print(f"  warning: {result['answered']} answered, {result['requests']} Calls.json requests, "
                  f"{result['retried']} dialled more than once", file=sys.stderr)
        results.append(result)
    print(f"{'nodes':>5} {'callbacks':>9} {'seconds':>8} {'callbacks/s':>11} {'survey p50 s':>12} "
          f"{'survey p95 s':>12} {'CPU s/callback':>14} {'claim ceiling/s':>15}")
    for r in results:
        print(f"{r['nodes']:>5} {r['callbacks']:>9} {r['seconds']:>8.1f} {r['per_s']:>11.1f} {r['median']:>12.2f} "
              f"{r['p95']:>12.2f} {r['cpu_per_callback']:>14.3f} {r['ceiling']:>15.0f}")
    by_nodes = {r["nodes"]: r for r in results}
    if 1 in by_nodes and 2 in by_nodes:
        print(f"2 nodes vs 1: {by_nodes[2]['per_s'] / by_nodes[1]['per_s']:.2f}x callbacks/s")


if __name__ == "__main__":
    main()

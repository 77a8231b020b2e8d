"""Several `hotline serve` nodes on one PostgreSQL, dialling through the Twilio stand-in: a scratch
schema's worth of reported orders and due callbacks, the node processes and their logs, and what
the database says of the run. Used by tests/test_nodes_callbacks.py and bench/callbacks.py."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import Engine, func, insert, update
from sqlmodel import Session, col, select
from twilio_standin import TwilioStandIn
from workflow_orders import NOISE, file_order

from server.app import prepare_database
from server.config import load_settings
from server.data_keys import as_environ, fresh_ring
from server.storage import repository, sealing
from server.storage.db import make_engine
from server.storage.models import Callback, CallbackAttempt, Ticket
from server.telephony.simulate import free_port
from server.workflow import handling
from server.workflow.callbacks import CallbackRules, CallbackStatus
from server.workflow.handling import Result
from server.workflow.intake import DispatchRules

REPO = Path(__file__).resolve().parents[1]
ACCOUNT = "AC" + "7" * 32
TOKEN = "nodes-auth-token"
FROM = "+861012345678"
KEYS = ["1", "1", "1", "1"]  # consent, contacted, solved, 满意
ANSWERS = {"contacted": True, "solved": True, "satisfaction": "满意"}
CALLBACKS = 1000
ORDERS = 10  # the callbacks are spread over this many reported orders (each closes once all are done)
# Each node claims up to MAX_CALLS every POLL_SECONDS (a whole number: [dialer] poll_seconds is an
# int in configs/default.toml, so HOTLINE_DIALER_POLL_SECONDS=0.5 is refused), whether or not its
# earlier surveys have ended: 16 a second for the two, a little below what they survey on this
# 2-core machine (bench/callbacks.py). Claiming faster piles calls up, each slower the more there are.
POLL_SECONDS = 1
MAX_CALLS = 8
RUN_TIMEOUT_S = 150


# ---- the work: orders, and their callbacks due ----------------------------------------------------


def load_callbacks(database_url: str, count: int, orders: int = ORDERS) -> list[str]:
    """A migrated, seeded database holding `orders` reported orders and `count` callbacks spread over
    them (each a caller with a number of their own), none due yet; the orders' ids. A unit's report
    schedules each order's own caller, the rest are inserted as `schedule` would have made them."""
    settings = load_settings(environ={})
    data_keys_environ()  # the keys the nodes will be given seal what is written here
    prepare_database(settings, database_url)
    engine = make_engine(database_url)
    try:
        repository.replace_catalogue(engine, [NOISE])
        filed = datetime.now(UTC) - timedelta(hours=3)
        ids = []
        for i in range(orders):
            order = file_order(engine, f"CA-nodes-{i}", district="朝阳区", street="望京街道", address=f"望京{i}号工地",
                               phone=f"139{i:08d}", ended=filed, rules=DispatchRules(merge_window_hours=0))
            unit = repository.get_ticket(engine, order).ticket.unit
            handling.accept(engine, order, unit=unit, actor="unit:1")
            handling.report(engine, order, unit=unit, actor="unit:1", result=Result.SOLVED, text="已责令停工",
                            rules=CallbackRules())
            ids.append(order)
        later = datetime.now(UTC) + timedelta(days=1)
        rows = [{"ticket_id": ids[i % orders], "order_id": ids[i % orders], "phone": f"138{i:08d}",
                 "status": CallbackStatus.PENDING, "due_at": later, "attempts": 0, "created_at": filed}
                for i in range(count - orders)]
        with Session(engine) as session:
            if rows:
                session.execute(insert(Callback), rows)
            session.execute(update(Callback).values(due_at=later))
            session.commit()
        return ids
    finally:
        engine.dispose()


def make_due(engine: Engine) -> datetime:
    """Every callback due now; when."""
    now = datetime.now(UTC)
    with Session(engine) as session:
        session.execute(update(Callback).values(due_at=now - timedelta(minutes=1)))
        session.commit()
    return now


def statuses(engine: Engine) -> Counter[str]:
    with Session(engine) as session:
        rows = session.exec(select(Callback.status, func.count()).group_by(Callback.status)).all()
    return Counter({status: n for status, n in rows})


def claimed_by(engine: Engine, node: str) -> int:
    """How many callbacks `node` holds a claim on (dialling or surveying them)."""
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Callback).where(
            Callback.status == CallbackStatus.CALLING, Callback.claimed_by == node)).one()


def finished(engine: Engine) -> int:
    counts = statuses(engine)
    return sum(counts[s] for s in (CallbackStatus.DONE, CallbackStatus.DECLINED, CallbackStatus.GAVE_UP))


def callbacks_and_attempts(engine: Engine) -> tuple[list[Callback], dict[int, list[CallbackAttempt]]]:
    with Session(engine) as session:
        owed = list(session.exec(select(Callback).order_by(col(Callback.id))))
        attempts: dict[int, list[CallbackAttempt]] = {c.id: [] for c in owed}
        for attempt in session.exec(select(CallbackAttempt).order_by(col(CallbackAttempt.id))):
            attempts[attempt.callback_id].append(attempt)
    return owed, attempts


def survey_seconds(attempts: dict[int, list[CallbackAttempt]]) -> list[float]:
    """From claim to answer, of every answered attempt, sorted."""
    return sorted((a.ended_at - a.started_at).total_seconds() for tried in attempts.values() for a in tried
                  if a.outcome == "answered" and a.ended_at is not None)


def order_statuses(engine: Engine, orders: list[str]) -> dict[str, str]:
    with Session(engine) as session:
        return {t.id: t.status for t in session.exec(select(Ticket).where(col(Ticket.id).in_(orders)))}


# ---- the nodes ------------------------------------------------------------------------------------


@dataclass
class Node:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def tail(self, chars: int = 3000) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"---- node {self.name} (pid {self.process.pid}, exit {self.process.poll()}), {self.log} ----\n" + \
            text[-chars:]


def data_keys_environ() -> dict[str, str]:
    """This process's data keys, as the nodes it starts take them: the rows written here open there,
    and theirs here. A benchmark run, which has none yet, makes keys for its throwaway database."""
    ring = sealing.installed()
    if ring is None:
        ring = fresh_ring("the run's own data keys")
        sealing.install(ring)
    return as_environ(ring)


def node_environ(name: str, port: int, database_url: str, twilio: TwilioStandIn, data_dir: Path,
                 settings: dict[str, str]) -> dict[str, str]:
    address = f"127.0.0.1:{port}"
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    return {
        **inherited,
        **data_keys_environ(),
        "HOTLINE_DATABASE_URL": database_url, "HOTLINE_PATHS_DATA_DIR": str(data_dir),
        "HOTLINE_DIALER_KIND": "twilio", "HOTLINE_DIALER_NODE": name,
        "HOTLINE_DIALER_POLL_SECONDS": str(POLL_SECONDS), "HOTLINE_DIALER_MAX_CALLS": str(MAX_CALLS),
        "HOTLINE_DIALER_TWILIO_ACCOUNT_SID": ACCOUNT, "HOTLINE_DIALER_TWILIO_FROM_NUMBER": FROM,
        "HOTLINE_DIALER_TWILIO_API_BASE": twilio.base_url,
        "HOTLINE_DIALER_TWILIO_STATUS_URL": f"http://{address}/twilio/call-status",
        "HOTLINE_DIALER_STREAM_URL": f"ws://{address}/media-stream",
        "HOTLINE_GATEWAY_TWILIO_AUTH_TOKEN": TOKEN,
        "HOTLINE_GATEWAY_OPEN_ON_LOOPBACK": "false",  # the stand-in's streams are admitted by its signature
        **settings,
    }


def stop(node: Node) -> None:
    if node.process.poll() is None:
        node.process.terminate()
        try:
            node.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            node.process.kill()
    node.process.wait()


@contextmanager
def running_nodes(names: list[str], database_url: str, twilio: TwilioStandIn, folder: Path,
                  settings: dict[str, str] | None = None, start_timeout_s: float = 180) -> Iterator[list[Node]]:
    """`hotline serve` processes, one a name, on free ports of the loopback, each with its own
    stream and status URL and its log in `folder`; yielded once each answers /healthz, stopped
    (killed if need be) afterwards."""
    nodes: list[Node] = []
    try:
        for name in names:
            port, data = free_port(), folder / f"node-{name}"
            data.mkdir(parents=True, exist_ok=True)
            log = folder / f"node-{name}.log"
            with log.open("w") as sink:
                process = subprocess.Popen(
                    [sys.executable, "-m", "server.cli", "serve", "--port", str(port)], cwd=REPO,
                    env=node_environ(name, port, database_url, twilio, data, settings or {}),
                    stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            nodes.append(Node(name, port, process, log))
        deadline = time.monotonic() + start_timeout_s
        for node in nodes:
            while True:
                if node.process.poll() is not None:
                    raise RuntimeError(f"node {node.name} exited while starting\n{node.tail()}")
                try:
                    if httpx.get(f"{node.http}/healthz", timeout=5).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"node {node.name} did not answer /healthz in {start_timeout_s:.0f} s\n"
                                       f"{node.tail()}")
                time.sleep(0.3)
        yield nodes
    finally:
        for node in nodes:
            stop(node)


def surveying(twilio: TwilioStandIn, nodes: list[Node], name: str) -> int:
    """How many of the stand-in's calls are in a survey on node `name` (a prompt played, not over)."""
    return sum(1 for call in list(twilio.calls) if call.marks and not call.over.is_set()
               and node_of_stream(nodes, call.stream_url) == name)


def node_of_stream(nodes: list[Node], stream_url: str) -> str:
    """Which node a call's TwiML sends the survey to (its own port)."""
    (name,) = [n.name for n in nodes if stream_url == f"ws://127.0.0.1:{n.port}/media-stream"]
    return name


# ---- the tests ------------------------------------------------------------------------------------


@contextmanager
def showing_logs(nodes: list[Node]) -> Iterator[None]:
    """The end of each node's log printed when the block fails (pytest shows it with the failure)."""
    try:
        yield
    except BaseException:
        for node in nodes:
            print(node.tail())
        raise


def wait_until_finished(engine: Engine, nodes: list[Node], count: int, timeout_s: float = RUN_TIMEOUT_S) -> float:
    """Seconds until `count` callbacks are finished; fails if a node still running dies or it takes too long."""
    start = time.monotonic()
    while (done := finished(engine)) < count:
        assert all(node.process.poll() is None for node in nodes), "a node died"
        elapsed = time.monotonic() - start
        assert elapsed < timeout_s, f"{done}/{count} callbacks finished after {timeout_s:.0f} s: {statuses(engine)}"
        time.sleep(0.25)
    return time.monotonic() - start

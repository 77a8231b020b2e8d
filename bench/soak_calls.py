"""Soak: calls without a pause for half an hour; does the server hold its memory, files and tasks?

    .venv/bin/python bench/soak_calls.py [--minutes 30] [--warmup 5] [--calls-at-once 2]

It starts one server of its own for the whole run (embedded defaults, a fresh SQLite database and
an empty reply cache in temporary folders, the shared sample knowledge, as bench/load_calls.py
does; `[server] max_calls` set to --calls-at-once) and keeps --calls-at-once calls up all the
time: as one ends the next begins, cycling through the corpus's calls, every turn of each, in real
time by the softphone (20 ms frames on the clock, marks echoed when the reply has played). Calls
are placed for --minutes minutes, the first --warmup of them the warm-up (models, the reply cache,
the database's pages and the allocator's arenas fill during it). Every --sample-every seconds it
prints the server's resident memory (VmRSS), open files (/proc/PID/fd), threads, live asyncio
tasks, Python's allocated blocks, glibc's heap in use and freed but kept, and the calls done and
failed so far.

At the end of the warm-up, and again after the last call, no new call is placed until those up
have finished and --settle seconds have passed; the server's figures are then read idle, so the
two readings compare like with like (under load the memory in use swings with what the calls are
doing). Printed at the end:

- calls completed and failed; errors: a call the softphone could not complete, a call stored with
  a status other than "ended" or with an `error`, and every ERROR, CRITICAL or Traceback line in
  the server's log;
- resident memory idle after the warm-up and idle at the end, the growth in %, and the highest
  reading while calls were up after the warm-up (with its growth over the warm-up's idle figure);
- the median resident memory with calls up, per 5 minutes, and the calls done in each: a rise that
  levels off is a warm-up still going on, one that goes on is a leak. A warm-up is over once every
  call of the corpus has been heard (the allocator keeps the room the largest took): at 2 calls at
  once here that is about 20 minutes of the dev corpus (its one-minute monologues, d024-d026, come
  at about minute 12), and a warm-up of 5 minutes takes in about 13 of its 40 calls;
- open files, threads and tasks idle after the warm-up and idle at the end (more at the end: a leak);
- where the memory is: Python's blocks, glibc's heap in use, and its free room kept (growing free
  room is fragmentation, not a leak), then resident memory once more after a malloc_trim at the
  end, and the types of live objects that grew most between the two idle readings;
- a verdict: growth under 10 %, no error, no more open files or tasks than after the warm-up.
  The exit code is 1 when one fails.

The server runs as a process of its own so its memory, files and threads are its alone (the
softphones, their audio and their voice detector live in this process). Nothing in the server
reports its asyncio tasks, and the only route open without a key is /healthz (a probe's, which
should say nothing of internals; the role-checked /api/metrics is the tickets' rates), so rather
than add a figure to the server for this bench alone, its process is `hotline serve` started by
bench/serve_counting_tasks.py, which wraps the app in an ASGI layer that writes
len(asyncio.all_tasks()) to a file every second (one task more, the same at every reading).

One run; this machine is shared (2 cores, other work running beside), which moves the latencies
but not what is leaked.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
SHARED = REPO.parent / "shared"

from load_calls import cold_voice_cache  # noqa: E402

from server.telephony.simulate import (  # noqa: E402
    CorpusCall,
    LocalServer,
    endpoints,
    fetch_detail,
    local_server,
    read_corpus,
)
from server.telephony.softphone import Softphone  # noqa: E402

GROWTH_LIMIT = 0.10
BLOCK_S = 300  # the report's medians of memory under load, one per this many seconds
# What the server logs when something went wrong: its own format ("... ERROR name: ..."), uvicorn's
# ("ERROR:    Exception in ASGI application") and a traceback printed by anyone.
ERROR_LINE = re.compile(r"\bERROR\b|\bCRITICAL\b|^Traceback ")

@dataclass(frozen=True)
class Reading:
    at_s: float  # since the first call
    rss_kib: int
    fds: int
    threads: int
    tasks: int
    py_blocks: int  # Python's allocated blocks (objects, roughly)
    heap_used_kib: int  # glibc's heap handed out: Python's objects' arenas and native code's alike
    heap_free_kib: int  # freed but kept by glibc (fragmentation when it grows)
    up: int  # calls up at the time
    done: int  # calls done by then


@dataclass
class Run:
    """What the callers and the sampler share (one event loop, so no locks)."""

    server: LocalServer
    tasks_file: Path
    calls: Iterator[CorpusCall]
    corpus_size: int
    started: float = field(default_factory=time.monotonic)
    placing_until: float = 0.0  # monotonic; pushed back by the pause after the warm-up
    placing: asyncio.Event = field(default_factory=asyncio.Event)  # cleared: no new call
    up: int = 0
    done: int = 0
    done_in_warmup: int = 0
    failures: list[str] = field(default_factory=list)
    log_errors: list[str] = field(default_factory=list)
    log_offset: int = 0
    trimmed_end_kib: int = 0  # RSS at the end after malloc_trim
    readings: list[Reading] = field(default_factory=list)
    censuses: list[dict[str, int]] = field(default_factory=list)  # live objects by type, at each idle reading

    def elapsed(self) -> float:
        return time.monotonic() - self.started


class SoakAborted(Exception):
    pass


def server_running(pid: int) -> bool:
    """Not exited (an exited child we have not reaped yet is a zombie, Z)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def read_server(run: Run) -> Reading:
    """The server's figures now (Linux /proc; tasks as its counter last wrote them)."""
    pid = run.server.pid
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    counted = json.loads(run.tasks_file.read_text())
    return Reading(
        at_s=run.elapsed(),
        rss_kib=int(status["VmRSS"].split()[0]),
        fds=len(os.listdir(f"/proc/{pid}/fd")),
        threads=int(status["Threads"]),
        tasks=counted["tasks"],
        py_blocks=counted["py_blocks"],
        heap_used_kib=counted.get("heap_used_kib", 0),
        heap_free_kib=counted.get("heap_free_kib", 0),
        up=run.up,
        done=run.done,
    )


def scan_log(run: Run) -> None:
    """The server's log lines since the last scan that say something went wrong, kept in the run."""
    with run.server.log_path.open("rb") as log:
        log.seek(run.log_offset)
        text = log.read()
    complete = text.rfind(b"\n") + 1  # a line still being written is read whole next time
    run.log_offset += complete
    for line in text[:complete].decode(errors="replace").splitlines():
        if ERROR_LINE.search(line):
            run.log_errors.append(line)


async def caller(run: Run, ws_url: str, http: str) -> None:
    """One line kept busy: a call, then the next, until calls are no longer placed."""
    while True:
        await run.placing.wait()
        if time.monotonic() >= run.placing_until:
            return
        call = next(run.calls)
        run.up += 1
        try:
            phone = await Softphone(ws_url, realtime=True).call(call.clips, call.caller_number)
            # fetch_detail polls with a blocking client: in a thread, so the other calls' frames keep time.
            record = (await asyncio.to_thread(fetch_detail, http, phone.call_sid, run.server.key))["call"]
            if record["status"] != "ended" or record["error"]:
                run.failures.append(f"{call.id} ({phone.call_sid}): stored {record['status']}, "
                                    f"error {record['error']!r}")
        except Exception as exc:  # the run goes on; the call counts as failed
            run.failures.append(f"{call.id}: {type(exc).__name__}: {exc}")
            if not server_running(run.server.pid):  # or every call after would fail at once
                raise SoakAborted("the server exited (its log: --keep-log)") from exc
        finally:
            run.up -= 1
            run.done += 1


def print_reading(run: Run, reading: Reading, note: str = "") -> None:
    minutes, seconds = divmod(int(reading.at_s), 60)
    print(f"{minutes:3d}:{seconds:02d}  calls done {run.done:4d}  failed {len(run.failures):2d}  up {run.up}  "
          f"log errors {len(run.log_errors):2d}  RSS {reading.rss_kib / 1024:7.1f} MiB  fds {reading.fds:3d}  "
          f"threads {reading.threads:3d}  tasks {reading.tasks:3d}  py blocks {reading.py_blocks / 1e6:5.2f} M  "
          f"heap used {reading.heap_used_kib / 1024:6.1f} free {reading.heap_free_kib / 1024:6.1f} MiB{note}",
          flush=True)


async def sample(run: Run, every_s: float) -> None:
    """A reading every `every_s` seconds while the run lasts (cancelled at its end)."""
    while True:
        await asyncio.sleep(every_s)
        scan_log(run)
        reading = read_server(run)
        run.readings.append(reading)
        print_reading(run, reading)


async def idle_reading(run: Run, settle_s: float, label: str) -> Reading:
    """With no new call placed: once those up have ended and `settle_s` has passed, the server's
    figures. Five readings a second apart: the median memory, and the fewest files, threads and
    tasks (one the server holds for a moment is no leak; a leaked one is in every reading)."""
    run.placing.clear()
    while run.up:
        await asyncio.sleep(0.5)
    await asyncio.sleep(settle_s)
    readings = []
    for _ in range(5):
        readings.append(read_server(run))
        await asyncio.sleep(1)
    scan_log(run)
    idle = Reading(
        at_s=readings[-1].at_s,
        rss_kib=round(statistics.median(r.rss_kib for r in readings)),
        fds=min(r.fds for r in readings),
        threads=min(r.threads for r in readings),
        tasks=min(r.tasks for r in readings),
        py_blocks=round(statistics.median(r.py_blocks for r in readings)),
        heap_used_kib=round(statistics.median(r.heap_used_kib for r in readings)),
        heap_free_kib=round(statistics.median(r.heap_free_kib for r in readings)),
        up=0,
        done=run.done,
    )
    print_reading(run, idle, f"  ← idle, {label}")
    run.censuses.append(await ask_server(run, signal.SIGUSR1, ".census"))
    return idle


async def ask_server(run: Run, signum: int, answer_suffix: str) -> dict[str, int]:
    """Signal the server (bench/serve_counting_tasks.py answers) and read its answer's file."""
    answer = run.tasks_file.with_suffix(answer_suffix)
    answer.unlink(missing_ok=True)
    os.kill(run.server.pid, signum)
    for _ in range(600):  # a census of a few million objects takes seconds
        if answer.exists():
            return json.loads(answer.read_text())
        await asyncio.sleep(0.1)
    raise SoakAborted(f"the server did not answer signal {signum} within a minute")


async def trimmed_rss_kib(run: Run) -> int:
    """The server's resident memory once glibc has given back what it keeps free (malloc_trim)."""
    await ask_server(run, signal.SIGUSR2, ".trimmed")
    await asyncio.sleep(1)
    return read_server(run).rss_kib


async def soak(run: Run, minutes: float, warmup: float, at_once: int, settle_s: float,
               every_s: float) -> tuple[Reading, Reading]:
    """Runs the calls; the idle readings after the warm-up and at the end."""
    ws_url, http = endpoints(run.server.url)
    run.started = time.monotonic()
    run.placing_until = run.started + minutes * 60
    run.placing.set()
    sampler = asyncio.create_task(sample(run, every_s))
    lines = [asyncio.create_task(caller(run, ws_url, http)) for _ in range(at_once)]
    ended, _ = await asyncio.wait(lines, timeout=warmup * 60, return_when=asyncio.FIRST_EXCEPTION)
    for line in ended:  # a line ends this early only when the server has gone: SoakAborted
        line.result()
    paused = time.monotonic()
    warm = await idle_reading(run, settle_s, "after the warm-up")
    run.done_in_warmup = run.done
    run.placing_until += time.monotonic() - paused  # the pause is no call time
    run.placing.set()
    await asyncio.gather(*lines)
    end = await idle_reading(run, settle_s, "at the end")
    run.trimmed_end_kib = await trimmed_rss_kib(run)
    sampler.cancel()
    return warm, end


def report(run: Run, warm: Reading, end: Reading) -> bool:
    """Prints the figures and the verdict; whether every criterion passed."""
    loaded = [r for r in run.readings if r.at_s > warm.at_s and r.up]
    peak = max(loaded, key=lambda r: r.rss_kib, default=end)
    growth = end.rss_kib / warm.rss_kib - 1
    errors = len(run.failures) + len(run.log_errors)
    print()
    print(f"calls completed: {run.done - len(run.failures)} ({run.done_in_warmup} in the warm-up, of the "
          f"corpus's {run.corpus_size}), "
          f"failed: {len(run.failures)}; error lines in the server's log: {len(run.log_errors)}")
    for failure in run.failures[:10]:
        print(f"  failed: {failure}")
    for line in run.log_errors[:10]:
        print(f"  log: {line[:200]}")
    print(f"resident memory, idle: {warm.rss_kib / 1024:.1f} MiB after the warm-up → {end.rss_kib / 1024:.1f} MiB "
          f"at the end ({growth:+.1%}); highest with calls up after the warm-up {peak.rss_kib / 1024:.1f} MiB "
          f"({peak.rss_kib / warm.rss_kib - 1:+.1%}, at {peak.at_s / 60:.1f} min)")
    # The idle figures hang on where the warm-up ended; the medians under load, block by block,
    # tell a warm-up still going on (a rise that levels off) from a leak (a rise that goes on).
    blocks: dict[int, list[Reading]] = {}
    for reading in run.readings:
        if reading.up:
            blocks.setdefault(int(reading.at_s // BLOCK_S), []).append(reading)
    print(f"resident memory with calls up, median per {BLOCK_S // 60} minutes: " + ", ".join(
        f"{n * BLOCK_S // 60}-{(n + 1) * BLOCK_S // 60} min {statistics.median(r.rss_kib for r in block) / 1024:.0f} "
        f"(calls {block[0].done}-{block[-1].done})" for n, block in sorted(blocks.items())) + " MiB")
    print(f"idle after the warm-up → at the end: open files {warm.fds} → {end.fds}, threads {warm.threads} → "
          f"{end.threads}, asyncio tasks {warm.tasks} → {end.tasks}")
    # Where the memory went: Python's objects, native code's heap, or free room the allocator keeps.
    print(f"idle after the warm-up → at the end: Python blocks {warm.py_blocks / 1e6:.2f} M → "
          f"{end.py_blocks / 1e6:.2f} M, glibc heap in use {warm.heap_used_kib / 1024:.0f} → "
          f"{end.heap_used_kib / 1024:.0f} MiB, free but kept {warm.heap_free_kib / 1024:.0f} → "
          f"{end.heap_free_kib / 1024:.0f} MiB; at the end after malloc_trim, RSS {run.trimmed_end_kib / 1024:.1f} MiB")
    if len(run.censuses) == 2:
        before, after = run.censuses
        grown = sorted(((after.get(kind, 0) - before.get(kind, 0), kind) for kind in after), reverse=True)[:12]
        print("live objects grown most, idle after the warm-up → at the end: " + ", ".join(
            f"{kind} {before.get(kind, 0)} → {after[kind]}" for change, kind in grown if change > 0))
    checks = {
        f"memory growth {growth:+.1%} < {GROWTH_LIMIT:.0%}": growth < GROWTH_LIMIT,
        f"{errors} errors": errors == 0,
        f"open files {end.fds - warm.fds:+d}": end.fds <= warm.fds,
        f"tasks {end.tasks - warm.tasks:+d}": end.tasks <= warm.tasks,
    }
    passed = all(checks.values())
    print(("PASS: " if passed else "FAIL: ") + "; ".join(
        check + ("" if ok else " ✗") for check, ok in checks.items()))
    return passed


@contextmanager
def kept(log: Path, copy: Path) -> Iterator[None]:
    """The server's log copied to `copy` when the block ends, however it ends (the server's
    temporary folder goes with it)."""
    try:
        yield
    finally:
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(log, copy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "dev" / "calls.jsonl")
    parser.add_argument("--minutes", type=float, default=30, help="how long calls are placed, warm-up included")
    parser.add_argument("--warmup", type=float, default=5, help="minutes of warm-up before the first idle reading")
    parser.add_argument("--calls-at-once", type=int, default=2, help="calls kept up at all times")
    parser.add_argument("--settle", type=float, default=15, help="seconds idle before an idle reading")
    parser.add_argument("--sample-every", type=float, default=10, help="seconds between readings")
    parser.add_argument("--keep-log", type=Path, default=REPO / "bench" / "out" / "soak_server.log",
                        help="where the server's log is copied at the end")
    args = parser.parse_args()
    if not 0 < args.warmup < args.minutes:
        parser.error("--warmup must be more than 0 and less than --minutes")
    corpus = read_corpus(args.corpus)
    knowledge = SHARED / "kb"
    files = knowledge / "sample_kb.jsonl", knowledge / "catalogue.json", knowledge / "gazetteer.json"
    with tempfile.TemporaryDirectory(prefix="hotline-soak-") as folder, cold_voice_cache() as env:
        tasks_file = Path(folder) / "tasks"
        hotline = [sys.executable, str(REPO / "bench" / "serve_counting_tasks.py"), str(tasks_file)]
        env = {**env, "HOTLINE_SERVER_MAX_CALLS": str(args.calls_at_once)}
        with local_server(*files, env=env, hotline=hotline) as server, kept(server.log_path, args.keep_log):
            print(f"server pid {server.pid}; {args.calls_at_once} calls at once for {args.minutes:g} min "
                  f"({args.warmup:g} of warm-up), cycling through the {len(corpus)} calls of {args.corpus}",
                  flush=True)
            run = Run(server, tasks_file, itertools.cycle(corpus), len(corpus))

            warm, end = asyncio.run(soak(run, args.minutes, args.warmup, args.calls_at_once, args.settle,
                                         args.sample_every))
    passed = report(run, warm, end)
    print(f"(the server's log: {args.keep_log})")
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()

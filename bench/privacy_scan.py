"""Whether a whole corpus run leaves any caller's number or name in the server's log, its live
events or its database file (issue 19, points 3 and 1).

    .venv/bin/python bench/privacy_scan.py [--corpus ../shared/corpus/dev/calls.jsonl] [--only-with-secrets]

Starts a server of its own (embedded defaults, the shared sample knowledge, logging at DEBUG, as
`hotline simulate` does), watches `/api/events` with a supervisor's key, plays every call of the
corpus through the softphone, then looks for each call's secrets in everything the server wrote
and every event it sent:

- the phone number the caller gave (the corpus label) and the line's own number: as digits,
  wherever they stand in a log line, and in any one field of an event once its digits are folded
  (一三九… counts as 139…);
- the caller's name (the label), where it names someone (陈立新, not 马先生), and its given name
  alone (立新);
- both, in the raw bytes of the server's SQLite file and its write-ahead log once the server has
  stopped (numbers as digits, names in UTF-8), where callers' data is sealed.

`--only-with-secrets` plays only the calls whose caller gives a number or a name, `--calls` only
the calls named (tests/test_privacy_scan.py plays those whose caller gives a full name and a number).

It prints the number of leaks of each kind, with the first few, and exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import threading
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.privacy import fold_digits, masked_name  # noqa: E402
from server.telephony.simulate import Target, local_server, read_corpus, simulate_call  # noqa: E402

SHARED = ROOT.parent / "shared"


def secrets_of(corpus: Path) -> dict[str, tuple[list[str], list[str]]]:
    """Each call's (numbers, names) to look for."""
    found = {}
    for line in corpus.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        expect = record.get("expect", {})
        numbers = [n for n in (expect.get("phone"), record.get("caller_number")) if n]
        name = expect.get("caller_name")
        names = [name, name[1:]] if name and masked_name(name) != name else []
        found[str(record["id"])] = ([fold_digits(n) for n in numbers], [n for n in names if len(n) >= 2])
    return found


def strings_in(value: object) -> list[str]:
    """Every string anywhere in an event (a reading nests its fields)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def watch(url: str, key: str, seen: list[dict], stop: threading.Event) -> threading.Thread:
    async def collect() -> None:
        async with websockets.connect(url, additional_headers={"Authorization": f"Bearer {key}"}) as ws:
            while not stop.is_set():
                try:
                    seen.append(json.loads(await asyncio.wait_for(ws.recv(), 0.5)))
                except TimeoutError:
                    continue

    thread = threading.Thread(target=lambda: asyncio.run(collect()), daemon=True)
    thread.start()
    return thread


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "dev" / "calls.jsonl")
    parser.add_argument("--only-with-secrets", action="store_true", help="only calls that give a number or name")
    parser.add_argument("--calls", help="only these calls (ids, comma-separated)")
    args = parser.parse_args()
    kb = SHARED / "kb"
    secrets = secrets_of(args.corpus)
    chosen = set(args.calls.split(",")) if args.calls else None
    calls = [c for c in read_corpus(args.corpus)
             if (not args.only_with_secrets or any(secrets[c.id])) and (chosen is None or c.id in chosen)]
    events: list[dict] = []
    stop = threading.Event()
    with local_server(kb / "sample_kb.jsonl", kb / "catalogue.json", kb / "gazetteer.json",
                      env={"HOTLINE_SERVER_LOG_LEVEL": "debug"}) as server:
        watcher = watch(f"{server.url}/api/events", server.key, events, stop)
        read_back = 0  # secrets the API gave back in clear: they went through the seat and the database
        for number, call in enumerate(calls, start=1):
            result = simulate_call(Target(server.url, server.key), call, realtime=False)
            told = json.dumps(result, ensure_ascii=False)
            numbers, names = secrets[call.id]
            read_back += sum(n in fold_digits(told) for n in numbers) + sum(n in told for n in names)
            print(f"[{number}/{len(calls)}] {call.id} {'error: ' + result['error'] if 'error' in result else 'ok'}",
                  file=sys.stderr)
        stop.set()
        watcher.join(timeout=10)
        log = server.log_path.read_text(encoding="utf-8", errors="replace")
        # Every call has ended and been stored; what SQLite holds is in the file and its log.
        stored = b"".join(p.read_bytes() for p in (server.database, server.database.with_name("simulate.db-wal"))
                          if p.exists())
    log_lines = log.splitlines()
    leaks: dict[str, list[str]] = {kind: [] for kind in (
        "log numbers", "log names", "event numbers", "event names", "database numbers", "database names")}
    played = [secrets[call.id] for call in calls]
    everything = {n for numbers, _ in played for n in numbers}
    all_names = {n for _, names in played for n in names}
    for line in log_lines:
        leaks["log numbers"] += [f"{n}: {line[:160]}" for n in everything if re.search(rf"(?<!\d){n}(?!\d)", line)]
        leaks["log names"] += [f"{n}: {line[:160]}" for n in all_names if n in line]
    leaks["database numbers"] += [n for n in everything if n.encode("ascii") in stored]
    leaks["database names"] += [n for n in all_names if n.encode("utf-8") in stored]
    for event in events:
        for text in strings_in(event):
            digits = fold_digits(text)
            leaks["event numbers"] += [f"{n}: {event['type']} {text[:120]}" for n in everything if n in digits]
            leaks["event names"] += [f"{n}: {event['type']} {text[:120]}" for n in all_names if n in text]
    print(f"{len(calls)} calls, {len(log_lines)} log lines, {len(events)} events, a database of {len(stored)} bytes; "
          f"{len(everything)} numbers and {len(all_names)} names looked for; "
          f"{read_back} of them read back from the API")
    for kind, found in leaks.items():
        print(f"{kind:16s} {len(found)}")
        for example in found[:5]:
            print(f"    {example}")
    return 1 if any(leaks.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())

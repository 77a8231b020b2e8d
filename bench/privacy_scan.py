"""Whether a whole corpus run leaves any caller's number or name in the server's log or its live
events (issue 19, point 3).

    .venv/bin/python bench/privacy_scan.py [--corpus ../shared/corpus/dev/calls.jsonl]

Starts a server of its own (embedded defaults, the shared sample knowledge, logging at DEBUG, as
`hotline simulate` does), watches `/api/events` with a supervisor's key, plays every call of the
corpus through the softphone, then looks for each call's secrets in everything the server wrote
and every event it sent:

- the phone number the caller gave (the corpus label) and the line's own number: as digits,
  wherever they stand in a log line, and in any one field of an event once its digits are folded
  (一三九… counts as 139…);
- the caller's name (the label), where it names someone (陈立新, not 马先生), and its given name
  alone (立新).

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
    args = parser.parse_args()
    kb = SHARED / "kb"
    calls = read_corpus(args.corpus)
    secrets = secrets_of(args.corpus)
    events: list[dict] = []
    stop = threading.Event()
    with local_server(kb / "sample_kb.jsonl", kb / "catalogue.json", kb / "gazetteer.json",
                      env={"HOTLINE_SERVER_LOG_LEVEL": "debug"}) as server:
        watcher = watch(f"{server.url}/api/events", server.key, events, stop)
        for number, call in enumerate(calls, start=1):
            result = simulate_call(Target(server.url, server.key), call, realtime=False)
            print(f"[{number}/{len(calls)}] {call.id} {'error: ' + result['error'] if 'error' in result else 'ok'}",
                  file=sys.stderr)
        stop.set()
        watcher.join(timeout=10)
        log = server.log_path.read_text(encoding="utf-8", errors="replace")
    log_lines = log.splitlines()
    leaks: dict[str, list[str]] = {"log numbers": [], "log names": [], "event numbers": [], "event names": []}
    everything = {n for numbers, _ in secrets.values() for n in numbers}
    all_names = {n for _, names in secrets.values() for n in names}
    for line in log_lines:
        leaks["log numbers"] += [f"{n}: {line[:160]}" for n in everything if re.search(rf"(?<!\d){n}(?!\d)", line)]
        leaks["log names"] += [f"{n}: {line[:160]}" for n in all_names if n in line]
    for event in events:
        texts = [v for v in event.values() if isinstance(v, str)]
        for text in texts:
            digits = fold_digits(text)
            leaks["event numbers"] += [f"{n}: {event['type']} {text[:120]}" for n in everything if n in digits]
            leaks["event names"] += [f"{n}: {event['type']} {text[:120]}" for n in all_names if n in text]
    print(f"{len(calls)} calls, {len(log_lines)} log lines, {len(events)} events; "
          f"{len(everything)} numbers and {len(all_names)} names looked for")
    for kind, found in leaks.items():
        print(f"{kind:14s} {len(found)}")
        for example in found[:5]:
            print(f"    {example}")
    return 1 if any(leaks.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())

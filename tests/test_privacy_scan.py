"""Callers' numbers and names are nowhere in the server's log (at DEBUG), its live events or its
database file, after a simulated run of the dev calls whose caller gives a full name and a number
(bench/privacy_scan.py, run as it is run by hand; the whole corpus is its benchmark run, README)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from agent.privacy import masked_name

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "dev" / "calls.jsonl"
pytestmark = pytest.mark.slow


def named_callers() -> list[str]:
    """The calls whose caller gives a number and a name that names someone (陈立新, not 马先生):
    every kind of secret the scan looks for, in the fewest calls."""
    labels = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    return [c["id"] for c in labels if (name := c["expect"].get("caller_name")) and masked_name(name) != name
            and c["expect"].get("phone")]


def test_no_number_or_name_in_the_log_the_events_or_the_database() -> None:
    calls = named_callers()
    done = subprocess.run([sys.executable, str(REPO / "bench" / "privacy_scan.py"), "--calls", ",".join(calls)],
                          cwd=REPO, capture_output=True, text=True, timeout=900)
    report = done.stdout
    outcomes = re.findall(r"^\[\d+/\d+\] (\w+) (.*)$", done.stderr, flags=re.MULTILINE)
    assert outcomes and all(outcome == "ok" for _, outcome in outcomes), done.stderr[-2000:]
    figures = re.search(r"(\d+) calls, (\d+) log lines, (\d+) events, a database of (\d+) bytes; "
                        r"(\d+) numbers and (\d+) names looked for; (\d+) of them read back", report)
    assert figures, report + done.stderr[-2000:]
    played, log_lines, events, stored, numbers, names, read_back = map(int, figures.groups())
    # The scan saw what it scans, and secrets went through the seat into the database: the API gives
    # back what the seat heard right (2 of these 7 when written; 10 of 15 on the whole corpus).
    assert played == len(calls) >= 3 and log_lines > 500 and events > 20 and stored > 100_000
    assert numbers >= len(calls) and names >= len(calls) and read_back >= 1
    leaks = dict(re.findall(r"^(\w+ \w+)\s+(\d+)$", report, flags=re.MULTILINE))
    assert set(leaks) == {"log numbers", "log names", "event numbers", "event names", "database numbers",
                          "database names"}
    assert set(leaks.values()) == {"0"}, report
    assert done.returncode == 0, report

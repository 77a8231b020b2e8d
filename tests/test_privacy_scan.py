"""Callers' numbers and names are nowhere in the server's log (at DEBUG), its live events or its
database file, after a simulated run of every dev call whose caller gives a number or a name
(bench/privacy_scan.py, run as it is run by hand; the whole corpus is its benchmark run)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def test_no_number_or_name_in_the_log_the_events_or_the_database() -> None:
    done = subprocess.run([sys.executable, str(REPO / "bench" / "privacy_scan.py"), "--only-with-secrets"],
                          cwd=REPO, capture_output=True, text=True, timeout=900)
    report = done.stdout
    played = re.findall(r"^\[\d+/\d+\] (\w+) (.*)$", done.stderr, flags=re.MULTILINE)
    assert played and all(outcome == "ok" for _, outcome in played), done.stderr[-2000:]
    figures = re.search(r"(\d+) calls, (\d+) log lines, (\d+) events, a database of (\d+) bytes; "
                        r"(\d+) numbers and (\d+) names looked for; (\d+) of them read back", report)
    assert figures, report + done.stderr[-2000:]
    calls, log_lines, events, stored, numbers, names, read_back = map(int, figures.groups())
    # The scan saw what it scans, and the secrets went through: the API gave most of them back.
    assert calls >= 10 and log_lines > 1000 and events > 50 and stored > 100_000
    assert numbers >= 10 and names >= 3 and read_back >= (numbers + names) // 2
    leaks = dict(re.findall(r"^(\w+ \w+)\s+(\d+)$", report, flags=re.MULTILINE))
    assert set(leaks) == {"log numbers", "log names", "event numbers", "event names", "database numbers",
                          "database names"}
    assert set(leaks.values()) == {"0"}, report
    assert done.returncode == 0, report

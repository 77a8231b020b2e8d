"""How well the seat did on a corpus: per-field accuracy of `hotline simulate` results.

    .venv/bin/python bench/eval_dev.py RESULTS.jsonl [--corpus ../shared/corpus/dev/calls.jsonl] [-v]

Scored as DESIGN.md says: a field counts only on the calls where it is there to get.
- category and route: every call; kb_article: calls that expect an article; topic: ticket calls.
- district, street, address, caller name and phone: the calls where the caller gave one (the
  expected value is set), whatever the route, compared with the ticket the seat filed or, for a
  call without one, with what the seat recorded of the caller (`record`). A null that matches a
  null is not a hit. Names also by sound (the same toneless pinyin: no recogniser tells 保 from
  报); addresses after folding numerals (三号楼 = 3号楼, 六零二 = 602); phones by their digits.
- urgent and police: recall over the calls that are urgent (police), and false alarms over the
  calls that are not.
Misses are listed by the corpus's hard-case tags, so a kind of call that fails shows as one.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

from pypinyin import Style, lazy_pinyin

sys.path.insert(0, str(Path(__file__).resolve().parent))
from metrics import fold_numerals  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"
FIELDS = ("category", "route", "kb_article", "topic", "district", "district_of_tickets", "street",
          "street_of_tickets", "address", "caller_name", "name_by_sound", "phone")


def _sound(name: str | None) -> str:
    return " ".join(lazy_pinyin(name or "", style=Style.NORMAL))


def _digits(number: str | None) -> str:
    return re.sub(r"\D", "", number or "")


def slots_of(got: dict) -> dict:
    """What the seat kept of the caller: the ticket's fields, else the call's record."""
    return got.get("ticket") or got.get("record") or {}


def field_checks(expect: dict, got: dict) -> dict[str, bool]:
    """Every field this call is scored on, and whether the seat got it right."""
    checks = {
        "category": got.get("category") == expect["category"],
        "route": got.get("route") == expect["route"],
    }
    if expect.get("kb_article"):
        checks["kb_article"] = got.get("kb_article") == expect["kb_article"]
    slots = slots_of(got)
    if expect["route"] == "ticket":
        topics = {expect["topic"], *expect.get("topic_alt", [])}
        checks["topic"] = (got.get("ticket") or {}).get("topic") in topics
    for name in ("district", "street"):
        if expect.get(name):
            checks[name] = slots.get(name) == expect[name]
            if expect["route"] == "ticket":  # the targets count the work orders
                checks[f"{name}_of_tickets"] = checks[name]
    if expect.get("address_contains"):
        address = fold_numerals(slots.get("address") or "")
        checks["address"] = all(fold_numerals(part) in address for part in expect["address_contains"])
    if expect.get("caller_name"):
        checks["caller_name"] = slots.get("caller_name") == expect["caller_name"]
        checks["name_by_sound"] = _sound(slots.get("caller_name")) == _sound(expect["caller_name"])
    if expect.get("phone"):
        checks["phone"] = _digits(slots.get("phone")) == _digits(expect["phone"])
    return checks


def flag_checks(expect: dict, got: dict) -> dict[str, str]:
    """urgent / police: "hit" or "missed" on calls that have the flag, "false alarm" or "" on others."""
    out = {}
    for flag in ("urgent", "police"):
        said = bool(got.get(flag))
        out[flag] = ("hit" if said else "missed") if expect[flag] else ("false alarm" if said else "")
    return out


def _got_value(got: dict, name: str) -> object:
    if name in ("category", "route", "kb_article", "urgent", "police"):
        return got.get(name)
    if name == "topic":
        return (got.get("ticket") or {}).get("topic")
    return slots_of(got).get("caller_name" if name == "name_by_sound" else name)


def _expected_value(expect: dict, name: str) -> object:
    if name == "address":
        return expect["address_contains"]
    if name in ("urgent", "police"):
        return expect[name]
    return expect.get("caller_name" if name == "name_by_sound" else name)


def evaluate(corpus: Path, results: Path, verbose: bool = False, quiet: bool = False) -> dict[str, tuple[int, int]]:
    """Per field (right, scored); prints the table and the misses by kind unless `quiet`."""
    calls = {c["id"]: c for c in map(json.loads, corpus.read_text().splitlines())}
    got_by_id = {r["id"]: r for r in map(json.loads, results.read_text().splitlines())}
    right: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    by_kind: dict[str, list[str]] = defaultdict(list)
    errors = [cid for cid, r in got_by_id.items() if "error" in r]
    for call_id, call in calls.items():
        expect, got = call["expect"], got_by_id.get(call_id, {})
        kinds = call.get("hard") or ["plain"]
        misses = [name for name, ok in field_checks(expect, got).items() if not ok]
        for name, ok in field_checks(expect, got).items():
            total[name] += 1
            right[name] += ok
        for flag, outcome in flag_checks(expect, got).items():
            if outcome in ("hit", "missed"):
                total[flag] += 1
                right[flag] += outcome == "hit"
            if outcome in ("missed", "false alarm"):
                misses.append(f"{flag} {outcome}")
            if outcome in ("false alarm", ""):
                total[f"{flag}_false_alarms"] += 1  # the calls that could raise one
            if outcome == "false alarm":
                right[f"{flag}_false_alarms"] += 1
        for kind in kinds:
            by_kind[kind].extend(f"{call_id}:{m}" for m in misses)
        if verbose:
            for name in misses:
                field = name.split()[0]
                print(f"  miss {call_id} {name}: expected {_expected_value(expect, field)!r}, "
                      f"got {_got_value(got, field)!r}  [{', '.join(kinds)}]")
    if quiet:
        return {name: (right[name], total[name]) for name in total}
    print(f"{corpus.parent.name}: {len(calls)} calls, {len(got_by_id)} results, {len(errors)} failed {errors or ''}")
    for name in (*FIELDS, "urgent", "police"):
        if total.get(name):
            print(f"{name:<20}{right[name]:>4}/{total[name]:<4}{right[name] / total[name]:>8.1%}")
    for flag in ("urgent", "police"):
        print(f"{flag + ' false alarms':<24}{right[f'{flag}_false_alarms']:>4}/{total[f'{flag}_false_alarms']}")
    print("misses by kind:")
    for kind, misses in sorted(by_kind.items(), key=lambda kv: -len(kv[1])):
        if misses:
            print(f"  {kind:<34}{len(misses):>3}  {' '.join(misses)}")
    return {name: (right[name], total[name]) for name in total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", type=Path)
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "dev" / "calls.jsonl")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args()
    evaluate(args.corpus, args.results, args.verbose)


if __name__ == "__main__":
    main()

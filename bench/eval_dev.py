"""How well the seat did on a corpus: per-field accuracy of `hotline simulate` results.

    .venv/bin/python bench/eval_dev.py RESULTS.jsonl [--corpus ../shared/corpus/dev/calls.jsonl] [-v]

Fields are scored where the corpus labels them: category, route, urgent and police on every call;
kb_article on calls that expect one; topic, district, street, address, name and phone on the calls
whose expected route is "ticket" (compared with the ticket that was filed). Addresses are compared
after folding numerals (三号楼 = 3号楼, 六零二 = 602).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from metrics import fold_numerals  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"


def field_checks(expect: dict, got: dict) -> dict[str, bool]:
    ticket = got.get("ticket") or {}
    checks = {
        "category": got.get("category") == expect["category"],
        "route": got.get("route") == expect["route"],
        "urgent": bool(got.get("urgent")) == expect["urgent"],
        "police": bool(got.get("police")) == expect["police"],
    }
    if expect.get("kb_article"):
        checks["kb_article"] = got.get("kb_article") == expect["kb_article"]
    if expect["route"] == "ticket":
        topics = {expect["topic"], *expect.get("topic_alt", [])}
        address = fold_numerals(ticket.get("address") or "")
        checks.update({
            "topic": ticket.get("topic") in topics,
            "district": ticket.get("district") == expect["district"],
            "street": ticket.get("street") == expect["street"],
            "address": all(fold_numerals(part) in address for part in expect["address_contains"]),
            "caller_name": ticket.get("caller_name") == expect["caller_name"],
            "phone": ticket.get("phone") == expect["phone"],
        })
    return checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", type=Path)
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "dev" / "calls.jsonl")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args()
    expected = {c["id"]: c["expect"] for c in map(json.loads, args.corpus.read_text().splitlines())}
    results = {r["id"]: r for r in map(json.loads, args.results.read_text().splitlines())}

    right: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    errors = [cid for cid, r in results.items() if "error" in r]
    for call_id, expect in expected.items():
        got = results.get(call_id, {})
        for name, ok in field_checks(expect, got).items():
            total[name] += 1
            right[name] += ok
            if not ok and args.verbose:
                ticket = got.get("ticket") or {}
                print(f"  miss {call_id} {name}: expected {expect.get(name, expect.get('address_contains'))!r}, "
                      f"got {got.get(name, ticket.get(name))!r}")
    print(f"{len(expected)} calls, {len(results)} results, {len(errors)} failed {errors or ''}")
    for name in ("category", "route", "kb_article", "topic", "district", "street", "address", "caller_name",
                 "phone", "urgent", "police"):
        if total[name]:
            print(f"{name:<12}{right[name]:>4}/{total[name]:<4}{right[name] / total[name]:>8.1%}")


if __name__ == "__main__":
    main()

"""Single questions put to a fresh seat: does it answer from the right article, and only then?

    .venv/bin/python bench/kb_questions.py QUESTIONS.jsonl [--kb-dir ../shared/kb] [-v]

QUESTIONS.jsonl holds one question per line: {"q": "...", "kb": "kb-005" or null, "kind": "..."}.
A line with an article id is a 咨询 the article answers: right when the seat answers from that
article. A line with kb null is a question the KB does not answer, or a complaint or plea for help
phrased as a question: right when the seat reads no article for it (it offers a ticket, a person or
says it has no answer). Prints right/total by kind; -v lists the misses with what the seat did.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.knowledge import SeatKnowledge  # noqa: E402
from agent.seat import Seat  # noqa: E402

SHARED_KB = ROOT.parent / "shared" / "kb"


def ask(knowledge: SeatKnowledge, question: str) -> tuple[str | None, str | None, float | None]:
    """(category, article id, retrieval score of the top article) after one turn."""
    seat = Seat(knowledge)
    seat.greeting()
    seat.turn(question)
    outcome = seat.outcome()
    top = knowledge.kb.search(question, k=1)
    return outcome.category, outcome.kb_article, top[0][1] if top else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("questions", type=Path)
    parser.add_argument("--kb-dir", type=Path, default=SHARED_KB)
    parser.add_argument("-v", "--verbose", action="store_true", help="list the misses")
    args = parser.parse_args()
    kb = args.kb_dir
    knowledge = SeatKnowledge.from_files(kb / "sample_kb.jsonl", kb / "catalogue.json", kb / "gazetteer.json")
    lines = [json.loads(line) for line in args.questions.read_text().splitlines() if line.strip()]
    right: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    for line in lines:
        category, article, score = ask(knowledge, line["q"])
        ok = article == line["kb"]
        tally = right[line.get("kind", "?")]
        tally[0] += ok
        tally[1] += 1
        if not ok:
            misses.append((line, category, article, score))
    total = [sum(t[0] for t in right.values()), sum(t[1] for t in right.values())]
    for kind, (hit, n) in sorted(right.items()):
        print(f"{kind:24s} {hit:3d}/{n}")
    print(f"{'all':24s} {total[0]:3d}/{total[1]}")
    if args.verbose:
        for line, category, article, score in misses:
            print(f"- [{line.get('kind')}] want {line['kb']} got {article} ({category}, top {score}): {line['q']}")


if __name__ == "__main__":
    main()

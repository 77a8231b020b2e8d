"""The seat alone on recorded transcripts: what it files when it reads the same words again.

    .venv/bin/python bench/replay_seat.py RESULTS.jsonl --corpus CALLS.jsonl --out REPLAYED.jsonl
    .venv/bin/python bench/replay_seat.py --reference --corpus CALLS.jsonl --out REPLAYED.jsonl

Takes the caller turns a `hotline simulate` run heard (`asr_text`), or with `--reference` the
corpus's own texts (what a perfect recogniser would hear), plays them to a fresh seat turn by turn
and writes result lines in the simulate format, for bench/eval_dev.py. Seconds instead of the
quarter of an hour a simulate run takes, so a change to the seat can be measured at once; the
figures to report still come from simulate, which also runs the recogniser, whose hotwords and
number re-reading follow what the seat asked.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.knowledge import SeatKnowledge  # noqa: E402
from agent.seat import Seat  # noqa: E402
from agent.understanding import Understanding  # noqa: E402

SHARED_KB = ROOT.parent / "shared" / "kb"


def replay(
    knowledge: SeatKnowledge, call_id: str, texts: list[str], understanding: Understanding | None = None
) -> dict:
    """One call played to a fresh seat (with `understanding` reading its turns, else the offline rules)."""
    seat = Seat(knowledge, understanding=understanding)
    seat.greeting()
    turns = []
    for text in texts:
        reply = seat.turn(text)
        said = "".join(reply.sentences())  # a streamed answer is heard to its end
        turns.append({"asr_text": text, "reply_text": said, "action": reply.action, "backend": reply.backend,
                      "fallback": reply.fallback, "kb_article": reply.kb_article})
    outcome = seat.finish()
    order = outcome.work_order
    caller = outcome.caller
    return {
        "id": call_id,
        "category": outcome.category,
        "route": outcome.route,
        "kb_article": outcome.kb_article,
        "urgent": outcome.urgent,
        "police": outcome.police,
        "turns": turns,
        "ticket": None if order is None or outcome.route != "ticket" else {
            "topic": order.topic, "district": order.district, "street": order.street, "address": order.address,
            "caller_name": order.caller_name, "phone": order.phone, "summary": order.summary,
        },
        "record": {"caller_name": caller.caller_name, "phone": caller.phone, "district": caller.district,
                   "street": caller.street, "address": caller.address},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", type=Path, nargs="?", help="a simulate run's results (its asr_text)")
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--reference", action="store_true", help="play the corpus's own texts instead")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--kb-dir", type=Path, default=SHARED_KB,
                        help="sample_kb.jsonl, catalogue.json and gazetteer.json (the corpus's labels name these)")
    args = parser.parse_args()
    if not args.reference and args.results is None:
        parser.error("give a simulate results file, or --reference")
    kb = args.kb_dir
    knowledge = SeatKnowledge.from_files(kb / "sample_kb.jsonl", kb / "catalogue.json", kb / "gazetteer.json")
    calls = [json.loads(line) for line in args.corpus.read_text().splitlines()]
    if args.reference:
        texts = {c["id"]: [t["text"] for t in c["turns"]] for c in calls}
    else:
        heard = [json.loads(line) for line in args.results.read_text().splitlines()]
        texts = {r["id"]: [t["asr_text"] for t in r.get("turns", [])] for r in heard}
    with args.out.open("w") as out:
        for call in calls:
            line = replay(knowledge, call["id"], texts.get(call["id"], []))
            out.write(json.dumps(line, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

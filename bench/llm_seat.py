"""The seat's two backends side by side on recorded transcripts: accuracy and time a turn.

    .venv/bin/hotline llm serve --model 1.5b --port 8080 &        # or any OpenAI-compatible server
    .venv/bin/python bench/llm_seat.py --base-url http://127.0.0.1:8080/v1 \\
        --model qwen2.5-coder-1.5b-instruct-q4_k_m \\
        dev=RESULTS_DEV.jsonl dev2=RESULTS_DEV2.jsonl

Each RESULTS file is a `hotline simulate` run of that corpus (its `asr_text` is what the callers were
heard to say); the corpus is ../shared/corpus/NAME/calls.jsonl. Every call is played to a fresh
seat turn by turn, once with the offline backend and once with the LLM backend (the offline rules
taking any turn the model fails), and both are scored as bench/eval_dev.py scores a simulate run.
Prints one table: each field's figure per backend and corpus, then the median and 90th percentile
time a turn took each backend, and how many turns the LLM backend handed to the offline rules and
why. One run; the machine is shared, so times vary by a third from hour to hour.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from eval_dev import evaluate  # noqa: E402
from metrics import percentile  # noqa: E402
from replay_seat import SHARED_KB, replay  # noqa: E402

from agent.knowledge import SeatKnowledge  # noqa: E402
from agent.llm import LlmClient  # noqa: E402
from agent.llm.understanding import LlmUnderstanding  # noqa: E402

FIELDS = ("category", "route", "kb_article", "topic", "district", "street", "address", "caller_name",
          "name_by_sound", "phone", "urgent", "police", "urgent_false_alarms", "police_false_alarms")


def run_backend(
    knowledge, corpus: Path, heard: Path, understanding, out: Path, limit: int | None
) -> tuple[list[float], Counter]:
    calls = [json.loads(line) for line in corpus.read_text().splitlines()][:limit]
    heard_calls = [json.loads(line) for line in heard.read_text().splitlines()]
    texts = {r["id"]: [t["asr_text"] for t in r.get("turns", [])] for r in heard_calls}
    times: list[float] = []
    fallbacks: Counter = Counter()
    with out.open("w") as sink:
        for number, call in enumerate(calls, 1):
            started = time.monotonic()
            line = replay(knowledge, call["id"], texts.get(call["id"], []), understanding)
            turns = max(1, len(line["turns"]))
            times.extend([(time.monotonic() - started) / turns] * turns)
            # A turn the model could not read is left to the rules (backend "offline"); a reading
            # taken whose wording was refused keeps backend "llm" and says the article's own words.
            fallbacks.update(f"{'reading' if t['backend'] == 'offline' else 'wording'} {t['fallback']}"
                             for t in line["turns"] if t.get("fallback"))
            sink.write(json.dumps(line, ensure_ascii=False) + "\n")
            print(f"\r  {corpus.parent.name}: {number}/{len(calls)} calls", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return times, fallbacks


def _first_calls(corpus: Path, limit: int, folder: Path) -> Path:
    """The corpus cut to its first `limit` calls, for scoring a limited run."""
    folder.mkdir(exist_ok=True)
    cut = folder / "calls.jsonl"
    cut.write_text("\n".join(corpus.read_text().splitlines()[:limit]) + "\n")
    return cut


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", help="NAME=RESULTS.jsonl, NAME a corpus under ../shared/corpus")
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a turn may take the model")
    parser.add_argument("--structured", choices=("tool", "json_object"), default="json_object")
    parser.add_argument("--limit", type=int, help="only the first N calls of each corpus (a 1.5B on 2 cores "
                        "takes about a minute a call: the whole of dev and dev2 is some two hours)")
    args = parser.parse_args()
    kb = SHARED_KB
    knowledge = SeatKnowledge.from_files(kb / "sample_kb.jsonl", kb / "catalogue.json", kb / "gazetteer.json")
    client = LlmClient(args.base_url, args.model, timeout_s=args.timeout, structured=args.structured,
                       reply_timeout_s=args.timeout * 2)
    backends = {"offline": None, "llm": LlmUnderstanding(client, knowledge)}
    scores: dict[tuple[str, str], dict[str, tuple[int, int]]] = {}
    times: dict[str, list[float]] = {name: [] for name in backends}
    fallbacks: Counter = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for run in args.runs:
            name, _, path = run.partition("=")
            corpus = ROOT.parent / "shared" / "corpus" / name / "calls.jsonl"
            for backend, understanding in backends.items():
                out = Path(tmp) / f"{name}-{backend}.jsonl"
                took, fell = run_backend(knowledge, corpus, Path(path), understanding, out, args.limit)
                times[backend] += took
                if backend == "llm":
                    fallbacks += fell
                scored = corpus if args.limit is None else _first_calls(corpus, args.limit, Path(tmp) / name)
                scores[(name, backend)] = evaluate(scored, out, quiet=True)
    columns = list(scores)
    print("| field | " + " | ".join(f"{name} {backend}" for name, backend in columns) + " |")
    print("|---|" + "---|" * len(columns))
    for field in FIELDS:
        cells = []
        for column in columns:
            right, total = scores[column].get(field, (0, 0))
            cells.append(f"{right}/{total}" if total else "–")
        print(f"| {field} | " + " | ".join(cells) + " |")
    for backend, took in times.items():
        if took:
            print(f"{backend}: {len(took)} turns, median {percentile(took, 0.5):.2f} s a turn, "
                  f"p90 {percentile(took, 0.9):.2f} s")
    print(f"llm turns left to the offline rules: {sum(fallbacks.values())} {dict(fallbacks)}")


if __name__ == "__main__":
    main()

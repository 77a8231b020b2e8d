"""CER of the streaming path (what callers' words become on a live call) next to `hotline transcribe`.

    .venv/bin/python bench/asr_cer.py [--corpus ../shared/corpus/dev/calls.jsonl] [--results R.jsonl]

The streaming figure comes from `hotline simulate` (run here unless --results names an earlier
run): audio over the WebSocket, VAD end of turn, Whisper on each turn. The file figure runs the
same model on each whole clip, as `hotline transcribe` does. Both are scored per call (all turns
joined) against the corpus texts, with numerals folded as the corpus README describes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from metrics import cer_counts  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def score(pairs: list[tuple[str, str]]) -> tuple[float, float]:
    """(corpus CER, median per-call CER)"""
    counts = [cer_counts(ref, hyp) for ref, hyp in pairs]
    total = sum(e for e, _ in counts) / max(1, sum(n for _, n in counts))
    return total, statistics.median(e / max(1, n) for e, n in counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "dev" / "calls.jsonl")
    parser.add_argument("--results", type=Path, help="an earlier `hotline simulate` output for this corpus")
    args = parser.parse_args()
    calls = [json.loads(line) for line in args.corpus.read_text(encoding="utf-8").splitlines() if line.strip()]

    results_path = args.results
    if results_path is None:
        results_path = REPO / "bench" / "out" / "simulate_dev.jsonl"
        results_path.parent.mkdir(parents=True, exist_ok=True)
        kb = SHARED / "kb"
        subprocess.run([str(REPO / ".venv" / "bin" / "hotline"), "simulate", str(args.corpus), "--out",
                        str(results_path), "--kb", str(kb / "sample_kb.jsonl"), "--catalogue",
                        str(kb / "catalogue.json"), "--gazetteer", str(kb / "gazetteer.json")], check=True)
    streamed = {r["id"]: r for r in map(json.loads, results_path.read_text(encoding="utf-8").splitlines())}

    from server.config import load_settings
    from server.services import build_recognizer
    from voice.audio_file import load_audio

    recognizer = build_recognizer(load_settings())
    stream_pairs, file_pairs, cpu, audio_s = [], [], 0.0, 0.0
    for call in calls:
        reference = "".join(turn["text"] for turn in call["turns"])
        result = streamed.get(call["id"], {})
        stream_pairs.append((reference, "".join(t["asr_text"] for t in result.get("turns", []))))
        texts = []
        for turn in call["turns"]:
            audio = load_audio(args.corpus.parent / turn["audio"])
            started = time.process_time()
            texts.append(recognizer.transcribe_long(audio).text)
            cpu += time.process_time() - started
            audio_s += len(audio) / 16000
        file_pairs.append((reference, "".join(texts)))
        print(f"{call['id']}", end=" ", file=sys.stderr, flush=True)
    print(file=sys.stderr)

    failed = sum(1 for r in streamed.values() if "error" in r)
    print(f"corpus: {args.corpus} ({len(calls)} calls, {audio_s:.0f} s of audio; {failed} simulated calls failed)")
    print(f"{'path':<34}{'CER':>8}{'median call CER':>18}")
    paths = (("streaming (hotline simulate)", stream_pairs), ("whole file (hotline transcribe)", file_pairs))
    for name, pairs in paths:
        total, median = score(pairs)
        print(f"{name:<34}{total:>8.1%}{median:>18.1%}")
    print(f"whole-file decoding: {cpu / audio_s:.2f} CPU-seconds per audio second")


if __name__ == "__main__":
    main()

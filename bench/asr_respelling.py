"""What respelling known names (voice/asr/respelling.py) does to the recogniser's text.

    .venv/bin/python bench/asr_respelling.py [--corpus ../shared/corpus/dev/calls.jsonl] [-v]

Every turn of the corpus is transcribed whole (as `hotline transcribe` does), then respelt as a
live call's final text is, with the sample KB, catalogue and gazetteer. Printed: CER before and
after; of the known names and terms in the reference texts (places; services and situations),
how many the text spells right before and after; respellings that wrote a term the caller did not
say; and what the respelling costs (CPU per turn that had candidates, against its decode).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from rich.progress import track

sys.path.insert(0, str(Path(__file__).resolve().parent))
from metrics import cer_counts  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def said(reference: str, terms: set[str]) -> list[str]:
    """The terms a reference text holds, not counting one inside a longer one it also holds."""
    present = [t for t in terms if t in reference]
    return [t for t in present if not any(t != longer and t in longer for longer in present)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "dev" / "calls.jsonl")
    parser.add_argument("--kb-dir", type=Path, default=SHARED / "kb")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every respelling")
    args = parser.parse_args()

    from agent.hearing import names_to_listen_for
    from agent.knowledge import SeatKnowledge
    from server.config import load_settings
    from server.services import build_recognizer
    from voice.asr.respelling import respell
    from voice.audio_file import load_audio

    knowledge = SeatKnowledge.from_files(
        args.kb_dir / "sample_kb.jsonl", args.kb_dir / "catalogue.json", args.kb_dir / "gazetteer.json"
    )
    places = knowledge.gazetteer.names()
    services = names_to_listen_for(knowledge.kb, knowledge.catalogue, knowledge.gazetteer) - places
    recognizer = build_recognizer(load_settings())
    calls = [json.loads(line) for line in args.corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    turns = [(turn["text"], args.corpus.parent / turn["audio"]) for call in calls for turn in call["turns"]]

    before, after, wrong = [], [], []
    decode_cpu, respell_cpu = [], []
    for reference, path in track(turns, description="transcribing and respelling"):
        audio = load_audio(path)
        started = time.process_time()
        transcript = recognizer.transcribe(audio)
        text = transcript.text
        decoded = time.process_time()
        candidates = knowledge.misspellings.find(text)
        respelt, chosen = respell(audio, text, transcript.segments, candidates, recognizer.score_texts)
        if candidates:
            decode_cpu.append(decoded - started)
            respell_cpu.append(time.process_time() - decoded)
        before.append((reference, text))
        after.append((reference, respelt))
        for term, start, end in chosen:
            if term not in reference:
                wrong.append(f"{path.name}: {text[start:end]} → {term}")
            if args.verbose:
                print(f"{path.name}: {text[start:end]} → {term}{'' if term in reference else '  (not said)'}")

    def cer(pairs: list[tuple[str, str]]) -> float:
        counts = [cer_counts(reference, text) for reference, text in pairs]
        return sum(e for e, _ in counts) / max(1, sum(n for _, n in counts))

    def spelt_right(pairs: list[tuple[str, str]], terms: set[str]) -> str:
        held = [(term, text) for reference, text in pairs for term in said(reference, terms)]
        return f"{sum(term in text for term, text in held)}/{len(held)}"

    print(f"corpus: {args.corpus} ({len(turns)} turns); vocabulary: {len(places)} place names, "
          f"{len(services)} service and situation words")
    print(f"{'':<28}{'CER':>8}{'places right':>16}{'services right':>16}")
    print(f"{'as decoded':<28}{cer(before):>8.1%}{spelt_right(before, places):>16}"
          f"{spelt_right(before, services):>16}")
    print(f"{'respelt':<28}{cer(after):>8.1%}{spelt_right(after, places):>16}{spelt_right(after, services):>16}")
    print(f"respellings of a term not said: {len(wrong)}" + "".join(f"\n  {w}" for w in wrong))
    if respell_cpu:
        print(f"turns with candidates: {len(respell_cpu)}/{len(turns)}; respelling CPU per such turn: median "
              f"{statistics.median(respell_cpu) * 1000:.0f} ms, "
              f"{statistics.median(r / d for r, d in zip(respell_cpu, decode_cpu, strict=True)):.2f} × its decode")


if __name__ == "__main__":
    main()

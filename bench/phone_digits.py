"""Dictated phone numbers: how often the recogniser gets them right, over many cuts of the same turn.

    .venv/bin/python bench/phone_digits.py [--corpus ../shared/corpus/dev/calls.jsonl] [--shifts 8]

Whisper base writes a dictated number differently when the audio moves by 10 ms, so one decode of
each turn (one `hotline simulate` run) is one draw. This benchmark takes many: every turn whose
reference text dictates the call's expected phone number is cut as the server cuts it (after a
second of the digital silence a gateway sends between turns, μ-law, 8→16 kHz stream resampler,
Silero end of turn), then recognised with the caller's audio starting 0, 10, 20 … ms later, as it
does on a line that carries noise rather than digital silence, and what the seat would take from
each text (agent.phone.extract_phone) is compared with the number.
Printed: per number how many cuts were right, and over all cuts the share right, wrong (a
dialable number that is not the caller's) and missing (nothing dialable; the seat asks again),
and the median time one cut took to transcribe, number read again included (what a caller who
dictated a number waits for; one call at a time).

With --consensus each draw is what the server does with a dictated number: the turn read from cuts
10 ms apart until two agree (voice/asr/number_consensus.py); draw k starts its cuts k × 5 ms into
the caller's audio. Printed beside each number: how many cuts each draw took; the time is a draw's.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from agent.numbers import digits_of  # noqa: E402
from agent.phone import extract_phone  # noqa: E402
from voice.asr.number_consensus import read_by_consensus  # noqa: E402
from voice.codec import first_sound  # noqa: E402
from voice.line_turns import turns_off_the_line  # noqa: E402

SHARED = REPO.parent / "shared"
def _later_start(turn: np.ndarray, seconds: float) -> np.ndarray:
    """The turn with the caller's audio starting `seconds` later (the recogniser skips the silence
    in front, so cutting into that would change nothing)."""
    return turn[(first_sound(turn) or 0) + int(seconds * 16000) :]


def dictation_turns(corpus: Path) -> list[tuple[str, Path, str]]:
    """(call id, clip, expected number) for every turn whose reference text says the number."""
    found = []
    for line in corpus.read_text(encoding="utf-8").splitlines():
        call = json.loads(line) if line.strip() else None
        phone = call and call["expect"].get("phone")
        for turn in call["turns"] if phone else []:
            if phone in digits_of(turn["text"]):
                found.append((call["id"], corpus.parent / turn["audio"], phone))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "dev" / "calls.jsonl")
    parser.add_argument("--shifts", type=int, default=8, help="cuts per turn, 10 ms apart")
    parser.add_argument("--calls", default="", help="only these call ids (comma separated)")
    parser.add_argument(
        "--consensus", action="store_true", help="read each draw as the server does: cuts until two agree"
    )
    args = parser.parse_args()

    from server.config import load_settings
    from server.services import build_recognizer, build_turn_detector

    settings = load_settings()
    recognizer = build_recognizer(settings)
    totals = {"right": 0, "wrong": 0, "missing": 0}
    seconds = []
    only = set(filter(None, args.calls.split(",")))
    for call_id, clip, phone in dictation_turns(args.corpus):
        if only and call_id not in only:
            continue
        turns = turns_off_the_line(clip, build_turn_detector(settings))
        heard, cuts = [], []
        for shift in range(args.shifts):
            began = time.perf_counter()
            if args.consensus:
                cut_turns = [_later_start(turn, shift * 0.005) for turn in turns]
                readings = [read_by_consensus(cut, recognizer.transcribe) for cut in cut_turns]
                text = "".join(reading.transcript.text for reading in readings)
                cuts.append("+".join(str(reading.cuts) for reading in readings))
            else:
                text = "".join(recognizer.transcribe(_later_start(turn, shift * 0.01)).text for turn in turns)
            seconds.append(time.perf_counter() - began)
            found = extract_phone(text)
            number = found.number if found else None
            outcome = "right" if number == phone else "missing" if number is None else "wrong"
            totals[outcome] += 1
            heard.append(number or "-")
        right = sum(number == phone for number in heard)
        took = f"  cuts {' '.join(cuts)}" if cuts else ""
        print(f"{call_id} {phone}  {right}/{args.shifts} right  {' '.join(heard)}{took}", flush=True)
    cuts = sum(totals.values())
    shares = "  ".join(f"{name} {count}/{cuts} ({count / max(1, cuts):.0%})" for name, count in totals.items())
    print(f"all {'draws' if args.consensus else 'cuts'}: {shares}")
    if seconds:
        what = "draw" if args.consensus else "cut"
        print(f"transcribing a {what}: median {statistics.median(seconds):.2f} s, longest {max(seconds):.2f} s")


if __name__ == "__main__":
    main()

"""Streaming recognition against decoding the whole turn at once, on the dev corpus.

    .venv/bin/python bench/streaming_asr.py [--corpus ../shared/corpus/dev/calls.jsonl]
        [--step 4.0] [--pause 0.1] [--commit-pause 0.45] [--commit 8.0] [--calls d001,d002] [-v]

Every turn is cut as the server cuts it (voice/line_turns.py: μ-law, stream
resampler, Silero end of turn), then read twice by the same model: once whole (`decode`, what
the server does today) and once as it would be heard live (voice/asr/streaming.py: a window decode
every --step seconds of speech and in each pause of --pause seconds; a stretch of at least
--commit seconds is committed in a pause of --commit-pause seconds). Dictated numbers are left
as Whisper wrote them on both sides (the digit re-read is the same afterwards either way).

Printed: CER of each against the corpus texts and their ratio (issue 3 wants ≤ 1.05), CPU
seconds per audio second of each (≤ 0.3 wanted), decodes per turn, the median wall time of
one window decode (what the end of a turn costs when the pause decode cannot be reused), and of
each turn's last decode, the one in the pause that ends it, which the final text reuses: how much
audio it reads and how long that takes is most of the wait from end of speech to final.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from metrics import cer_counts, percentile  # noqa: E402
from phone_digits import SHARED  # noqa: E402

from voice.line_turns import turns_off_the_line  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "dev" / "calls.jsonl")
    parser.add_argument("--step", type=float, help="seconds of speech between partial decodes (default: [turn])")
    parser.add_argument("--pause", type=float, help="a pause this long triggers a decode (default: [turn])")
    parser.add_argument("--commit-pause", type=float, help="a pause this long commits (default: [turn])")
    parser.add_argument("--commit", type=float, help="shortest stretch committed at a pause (default: [turn])")
    parser.add_argument("--calls", default="", help="only these call ids (comma separated)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print turns the streamed text reads worse")
    args = parser.parse_args()

    from server.config import load_settings
    from server.services import build_recognizer, build_turn_detector, live_settings
    from voice.asr.streaming import DecodeSchedule, StreamingTranscriber, stream_recorded
    from voice.vad import WINDOW_SAMPLES, SileroVad

    settings = load_settings()
    # The server's policy ([turn] in the config) unless an option says otherwise.
    live = live_settings(settings)
    args.step = live.step_s if args.step is None else args.step
    args.pause = live.pause_s if args.pause is None else args.pause
    args.commit_pause = live.commit_pause_s if args.commit_pause is None else args.commit_pause
    args.commit = live.min_commit_s if args.commit is None else args.commit
    recognizer = build_recognizer(settings)
    window_walls: list[float] = []
    window_audio: list[float] = []

    def timed_window(audio, said_before, fallback=True):  # noqa: ANN001, ANN202 - the Decode signature
        started = time.perf_counter()
        segments = recognizer.decode_window(audio, said_before, fallback=fallback)
        window_walls.append(time.perf_counter() - started)
        window_audio.append(audio.size / 16000)
        return segments

    def timed_partial(audio, said_before):  # noqa: ANN001, ANN202 - as the call session decodes partials
        return timed_window(audio, said_before, fallback=False)

    only = set(filter(None, args.calls.split(",")))
    whole_errors = streamed_errors = reference_chars = 0
    whole_cpu = streamed_cpu = audio_s = 0.0
    decodes: list[int] = []
    last_walls: list[float] = []  # per turn, the decode the final text came from
    last_audio: list[float] = []
    for line in args.corpus.read_text(encoding="utf-8").splitlines():
        call = json.loads(line) if line.strip() else None
        if call is None or (only and call["id"] not in only):
            continue
        for turn in call["turns"]:
            whole, streamed = [], []
            for audio in turns_off_the_line(args.corpus.parent / turn["audio"], build_turn_detector(settings)):
                audio_s += audio.size / 16000
                started = time.process_time()
                whole.append("".join(segment.text for segment in recognizer.decode(audio)))
                whole_cpu += time.process_time() - started
                started = time.process_time()
                transcriber = StreamingTranscriber(timed_window, min_commit_s=args.commit, partial_decode=timed_partial)
                schedule = DecodeSchedule(args.step, args.pause, args.commit_pause)
                final = stream_recorded(transcriber, audio, SileroVad().process(audio), WINDOW_SAMPLES, schedule)
                streamed_cpu += time.process_time() - started
                streamed.append(final.text)
                decodes.append(transcriber.decodes)
                if transcriber.decodes:
                    last_walls.append(window_walls[-1])
                    last_audio.append(window_audio[-1])
            errors, chars = cer_counts(turn["text"], "".join(whole))
            worse = cer_counts(turn["text"], "".join(streamed))[0]
            whole_errors, reference_chars = whole_errors + errors, reference_chars + chars
            streamed_errors += worse
            if args.verbose and worse > errors + 2:
                print(f"\n{turn['audio']} +{worse - errors}")
                print(f"  whole    {''.join(whole)}\n  streamed {''.join(streamed)}")
        print(call["id"], end=" ", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    whole_cer, streamed_cer = whole_errors / max(1, reference_chars), streamed_errors / max(1, reference_chars)
    print(f"{len(decodes)} turns, {audio_s:.0f} s of audio; step {args.step} s, pause {args.pause} s, "
          f"commit after {args.commit_pause} s of pause, {args.commit} s of speech or more")
    print(f"{'path':<24}{'CER':>8}{'CPU s / audio s':>18}")
    print(f"{'whole turn':<24}{whole_cer:>8.1%}{whole_cpu / audio_s:>18.2f}")
    print(f"{'streamed':<24}{streamed_cer:>8.1%}{streamed_cpu / audio_s:>18.2f}")
    print(f"CER ratio streamed / whole: {streamed_cer / max(whole_cer, 1e-9):.3f}")
    print(f"decodes per turn: median {statistics.median(decodes):.0f}, max {max(decodes)}; "
          f"one window decode: median {statistics.median(window_walls) * 1000:.0f} ms wall")
    # What the end of a turn waits for: the decode in the pause that ended it (the final reuses it).
    print(f"the turn's last decode: median {statistics.median(last_audio):.1f} s of audio, "
          f"{statistics.median(last_walls) * 1000:.0f} ms wall (p90 {percentile(last_walls, 0.9) * 1000:.0f} ms)")


if __name__ == "__main__":
    main()

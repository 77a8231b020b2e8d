"""What hearing a name again with a wider search (agent/name_respelling.py) does to callers' names.

    .venv/bin/python bench/name_again.py [--corpus ../shared/corpus/dev2/calls.jsonl] [-v]

Every turn of the calls that give a name is decoded as a live call's final text is (the quick
decode, numbers read again), and played to a fresh seat turn by turn. Where the seat had asked for
the name, or the words cue one, and they yield none or a surname with no title, the turn is decoded
again with the wider search and the name's stretch taken from it, as the server does. Printed: the
caller's name by sound (toneless pinyin, as bench/eval_dev.py scores it) from the seat with the
quick words and with the name heard again, the turns heard again, and what that cost against the
quick decodes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from rich.progress import track

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_dev import _sound  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "dev2" / "calls.jsonl")
    parser.add_argument("--kb-dir", type=Path, default=SHARED / "kb")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every call's names")
    args = parser.parse_args()

    from agent.knowledge import SeatKnowledge
    from agent.name_respelling import name_not_caught, with_name_heard_again
    from agent.seat import Seat
    from server.config import load_settings
    from server.services import build_recognizer
    from voice.audio_file import load_audio

    kb = args.kb_dir
    knowledge = SeatKnowledge.from_files(kb / "sample_kb.jsonl", kb / "catalogue.json", kb / "gazetteer.json")
    recognizer = build_recognizer(load_settings())
    calls = [json.loads(line) for line in args.corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    named = [call for call in calls if call["expect"].get("caller_name")]

    right = {"quick": 0, "again": 0}
    heard_again = 0
    quick_s = again_s = 0.0
    for call in track(named, description="names"):
        seats = {"quick": Seat(knowledge), "again": Seat(knowledge)}
        for turn in call["turns"]:
            audio = load_audio(args.corpus.parent / turn["audio"])
            started = time.process_time()
            text = recognizer.transcribe(audio).text
            quick_s += time.process_time() - started
            seats["quick"].turn(text)
            again_text = text
            if name_not_caught(text, asked=seats["again"].wants_name()):
                started = time.process_time()
                wider = recognizer.listen_again(audio)
                again_s += time.process_time() - started
                heard_again += 1
                again_text = with_name_heard_again(text, wider) or text
            seats["again"].turn(again_text)
        want = call["expect"]["caller_name"]
        got = {kind: seat.finish().caller.caller_name for kind, seat in seats.items()}
        for kind in right:
            right[kind] += _sound(got[kind]) == _sound(want)
        if args.verbose and got["quick"] != got["again"]:
            print(f"{call['id']}: {want}: quick {got['quick']}, heard again {got['again']}")

    print(f"{args.corpus.parent.name}: {len(named)} calls that give a name")
    print(f"name by sound, quick words         {right['quick']}/{len(named)}")
    print(f"name by sound, name heard again    {right['again']}/{len(named)}")
    share = f"{again_s / quick_s:.0%}" if quick_s else "-"
    print(f"turns heard again {heard_again}, their CPU {again_s:.1f} s "
          f"against {quick_s:.1f} s of quick decodes ({share})")


if __name__ == "__main__":
    main()

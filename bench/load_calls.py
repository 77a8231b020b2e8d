"""Several callers at once, in real time: how fast the seat still hears and answers.

    .venv/bin/python bench/load_calls.py [--sizes 1,4] [--calls 8] [--corpus ../shared/corpus/dev/calls.jsonl]
    .venv/bin/python bench/load_calls.py --find-capacity [--up-to 8]

For each size N it starts a server of its own (embedded defaults, the shared sample knowledge, as
`hotline simulate` does) and plays the first --calls multi-turn calls of the corpus N at a time
(all N start together; the next N when those are done), each in real time by the softphone (20 ms
frames on the clock, marks echoed when the reply has played). Every size plays the same calls,
so the figures differ only by the load. Printed per size, from the audio timeline of each turn:

- end of speech → final transcript, p50 and p95 (the final is the stored `asr_final_at`), and
  apart: p95 of the turns without a dictated number, and p50 of those with one (their number is
  read again digit by digit before the final, seconds of work, while the caller hears a hold prompt);
- end of speech → first reply audio, p50 and p95 (a hold prompt counts: it is what the caller hears);
  every size starts with an empty reply cache (only the fixed prompts rendered), so replies are
  synthesised as for a caller who asks something new;
- call start → greeting audio, p50;
- frames lost: frames the phones sent that the server did not take in (from its call_ended event);
- the server's CPU seconds per second of caller audio (everything: VAD, recognition, synthesis),
  and per second of the callers' speech alone.

Medians and p95 of one run; this machine is shared and noisy, so compare sizes within a run.

`--find-capacity` finds this machine's capacity instead: N = 1, 2, 3 … calls at once (one wave of
N different calls, all starting together), stopping at the first N whose end of speech → final
p95 passes 2 s or that loses a frame (or a call fails); the capacity is the last N that passed,
which is what `[server] max_calls` should be at most. Each N prints its CPU seconds per second of
call audio (per call-second). The servers it starts take any number of calls (max_calls = 0).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import websockets

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
SHARED = REPO.parent / "shared"

from metrics import percentile  # noqa: E402

from server.telephony.simulate import (  # noqa: E402
    endpoints,
    fetch_detail,
    local_server,
    read_corpus,
    reader_headers,
    result_line,
)
from server.telephony.softphone import FRAME_S, Softphone, caller_audio  # noqa: E402
from voice.asr.number_cues import dictates_number  # noqa: E402


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def timings(line: dict, field: str) -> list[float]:
    return [turn[field] for turn in line["turns"] if turn[field] is not None]


async def run_calls(url: str, key: str, calls: list) -> tuple[list, dict[str, int]]:
    """Place all calls at once; returns their PhoneCall results and frames each was heard to get."""
    frames_in: dict[str, int] = {}
    events = url.replace("/media-stream", "/api/events")
    async with websockets.connect(events, additional_headers=reader_headers(key)) as watcher:

        async def watch() -> None:
            async for raw in watcher:
                event = json.loads(raw)
                if event["type"] == "call_ended":
                    frames_in[event["call_sid"]] = event["frames"]

        watching = asyncio.create_task(watch())
        phones = await asyncio.gather(
            *(Softphone(url, realtime=True).call(call.clips, call.caller_number) for call in calls),
            return_exceptions=True,
        )
        deadline = time.monotonic() + 60
        while len(frames_in) < sum(1 for p in phones if not isinstance(p, BaseException)):
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        watching.cancel()
    return phones, frames_in


@contextmanager
def cold_voice_cache() -> Iterator[dict[str, str]]:
    """Settings for a server whose reply cache is empty (the fixed prompts are rendered at its
    start, as always): otherwise every reply the last run synthesised would come from the cache,
    and a size played after another would hear only cached replies. The models are shared."""
    from server.config import load_settings

    models = load_settings().cache_dir / "models"
    models.mkdir(parents=True, exist_ok=True)  # a link to nowhere would stop the server unpacking its model
    with tempfile.TemporaryDirectory(prefix="hotline-bench-cache-") as folder:
        (Path(folder) / "models").symlink_to(models, target_is_directory=True)
        yield {"HOTLINE_PATHS_CACHE_DIR": folder}


def measure(size: int, calls: list, verbose: bool = False) -> dict[str, float]:
    knowledge = SHARED / "kb"
    files = knowledge / "sample_kb.jsonl", knowledge / "catalogue.json", knowledge / "gazetteer.json"
    # No line limit: the bench is what finds it, and a queued call would not be measuring the load.
    with cold_voice_cache() as env, local_server(*files, env={**env, "HOTLINE_SERVER_MAX_CALLS": "0"}) as server:
        ws_url, http = endpoints(server.url)
        cpu_before = cpu_seconds(server.pid)
        phones, frames_in = [], {}
        for wave in range(0, len(calls), size):
            wave_phones, wave_frames = asyncio.run(run_calls(ws_url, server.key, calls[wave : wave + size]))
            phones += wave_phones
            frames_in.update(wave_frames)
            print(f"  {size} at once: {min(wave + size, len(calls))}/{len(calls)} calls done", file=sys.stderr)
        cpu = cpu_seconds(server.pid) - cpu_before
        replies, greetings, lost, audio_s, failed = [], [], 0, 0.0, 0
        plain_finals, number_finals = [], []  # without / with a dictated number (read again)
        for call, phone in zip(calls, phones, strict=True):
            if isinstance(phone, BaseException):
                failed += 1
                print(f"  {call.id}: failed: {phone}", file=sys.stderr)
                continue
            detail = fetch_detail(http, phone.call_sid, server.key)
            line = result_line(call.id, phone, detail, realtime=True)
            if verbose:
                for turn in line["turns"]:
                    print(f"  {call.id} final {turn['end_of_speech_to_final_ms']} ms, reply audio "
                          f"{turn['end_of_speech_to_reply_audio_ms']} ms: {turn['asr_text'][:40]}", file=sys.stderr)
            for turn in line["turns"]:
                if turn["end_of_speech_to_final_ms"] is not None:
                    dictated = dictates_number(turn["asr_text"] or "")
                    (number_finals if dictated else plain_finals).append(turn["end_of_speech_to_final_ms"])
            replies += timings(line, "end_of_speech_to_reply_audio_ms")
            if phone.first_audio_wall:
                greetings.append((phone.first_audio_wall - phone.started_wall) * 1000)
            lost += phone.frames_sent - frames_in.get(phone.call_sid, 0)
            audio_s += phone.frames_sent * FRAME_S
        finals = plain_finals + number_finals
        return {
            "calls": size, "failed": failed, "turns": len(finals),
            "final_p50": statistics.median(finals), "final_p95": percentile(finals, 0.95),
            "plain_p95": percentile(plain_finals, 0.95) if plain_finals else float("nan"),
            "number_turns": len(number_finals),
            "number_p50": statistics.median(number_finals) if number_finals else float("nan"),
            "reply_p50": statistics.median(replies), "reply_p95": percentile(replies, 0.95),
            "greeting_p50": statistics.median(greetings), "frames_lost": lost,
            "cpu_per_audio_s": cpu / audio_s if audio_s else float("nan"),
            "cpu_s": cpu, "audio_s": audio_s,
        }


# Past these a caller waits too long for the words to be understood, or hears a broken line.
FINAL_P95_LIMIT_MS = 2000


def passes(row: dict[str, float]) -> bool:
    return row["final_p95"] <= FINAL_P95_LIMIT_MS and row["frames_lost"] == 0 and row["failed"] == 0


def find_capacity(calls: list, up_to: int, verbose: bool) -> None:
    """N = 1, 2, … calls at once until one fails the limits; prints each N and the capacity."""
    print(f"{'calls':>5} {'turns':>5} {'final p50':>9} {'p95':>6} {'reply p95':>9} {'lost':>5} "
          f"{'CPU s/call s':>12}  verdict")
    capacity, cpu_at_capacity = 0, float("nan")
    for size in range(1, up_to + 1):
        wave = [calls[index % len(calls)] for index in range(size)]  # a call is played twice only past the corpus
        row = measure(size, wave, verbose)
        verdict = "pass" if passes(row) else "FAIL"
        print(f"{size:>5} {row['turns']:>5} {row['final_p50']:>9.0f} {row['final_p95']:>6.0f} "
              f"{row['reply_p95']:>9.0f} {row['frames_lost']:>5} {row['cpu_per_audio_s']:>12.2f}  {verdict}"
              + (f" ({row['failed']} failed)" if row["failed"] else ""), flush=True)
        if verdict == "FAIL":
            break
        capacity, cpu_at_capacity = size, row["cpu_per_audio_s"]
    else:
        print(f"(every size up to {up_to} passed: the capacity is {up_to} or more)")
    print(f"capacity: {capacity} simultaneous calls (end of speech → final p95 ≤ {FINAL_P95_LIMIT_MS} ms, "
          f"no frame lost), using {cpu_at_capacity:.2f} CPU s per second of each call")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "dev" / "calls.jsonl")
    parser.add_argument("--sizes", default="1,4", help="how many calls at once, e.g. 1,4")
    parser.add_argument("--calls", type=int, default=8, help="calls played at every size")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every turn's latencies")
    parser.add_argument("--find-capacity", action="store_true",
                        help="step N = 1, 2, … calls at once until final p95 > 2 s or a frame is lost")
    parser.add_argument("--up-to", type=int, default=8, help="with --find-capacity: the largest N tried")
    args = parser.parse_args()
    if args.find_capacity:
        calls = [call for call in read_corpus(args.corpus) if len(call.clips) >= 2]
        find_capacity(calls, args.up_to, args.verbose)
        return
    sizes = [int(size) for size in args.sizes.split(",")]
    calls = [call for call in read_corpus(args.corpus) if len(call.clips) >= 2][: args.calls]
    if len(calls) < max(sizes):
        parser.error(f"only {len(calls)} calls with two turns or more; --calls must reach the largest size")
    speech = [caller_audio(clip)[1] for call in calls for clip in call.clips]
    print(f"calls: {', '.join(call.id for call in calls)} ({sum(speech):.0f} s of speech in {len(speech)} turns)",
          file=sys.stderr)
    rows = [measure(size, calls, args.verbose) for size in sizes]
    header = (f"{'calls':>5} {'turns':>5} {'final p50':>9} {'p95':>6} {'reply p50':>9} {'p95':>6} "
              f"{'greeting':>8} {'lost':>5} {'CPU s/audio s':>13}")
    print(header)
    for row in rows:
        print(f"{row['calls']:>5} {row['turns']:>5} {row['final_p50']:>9.0f} {row['final_p95']:>6.0f} "
              f"{row['reply_p50']:>9.0f} {row['reply_p95']:>6.0f} {row['greeting_p50']:>8.0f} "
              f"{row['frames_lost']:>5} {row['cpu_per_audio_s']:>13.2f}"
              + (f"  ({row['failed']} failed)" if row["failed"] else ""))
    print("(milliseconds from the caller's end of speech; greeting: from the call's start)")
    for row in rows:
        print(f"{row['calls']} at once: final p95 of the turns without a dictated number {row['plain_p95']:.0f}; "
              f"{row['number_turns']} turns with one (read again while a hold prompt plays), final p50 "
              f"{row['number_p50']:.0f}")
    for row in rows:
        # The call's audio holds the caller's silences and the time the seat speaks; per second of
        # speech is the stricter figure.
        print(f"{row['calls']} at once: {row['cpu_s']:.0f} CPU s for {row['audio_s']:.0f} s of call audio, "
              f"{sum(speech):.0f} s of it the callers' speech: {row['cpu_s'] / sum(speech):.2f} CPU s per second "
              "of speech")


if __name__ == "__main__":
    main()

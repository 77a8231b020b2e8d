"""The call's live transcription: when decodes run and which results count, on a dev clip through
the real voice activity detector, with scripted decoders standing in for Whisper (their timing is
what is under test)."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
from voice_fixtures import dev_clip

from server.telephony.live_turn import LiveSettings, LiveTranscription, PartialRecord
from voice.asr.base import SAMPLE_RATE, Segment
from voice.turn_taking import EndOfTurnPolicy
from voice.vad import EndOfTurnDetector, SileroVad, SpeechStarted

FRAME = 320  # 20 ms at 16 kHz, as the call session feeds it


def _heard(audio: np.ndarray, said_before: str) -> list[Segment]:
    seconds = audio.size / SAMPLE_RATE
    return [Segment(0.0, seconds, f"听到{seconds:.2f}秒。")]


def test_a_pause_decode_does_not_wait_for_a_partial_decode_still_running_and_outdates_it() -> None:
    release_partial = threading.Event()
    partial_started = threading.Event()

    async def run_partial(work):  # noqa: ANN001, ANN202 - the Run signature
        # Partial decodes are held, as if one had started just before the caller stopped and
        # took long.
        partial_started.set()
        await asyncio.to_thread(release_partial.wait, 30)
        return await asyncio.to_thread(work)

    async def scenario() -> list[PartialRecord]:
        records: list[PartialRecord] = []
        live = LiveTranscription(
            decode=_heard,
            partial_decode=_heard,
            run=lambda work: asyncio.to_thread(work),
            run_partial=run_partial,
            policy=EndOfTurnPolicy(),
            on_partial=records.append,
            settings=LiveSettings(step_s=1.0, pause_s=0.15, commit_pause_s=5.0, min_commit_s=100),
        )
        detector = EndOfTurnDetector(SileroVad(), end_of_turn_silence_ms=1500)
        clip = dev_clip("d005_1.wav")
        speech = clip[: np.flatnonzero(np.abs(clip) > 0.05)[-1]]
        heard_all = False
        for start in range(0, speech.size + 2 * SAMPLE_RATE, FRAME):
            frame = speech[start : start + FRAME] if start < speech.size else np.zeros(FRAME, np.float32)
            for event in detector.feed(frame):
                if isinstance(event, SpeechStarted):
                    live.start_turn()
            live.listen(detector)
            await asyncio.sleep(0)
            if start >= speech.size:
                await asyncio.sleep(0.005)
                if not detector.in_turn:
                    break  # the detector's longest silence passed with no pause decode back
                speech_end_s = detector.speech_end_s - detector.turn_audio()[1]  # turn time
                heard_all = any(record.audio_s >= speech_end_s for record in records)
                if heard_all:
                    break
        assert partial_started.is_set(), "no partial decode was asked for"
        assert heard_all, "the pause's decode waited for the partial decode"
        release_partial.set()
        await asyncio.sleep(0.5)  # the held partial decode comes back, too late
        return records

    records = asyncio.run(scenario())
    # The held decodes, which heard less, were dropped rather than shown after the pause's.
    assert [record.audio_s for record in records] == sorted(record.audio_s for record in records), records

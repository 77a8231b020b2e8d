"""voice.audio_devices: the sound-card-free halves of the line (framing, resampling, the playback
queue), and the one clear error a machine without sound gives."""

from __future__ import annotations

import numpy as np
import pytest

from voice.audio_devices import (
    FRAME_SAMPLES,
    AudioDeviceError,
    DeviceLine,
    MicFramer,
    PlaybackQueue,
    PolyphaseStreamResampler,
)
from voice.codec import float_to_int16
from voice.stream_resample import StreamResampler


def _tone(rate: int, seconds: float, hz: float = 440.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return float_to_int16(0.3 * np.sin(2 * np.pi * hz * t))


def _off_tone_db(audio: np.ndarray, rate: int, hz: float = 440.0) -> float:
    """Energy away from the tone relative to the tone, in dB (clicks at block edges raise it)."""
    windowed = audio.astype(np.float64) * np.hanning(audio.size)
    spectrum = np.abs(np.fft.rfft(windowed)) ** 2
    freqs = np.fft.rfftfreq(audio.size, 1 / rate)
    near = np.abs(freqs - hz) < 30
    return 10 * np.log10(spectrum[~near].sum() / spectrum[near].sum())


@pytest.mark.parametrize(("src", "dst"), [(16000, 8000), (8000, 16000), (48000, 8000), (8000, 12000)])
def test_polyphase_resampling_equals_the_stream_resampler_it_speeds_up(src: int, dst: int) -> None:
    audio = np.random.default_rng(7).standard_normal(src // 2).astype(np.float32)
    reference, fast = StreamResampler(src, dst), PolyphaseStreamResampler(src, dst)
    sizes = [round(src * 0.02)] * 10 + [1, 7, 333]
    ours, theirs, position = [], [], 0
    for size in sizes + [audio.size - sum(sizes)]:
        ours.append(fast.process(audio[position : position + size]))
        theirs.append(reference.process(audio[position : position + size]))
        position += size
    np.testing.assert_allclose(np.concatenate(ours), np.concatenate(theirs), atol=1e-6)


def test_mic_blocks_of_any_size_become_whole_20_ms_frames_unchanged_at_8k() -> None:
    audio = _tone(8000, 2.5)
    framer = MicFramer(8000)
    out: list[np.ndarray] = []
    position = 0
    for size in [100, 250, 30, 160, 1, 459] * 20:
        out += framer.feed(audio[position : position + size])
        position += size
    assert {f.size for f in out} == {FRAME_SAMPLES} and all(f.dtype == np.int16 for f in out)
    joined = np.concatenate(out)
    assert joined.size == position // FRAME_SAMPLES * FRAME_SAMPLES
    assert np.array_equal(joined, audio[: joined.size])


@pytest.mark.parametrize("rate", [44100, 48000, 16000])
def test_mic_at_the_device_rate_comes_out_as_clean_8k(rate: int) -> None:
    audio = _tone(rate, 2.0)
    framer = MicFramer(rate)
    block = round(rate * 0.02)
    out = [f for i in range(0, audio.size, block) for f in framer.feed(audio[i : i + block])]
    assert {f.size for f in out} == {FRAME_SAMPLES}
    assert abs(len(out) - 100) <= 1
    steady = np.concatenate(out)[800:]  # past the filter's start-up
    assert _off_tone_db(steady, 8000) < -40
    assert np.sqrt(np.mean(steady.astype(np.float64) ** 2)) == pytest.approx(0.3 * 32767 / np.sqrt(2), rel=0.05)


def test_playback_positions_say_when_queued_audio_has_played() -> None:
    queue = PlaybackQueue()
    first, second = _tone(8000, 0.05), _tone(8000, 0.03)
    assert queue.put(first) == 400
    assert queue.put(second) == 640
    assert queue.played() == 0
    pulled = np.concatenate([queue.pull(300), queue.pull(300), queue.pull(300)])
    assert np.array_equal(pulled[:640], np.concatenate([first, second]))
    assert not pulled[640:].any()  # silence once the queue runs dry
    assert queue.played() == 640  # silence does not count as played


def test_clear_drops_what_is_queued_and_counts_it_as_played() -> None:
    queue = PlaybackQueue()
    end = queue.put(_tone(8000, 1.0))
    queue.pull(160)
    queue.clear()
    assert queue.played() == end
    assert not queue.pull(160).any()
    assert queue.put(_tone(8000, 0.02)) == end + 160


def test_playback_at_a_device_rate_is_resampled_cleanly() -> None:
    queue = PlaybackQueue(48000)
    source = _tone(8000, 1.0)
    ends = [queue.put(source[i : i + 160]) for i in range(0, source.size, 160)]
    assert ends[-1] == 48000 and ends[0] == 960
    played = np.concatenate([queue.pull(960) for _ in range(50)])
    assert queue.played() == 48000
    assert _off_tone_db(played[4800:], 48000) < -40


def test_a_machine_without_sound_gets_one_clear_error() -> None:
    try:
        import sounddevice  # noqa: F401
    except OSError:
        # No PortAudio (CI, servers): the message says what to install and what to use instead.
        with pytest.raises(AudioDeviceError, match="libportaudio2") as caught:
            DeviceLine()
        assert "hotline call" in str(caught.value)
        return
    try:
        DeviceLine(input_device="no such microphone anywhere")
    except AudioDeviceError as exc:
        assert "no microphone matching 'no such microphone anywhere'" in str(exc)
    else:
        pytest.fail("a microphone that does not exist was opened")

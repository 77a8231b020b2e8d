"""Whisper's decoder in numpy with each sequence's state kept (voice/asr/cached_decoder.py)."""

from __future__ import annotations

import struct
from pathlib import Path

import ctranslate2
import numpy as np
import pytest
from voice_fixtures import dev_clip, recognizer_fixture  # noqa: F401 - fixtures

from voice.asr.cached_decoder import CachedDecoder, DecoderWeights, UnsupportedModel
from voice.asr.whisper import WhisperRecognizer
from voice.asr.whisper_text import chinese_output_tokens


def _ctranslate2_next_token(
    model: ctranslate2.models.Whisper, encoded: np.ndarray, prompt: list[int], forced: list[int]
) -> np.ndarray:
    """CTranslate2's own log-probabilities of the token after `prompt` + `forced` (`prompt` ends with
    the transcript's start tokens; it gives one row of logits per token after them)."""
    result = model.generate(
        ctranslate2.StorageView.from_array(np.ascontiguousarray(encoded[np.newaxis])),
        [[*prompt, *forced]],
        beam_size=1,
        max_length=len(prompt) + 2 * len(forced) + 2,
        return_logits_vocab=True,
        suppress_blank=False,
        suppress_tokens=[],
    )[0]
    logits = np.array(result.logits[0][len(forced)], dtype=np.float64)
    return logits - logits.max() - np.log(np.exp(logits - logits.max()).sum())


@pytest.mark.slow
def test_next_tokens_are_ctranslate2s_and_a_kept_state_changes_nothing(recognizer: WhisperRecognizer) -> None:
    # Against CTranslate2 in float32 (the weights as stored): the same numbers, whether a sequence
    # is decoded from the prefix or extends one asked for before, several rows at a time, with a
    # digit of two tokens (零) among them.
    model = ctranslate2.models.Whisper(recognizer.model_path, device="cpu", compute_type="float32")
    encoded = recognizer._encode(dev_clip("d018_3.wav"))
    tokens = recognizer._encode_text
    start, clause = recognizer._start_tokens(recognizer._previous_tokens("你好")), tokens("我叫陈立新，手机")
    decoder = CachedDecoder(DecoderWeights.load(recognizer.model_path), encoded, [*start, *clause])
    first = [tokens("一"), tokens("一八"), tokens("零")]
    then = [tokens("一八六"), tokens("一八零"), tokens("零一")]
    for sequences in (first, then):
        ours = decoder(sequences)
        for sequence, log_probs in zip(sequences, ours, strict=True):
            theirs = _ctranslate2_next_token(model, encoded, start, [*clause, *sequence])
            top = np.argsort(-theirs)[:20]
            assert np.argmax(log_probs) == top[0]
            np.testing.assert_allclose(log_probs[top], theirs[top], atol=1e-3)
    # What was just asked for again is the kept state: no work, the same answer.
    again = decoder(then)
    for kept, log_probs in zip(ours, again, strict=True):
        assert kept is log_probs


@pytest.mark.slow
def test_a_search_over_chinese_text_scores_the_chinese_tokens_only(recognizer: WhisperRecognizer) -> None:
    chinese = chinese_output_tokens(recognizer._tokenizer)
    tokens = recognizer._encode_text
    for written in ("一", "九", "零", "。", "，", "13", "路"):
        assert set(tokens(written)) <= set(chinese), written
    assert recognizer._tokenizer.eot in chinese
    assert not set(tokens(" one")) & set(chinese) and not set(tokens("nine")) & set(chinese)

    weights = DecoderWeights.load(recognizer.model_path)
    encoded = recognizer._encode(dev_clip("d018_3.wav"))
    prefix = [*recognizer._start_tokens([]), *tokens("我叫陈立新，手机")]
    sequences = [tokens("一"), tokens("一八六")]
    whole = CachedDecoder(weights, encoded, prefix)(sequences)
    chinese_only = CachedDecoder(weights, encoded, prefix, weights.outputs(chinese))(sequences)
    left_out = np.setdiff1d(np.arange(weights.vocabulary_size), chinese)
    for full, restricted in zip(whole, chinese_only, strict=True):
        # The same distribution, given that the next token is one of those kept.
        kept = full[chinese] - np.logaddexp.reduce(full[chinese].astype(np.float64))
        np.testing.assert_allclose(restricted[chinese], kept, atol=1e-4)
        assert np.all(np.isneginf(restricted[left_out]))
        assert np.argmax(restricted) == np.argmax(full)


def _model_bin(path: Path, variables: dict[str, tuple[list[int], int, bytes]]) -> None:
    with path.open("wb") as file:
        file.write(struct.pack("I", 6))
        file.write(struct.pack("H", 12) + b"WhisperSpec\0")
        file.write(struct.pack("I", 3))
        file.write(struct.pack("I", len(variables)))
        for name, (shape, dtype, blob) in variables.items():
            file.write(struct.pack("H", len(name) + 1) + name.encode() + b"\0")
            file.write(struct.pack("B", len(shape)) + b"".join(struct.pack("I", dim) for dim in shape))
            file.write(struct.pack("B", dtype) + struct.pack("I", len(blob)) + blob)
        file.write(struct.pack("I", 0))


def test_a_folder_without_a_whisper_decoder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedModel, match="no model.bin"):
        DecoderWeights.load(tmp_path)
    # A translation model's decoder (ReLU, no pre-norm) is not Whisper's.
    int8 = 1
    _model_bin(
        tmp_path / "model.bin",
        {
            "decoder/pre_norm": ([], int8, b"\0"),
            "decoder/activation": ([], int8, b"\0"),
            "decoder/alibi": ([], int8, b"\0"),
            "decoder/scale_embeddings": ([], int8, b"\1"),
        },
    )
    with pytest.raises(UnsupportedModel, match="not a Whisper decoder"):
        DecoderWeights.load(tmp_path)
    (tmp_path / "model.bin").write_bytes((tmp_path / "model.bin").read_bytes()[:30])
    with pytest.raises(UnsupportedModel, match="ends early"):
        DecoderWeights.load(tmp_path)

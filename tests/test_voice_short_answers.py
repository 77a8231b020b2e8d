"""A turn of a word or two: a common answer where one fits the audio, else what was heard."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from voice_fixtures import recognizer_fixture, synthesizer_fixture  # noqa: F401 - models loaded once

from voice.asr.base import Segment
from voice.asr.short_answers import read_short_answer
from voice.codec import float_to_int16, int16_to_float, pcm16_to_ulaw, resample, ulaw_to_pcm16

AUDIO = np.zeros(16000, dtype=np.float32)


def scorer(fits: dict[str, float]):  # noqa: ANN201 - a ScoreTexts
    def score(audio: np.ndarray, texts: Sequence[str]) -> list[float]:
        return [fits.get(text, -9.0) for text in texts]

    return score


def no_decode(audio: np.ndarray) -> list[Segment]:
    raise AssertionError("the free reading was there; no second decode wanted")


def test_an_answer_that_fits_beats_a_poor_free_reading() -> None:
    assert read_short_answer(AUDIO, "部队", no_decode, scorer({"不对": -3.0, "部队": -3.2})) == "不对"


def test_a_place_that_no_answer_fits_stays_as_heard() -> None:
    assert read_short_answer(AUDIO, "朝阳区", no_decode, scorer({"朝阳区": -1.0, "好": -6.5})) == "朝阳区"


def test_the_prompt_read_back_is_not_the_caller_and_the_audio_is_read_again_unprompted() -> None:
    prompt = "以下是普通话的句子，使用简体中文。"
    unprompted = [Segment(0, 1, "")]
    got = read_short_answer(AUDIO, "使用简体中文。", lambda audio: unprompted, scorer({"对": -4.5}), prompt)
    assert got == "对"
    # Nothing fits and nothing was heard: no words (the turn is noise).
    assert read_short_answer(AUDIO, "以下是普通话的句子", lambda audio: [], scorer({}), prompt) == ""


@pytest.mark.slow
def test_short_answers_said_by_the_offline_voice_over_the_phone_codec(recognizer, synthesizer) -> None:  # noqa: F811
    def over_the_phone(text: str) -> np.ndarray:
        audio = resample(synthesizer.synthesize(text), synthesizer.sample_rate, 8000)
        line = int16_to_float(ulaw_to_pcm16(pcm16_to_ulaw(float_to_int16(audio))))
        return np.concatenate([np.zeros(8000, np.float32), resample(line, 8000, 16000), np.zeros(4000, np.float32)])

    heard = {word: recognizer.read_short_answer(over_the_phone(word + "。"), "") for word in ("对", "不是", "可以")}
    assert heard == {"对": "对", "不是": "不是", "可以": "可以"}
    assert recognizer.read_short_answer(over_the_phone("王先生。"), "王先生。") == "王先生。"

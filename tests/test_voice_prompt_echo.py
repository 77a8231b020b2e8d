"""Whisper's own prompt copied into a caller's turn is cut before anyone reads the turn."""

from __future__ import annotations

import pytest

from voice.asr.whisper import DEFAULT_INITIAL_PROMPT
from voice.asr.whisper_text import without_prompt_echo


@pytest.mark.parametrize(
    ("heard", "kept"),
    [
        ("楼上天天半夜装修。以下是普通话的句子，使用简体中文。", "楼上天天半夜装修。"),
        ("我的电话是13912345678，以下是普通话的句子", "我的电话是13912345678"),
        ("用简体中文。", ""),
        ("以下是普通话的句子。我们这儿停水了。", "我们这儿停水了。"),
    ],
)
def test_the_prompt_read_back_is_cut(heard, kept):
    assert without_prompt_echo(heard, DEFAULT_INITIAL_PROMPT) == kept


@pytest.mark.parametrize("said", ["我说的是普通话的", "孩子学校用的是简体字", "您好，我想反映个问题。", ""])
def test_a_callers_own_words_stay(said):
    assert without_prompt_echo(said, DEFAULT_INITIAL_PROMPT) == said


def test_no_prompt_cuts_nothing():
    assert without_prompt_echo("以下是普通话的句子", None) == "以下是普通话的句子"

"""Where a caller announces a phone number, and the stretch the recogniser wrote for it.

Callers say what comes before they dictate it (电话, 手机, 号码 …). What the recogniser makes of
the digits after such a word varies: a clean run of digits (phone_number_runs finds those), or
digits among words that sound like them where single digits said slowly came out as words
(依舅，依584703066 for 一九一，五八四七，零三零六; 一三三四八十名二二六一 for 一三三四八七零二二六一).
Such a stretch holds no run that looks like a phone number, yet the audio under it is the number:
it is worth reading again as digits from the cue on (voice/asr/number_reading.py).
"""

from __future__ import annotations

import re

from voice.asr.digits import DIGIT_CHARS, DigitRun, digit_run_end, digits_in, longest_digit_run, phone_number_runs

# Words that announce a phone number: what follows them is dictated, whatever the recogniser made of it.
_NUMBER_CUE = re.compile(r"电话|手机|号码|联系方式")
# A number follows its cue within this many characters (电话号码是 …) and takes at most about this
# many more: 11 syllables, with pauses.
_NUMBER_SPAN = 18
# A dictated number as the recogniser may write it: a run of this many digits, or after a cue this
# many digits among the words it made of the rest (电话，机舞。有点点酒，二八一四 for 一五三，幺零零九，
# 二八一四: dev2's e053 in a simulated call).
DICTATED_RUN = 5
DIGITS_AFTER_CUE = 3
# Between a cue and its number: the copula and the marks a pause is written as (电话是：…).
_LEAD_IN = set("是：:，,、 ")
# Words the recogniser made of the first digits come before the first digit it wrote as one
# (依舅，依5…: four); further in, the words after the cue are about something else (电话我就不留了，三号楼…).
_MAX_WORDS_BEFORE_DIGITS = 8
# Digits followed by one of these count something (三号楼, 五单元, 三点多, 七十岁): an address or a
# quantity, not digits of a phone number (a place misheard as 海电话 is followed by its 三号楼二单元).
_COUNTED = set("号楼层单门室栋幢座区户排岁点块个年月日")
_DIGIT_RUN_IN = re.compile(f"[{re.escape(''.join(sorted(DIGIT_CHARS)))}]+")


def dictates_number(text: str) -> bool:
    """Whether a number is dictated in `text`, as far as its words tell: a run of digits, or a
    number announced and then a few digits with words in between (a stretch the recogniser wrote
    partly as words: what it heard there is worth reading again as digits)."""
    if longest_digit_run(text) >= DICTATED_RUN:
        return True
    return any(
        len(_dictated_digits(text[cue.end() : cue.end() + _NUMBER_SPAN], text[cue.end() + _NUMBER_SPAN :][:1]))
        >= DIGITS_AFTER_CUE
        for cue in _NUMBER_CUE.finditer(text)
    )


def announced_numbers(text: str) -> list[DigitRun]:
    """Stretches of `text` right after a cue that hold some digits but no phone number run: the
    recogniser wrote the number partly as words. `digits` are the digits it did write, `length` is
    11 (mobile and 010 numbers; which of them the audio will tell)."""
    runs = phone_number_runs(text)
    found: list[DigitRun] = []
    for cue in _NUMBER_CUE.finditer(text):
        start = cue.end()
        while True:  # past the copula, marks and a second cue (电话号码是：…)
            while start < len(text) and text[start] in _LEAD_IN:
                start += 1
            if (again := _NUMBER_CUE.match(text, start)) is None:
                break
            start = again.end()
        if found and start < found[-1].end:
            continue  # 电话号码: one cue
        window = text[start : start + _NUMBER_SPAN]
        at = _dictated_digits(window, text[start + _NUMBER_SPAN : start + _NUMBER_SPAN + 1])
        if len(at) < DIGITS_AFTER_CUE or at[0] > _MAX_WORDS_BEFORE_DIGITS:
            continue
        end = digit_run_end(text, start + at[-1])  # a run goes on past the span through its pauses
        # A number Whisper wrote as one is read where it lies; but eight digits after others said
        # first (幺三次，二七七八，五二一四) are no local landline, they end a mobile number.
        blocking = [run for run in runs if run.start < end and start < run.end]
        if any(run.length != 8 or not digits_in(text[start : run.start]) for run in blocking):
            continue
        found.append(DigitRun(start, end, digits_in(text[start:end]), 11))
    return found


def _dictated_digits(window: str, after: str) -> list[int]:
    """Where `window` (followed by `after`) has digits that may be dictated ones, not counting ones."""
    at: list[int] = []
    for run in _DIGIT_RUN_IN.finditer(window):
        follower = window[run.end() : run.end() + 1] or after
        if follower not in _COUNTED:
            at += range(run.start(), run.end())
    return at

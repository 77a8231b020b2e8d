"""Phone and ID numbers hidden from text that leaves the call: LLM prompts and log lines.

Callers dictate numbers in groups (一三九，一一二二，三三四四), the recogniser writes them in
Chinese or Arabic digits with commas, spaces or dots between the groups and homophones for 幺
(要, 腰 ...), and callers take a group back ("……三三四四，不对，三三四五"). A number is the whole
run of such groups: masking only the part that looks like a phone would leave the rest readable.
The work order keeps the real values; only copies of the text are masked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.numbers import DIGIT_VALUES

# Digits as callers say them and the recogniser writes them (agent.numbers' table: 幺, 洞, 两,
# full-width), plus the homophones Whisper writes for 幺.
_SPOKEN_DIGITS: dict[str, str] = {**DIGIT_VALUES, **dict.fromkeys("要邀腰药妖", "1")}

# What may stand between the groups of one dictated number: pauses as the recogniser writes them,
# or a correction ("不对，是……").
_SEPARATORS = set(" \t\n,，、.。·．-—_~～/:：")
_CORRECTION = re.compile(r"[ \t,，、.。]*(?:不对|不是|错了|说错了|重说|更正|应该是|我再说一遍)[ \t,，、.。是就]*")
_MAX_PAUSE = 3
_ADDRESS_UNITS = ("号楼", "号院", "号", "楼", "层", "单元", "室", "栋", "幢", "区", "门", "期", "排", "户")

# Fewer digits than this is a room number, a date or an amount, not something to hide.
MIN_MASKED_DIGITS = 7
_ID_LETTERS = "Xx叉"

PHONE_LABEL = "电话"
ID_LABEL = "证件号"
_PLACEHOLDER = re.compile(r"[\[【]\s*(电话|证件号)\s*(\d+)\s*[\]】]")


def spoken_digit(char: str) -> str | None:
    """The digit a character stands for in a dictated number, else None."""
    return _SPOKEN_DIGITS.get(char)


def fold_digits(text: str) -> str:
    """Every digit character of `text` (Chinese, 幺 and its homophones, full-width) as 0-9, in order."""
    return "".join(_SPOKEN_DIGITS[c] for c in text if c in _SPOKEN_DIGITS)


@dataclass(frozen=True)
class NumberSpan:
    """A dictated number in a text: where it is and what kind of number it is."""

    start: int
    end: int
    digits: str
    label: str  # PHONE_LABEL or ID_LABEL


def _group_end(text: str, i: int) -> int:
    while i < len(text) and text[i] in _SPOKEN_DIGITS:
        i += 1
    return i


def _next_group(text: str, i: int) -> tuple[int, bool] | None:
    """Where the next digit group starts if only a pause or a correction lies between, and
    whether it was a correction; None when something else comes first."""
    correction = _CORRECTION.match(text, i)
    if correction and correction.end() > i:
        j = correction.end()
    else:
        j = i
        while j < len(text) and text[j] in _SEPARATORS and j - i < _MAX_PAUSE:
            j += 1
    if j >= len(text) or text[j] not in _SPOKEN_DIGITS:
        return None
    end = _group_end(text, j)
    if end - j <= 4 and text.startswith(_ADDRESS_UNITS, end):
        return None  # "电话……，3号楼": the building number after a pause is not part of the phone number
    return j, bool(correction and correction.end() > i)


def find_numbers(text: str) -> list[NumberSpan]:
    """Every run of dictated digit groups holding MIN_MASKED_DIGITS digits or more."""
    spans: list[NumberSpan] = []
    i = 0
    while i < len(text):
        if text[i] not in _SPOKEN_DIGITS:
            i += 1
            continue
        start, end = i, _group_end(text, i)
        corrected = False
        while (following := _next_group(text, end)) is not None:
            end = _group_end(text, following[0])
            corrected = corrected or following[1]
        digits = fold_digits(text[start:end])
        if len(digits) == 17 and end < len(text) and text[end] in _ID_LETTERS:
            end += 1  # the check character of an ID number
            digits += "X"
        if len(digits) >= MIN_MASKED_DIGITS:
            # A resident ID has 18 characters; a phone number is at most 12 digits with its area
            # code, so longer runs are a number said twice or corrected, still a phone number.
            label = ID_LABEL if len(digits) == 18 and not corrected else PHONE_LABEL
            spans.append(NumberSpan(start, end, digits, label))
        i = end
    return spans


def mask_pii(text: str) -> str:
    """`text` with every phone and ID number replaced by [电话] or [证件号] (for log lines)."""
    out, last = [], 0
    for span in find_numbers(text):
        out.append(text[last:span.start])
        out.append(f"[{span.label}]")
        last = span.end
    out.append(text[last:])
    return "".join(out)


@dataclass
class PiiMasker:
    """Masks numbers with numbered placeholders ([电话1]) and puts them back in what comes back.

    One masker serves one exchange with the LLM: the same number gets the same placeholder in
    every message, and a placeholder the model copies into its answer (a slot value, a reply
    reading a number back) is restored here, so the real digits never leave the machine.
    """

    originals: dict[str, str] = field(default_factory=dict)  # placeholder → the text as said

    def mask(self, text: str) -> str:
        by_digits = {fold_digits(said): key for key, said in self.originals.items()}
        out, last = [], 0
        for span in find_numbers(text):
            said = text[span.start:span.end]
            key = by_digits.get(span.digits)
            if key is None:
                count = sum(1 for k in self.originals if k.startswith(f"[{span.label}"))
                key = f"[{span.label}{count + 1}]"
                self.originals[key] = said
                by_digits[span.digits] = key
            out.append(text[last:span.start])
            out.append(key)
            last = span.end
        out.append(text[last:])
        return "".join(out)

    def restore(self, text: str) -> str:
        def original(match: re.Match[str]) -> str:
            return self.originals.get(f"[{match.group(1)}{match.group(2)}]", match.group(0))

        return _PLACEHOLDER.sub(original, text)


# Titles a caller is known by (王先生): the surname and a title name nobody.
_TITLES = ("先生/女士", "先生", "女士", "小姐", "老师", "师傅", "阿姨", "大爷", "老人")


def masked_name(name: str) -> str:
    """A caller's name as those who need not know it see it: the surname and a star for each other
    character (陈立新 → 陈**); a surname with a title (王先生) already names nobody and stays."""
    if not name or name.endswith(_TITLES) or len(name) < 2:
        return name
    return name[0] + "*" * (len(name) - 1)


def masked_number(number: str) -> str:
    """A phone or ID number with all but its last four digits hidden (139****3344): enough for a
    person to tell two callers apart, not to call or find them."""
    digits = fold_digits(number)
    if len(digits) < MIN_MASKED_DIGITS:
        return number
    hidden = len(digits) - 4
    if len(digits) == 11:  # a mobile: its first three digits say only which network it is on
        return digits[:3] + "*" * (hidden - 3) + digits[-4:]
    return "*" * hidden + digits[-4:]

"""Spoken Chinese numbers → digits.

Callers dictate digits one by one (一三九, 幺 for 1, 洞 for 0 in radio style, 两 for 2) and say
building/room numbers either as counted numbers (十二号楼) or digit strings (六零二). The
recogniser may already write Arabic digits. Everything here works on plain text.
"""

from __future__ import annotations

import re

import cn2an

# Single spoken digits. 幺 (yao) and 洞 (dong) are the "unambiguous" telephone readings of 1 and 0.
DIGIT_VALUES: dict[str, str] = {
    "零": "0", "〇": "0", "洞": "0", "○": "0",
    "一": "1", "幺": "1",
    "二": "2", "两": "2",
    "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9",
}
for _d in "0123456789":
    DIGIT_VALUES[_d] = _d
    DIGIT_VALUES[chr(ord(_d) + 0xFEE0)] = _d  # full-width ０-９

UNIT_VALUES = {"十": 10, "百": 100, "千": 1000}
_SMALL_DIGITS = "零〇一二两三四五六七八九"
# Characters that make up a counted number like 十二, 一百零五, 三千八.
COUNTED_CHARS = _SMALL_DIGITS + "十百千"


def digit_of(char: str) -> str | None:
    """The digit a single spoken/written character stands for, else None."""
    return DIGIT_VALUES.get(char)


def is_digit_char(char: str) -> bool:
    return char in DIGIT_VALUES


def digits_of(text: str) -> str:
    """Every digit character of `text` as Arabic digits, in order (others dropped)."""
    return "".join(DIGIT_VALUES[c] for c in text if c in DIGIT_VALUES)


def counted_number_value(text: str) -> int | None:
    """Value of a counted Chinese number: 十二 → 12, 二十 → 20, 一百零五 → 105, 三千八 → 3800.

    Returns None when `text` is not a well-formed counted number (a digit string like 六零二 is
    read digit by digit elsewhere). cn2an's "normal" mode takes the spoken shortenings 一百五
    and 两百 that its strict mode refuses.
    """
    if not text or any(c not in COUNTED_CHARS for c in text) or not any(c in UNIT_VALUES for c in text):
        return None
    try:
        return int(cn2an.cn2an(text, "normal"))
    except (ValueError, KeyError):  # KeyError: cn2an's own lookup fails on some, e.g. 一十零
        return None


# Markers after a number that show it is a building, unit, floor or room number.
_ADDRESS_UNITS = "号楼|号院|号|楼|层|单元|室|户|栋|幢|区|排|门|期"
_NUMBER_BEFORE_UNIT = re.compile(rf"([{COUNTED_CHARS}幺洞]+)(?={_ADDRESS_UNITS})")
# A bare dictated digit string of three or more, e.g. a room number 六零二, 一五零一.
_DIGIT_RUN = re.compile(r"[零〇洞一幺二三四五六七八九]{3,}")


def _number_text(run: str) -> str | None:
    if any(c in UNIT_VALUES for c in run):
        value = counted_number_value(run)
        return None if value is None else str(value)
    return digits_of(run)


def normalise_numerals(text: str) -> str:
    """Write building/unit/floor/room numbers in Arabic digits: 三号楼 → 3号楼, 六零二 → 602.

    Only numbers followed by an address unit (号, 楼, 层, 单元, 室, 区 ...) or bare digit strings of
    three or more are converted, so place names that start with a numeral (三里屯, 八角, 九棵树,
    东四十条) are left alone.
    """

    def before_unit(match: re.Match[str]) -> str:
        run = match.group(1)
        converted = _number_text(run.replace("两", "二") if len(run) > 1 else run)
        return converted if converted else run

    text = _NUMBER_BEFORE_UNIT.sub(before_unit, text)
    return _DIGIT_RUN.sub(lambda m: digits_of(m.group(0)), text)

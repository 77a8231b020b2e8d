"""Rewrite reply text into what a Chinese TTS front end can read aloud: only Chinese characters
and pause punctuation. Digits become spoken Chinese the way a hotline seat says them:

- the hotline number 12345 → 幺二三四五 (how Beijing says its name);
- phone numbers, ids, room numbers and anything starting with 0 → digit by digit (一三九…);
- years (2024年) → digit by digit; other counts and amounts → cardinal (15个工作日 → 十五个工作日);
- times 8:30 → 八点半, 9:05 → 九点零五分; percentages, decimals;
- Latin letters (A座, B1层) → Chinese letter names, since the voice has no English.
"""

from __future__ import annotations

import re

_DIGITS = "零一二三四五六七八九"
_FULLWIDTH_TO_ASCII = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF5B) if chr(cp - 0xFEE0).isalnum()}
# How a Chinese speaker reads Latin letters aloud (building blocks, floors, licence plates).
_LETTER_NAMES = {
    "A": "诶", "B": "比", "C": "西", "D": "迪", "E": "伊", "F": "艾弗", "G": "吉", "H": "艾尺",
    "I": "艾", "J": "杰", "K": "开", "L": "艾勒", "M": "艾姆", "N": "艾恩", "O": "欧", "P": "批",
    "Q": "丘", "R": "阿", "S": "艾斯", "T": "踢", "U": "优", "V": "维", "W": "达布留", "X": "艾克斯",
    "Y": "歪", "Z": "贼",
}  # fmt: skip
# Units after which a 3-4 digit number is an amount, not a code: "1200元", "3000米".
_AMOUNT_UNITS = "元块角米平方公里斤克吨岁天周月年个人次分秒小时件辆户家名位条项张台度倍万亿千百"
# Measure words after which 2 reads 两 (两个工作日, 两天), not 二 (二号楼, 二层).
_LIANG_MEASURES = "个位名次天件条项种辆户家张台周年"
# Pause punctuation the front end splits sentences on; other marks become one of these.
_PAUSE_MARKS = {
    ",": "，", ";": "，", "；": "，", ":": "，", "：": "，", "(": "，", ")": "，", "（": "，", "）": "，",
    "—": "，", "-": "，", "~": "，", "～": "，", "/": "，", "、": "、", "，": "，", "…": "。", ".": "。",
    "。": "。", "!": "！", "！": "！", "?": "？", "？": "？", "\n": "。",
}  # fmt: skip
_READABLE_CJK = re.compile(r"[\u4e00-\u9fa5]")

_RANGE = re.compile(r"(?<=\d)\s*[~～—]\s*(?=\d)")  # 3~5天 → 3到5天
_NEGATIVE = re.compile(r"(?<![0-9A-Za-z.])-(?=\d)")  # -5℃, not 010-6512…
_HOTLINE = re.compile(r"(?<!\d)12345(?!\d)")
_TIME = re.compile(r"(?<!\d)([01]?\d|2[0-3])[:：]([0-5]\d)(?!\d)")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")
_DECIMAL = re.compile(r"(\d+)\.(\d+)")
_NUMBER = re.compile(r"\d+")
_LETTERS = re.compile(r"[A-Za-z]")


def normalize_for_tts(text: str) -> str:
    """Chinese characters and 、，。！？ only; everything else read out or dropped."""
    text = text.translate(_FULLWIDTH_TO_ASCII)
    text = _HOTLINE.sub("幺二三四五", text)
    text = _RANGE.sub("到", text)
    text = _NEGATIVE.sub("负", text).replace("℃", "摄氏度")
    text = _TIME.sub(_say_time, text)
    text = _PERCENT.sub(lambda m: "百分之" + _say_number_text(m.group(1)), text)
    text = _DECIMAL.sub(lambda m: _say_number_text(m.group(0)), text)
    text = _NUMBER.sub(_say_digit_run, text)
    text = _LETTERS.sub(lambda m: _LETTER_NAMES[m.group(0).upper()], text)
    return _keep_readable(text)


def say_digits(digits: str) -> str:
    """Digit by digit: 13912345678 → 一三九一二三四五六七八."""
    return "".join(_DIGITS[int(d)] for d in digits)


def say_cardinal(number: int) -> str:
    """0 ≤ number < 10^12 as a Chinese cardinal: 15 → 十五, 1200 → 一千二百, 10005 → 一万零五."""
    if number < 0 or number >= 10**12:
        raise ValueError(f"cannot say {number} as a cardinal")
    if number == 0:
        return "零"
    groups = []  # by 10^4: ones, 万, 亿
    while number:
        number, group = divmod(number, 10_000)
        groups.append(group)
    words = ""
    pending_zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            pending_zero = bool(words)
            continue
        if words and (pending_zero or group < 1000):
            words += "零"
        words += _say_below_10000(group) + ("", "万", "亿")[index]
        pending_zero = False
    # Leading 一十五 is said 十五; leading 二千/二万/二亿 is said 两千/两万/两亿.
    if words.startswith("一十"):
        return words[1:]
    if words[:2] in ("二千", "二万", "二亿"):
        return "两" + words[1:]
    return words


def _say_below_10000(number: int) -> str:
    words = ""
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, number = divmod(number, value)
        if digit:
            if zero and words:
                words += "零"
            words += _DIGITS[digit] + unit
            zero = False
        else:
            zero = True
    return words


def _say_time(match: re.Match[str]) -> str:
    hours, minutes = int(match.group(1)), int(match.group(2))
    spoken = _say_hour(hours) + "点"
    if minutes == 30:
        return spoken + "半"
    if minutes:
        spoken += ("零" if minutes < 10 else "") + say_cardinal(minutes) + "分"
    return spoken


def _say_hour(hours: int) -> str:
    return "两" if hours == 2 else say_cardinal(hours)


def _say_number_text(number: str) -> str:
    """A number with an optional fraction: 3.5 → 三点五, 50 → 五十 (fraction digit by digit)."""
    whole, _, fraction = number.partition(".")
    spoken = say_cardinal(int(whole)) if len(whole) <= 12 else say_digits(whole)
    return spoken + ("点" + say_digits(fraction) if fraction else "")


def _say_digit_run(match: re.Match[str]) -> str:
    following = match.string[match.end() : match.end() + 1]
    return _say_digit_run_plain(match.group(0), following)


def _say_digit_run_plain(digits: str, following: str) -> str:
    if len(digits) > 1 and digits.startswith("0"):
        return say_digits(digits)  # 010, 0571: area codes and codes are never amounts
    is_amount = bool(following) and following in _AMOUNT_UNITS
    if len(digits) >= 5 and not (is_amount and len(digits) <= 8):
        return say_digits(digits)  # phone numbers, ids, 5-digit codes
    if len(digits) == 4 and following == "年":
        return say_digits(digits)  # 2024年
    if len(digits) >= 3 and not is_amount:
        return say_digits(digits)  # room 602, door 1203
    if digits == "2" and following and following in _LIANG_MEASURES:
        return "两"
    return say_cardinal(int(digits))


def _keep_readable(text: str) -> str:
    kept: list[str] = []
    for char in text:
        if _READABLE_CJK.match(char):
            kept.append(char)
        elif char in _PAUSE_MARKS:
            mark = _PAUSE_MARKS[char]
            # No pause at the very start, and no run of marks ("？！" → one pause).
            if kept and kept[-1] not in "、，。！？":
                kept.append(mark)
            elif kept and mark in "。！？" and kept[-1] in "、，":
                kept[-1] = mark
    return "".join(kept)

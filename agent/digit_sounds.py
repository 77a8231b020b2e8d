"""Dictated digits as the recogniser writes them: words that sound like digits (幺 as 要/腰/邀, 五
as 无, 九 as 酒, 四 as 次), read back as the digits they are where they sit among digits."""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

from agent.numbers import digit_of
from knowledge.phonetic import split_syllable
from knowledge.segment import is_common_word

# The recogniser writes dictated digits as words that sound like them: 幺 as 要/腰/邀, 五 as 无, 九 as
# 酒, and the first 一 of a number as 于, 几 or the letter G. A sound-alike counts as its digit only
# inside a run of digits, or as the first or last digit of a run long enough to be a number.
_DIGIT_SOUNDS = {"ling": "0", "yi": "1", "yao": "1", "er": "2", "san": "3", "si": "4", "wu": "5", "liu": "6",
                 "qi": "7", "ba": "8", "jiu": "9"}
_FIRST_ONE_SOUNDS = {"ji", "yu"}  # only as a number's first digit
_FIRST_ONE_LETTERS = "GgＧ"
_DIGIT_CLASS = "0-9０-９零〇洞一幺二两三四五六七八九"
_SEPARATOR = r"[\s,，、.\-]?"
_INSIDE = re.compile(rf"(?<=[{_DIGIT_CLASS}]){_SEPARATOR}([^\W\d_])(?={_SEPARATOR}[{_DIGIT_CLASS}])")
_LEADING = re.compile(rf"([^\W\d_])(?=(?:{_SEPARATOR}[{_DIGIT_CLASS}]){{6}})")
_PARTICLES = set("吧啊呀嘛呢哈哦嗯么")
_LAST = re.compile(rf"(?:[{_DIGIT_CLASS}]{_SEPARATOR}){{6}}([^\W\d_])")


# Initials said at the same place in the mouth, which a phone line and a small recogniser confuse
# (四 si written 次 ci): a word among digits that sounds like none of them is the digit it nearly is.
_INITIAL_PLACES = ({"z", "c", "s"}, {"zh", "ch", "sh", "r"}, {"j", "q", "x"}, {"b", "p", "m"}, {"d", "t", "n", "l"},
                   {"g", "k", "h"}, {"z", "zh"}, {"c", "ch"}, {"s", "sh"})


def _nearest_digit(sound: str) -> str | None:
    """The one digit whose syllable keeps `sound`'s final and an initial said at the same place."""
    initial, final = split_syllable(sound)
    near = set()
    for digit_sound, digit in _DIGIT_SOUNDS.items():
        other_initial, other_final = split_syllable(digit_sound)
        same_place = initial == other_initial or any({initial, other_initial} <= place for place in _INITIAL_PLACES)
        # -n and -ng run together on a phone line (林 lin for 零 ling), as do the initials above.
        same_final = other_final.rstrip("g") == final.rstrip("g")
        if same_place and same_final and (other_final, other_initial) != (final, initial):
            near.add(digit)
    return near.pop() if len(near) == 1 else None


def _digit_sound(char: str, first: bool, inside: bool = False) -> str | None:
    if first and char in _FIRST_ONE_LETTERS:
        return "1"
    if not "\u4e00" <= char <= "\u9fff" or digit_of(char) is not None:
        return None
    sound = lazy_pinyin(char, style=Style.NORMAL)[0]
    if first and sound in _FIRST_ONE_SOUNDS:
        return "1"
    return _DIGIT_SOUNDS.get(sound) or (_nearest_digit(sound) if inside else None)


def spoken_digits(text: str) -> str:
    """`text` with the recogniser's sound-alikes of dictated digits written as digits (same length)."""
    for round_ in range(4):  # a digit read makes its neighbour one that sits among digits
        chars = list(text)
        # A number's first digit is looked for once: a word before it is no digit for that alone.
        for pattern, first in ((_INSIDE, False), (_LAST, False), *(((_LEADING, True),) if round_ == 0 else ())):
            for match in pattern.finditer(text):
                at = match.start(1)
                if first and at > 0 and is_common_word(text[at - 1:at + 1]):
                    continue  # the end of a word said before the number (手机 is no 手 and a 1)
                if first and match.group(1) in _PARTICLES:
                    continue  # "您记我们家座机吧，零幺零……": 吧 ends a sentence, it is no 八
                digit = _digit_sound(match.group(1), first, inside=pattern is _INSIDE)
                if digit is not None:
                    chars[match.start(1)] = digit
        read = "".join(chars)
        if read == text:
            break
        text = read
    return text


def sounds_like_yao(char: str) -> bool:
    """`char` is 幺 as the recogniser writes it (要, 腰, 邀): the one that begins most mobile numbers."""
    return "\u4e00" <= char <= "\u9fff" and lazy_pinyin(char, style=Style.NORMAL)[0] == "yao"

"""Used by the benchmarks: text comparison (CER with Chinese numerals folded, address matching) and percentiles."""

from __future__ import annotations

import re
import unicodedata

import opencc
from rapidfuzz.distance import Levenshtein

_T2S = opencc.OpenCC("t2s")
_DIGITS = str.maketrans({"0": "零", "1": "一", "2": "二", "3": "三", "4": "四", "5": "五", "6": "六",
                         "7": "七", "8": "八", "9": "九", "幺": "一"})
_CHINESE_DIGITS = str.maketrans({"零": "0", "〇": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3",
                                 "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"})


def normalise_for_cer(text: str) -> str:
    """Simplified, no punctuation or spaces, digits written as spoken Chinese digits (幺 as 一)."""
    text = unicodedata.normalize("NFKC", _T2S.convert(text)).translate(_DIGITS)
    return "".join(ch for ch in text if not unicodedata.category(ch).startswith(("P", "Z", "S")))


def cer_counts(ref: str, hyp: str) -> tuple[int, int]:
    """(edits, reference characters) after normalisation; sum these over a corpus for its CER."""
    ref_n, hyp_n = normalise_for_cer(ref), normalise_for_cer(hyp)
    return Levenshtein.distance(ref_n, hyp_n), len(ref_n)


def fold_numerals(text: str) -> str:
    """三号楼 → 3号楼, 六零二 → 602 (digit by digit; 十 handled for 十一…九十九 room/building numbers)."""
    def tens(match: re.Match[str]) -> str:
        head, tail = match.group(1), match.group(2)
        value = (int(head.translate(_CHINESE_DIGITS)) if head else 1) * 10
        return str(value + (int(tail.translate(_CHINESE_DIGITS)) if tail else 0))

    text = re.sub(r"([一二三四五六七八九])?十([一二三四五六七八九])?", tens, text)
    return text.translate(_CHINESE_DIGITS)


def percentile(values: list[float], share: float) -> float:
    """The value `share` of the way up the sorted values (the nearest one, no interpolation)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

"""Callback numbers from what the caller said.

Callers dictate a number in groups with pauses (一三九，一一二二，三三四四), which the recogniser
writes with commas, spaces or dots, in Chinese or Arabic digits. They sometimes fix a group
mid-sentence ("……三三四四，不对，是三三四五"). Only numbers that can really be dialled are
accepted: a Chinese mobile (1[3-9] + 9 digits) or a landline (Beijing 8 digits, optionally with
010, or another area code).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from agent.digit_sounds import sounds_like_yao, spoken_digits
from agent.numbers import digit_of

MOBILE = re.compile(r"1[3-9]\d{9}")
LANDLINE = re.compile(r"(?:010)?[2-9]\d{7}|0[2-9]\d{1,2}[2-9]\d{6,7}")

# Pauses between digit groups as the recogniser writes them.
_SEPARATORS = set(" \t,，、.。·-—_~～:：;；")
# Words that take back the group just said.
_CORRECTION = re.compile(
    r"(?:不对|不是|错了|说错了|搞错|重说|再说一遍|我再说|更正|纠正|[哦噢呃啊]不(?=[，,。. ])|等会儿|等一下|等等)"
)
# Filler allowed between a correction word and the new digits ("不对，应该是……").
_CORRECTION_FILLER = re.compile(
    r"^[\s,，、.。…—啊呀哦嗯哎诶是应该就我刚才说的重新那个最后后面前面几位两位三位四位中间开头尾边组]*$"
)
# Which group a correction puts right, as callers name it: 中间是……, 开头是……, 最后四位是……
# (A count of digits said with them, 前三位 or 后四位, reaches here as words, not as a group.)
_CORRECTED_PLACE = ((re.compile(r"中间"), 1), (re.compile(r"开头|前面|前边|前三位|头三位"), 0),
                    (re.compile(r"最后|后面|后边|后四位|末尾"), -1))
# "……哎，是六六五四不是六六四五": what it is, then what it is not.
_AFFIRMED = re.compile(r"[\s,，、.。…—]*(?:哎|哎呀|哦|噢|嗯|啊)?[\s,，、]*是")
# Words that announce a number is coming.
_PHONE_CUE = re.compile(r"(?:电话|手机|号码|号是|联系方式|打我|联系我|回电|回个电|来电|座机|固话|打给我)")
# Caller says: use the number I am calling from.
_LINE_NUMBER = re.compile(
    r"(?<![不别])(?:就|用|打)(?:是|用|打)?(?:我)?(?:这个|现在这个|来电的?|本机|打进来的?|这部)(?:电话|号码|号|手机|的号)?"
    r"|来电号码|本机号码|这个号就行|这个号码就行|就这个号"
)


@dataclass
class HeardNumber:
    """A dictated number: `number` when it can be dialled, else None with the raw `digits`."""

    number: str | None
    digits: str
    start: int
    end: int
    cued: bool  # a phone word (电话, 手机, 号码 ...) came just before it


def is_plausible(digits: str) -> bool:
    return bool(MOBILE.fullmatch(digits) or LANDLINE.fullmatch(digits))


@dataclass
class _Group:
    digits: str
    start: int
    end: int
    corrects: bool  # follows a correction word
    place: int | None = None  # which group it corrects, as the caller said: 0 first, 1 middle, -1 last


def _groups(text: str) -> list[list[_Group]]:
    """Digit groups, joined into runs where only pauses or a correction separate them."""
    runs: list[list[_Group]] = []
    current: list[_Group] = []
    i = 0
    pending_correction = False
    denied = False  # the group before was said after 不是: "不是八六三三，是八六三八"
    denying = False  # the correction word pending is 不是
    affirmed = False  # the group before was said after 是: "是六六五四不是六六四五"
    denying_next = False  # ... and 不是 followed it: the next group is ruled out
    gap = ""
    while i < len(text):
        if digit_of(text[i]) is not None:
            j = i
            while j < len(text) and digit_of(text[j]) is not None:
                j += 1
            if j < len(text) and text[j] in "位个次遍" and j - i <= 2:
                # a count ("后四位", "说两遍"), not a dictated digit
                gap += text[i:j + 1]
                i = j + 1
                continue
            if denied and _RIGHT_ONE.fullmatch(gap):
                pending_correction = True  # what it is, after what it is not
            if current and _AFFIRMED.fullmatch(gap) and text.startswith("不是", j):
                pending_correction = True  # what it is, before what it is not
            if denying_next:
                # "是六六五四不是六六四五": the group after 不是 is the one ruled out
                denying_next = pending_correction = False
                gap = ""
                i = j
                continue
            digits = "".join(digit_of(c) or "" for c in text[i:j])
            said_again = current and len(digits) > len(current[-1].digits) and digits.startswith(current[-1].digits)
            if said_again and "…" in gap:
                pending_correction = True  # a group begun, broken off and said again whole ("一一……幺幺九零")
            if current and gap == "-" and len(digits) <= 2 < len(current[-1].digits):
                # One group the recogniser broke with a hyphen where the caller drew breath (016-6).
                last = current[-1]
                current[-1] = _Group(last.digits + digits, last.start, j, last.corrects, last.place)
                gap = ""
                i = j
                continue
            if current and not _joins(gap, pending_correction):
                runs.append(current)
                current = []
                pending_correction = False
            denied = pending_correction and denying
            affirmed = gap.rstrip(" ，,…。.").endswith("是") and not gap.rstrip(" ，,…。.").endswith("不是")
            place = next((k for said, k in _CORRECTED_PLACE if said.search(gap)), None) if pending_correction else None
            current.append(_Group(digits, i, j, pending_correction, place))
            pending_correction = False
            gap = ""
            i = j
            continue
        correction = _CORRECTION.match(text, i)
        if correction and current and affirmed and correction.group(0) == "不是" and not gap.strip(" ，,"):
            denying_next = True  # "是X不是Y": X stands
            affirmed = False
            i = correction.end()
            continue
        if correction and current:
            pending_correction = True
            denying = correction.group(0) == "不是"
            gap = ""
            i = correction.end()
            continue
        gap += text[i]
        i += 1
    if current:
        runs.append(current)
    return runs


# Between what a number is not and what it is: "不是八六三三，是八六三八".
_RIGHT_ONE = re.compile(r"[\s,，、—\-]*(?:而|应该|就)?是[\s,，、]*")


def _joins(gap: str, after_correction: bool) -> bool:
    if after_correction:
        return bool(_CORRECTION_FILLER.match(gap)) and len(gap) <= 8
    return all(c in _SEPARATORS for c in gap) and len(gap) <= 3 or bool(_GOES_ON.fullmatch(gap))


# Words that carry a dictation on to its next group ("……幺二零九，后边是六五四三").
_GOES_ON = re.compile(r"[\s,，、]*(?:后边|后面|后头|然后|接着|再往后|最后|后四位|后几位)(?:的)?(?:是|就是)?[\s,，、]*")


def _resolve(run: list[_Group]) -> str:
    """The number a run spells after applying the caller's corrections."""
    last_fix = max((k for k, group in enumerate(run) if group.corrects), default=None)
    # A mobile number begun is said again whole in 11 digits: its last groups after a correction
    # are the groups corrected, though they would make a landline (……二零八八，等会儿，二零八六，零九五一).
    whole = 11 if run[0].digits.startswith("1") and last_fix != 0 else 8
    if last_fix is not None:
        for k in range(last_fix, len(run)):
            again = "".join(group.digits for group in run[k:])
            if len(again) >= whole and is_plausible(again):
                return again  # the whole number said again after the correction, in groups
    kept: list[str] = []
    for k, group in enumerate(run):
        if k and run[k - 1].corrects and group.digits == run[k - 1].digits:
            continue  # the group put right, said once more to be sure
        if group.corrects and kept:
            if len(group.digits) >= 7:
                # The whole number said again; or, where a mobile number was begun, its groups from
                # the one taken back on, said in one breath (一三九，二六零七，不对，二七零六五三八一).
                kept = _spliced(kept, group.digits) if whole == 11 else [group.digits]
                continue
            same_length = [i for i, g in enumerate(kept) if len(g) == len(group.digits)]
            named = group.place if group.place is not None and len(kept) == 3 else None
            if named is not None and len(kept[named]) == len(group.digits):
                kept[named] = group.digits  # the group the caller named (中间是……)
            elif same_length:
                kept[same_length[-1]] = group.digits
            elif len(kept[-1]) > len(group.digits) and group.place == 0:
                # The number said in one breath, then its start corrected ("……，不对，开头是一三八").
                kept[-1] = group.digits + kept[-1][len(group.digits):]
            elif len(kept[-1]) > len(group.digits):
                # The number said in one breath, then its end corrected ("……六六三七，不对，最后是六六三九").
                # A mobile number's last group is four digits: a fifth before them is a word heard
                # as a digit (最后是二六四九 heard 最后12649).
                fix = group.digits[-4:] if group.place == -1 and len(kept[-1]) == 11 else group.digits
                kept[-1] = kept[-1][: -len(fix)] + fix
            else:
                kept[-1] = group.digits
        else:
            kept.append(group.digits)
    return "".join(kept)


def _spliced(kept: list[str], again: str) -> list[str]:
    """`again`, said after a correction, as the rest of the mobile number begun in `kept`: it
    replaces the groups from the last one it makes an 11-digit number with; else it stands alone."""
    if len(again) < 11:
        for taken_back in range(1, len(kept) + 1):
            spliced = [*kept[:-taken_back], again]
            if len("".join(spliced)) == 11 and is_plausible("".join(spliced)):
                return spliced
        # The groups before ran together as the recogniser wrote them (一七三，一零九二 as 173119):
        # the correction takes back as much of them as it says again.
        before = "".join(kept)
        start = before[: 11 - len(again)]
        if 3 <= len(start) < len(before) and is_plausible(start + again):
            return [start, again]
    return [again]


def _plausible_part(run: list[_Group]) -> tuple[str, int, int] | None:
    """A dialable number made of consecutive groups of a run, preferring the latest.

    Needed when a room number and a phone number are said in one breath ("五零一，一三八……").
    """
    for first in range(len(run)):
        for last in range(len(run) - 1, first - 1, -1):
            digits = "".join(g.digits for g in run[first:last + 1])
            if is_plausible(digits) and len(digits) >= 8:
                return digits, run[first].start, run[last].end
    return None


def find_numbers(text: str) -> list[HeardNumber]:
    """Every dictated number of seven digits or more in `text`, in order. Digits the recogniser
    wrote as sound-alikes are read as digits where that makes a number that can be dialled and
    the words as written do not ("我要13812345678" keeps its 要)."""
    as_written = _numbers_in(text)
    as_heard = _numbers_in(spoken_digits(text))
    found = []
    for heard in as_heard:
        written = next((n for n in as_written if n.start < heard.end and heard.start < n.end), None)
        # (a word before the number read as a digit may only make a part of it dialable: "留，幺三零…")
        keep_written = written is not None and written.number and (
            not heard.number or len(written.number) > len(heard.number)
        ) and not _begun_with_yao(text, heard, written)
        found.append(written if keep_written else heard)
    return found


def _begun_with_yao(text: str, heard: HeardNumber, written: HeardNumber) -> bool:
    """The landline written is the middle of a mobile begun with 幺 heard as a word (电话腰 35120866
    for 幺三五，幺二零八…): 幺 begins the number, so no landline stands in it."""
    before = text[heard.start : written.start].strip(" ,，、")
    return (
        heard.number is None and written.number is not None and not MOBILE.fullmatch(written.number)
        and _misheard_mobile(heard.digits) and bool(before) and sounds_like_yao(before[0])
    )


def _misheard_mobile(digits: str) -> bool:
    """A run that starts like a mobile and is a digit or two off is that mobile misheard (1 3次，1 0 8;
    5 2 7 6 lost a 1; 幺三五，幺二零八，六六四七 heard 腰35120866的自己), not a room number and a
    local landline: no part of it is dialled, the seat asks again. (No Beijing landline starts with 1.)"""
    return bool(re.match(r"1[3-9]", digits)) and 9 <= len(digits) <= 12 and len(digits) != 11


def _numbers_in(text: str) -> list[HeardNumber]:
    found: list[HeardNumber] = []
    for run in _groups(text):
        digits = _resolve(run)
        start, end = run[0].start, run[-1].end
        if len(digits) < 7:
            continue
        number = digits if is_plausible(digits) else None
        if number is None and not _misheard_mobile(digits) and not any(g.corrects for g in run):
            part = _plausible_part(run)
            if part is not None:
                number, start, end = part
        cued = bool(_PHONE_CUE.search(text[max(0, start - 8):start]))
        found.append(HeardNumber(number, digits, start, end, cued))
    return found


def extract_phone(text: str) -> HeardNumber | None:
    """The callback number said in `text`: the last dialable one, a cued one first.

    Returns a HeardNumber with `number=None` when the caller clearly dictated a number that
    cannot be right (a digit lost or added), so the seat can ask again.
    """
    numbers = find_numbers(text)
    if not numbers:
        return None
    for wanted in (
        lambda n: n.number and n.cued,
        lambda n: n.number,
        lambda n: n.cued or len(n.digits) >= 9,
    ):
        chosen = [n for n in numbers if wanted(n)]
        if chosen:
            best = chosen[-1]
            # A number said whole after a correction of the one before stands ("哎不对，……幺五二，…").
            corrected = [n for n in numbers if n.number and n.start >= best.end
                         and _CORRECTION.search(text, best.start, n.start)]
            return _with_area_code(text, corrected[-1] if corrected else best)
    return None


# "前头加零幺零", "区号是零幺零": the area code told apart from a local number.
_AREA_CODE = re.compile(r"(?:区号|前(?:头|面|边)(?:再)?加(?:个|上)?)(?:是|就是)?[\s,，]*(0\d{2,3})(?!\d)")


def _with_area_code(text: str, heard: HeardNumber) -> HeardNumber:
    if heard.number is None or len(heard.number) != 8:
        return heard
    code = _AREA_CODE.search("".join(digit_of(c) or c for c in spoken_digits(text)))
    if code is None or not is_plausible(code.group(1) + heard.number):
        return heard
    return replace(heard, number=code.group(1) + heard.number)


def rest_of_number(text: str, begun: str) -> str | None:
    """The number `begun` in an earlier turn ("电话一三七，幺幺零零——") made whole by the digits
    this turn opens with or gives as its rest ("后四位是四八二二"), where together they can be
    dialled."""
    spoken = spoken_digits(text)
    for run in _groups(spoken):
        lead_in = spoken[:run[0].start]
        if len(lead_in) > 6 and not _GOES_ON.search(lead_in[-8:]):
            continue  # digits in the middle of other words (a building, a time)
        whole = begun + _resolve(run)
        if is_plausible(whole) and len(whole) >= 11:
            return whole
    return None


def says_line_number(text: str) -> bool:
    """The caller wants to be called back on the number they are calling from."""
    return bool(_LINE_NUMBER.search(text))


def spoken_number(number: str) -> str:
    """A number as the seat reads it back: digit by digit in groups (139 1122 3344)."""
    digit_words = dict(zip("0123456789", "零幺二三四五六七八九", strict=True))
    if len(number) == 11:
        groups = [number[:3], number[3:7], number[7:]]
    else:
        groups = [number[: len(number) - 4], number[-4:]]
    return "，".join("".join(digit_words[d] for d in g) for g in groups)


def line_number(caller_number: str | None) -> str | None:
    """The caller's line number as digits when it is a number we can call back.

    Gateways pass "+8613812345678", "013812345678" or a SIP URI ("sip:+86138…@gw:5060")."""
    if not caller_number:
        return None
    user = re.sub(r"^(?:sips?|tel):", "", caller_number.strip()).split("@")[0].split(";")[0]
    digits = re.sub(r"\D", "", user)
    if digits.startswith("01") and is_plausible(digits[1:]):
        digits = digits[1:]  # a mobile dialled with a trunk prefix
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and is_plausible(digits[len(prefix):]):
            digits = digits[len(prefix):]
    return digits if is_plausible(digits) else None

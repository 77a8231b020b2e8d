"""Where the problem is: district and street from the gazetteer, and the address around them.

Callers give a place from large to small: district, street, then a road or 小区, building,
unit, room ("丰台区方庄街道，芳城园一区，十五号楼，二单元"). The gazetteer finds the district and
street (by sound too); the address is the run of place-like phrases that follows, up to the
first phrase that is about something else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.numbers import normalise_numerals
from knowledge.gazetteer import Gazetteer, PlaceMatch
from knowledge.phonetic import HOMOPHONE, NEAR, SAME_CHAR, match_sequence, readings
from knowledge.place_hearing import street_suffix_end, strip_suffix
from knowledge.place_lexicon import STREET_SUFFIXES

# Words that make a phrase part of an address: roads, estates, buildings, landmarks, directions.
_ADDRESS_MARKER = re.compile(
    r"(?<![迷走问带顺让赶一半了])路|街(?!道)|胡同|巷|(?<![家心这那哪夜嘴手])里(?![面边头人])|小区|社区|村|庄|院|号|楼(?!道)|"
    r"单元|层|室|(?<![出进关开敲串上了])门(?!诊|卡)|公园|"
    r"站|地铁|商场|大厦|广场|市场|医院|学校|桥|对面|旁边|附近|边上|东边|西边|南边|北边|东侧|西侧|南侧|"
    r"北侧|那边|门口|底商|写字楼|花园|家园|苑|园|城|营|屯|店|厂|高速|环|工地|园区|宿舍|平房|公寓|"
    r"中心|酒店|超市|期|区|[零一二三四五六七八九幺0-9]{3,}"
    # a hutong numbered off its street (东四六条, 北新仓头条)
    r"|(?<=[\u4e00-\u9fff][\u4e00-\u9fff])(?<![一那这哪几两])[二三四五六七八九十头]条(?![狗鱼路街道线意建规消短新政信理腿命])"
)
# Phrases that are not about the place even if they contain a marker word.
# (and a number too long for a building or a room, or talk of how a number starts or ends, is a
# phone number: "不对，13801662759，是138开头的")
_NOT_ADDRESS = re.compile(r"电话|手机|号码|我姓|我叫|名字|先生|女士|开头|打头|尾号|[零一二三四五六七八九幺0-9]{7,}")
# A caller unsure of the place ("具体哪个村我说不准"): skipped, the address may go on after it.
_UNSURE = re.compile(r"不(?:太|大)?(?:准|清|确定|知道|记得)|记不(?:清|住)|说不好")
# Where a phrase stops being about the place and goes on about the problem or the caller.
_PLACE_ENDS = re.compile(r"已经|一直|天天|每天|总是|经常|老是|没人|有人|等着|正在")
# Strong markers that let an address go on past a full stop ("……旁边。就在京港澳高速边上").
_STRONG_MARKER = re.compile(r"路|街(?!道)|小区|号楼|单元|高速|桥|公园|村|院|胡同")
_CLAUSE = re.compile(r"[^，,。.！!？?；;、 ]+[，,。.！!？?；;、 ]*")
_SENTENCE_END = re.compile(r"[。.！!？?；;]\s*$")
_LEADING_FILLER = re.compile(
    r"^(?:的|就是|就在|具体是|具体地址是|具体位置是|地址是|位置是|在|是|那个|就|我住在|我家住在|我家在|我住|住在|"
    r"我们小区在|我们这儿|我们那儿|我们这|嗯|啊|一个|个(?=[\u4e00-\u9fff]{2}))+"
)
_TRAILING = re.compile(r"[的了呢啊吧呀哈嘛]+$")
# What a suffix of a matched place sounds like in the recogniser's spelling (区 → 期/去/其 ...).
_DISTRICT_TAIL = re.compile(r"[区期去其七曲趋]")
_STREET_TAILS = ("街道", "接到", "街到", "接道", "阶到", "街的", "镇", "乡", "地区")
_STREET_SUFFIXES = ("街道", "地区", "镇", "乡")
# Everyday words of Beijing addresses, for undoing homophones (agent.place.respell).
# (Not 家园, 花园: they end estate names, and 嘉园 is a name, not a misheard 家园.)
_ADDRESS_WORDS = tuple(
    "单元 号楼 号院 小区 社区 胡同 大街 路口 写字楼 垃圾站 菜市场 公交站 地铁站 停车场 幼儿园 小学 中学 "
    "医院 公园 广场 商场 超市 大厦 底商 平房 村委会 居委会 公寓 宿舍 单元门 车库 地下室 "
    "配电室 锅炉房 门脸房 十字路口 立交桥 过街天桥 人行道 辅路 主路 环路".split()
)
# Characters that end the names of estates and compounds: a name written with one of them (香水苑
# beside 香水园街道) is the caller's, not the street's name misheard.
_ESTATE_ENDINGS = set("苑园院里村庄府城居湾坊")
# The caller takes back what they just said: "二十六号楼，哎哟不对，是二十八号楼".
CORRECTION = re.compile(r"不对|说错了|搞错了|说差了|说岔了|记错了|说反了|口误|更正一下")
# The value ruled out in "是南里，不是北里".
_RULED_OUT = re.compile(r"^(?:而)?不是")
# The kind of an address part, so that a correction replaces the part of its own kind.
_PART_KIND = re.compile(r"号楼|单元|层|室|号院|号|楼|里|小区|村|路|街|胡同|院|园|苑")


@dataclass
class PlaceHeard:
    district: str | None
    street: str | None
    address: str | None
    score: float
    home: bool = False  # said as where the caller lives ("我住西城"), which may not be where the problem is
    # Where the turn's text names places (a street's suffix as heard included): words that say
    # where, which must not be read by sound as what (东花市街等 is no 街灯).
    spans: tuple[tuple[int, int], ...] = ()


# "我自己住西城，但是我说的地方在丰台": where the caller lives, not where the problem is.
_HOME = re.compile(r"(?:我|我们|我家|我们家)(?:自己)?(?:住|家住|家在|住在)(?:在)?$")


def _address_start(text: str, match: PlaceMatch) -> int:
    """Where the address begins: after the place's suffix, or at the bare name that goes on
    into a landmark ("东城区的龙潭公园": the address is 龙潭公园)."""
    span = text[match.start:match.end]
    if span.endswith(_STREET_TAILS) or match.end >= len(text) or not _is_han(text[match.end]):
        return match.end
    if match.street is not None and "jie" in readings(text[match.end]):
        return match.end + 2  # 街道 misheard beyond the gazetteer's reach (街等, 接当)
    if match.street is None:
        return match.end
    tails = list(_DISTRICT_TAIL.finditer(span))
    if tails:
        return match.start + tails[-1].end()
    return match.start


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def _clean(clause: str) -> str:
    clause = re.sub(r"[，,。.！!？?；;、\s]+$", "", clause)
    clause = _LEADING_FILLER.sub("", clause)
    ends = _PLACE_ENDS.search(clause)
    if ends:
        clause = clause[:ends.start()] or "…"  # nothing of the place left: not an address phrase
    return _TRAILING.sub("", clause)


def address_after(text: str, start: int, first_required: bool = False) -> str | None:
    """The place-like phrases of `text` from `start` on, joined with commas, numerals as digits."""
    parts: list[str] = []
    sentence_ended = False
    correcting = False
    for index, clause_match in enumerate(_CLAUSE.finditer(text, start)):
        raw = clause_match.group(0)
        if CORRECTION.search(raw) and not _ADDRESS_MARKER.search(CORRECTION.split(raw)[-1]):
            correcting = bool(parts)  # "哎哟不对，" : the next part replaces one already said
            continue
        clause = _clean(raw)
        if sentence_ended and not _STRONG_MARKER.search(clause):
            break
        sentence_ended = bool(_SENTENCE_END.search(raw))
        if not clause or _UNSURE.search(clause) or _RULED_OUT.match(clause):
            continue
        if _NOT_ADDRESS.search(clause) or not _ADDRESS_MARKER.search(clause):
            if index == 0 and not first_required and not parts:
                continue  # "……街道的，" leftovers right after the place
            break
        if correcting:
            _replace_part(parts, clause)
            correcting = False
        else:
            parts.append(clause)
    # "是北里，甜水园北里": a part said again in full is kept once, in full.
    parts = [part for i, part in enumerate(parts) if not any(part in other for other in parts[i + 1:])]
    if not parts:
        return None
    return normalise_numerals("，".join(parts))


def _kind(part: str) -> str | None:
    kinds = _PART_KIND.findall(part)
    return kinds[-1] if kinds else None


def _replace_part(parts: list[str], new: str) -> None:
    """The part of the same kind as `new` (a building for a building) is replaced, else the last."""
    same = [i for i, part in enumerate(parts) if _kind(part) == _kind(new)]
    parts[same[-1] if same else -1] = new


def corrected_address(address: str, correction: str) -> str:
    """`address` with the part a correction names put in place of the part of its kind ("北区十号楼"
    then "刚才说岔了，是十一号楼，十号楼是对面那栋" keeps the estate and moves the building); a
    correction that names no part already there replaces the whole."""
    parts = address.split("，")
    first = correction.split("，")[0]
    if _kind(first) is None or not any(_kind(part) == _kind(first) for part in parts):
        return correction
    _replace_part(parts, first)
    return "，".join(parts)


def address_anywhere(text: str) -> str | None:
    """The first run of place-like phrases in a turn that names no district or street."""
    for clause_match in _CLAUSE.finditer(text):
        clause = _clean(clause_match.group(0))
        if clause and _ADDRESS_MARKER.search(clause) and not _NOT_ADDRESS.search(clause):
            return address_after(text, clause_match.start(), first_required=True)
    return None


def _street_core(street: str) -> str:
    for suffix in _STREET_SUFFIXES:
        if street.endswith(suffix) and len(street) > len(suffix) + 1:
            return street[: -len(suffix)]
    return street


def _respell_word(text: str, word: str, near_ok: bool) -> str:
    """Replace what sounds like `word` in `text` with `word` itself."""
    if word in text:
        return text
    out, i = [], 0
    while i < len(text):
        sims = match_sequence(text, i, word)
        heard = text[i:i + len(word)]
        differs_at_name_end = any(a != b and a in _ESTATE_ENDINGS for a, b in zip(heard, word, strict=False))
        good = sims is not None and not differs_at_name_end and (
            (near_ok and min(sims) >= NEAR and sum(sims) / len(sims) >= 0.8)
            or (min(sims) >= HOMOPHONE and (len(word) > 2 or max(sims) == SAME_CHAR))
        )
        if good:
            out.append(word)
            i += len(word)
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def respell(address: str, street: str | None) -> str:
    """Undo the recogniser's homophones in an address.

    Roads, estates and stations are often named after their street (回龙观西大街, 劲松八区,
    玉桥中路) and are misheard like the street (回龙官, 近松, 义桥); the everyday words of an
    address are misheard too (单元 → 单圆, 写字楼 → 鞋子楼). Both are written back by sound.
    """
    if street:
        core = _street_core(street)
        if len(core) >= 2:
            address = _respell_word(address, core, near_ok=True)
    for word in _ADDRESS_WORDS:
        address = _respell_word(address, word, near_ok=False)
    return address


def without_place(text: str) -> str:
    """The phrases of `text` that are not place-like (for reading what else a turn says)."""
    kept = [c for c in _CLAUSE.findall(text) if not _ADDRESS_MARKER.search(_clean(c))]
    return "".join(kept)


def hear_place(gazetteer: Gazetteer, text: str) -> PlaceHeard | None:
    """The district, street and address said in one turn, if any."""
    # The recogniser writes a dictated room number as "6.0.2".
    dots = {m.start() for m in _DOTS_IN_NUMBER.finditer(text)}
    kept = [i for i in range(len(text)) if i not in dots]
    text = "".join(text[i] for i in kept)
    matches = gazetteer.find_all(text)
    if not matches:
        return None
    matches = _as_corrected(text, matches)
    homes = [m for m in matches if _HOME.search(text[max(0, m.start - 6):m.start])]
    elsewhere = [m for m in matches if m not in homes]
    best = max(elsewhere or homes, key=lambda m: ((m.district is not None) + (m.street is not None), m.score))
    # A street named again later in the same breath (和平里街道，和平里七区) is part of the address.
    address = address_after(text, _address_start(text, best))
    if address is None:
        # The place said before its district ("他常在玉泉路口那个小公园……我们是石景山区八宝山街道的").
        before = address_anywhere(text[:best.start])
        address = before if before and _STRONG_MARKER.search(before) else None
    if address:
        address = normalise_numerals(respell(address, best.street))
    kept.append(len(kept) and kept[-1] + 1)  # the end of the text, in the text as given
    spans = tuple((kept[m.start], kept[_suffix_end(text, m)]) for m in matches)
    return PlaceHeard(best.district, best.street, address, best.score, home=not elsewhere, spans=spans)


def _as_corrected(text: str, matches: list[PlaceMatch]) -> list[PlaceMatch]:
    """The places a caller still means: those said after their last correction ("海淀的八里庄，不对，
    是朝阳的八里庄"), and none they rule out ("是朝阳的，不是海淀的"), where others remain."""
    kept = [m for m in matches if not _RULED_OUT.match(text[max(0, m.start - 3):m.start].lstrip("，, 而"))]
    corrections = [c.end() for c in CORRECTION.finditer(text)]
    if corrections:
        after = [m for m in kept if m.start >= corrections[-1]]
        kept = after or kept
    return kept or matches


_DOTS_IN_NUMBER = re.compile(r"(?<=\d)[.．·](?=\d)")


def _suffix_end(text: str, match: PlaceMatch) -> int:
    """The end of a place's words, with its street suffix as heard (街等, 接道) when one follows."""
    if match.street is None:
        return match.end
    own = match.street[len(strip_suffix(match.street, STREET_SUFFIXES)) :]
    return street_suffix_end(text, match.end, own) or match.end

"""A surname spelt out: by its parts (弓长张, 立早章), by its radical (草头萧, 双人徐), or by a word
it is in (亲戚的戚), as callers say it and as the recogniser writes it (工长张, 声口里 for 双口吕)."""

from __future__ import annotations

import re
from collections.abc import Callable

from agent.surnames import NEARLY, SURNAMES, may_be_a_name, same_initial, sound
from knowledge.phonetic import closeness
from knowledge.segment import is_common_word

# How callers spell a surname out: by its parts (弓长张, 立早章, 木子李) ...
_SPELLED_SURNAMES = {
    "弓长": "张", "立早": "章", "木子": "李", "耳东": "陈", "口天": "吴", "双木": "林", "古月": "胡", "草头": "黄",
    "言午": "许", "禾口": "程", "人可": "何", "子小": "孙", "关耳": "郑", "三横": "王", "木易": "杨", "走肖": "赵",
    "双口": "吕",
}
# ... or by its radical, which tells apart surnames that sound alike (草头萧 not 肖, 双人徐 not 许,
# 三点水的沈 not 申): the radical's name, then the surname as heard.
_RADICAL_SURNAMES = {
    "草头": "黄萧范苏董蒋葛蔡苗蓝莫薛蒙茅荀萧韦", "草字头": "黄萧范苏董蒋葛蔡苗蓝莫薛蒙茅荀",
    "三点水": "江汪沈潘洪汤温游沙涂池浦汲", "木字旁": "林杨柳柯桂梅杜柏栾村", "双人": "徐彭", "双人旁": "徐彭",
    "单人旁": "何付任伍倪俞仇侯仲佟", "立人旁": "何付任伍倪俞仇侯仲佟", "金字旁": "钱钟钮铁", "言字旁": "许谢谭詹",
    "耳朵旁": "陈郑邓邹邱郭陆阮郝阎邵", "耳刀旁": "陈郑邓邹邱郭陆阮郝阎邵", "口字旁": "吴吕叶唐",
    "宝盖": "宋安宁宫宦宿寇容", "宝盖头": "宋安宁宫宦宿寇容", "女字旁": "姚姜姬娄", "日字旁": "晏时明",
    "王字旁": "王班", "绞丝旁": "纪缪练", "走之": "迟连达", "走之旁": "迟连达",
}
_RADICAL_SPELLING = re.compile(rf"({'|'.join(sorted(_RADICAL_SURNAMES, key=len, reverse=True))})(?:的|儿)?(\w)")
# ... or by a word it is in ("亲戚的戚", "鲁迅的鲁").
_CHAR_OF_WORD = re.compile(r"(\w{1,3})的(\w)")
# How a caller vouches for a surname no list holds (庹, 乜, 芮): by its parts or strokes ("广字头
# 底下那个庹", "草字头底下一个内"), by a word it is in ("皮鞋的皮"), or by saying it with a title.
SPELLING_TALK = re.compile(
    r"字头|字旁|字底|偏旁|底下一个|底下那个|上边一个|下边一个|左边一个|右边一个|旁边一个|少见"
    # the radicals callers name by their own names
    r"|两点水|三点水|单人旁|双人旁|立人旁|提手旁|提土旁|木字旁|宝盖头|草字头|走之底|绞丝旁|金字旁|言字旁|竖心旁"
)


def spelled_out(text: str, char: str) -> str | None:
    """`char`, spelled out by the caller so that it stands as written: by its parts, or by a word
    everyone knows that holds it (揭发的揭; not 努姓的努, the recogniser's 鲁迅的鲁)."""
    if not may_be_a_name(char):
        return None
    known_word = any(
        is_common_word(said[k:]) for said in words_with(text, char) for k in range(len(said) - 1) if char in said[k:]
    )
    return char if known_word or SPELLING_TALK.search(text) else None


def words_with(text: str, char: str) -> list[str]:
    """What the caller names `char` by ("揭发的揭": 揭发, perhaps with a word before it), as written."""
    return [m.group(1) for m in re.finditer(rf"(\w{{1,3}})的{char}", text) if char in m.group(1)]


def spelled_surname(text: str, named: Callable[[str], bool]) -> str | None:
    """The surname a caller spells out: 弓长张 (also as heard: 工长张), 亲戚的戚. `named(char)`:
    whether the caller gives `char` as their surname or their name's first character, which lets a
    rare one spelt by a word stand."""
    found = spelled_by_parts(text)
    if found:
        return found[0]
    return _spelled_by_radical_or_word(text, named)


def spelled_by_parts(text: str) -> tuple[str, int] | None:
    """A surname spelt by its parts (弓长张, as heard 工长张 or 声口里 for 双口吕), and where the
    spelling ends in `text`."""
    for parts, surname in _SPELLED_SURNAMES.items():
        spelled = f"{parts}{surname}"  # the parts, then the surname itself: "立早章", as heard "工长张"
        for i in range(len(text) - 2):
            heard = text[i:i + 3]
            # The first part may come out with its final blurred (立早章 heard 遛早章): its initial
            # and the second part said as spelt are enough, and keep 孩子李 from reading as 木子李.
            # The surname itself may come out nearly (吕 heard 里, 陈 heard 城): the parts said it.
            if sound(heard[1]) == sound(spelled[1]) and closeness(surname, heard[2]) >= NEARLY and (
                sound(heard[0]) == sound(spelled[0]) or same_initial(heard[0], spelled[0])
            ):
                return surname, i + 3
    return None


def _spelled_by_radical_or_word(text: str, named: Callable[[str], bool]) -> str | None:
    for match in _RADICAL_SPELLING.finditer(text):
        radical, heard = match.groups()
        if "\u4e00" <= heard <= "\u9fff":
            alike = [c for c in _RADICAL_SURNAMES[radical] if sound(c) == sound(heard)]
            if alike:
                return alike[0]
    for match in _CHAR_OF_WORD.finditer(text):
        word, char = match.groups()
        # A rare surname too, where the caller says it is one ("我姓富，富贵的富") or says it as
        # the first character of their name ("我叫满凤霞，满意的满").
        rare_but_named = named(char) and "\u4e00" <= char <= "\u9fff"
        if char in word and (char in SURNAMES or rare_but_named):
            return char
    return None


def before_a_spelling(text: str, start: int, given: str) -> str:
    """`given` (at text[start:]) up to where the caller begins to spell the surname out: "我叫韦佳，
    韦小宝的韦" heard 我叫维加维小导的维 is 维加, not 维加维."""
    for k in range(len(given)):
        char = re.escape(given[k])
        if re.match(rf"{char}\w{{0,3}}的{char}", text[start + k:]):
            return given[:k]
    return given

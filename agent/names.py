"""The caller's name as they give it: a full name, or a surname with 先生/女士.

Callers say 我叫陈立新, 我是李明, 我姓刘，刘女士, 免贵姓王, or decline (我不想留名字). The
recogniser often writes a surname or the word 姓 as a homophone (钱 → 前, 赵 → 照, 姓 → 性/信),
so surnames are also matched by sound against the common Chinese surnames.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from knowledge.phonetic import closeness, split_syllable
from knowledge.segment import is_common_word

# The common Chinese surnames, most frequent first (the order decides which surname a
# homophone maps to: "wu" → 吴 rather than 武).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
    "莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪"
    "梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车"
    "项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛"
    "仲虞敖巩明佘池查麻苑迟邝"
    # rarer surnames of the 百家姓, but for those that sound like everyday words said after 叫我
    # (劳 as 老 in 叫我老李, 赖 as 来, 咸 as 先, 步 as 不, 盖 as 该, 鄂 as 呃)
    "鞠荆邸蔺禹冀郁蒯宿邰索雍濮寿扈燕郏浦阎茹习宦衡弘匡禄阙蔚隆晁融訾阚竺权逯桓郗薄储汲钮糜"
    # surnames that share a sound with a commoner one, kept when written or spelled out (草头萧)
    "萧"
)
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "司徒")

# Characters that cannot be part of a given name: they end the name ("我叫周婷电话……").
_NOT_IN_NAME = set(
    "的了在住家是电话手机号码呢吧啊呀哦嗯我你他她就也来去说打给有要想和跟今年岁住那这从"
    "不没还又都很太啦嘛么吗，。,.！!？?、；;：: 0123456789零幺"
)
_FEMALE_CUES = re.compile(r"女士|小姐|阿姨|大姐|大妈|奶奶|姥姥|我老公|我丈夫|我先生|我们家老头|我是个?老太太")
_MALE_CUES = re.compile(
    r"(?<!我)先生|大爷|大哥|爷爷|姥爷|我媳妇|我老婆|我妻子|我太太|我们家老太太|(?<![家们])老头(?:子|儿)"
)
# The caller saying who they are to someone: "我是孩子他爸", "我是她闺女", "我是老人的儿子".
_MALE_KIN = ("爸爸", "爸", "父亲", "爹", "儿子", "老公", "丈夫", "爷爷", "姥爷", "外公", "孙子", "外孙", "哥哥", "哥",
             "弟弟", "弟", "叔叔", "舅舅", "女婿")
_FEMALE_KIN = ("妈妈", "妈", "母亲", "娘", "女儿", "闺女", "老婆", "媳妇", "妻子", "奶奶", "姥姥", "外婆", "孙女",
               "外孙女", "姐姐", "姐", "妹妹", "妹", "阿姨", "姑姑", "舅妈", "儿媳妇", "儿媳")
_SELF_KIN = re.compile(
    r"我是[^，,。.！!？?]{0,6}?(?:他|她|的)("
    + "|".join(sorted(_MALE_KIN + _FEMALE_KIN, key=len, reverse=True))
    + r")(?=[，,。.！!？? ]|$)"
)
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
# 姓 as the recogniser writes it; the last ones (心, 先, 现 ...) are everyday words too, so they only
# count where a title follows the surname as in "我姓万，万先生" (heard "我心万万先生").
SURNAME_VERB = "姓性信兴幸"
_SURNAME_VERB_WEAK = "心先现新星行"

_DECLINE = re.compile(
    r"(?:不|没必要|不用)(?:想|愿意|方便|必要)?(?:留|说|告诉|透露|报)(?:你)?(?:我的)?(?:名字|姓名|名|姓)"
    r"|匿名|名字就不(?:说|留|告诉)了|不留名|姓名就不|保密"
)
# "我叫/我是/名字叫" followed by a full name; 教/较 are the recogniser's 叫.
_FULL_NAME_CUE = re.compile(
    r"(?:我的名字叫|我名字叫|名字叫|名字是|姓名是|我叫|叫我|我教|我是|本人|俺叫|俺是"
    # "我是他邻居，叫邹建华": who they are, then their name
    r"|(?<=我是)[^，,。.！!？?]{1,8}[，,]叫)"
)
TITLES = ("先生", "女士", "小姐")
# "我姓刘", "免贵姓王"; the recogniser writes 姓 as 性/信/兴/幸.
_SURNAME_CUE = re.compile(r"(?:免贵|我|俺)(?:复)?(?:姓|性|信|兴|幸)|(?:^|(?<=[，,。.！!？? ]))(?:本人)?(?:复)?姓(?=\S)")
_BOUNDARY = re.compile(r"$|[，。,.！!？?、；; ]|电话|手机|号码|联系|先生|女士|啊|呀|哈")
# "叫我沈女士就行", "您就写王女士吧": what the caller asks to be written or called ends so too.
_CALL_ME_END = ("就行", "就好", "就成", "就可以", "吧", "好了")


@dataclass
class NameHeard:
    name: str | None  # None when the caller declined
    declined: bool


@lru_cache(maxsize=4096)
def _sound(char: str) -> str:
    return lazy_pinyin(char, style=Style.NORMAL)[0]


_NEAR_INITIAL = {"n": "l", "l": "n"}


@lru_cache(maxsize=1)
def _surname_by_sound() -> dict[str, str]:
    by_sound: dict[str, str] = {}
    for surname in SURNAMES:
        by_sound.setdefault(_sound(surname), surname)
    return by_sound


def as_surname(char: str, by_sound: bool = True) -> str | None:
    """`char` as a surname: itself when it is one, else the common surname it sounds like."""
    if char in SURNAMES:
        return char
    if by_sound and "\u4e00" <= char <= "\u9fff":
        sound = _sound(char)
        # A sound no common surname has is a near miss of one (努 nu for 鲁 lu: n/l, as callers
        # and the recogniser blur them).
        near = _NEAR_INITIAL.get(sound[:1])
        return _surname_by_sound().get(sound) or (_surname_by_sound().get(near + sound[1:]) if near else None)
    return None


# How a caller vouches for a surname no list holds (庹, 乜, 芮): by its parts or strokes ("广字头
# 底下那个庹", "草字头底下一个内"), by a word it is in ("皮鞋的皮"), or by saying it with a title.
_SPELLING_TALK = re.compile(
    r"字头|字旁|字底|偏旁|底下一个|底下那个|上边一个|下边一个|左边一个|右边一个|旁边一个|少见"
    # the radicals callers name by their own names
    r"|两点水|三点水|单人旁|双人旁|立人旁|提手旁|提土旁|木字旁|宝盖头|草字头|走之底|绞丝旁|金字旁|言字旁|竖心旁"
)


def may_be_a_name(char: str) -> bool:
    """A Chinese character that is no pronoun, particle or other word kept out of names."""
    return "\u4e00" <= char <= "\u9fff" and char not in _NOT_IN_NAME


def _vouched_surname(text: str, char: str) -> str | None:
    """`char` as a surname the caller vouches for in `text`, though it is no common one."""
    if not may_be_a_name(char):
        return None
    with_title = any(char + title in text for title in TITLES)
    return char if with_title or _words_with(text, char) or _SPELLING_TALK.search(text) else None


def _spelled_out(text: str, char: str) -> str | None:
    """`char`, spelled out by the caller so that it stands as written: by its parts, or by a word
    everyone knows that holds it (揭发的揭; not 努姓的努, the recogniser's 鲁迅的鲁)."""
    if not may_be_a_name(char):
        return None
    known_word = any(
        is_common_word(said[k:]) for said in _words_with(text, char) for k in range(len(said) - 1) if char in said[k:]
    )
    return char if known_word or _SPELLING_TALK.search(text) else None


def _words_with(text: str, char: str) -> list[str]:
    """What the caller names `char` by ("揭发的揭": 揭发, perhaps with a word before it), as written."""
    return [m.group(1) for m in re.finditer(rf"(\w{{1,3}})的{char}", text) if char in m.group(1)]


def _surname_said(text: str, char: str, by_sound: bool = True) -> str | None:
    """`char`, said in `text`, as a surname: a common one; one the caller spells out (仉, spelled
    单人旁…, is no 张 however alike they sound); or, `by_sound`, the common one it sounds like;
    else one the caller vouches for with a title."""
    return as_surname(char, by_sound=False) or _spelled_out(text, char) or as_surname(char, by_sound) or (
        _vouched_surname(text, char)
    )


def _surname_at(text: str, i: int, by_sound: bool) -> tuple[str, int] | None:
    for compound in _COMPOUND_SURNAMES:
        heard = text[i:i + len(compound)]
        if heard == compound or by_sound and len(heard) == len(compound) and all(
            "\u4e00" <= h <= "\u9fff" and _sound(h) == _sound(c) for h, c in zip(heard, compound, strict=True)
        ):
            return compound, i + len(compound)  # 斯马 is 司马 by sound, not 司 and a given name 马…
    if i < len(text):
        surname = _surname_said(text, text[i], by_sound)
        if surname:
            return surname, i + 1
    return None


def _full_name(text: str) -> str | None:
    for cue in _FULL_NAME_CUE.finditer(text):
        start = cue.end()
        if text.startswith(("老", "小"), start):
            continue  # 叫我老刘, 叫我小心点: what one is called by, or no name at all
        if cue.group(0) == "我叫" and _CALLED_FOR_ME.search(text, 0, cue.start() + 1):
            continue  # "帮我叫个救护车": something called for the caller, not the caller's name
        # 我是 is also "我是外地的": only a surname at a clear boundary makes it a name.
        # 叫我 is also "叫我去问问" (asked to do something): only a surname written as one.
        strict = cue.group(0) in ("我是", "本人", "我教", "叫我")
        # After 我叫 or 名字是 a name follows, so a surname misheard as a homophone (凡立民) is read
        # by sound; after 我是 only a surname written as one is a name.
        found = _surname_at(text, start, by_sound=not strict)
        # 教 is the recogniser's 叫 as often as it is teaching: a surname only sounded out after it
        # is a name when the number follows it (我教委红霞，手机号…).
        number_next = cue.group(0) == "我教" and not found
        if number_next:
            found = _surname_at(text, start, by_sound=True)
        if not found:
            continue
        surname, i = found
        given = ""
        # 先生/女士 end a name as a pair; alone 生 or 士 may be in it (于春生).
        while i < len(text) and len(given) < 2 and text[i] not in _NOT_IN_NAME and not text.startswith(TITLES, i):
            given += text[i]
            i += 1
        kept = _before_a_spelling(text, i - len(given), given)
        i -= len(given) - len(kept)
        given = kept
        if not given:
            continue
        if strict and not (_BOUNDARY.match(text, i) or text.startswith(_CALL_ME_END, i)):
            continue
        if number_next and not _NUMBER_NEXT.match(text, i):
            continue
        return surname + given
    return None


_NUMBER_NEXT = re.compile(r"[，,。. ]?(?:我的)?(?:电话|手机|号码|联系)")
# 我叫 asked for as a favour: "帮我叫个车", "给我叫一下物业" ("叫" as to call someone or something).
_CALLED_FOR_ME = re.compile(r"(?:帮|给|替|为|让|麻烦|能不能|快)我$")


def _before_a_spelling(text: str, start: int, given: str) -> str:
    """`given` (at text[start:]) up to where the caller begins to spell the surname out: "我叫韦佳，
    韦小宝的韦" heard 我叫维加维小导的维 is 维加, not 维加维."""
    for k in range(len(given)):
        char = re.escape(given[k])
        if re.match(rf"{char}\w{{0,3}}的{char}", text[start + k:]):
            return given[:k]
    return given


_SELF_NAMING_LEAD_IN = re.compile(r"(?:我是|免贵|叫我|记|写|我(?:复)?(?:姓|性|信|兴|幸).?|[，。,. ！!？?]|^)$")


def _titled_name(text: str) -> str | None:
    """A surname with a title the caller uses for themself: "王先生", "我姓刘，刘女士"."""
    for match in re.finditer(r"(先生|女士|小姐)", text):
        i = match.start()
        if i == 0:
            continue
        before = text[max(0, i - 2):i]
        surname_start = i - 2 if before in _COMPOUND_SURNAMES else i - 1
        lead_in = text[max(0, surname_start - 6):surname_start]
        # Only a caller naming themself: at the start of a phrase, after 我是/我姓X, or asking to
        # be called or written so (叫我, 您记), never "楼上的张先生" (a neighbour) or "我先生"
        # (her husband).
        self_naming = bool(_SELF_NAMING_LEAD_IN.search(lead_in))
        ends = _BOUNDARY.match(text, match.end()) or text.startswith(_CALL_ME_END, match.end())
        if not self_naming or not ends:
            continue
        if before in _COMPOUND_SURNAMES:
            found = before
        else:
            found = _surname_said(text, text[i - 1]) if text[i - 1] not in "我你他她的位这那" else None
        if found:
            return found + match.group(1)
    return None


def _said_as_name_start(text: str, char: str) -> bool:
    """`char` said right after 我叫/名字是 …, as the first character of the caller's name."""
    return any(text.startswith(char, cue.end()) for cue in _FULL_NAME_CUE.finditer(text))


def _spelled_surname(text: str) -> str | None:
    """The surname a caller spells out: 弓长张 (also as heard: 工长张), 亲戚的戚."""
    found = _spelled_by_parts(text)
    if found:
        return found[0]
    return _spelled_by_radical_or_word(text)


def _spelled_by_parts(text: str) -> tuple[str, int] | None:
    """A surname spelt by its parts (弓长张, as heard 工长张 or 声口里 for 双口吕), and where the
    spelling ends in `text`."""
    for parts, surname in _SPELLED_SURNAMES.items():
        spelled = f"{parts}{surname}"  # the parts, then the surname itself: "立早章", as heard "工长张"
        for i in range(len(text) - 2):
            heard = text[i:i + 3]
            # The first part may come out with its final blurred (立早章 heard 遛早章): its initial
            # and the second part said as spelt are enough, and keep 孩子李 from reading as 木子李.
            # The surname itself may come out nearly (吕 heard 里, 陈 heard 城): the parts said it.
            if _sound(heard[1]) == _sound(spelled[1]) and closeness(surname, heard[2]) >= _NEARLY and (
                _sound(heard[0]) == _sound(spelled[0]) or _same_initial(heard[0], spelled[0])
            ):
                return surname, i + 3
    return None


# A syllable kept but for a near initial or final (吕 lü heard 里 li, 金 jin heard 经 jing).
_NEARLY = 0.8


def _spelled_by_radical_or_word(text: str) -> str | None:
    for match in _RADICAL_SPELLING.finditer(text):
        radical, heard = match.groups()
        if "\u4e00" <= heard <= "\u9fff":
            alike = [c for c in _RADICAL_SURNAMES[radical] if _sound(c) == _sound(heard)]
            if alike:
                return alike[0]
    for match in _CHAR_OF_WORD.finditer(text):
        word, char = match.groups()
        # A rare surname too, where the caller says it is one ("我姓富，富贵的富") or says it as
        # the first character of their name ("我叫满凤霞，满意的满").
        named = _SURNAME_CUE.search(text) or _said_as_name_start(text, char)
        rare_but_named = named and "\u4e00" <= char <= "\u9fff"
        if char in word and (char in SURNAMES or rare_but_named):
            return char
    return None


def _same_initial(heard: str, said: str) -> bool:
    if not "\u4e00" <= heard <= "\u9fff":
        return False
    initial = split_syllable(_sound(said))[0]
    return bool(initial) and split_syllable(_sound(heard))[0] == initial


_TITLE_SOUNDS = {
    "先生": ({"xian", "xing", "xin"}, {"sheng", "sen", "shen"}),
    # 女 blurred to 里 (n/l, ü/i), or to 迷 (the nasal heard at the lips, n/m)
    "女士": ({"nv", "nu", "lv", "ni", "li", "mi"}, {"shi", "si"}),
}


# Where the surname has just been said a second time a title is what comes next, so 女 may be
# heard with its initial lost (庞女士 as 庞也是); elsewhere 也是 is just "also".
_LOST_INITIAL_NV = {"ye", "yu", "yue"}


def _title_heard_at(text: str, i: int, surname_repeated: bool = False) -> str | None:
    """先生/女士 at text[i:] as written or as the recogniser writes them (行生, 你事)."""
    for title, (first, second) in _TITLE_SOUNDS.items():
        if text.startswith(title, i):
            return title
        if title == "女士" and surname_repeated:
            first = first | _LOST_INITIAL_NV
        if i + 1 < len(text) and _sound(text[i]) in first and _sound(text[i + 1]) in second:
            return title
    return None


def _full_name_after_its_spelling(text: str) -> str | None:
    """"口天吴，吴志伟" (heard 口天无无之为): the whole name right after the surname spelt, its
    first character the surname again."""
    found = _spelled_by_parts(text)
    if found is None:
        return None
    surname, i = found
    while i < len(text) and text[i] in "，, 、":
        i += 1
    if i >= len(text) or not _sounds_alike(text[i], surname):
        return None
    given = text[i + 1:i + 3]
    for n in (2, 1):
        if len(given) >= n and not any(c in _NOT_IN_NAME for c in given[:n]) and _BOUNDARY.match(text, i + 1 + n):
            if not given[:n].startswith(TITLES) and given[:n] not in ("先", "女"):
                return surname + given[:n]
    return None


# "我姓蔡，蔡文博": the surname, then the whole name.
# Also with the surname spelled out between ("我姓冼，冼星海的冼，冼凤霞"): the name then starts a phrase.
_SURNAME_THEN_NAME = re.compile(
    r"(?:我|免贵)姓(\w)(?:[，,、 ]*|[^。.？?！!]{0,12}[，,、 ])\1(\w{1,2}?)(?=[，,。.！!？? ]|$|电话|手机|号码)"
)


def _surname_then_full_name(text: str) -> str | None:
    match = _SURNAME_THEN_NAME.search(text)
    if match is None or not _surname_said(text, match.group(1), by_sound=False):
        return None
    given = match.group(2)
    if given in (*TITLES, "先", "女") or any(c in _NOT_IN_NAME for c in given):
        return None
    return match.group(1) + given


def _surname_and_title(text: str) -> str | None:
    """"我姓万，万先生" as said, or as heard ("我心万万先生", "我先爱爱先生", "我心无女是"): surname,
    the surname again, a title. The repetition, or a title right after the surname, makes even a
    misheard 姓 safe to read."""
    verbs = SURNAME_VERB + _SURNAME_VERB_WEAK
    for match in re.finditer(rf"(?:我|免贵)[{verbs}]", text):
        i = match.end()
        surname = _surname_said(text, text[i]) if i < len(text) else None
        if surname is None:
            continue
        j = i + 1
        while j < len(text) and text[j] in "，, 、。.":
            j += 1
        if j < len(text) and _sounds_alike(text[j], surname):
            title = _title_heard_at(text, j + 1, surname_repeated=True)
            if title:
                # 姓荆，荆女士 heard 我姓姓，经女士: the first is the verb said twice, and only the
                # surname with its title was heard as a word of its own.
                again = as_surname(text[j]) if text[i] in verbs else None
                return (again or _written_again(text, i, j) or surname) + title
        # The two said as one (姓吴，吴女士 heard 我心无女是): a title right after the surname.
        title = _title_heard_at(text, i + 1)
        if title:
            return surname + title
        title = _title_after_a_repeat_misheard(text, j)
        if title:
            repeat = j + 1 if text[j] in _FILLERS else j
            return (_written_again(text, i, repeat) or surname) + title
        # The surname and title said a little later ("我姓耿，你就写耿女士吧").
        for k in range(j + 1, min(len(text) - 1, i + _TITLE_LATER_WITHIN)):
            title = _title_heard_at(text, k + 1) if _sounds_alike(text[k], surname) else None
            if title:
                return surname + title
    return _surname_twice_after_any_verb(text)


def _surname_twice_with_title(text: str) -> str | None:
    """"姓葛，葛女士" wherever it stands in the turn (after "我是他邻居" too), 姓 as written."""
    for match in re.finditer(rf"[{SURNAME_VERB}](\w)[，,、 ]?(\w)({'|'.join(TITLES)})", text):
        first, again, title = match.groups()
        surname = as_surname(first)
        if surname and _sounds_alike(again, surname):
            return surname + title
    return None


def _written_again(text: str, first: int, again: int) -> str | None:
    """The surname said again at text[again], where it came out written as a surname and the first
    time only sounded like one ("我姓旺，万先生": 旺 is no surname, 万 is, and is the one with the
    title)."""
    return text[again] if text[again] in SURNAMES and text[first] not in SURNAMES else None


def _surname_twice_after_any_verb(text: str) -> str | None:
    """"我姓郝，郝女士" with 姓 heard as a word no list holds (我认好，好你是电话…): the surname said
    twice and a title that ends the phrase are enough, whatever the verb came out as."""
    for match in re.finditer(r"(?:我|免贵)(\w)(\w)[，, 、]*(\w)", text):
        verb, first, again = match.groups()
        surname = as_surname(first) if verb not in _NOT_IN_NAME else None
        if surname is None or not _sounds_alike(again, surname):
            continue
        title = _title_ending_phrase(text, match.end())
        if title:
            return surname + title
    return None


_TITLE_LATER_WITHIN = 12  # characters after the surname
# What a caller says between the surname and its repeat: a pause the recogniser wrote as a word.
_FILLERS = "的啊呃嗯哎"


def _title_after_a_repeat_misheard(text: str, j: int) -> str | None:
    """The title of "我姓X，X女士" where the repeated X came out as another word (姓费，费女士
    heard 我兴费的最你是): one character, perhaps after a filler, then a title that ends the
    phrase. The title says what it is only because a boundary follows it (你是 is also "you are")."""
    if j < len(text) and text[j] in _FILLERS:
        j += 1
    if j >= len(text) or not "\u4e00" <= text[j] <= "\u9fff" or text[j] in "我你他她" + _FILLERS:
        return None
    return _title_ending_phrase(text, j + 1)


def _title_ending_phrase(text: str, i: int) -> str | None:
    """A title heard at text[i:] (loosely, as after a surname said twice) that ends the phrase:
    only then is 你是 a title and not "you are"."""
    title = _title_heard_at(text, i, surname_repeated=True)
    ends = title and (_BOUNDARY.match(text, i + len(title)) or text.startswith(_CALL_ME_END, i + len(title)))
    return title if ends else None


# Initials that differ only in breath (京 jing heard as 请 qing) or in the tongue's curl (邹 zou,
# 周 zhou): a surname said twice is heard so as often as not.
_SAME_PLACE_INITIALS = ({"j", "q", "x"}, {"z", "c", "s", "zh", "ch", "sh"}, {"b", "p"}, {"d", "t"}, {"g", "k"},
                        {"n", "l"})


def _sounds_alike(heard: str, surname: str) -> bool:
    """`heard` is the surname said again: the same syllable, or its final with an initial said at
    the same place."""
    a, b = _sound(heard), _sound(surname)
    if a == b:
        return True
    (initial_a, final_a), (initial_b, final_b) = split_syllable(a), split_syllable(b)
    if initial_a == initial_b and {final_a, final_b} in _NASALS_BLURRED:
        return True  # 金 jin heard 经 jing
    return final_a == final_b and any({initial_a, initial_b} <= place for place in _SAME_PLACE_INITIALS)


# Finals whose nasal the line blurs (-n as -ng and back).
_NASALS_BLURRED = [{"in", "ing"}, {"en", "eng"}, {"an", "ang"}, {"ian", "iang"}, {"uan", "uang"}]


# "你叫我老刘就行": the surname with 老/小 as people are called by it (only a surname written as
# one: 叫我小心点 is no 小辛).
_CALLED_BY = re.compile(r"叫我(?:老|小)([^\W\d_])(?=就行|就好|就可以|吧|好了|[，。,.！!？? ]|$)")


def _surname_only(text: str) -> str | None:
    for cue in _SURNAME_CUE.finditer(text):
        found = _surname_at(text, cue.end(), by_sound=True)
        if found:
            return found[0]
    for called in _CALLED_BY.finditer(text):
        if called.group(1) in SURNAMES:
            return called.group(1)
    return None


def extract_name(text: str) -> NameHeard | None:
    """The caller's name in `text`, a refusal to give one, or None when neither is there."""
    if _DECLINE.search(text):
        return NameHeard(None, declined=True)
    full = _full_name(text) or _surname_then_full_name(text) or _full_name_after_its_spelling(text)
    spelled = _spelled_surname(text)
    if full and re.search(rf"(?:我是|本人){re.escape(full)}", text):
        # "我是他邻居" heard 我是潘林锐, then "姓葛，葛女士": the surname said twice with a title
        # is the name, not words after 我是 that only look like one.
        repeated = _surname_and_title(text) or _surname_twice_with_title(text)
        if repeated and _sound(repeated[0]) != _sound(full[0]):
            full = None
    if full:
        spelt_alike = spelled and (closeness(spelled, full[0]) >= _NEARLY or _said_as_name_start(text, spelled))
        if spelt_alike and full[0] != spelled:
            full = spelled + full[1:]  # "我叫许红，双人徐": the character as spelt
        return NameHeard(full, declined=False)
    repeated = _surname_and_title(text)
    if repeated:
        if spelled and _sound(spelled) == _sound(repeated[0]):
            repeated = spelled + repeated[1:]  # "我姓章，立早章，章先生": the character as spelt
        return NameHeard(repeated, declined=False)
    titled = _titled_name(text)
    surname = _surname_only(text)
    if spelled and (surname is None or _sound(surname) == _sound(spelled)
                    or spelled in SURNAMES and closeness(spelled, surname) >= _NEARLY):
        surname = spelled
        if titled and _sound(titled[0]) == _sound(spelled):
            titled = spelled + titled[1:]
    if titled and (surname is None or titled.startswith(surname)):
        return NameHeard(titled, declined=False)
    if surname:
        said_who = _SELF_KIN.search(text)
        if said_who:
            # "我是孩子他爸": who the caller is outweighs the others they speak of (他姥姥).
            return NameHeard(surname + ("先生" if said_who.group(1) in _MALE_KIN else "女士"), declined=False)
        if _FEMALE_CUES.search(text) and not _MALE_CUES.search(text):
            return NameHeard(surname + "女士", declined=False)
        if _MALE_CUES.search(text) and not _FEMALE_CUES.search(text):
            return NameHeard(surname + "先生", declined=False)
        return NameHeard(surname + "先生/女士", declined=False)
    if titled:
        return NameHeard(titled, declined=False)
    return None

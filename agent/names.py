"""The caller's name as they give it: a full name, or a surname with 先生/女士.

Callers say 我叫陈立新, 我是李明, 我姓刘，刘女士, 免贵姓王, or decline (我不想留名字). The
recogniser often writes a surname or the word 姓 as a homophone (钱 → 前, 赵 → 照, 姓 → 性/信),
so surnames are also matched by sound against the common Chinese surnames.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.name_spelling import (
    SPELLING_TALK,
    before_a_spelling,
    spelled_by_parts,
    spelled_out,
    spelled_surname,
    words_with,
)
from agent.surnames import (
    COMPOUND_SURNAMES,
    NEARLY,
    NOT_IN_NAME,
    SURNAMES,
    as_surname,
    may_be_a_name,
    sound,
    sounds_alike,
)
from knowledge.phonetic import closeness

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
# 姓 as the recogniser writes it; the last ones (心, 先, 现 ...) are everyday words too, so they only
# count where a title follows the surname as in "我姓万，万先生" (heard "我心万万先生").
SURNAME_VERB = "姓性信兴幸"
SURNAME_VERB_WEAK = "心先现新星行"

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
# What a surname is written with when the caller did not say which title (sorted out by a person).
UNKNOWN_TITLE = "先生/女士"
# "我姓刘", "免贵姓王"; the recogniser writes 姓 as 性/信/兴/幸.
_SURNAME_CUE = re.compile(r"(?:免贵|我|俺)(?:复)?(?:姓|性|信|兴|幸)|(?:^|(?<=[，,。.！!？? ]))(?:本人)?(?:复)?姓(?=\S)")
# What may follow a name: a pause, the number it goes with (的电话, or the digits straight away), a title.
_BOUNDARY = re.compile(
    r"$|[，。,.！!？?、；; ]|的?(?:电话|手机|号码)|[0-9零幺一二三四五六七八九]{3}|联系|先生|女士|啊|呀|哈"
)
# "叫我沈女士就行", "您就写王女士吧": what the caller asks to be written or called ends so too.
_CALL_ME_END = ("就行", "就好", "就成", "就可以", "吧", "好了")


@dataclass
class NameHeard:
    name: str | None  # None when the caller declined
    declined: bool


def _vouched_surname(text: str, char: str) -> str | None:
    """`char` as a surname the caller vouches for in `text`, though it is no common one."""
    if not may_be_a_name(char):
        return None
    with_title = any(char + title in text for title in TITLES)
    return char if with_title or words_with(text, char) or SPELLING_TALK.search(text) else None


def _surname_said(text: str, char: str, by_sound: bool = True) -> str | None:
    """`char`, said in `text`, as a surname: a common one; one the caller spells out (仉, spelled
    单人旁…, is no 张 however alike they sound); or, `by_sound`, the common one it sounds like;
    else one the caller vouches for with a title."""
    return as_surname(char, by_sound=False) or spelled_out(text, char) or as_surname(char, by_sound) or (
        _vouched_surname(text, char)
    )


def _surname_at(text: str, i: int, by_sound: bool) -> tuple[str, int] | None:
    for compound in COMPOUND_SURNAMES:
        heard = text[i:i + len(compound)]
        if heard == compound or by_sound and len(heard) == len(compound) and all(
            "\u4e00" <= h <= "\u9fff" and sound(h) == sound(c) for h, c in zip(heard, compound, strict=True)
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
        while i < len(text) and len(given) < 2 and text[i] not in NOT_IN_NAME and not text.startswith(TITLES, i):
            given += text[i]
            i += 1
        kept = before_a_spelling(text, i - len(given), given)
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


# 姓 as the recogniser writes it after 我: 性 信 兴 幸, and a sound off, 心 新 星 线 (我线过国先生).
_SELF_NAMING_LEAD_IN = re.compile(
    r"(?:我是|免贵|叫我|记|写|我(?:复)?(?:姓|性|信|兴|幸|心|新|星|线).?|[，。,. ！!？?]|^)$"
)


def _titled_name(text: str) -> str | None:
    """A surname with a title the caller uses for themself: "王先生", "我姓刘，刘女士"."""
    for match in re.finditer(r"(先生|女士|小姐)", text):
        i = match.start()
        if i == 0:
            continue
        before = text[max(0, i - 2):i]
        surname_start = i - 2 if before in COMPOUND_SURNAMES else i - 1
        lead_in = text[max(0, surname_start - 6):surname_start]
        # Only a caller naming themself: at the start of a phrase, after 我是/我姓X, or asking to
        # be called or written so (叫我, 您记), never "楼上的张先生" (a neighbour) or "我先生"
        # (her husband).
        self_naming = bool(_SELF_NAMING_LEAD_IN.search(lead_in))
        ends = _BOUNDARY.match(text, match.end()) or text.startswith(_CALL_ME_END, match.end())
        if not self_naming or not ends:
            continue
        if before in COMPOUND_SURNAMES:
            found = before
        else:
            found = _surname_said(text, text[i - 1]) if text[i - 1] not in "我你他她的位这那" else None
        if found:
            return found + match.group(1)
    return None


def _said_as_name_start(text: str, char: str) -> bool:
    """`char` said right after 我叫/名字是 …, as the first character of the caller's name."""
    return any(text.startswith(char, cue.end()) for cue in _FULL_NAME_CUE.finditer(text))


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
        if i + 1 < len(text) and sound(text[i]) in first and sound(text[i + 1]) in second:
            return title
        # Right after the surname said again, the title's first syllable written as such is enough
        # (范，范女姓: 士 heard as 姓).
        if surname_repeated and text.startswith(title[0], i) and i + 1 < len(text) and may_be_a_name(text[i + 1]):
            return title
    return None


def _full_name_after_its_spelling(text: str) -> str | None:
    """"口天吴，吴志伟" (heard 口天无无之为): the whole name right after the surname spelt, its
    first character the surname again."""
    found = spelled_by_parts(text)
    if found is None:
        return None
    surname, i = found
    while i < len(text) and text[i] in "，, 、":
        i += 1
    if i >= len(text) or not sounds_alike(text[i], surname):
        return None
    given = text[i + 1:i + 3]
    for n in (2, 1):
        if len(given) >= n and _may_be_given(given[:n]) and _BOUNDARY.match(text, i + 1 + n):
            return surname + given[:n]
    return None


# "我姓蔡，蔡文博": the surname, then the whole name, said plainly or as what one is called (叫蔡文博).
# Also with the surname spelled out between ("我姓冼，冼星海的冼，冼凤霞"): the name then starts a phrase.
_SURNAME_THEN_NAME = re.compile(
    r"(?:我|免贵)姓(\w)(?:[，,、 ]*|[^。.？?！!]{0,12}[，,、 ])(?:叫|名叫|全名|大名)?\1(\w{1,2}?)"
    r"(?=[，,。.！!？? ]|$|电话|手机|号码)"
)


def _surname_then_full_name(text: str) -> str | None:
    match = _SURNAME_THEN_NAME.search(text)
    if match is None or not _surname_said(text, match.group(1), by_sound=False):
        return None
    given = match.group(2)
    return match.group(1) + given if _may_be_given(given) else None


def _may_be_given(given: str) -> bool:
    """`given`, after a surname, may be the rest of a name: no title (or its start) and nothing
    kept out of names."""
    # (nor does the first syllable of 先生 or 女士: 范女姓 is 范女士 misheard)
    return given not in TITLES and given[:1] not in ("先", "女") and not any(c in NOT_IN_NAME for c in given)


def _surname_and_title(text: str) -> str | None:
    """"我姓万，万先生" as said, or as heard ("我心万万先生", "我先爱爱先生", "我心无女是"): surname,
    the surname again, a title. The repetition, or a title right after the surname, makes even a
    misheard 姓 safe to read."""
    verbs = SURNAME_VERB + SURNAME_VERB_WEAK
    for match in re.finditer(rf"(?:我|免贵)[{verbs}]", text):
        i = match.end()
        surname = _surname_said(text, text[i]) if i < len(text) else None
        if surname is None:
            continue
        j = i + 1
        while j < len(text) and text[j] in "，, 、。.":
            j += 1
        if j < len(text) and sounds_alike(text[j], surname):
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
            title = _title_heard_at(text, k + 1) if sounds_alike(text[k], surname) else None
            if title:
                return surname + title
    return _surname_twice_after_any_verb(text)


def _surname_twice_with_title(text: str) -> str | None:
    """"姓葛，葛女士" wherever it stands in the turn (after "我是他邻居" too), 姓 as written."""
    for match in re.finditer(rf"[{SURNAME_VERB}](\w)[，,、 ]?(\w)({'|'.join(TITLES)})", text):
        first, again, title = match.groups()
        surname = as_surname(first)
        if surname and sounds_alike(again, surname):
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
        surname = as_surname(first) if verb not in NOT_IN_NAME else None
        if surname is None or not sounds_alike(again, surname):
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


# The caller tells how to write their name down ("你就写耿女士吧", "您记成王先生").
_WRITE_IT_AS = re.compile(r"(?:写|记|写成|记成|写上|记上)\w{1,2}(?:女士|先生|小姐)")


def extract_name(text: str) -> NameHeard | None:
    """The caller's name in `text`, a refusal to give one, or None when neither is there."""
    if _DECLINE.search(text):
        return NameHeard(None, declined=True)
    full = _full_name(text) or _surname_then_full_name(text) or _full_name_after_its_spelling(text)
    spelled = spelled_surname(text, lambda char: bool(_SURNAME_CUE.search(text)) or _said_as_name_start(text, char))
    if full and re.search(rf"(?:我是|本人){re.escape(full)}", text):
        # "我是他邻居" heard 我是潘林锐, then "姓葛，葛女士": the surname said twice with a title
        # is the name, not words after 我是 that only look like one.
        repeated = _surname_and_title(text) or _surname_twice_with_title(text)
        if repeated and sound(repeated[0]) != sound(full[0]):
            full = None
    if full:
        spelt_alike = spelled and (closeness(spelled, full[0]) >= NEARLY or _said_as_name_start(text, spelled))
        if spelt_alike and full[0] != spelled:
            full = spelled + full[1:]  # "我叫许红，双人徐": the character as spelt
        return NameHeard(full, declined=False)
    repeated = _surname_and_title(text) or _surname_twice_with_title(text)
    if repeated:
        by_parts = spelled_by_parts(text)
        if spelled and (
            sound(spelled) == sound(repeated[0])
            or by_parts is not None and by_parts[0] == spelled and closeness(spelled, repeated[0]) >= NEARLY
        ):
            # "我姓章，立早章，章先生": the character as spelt; spelt by its parts, also where the
            # surname was heard a sound off (我姓程，耳东陈，陈先生: 耳东 spells 陈 and nothing else)
            repeated = spelled + repeated[1:]
        return NameHeard(repeated, declined=False)
    titled = _titled_name(text)
    surname = _surname_only(text)
    if spelled and (surname is None or sound(surname) == sound(spelled)
                    or spelled in SURNAMES and closeness(spelled, surname) >= NEARLY):
        surname = spelled
        if titled and sound(titled[0]) == sound(spelled):
            titled = spelled + titled[1:]
    if titled and (surname is None or titled.startswith(surname) or _WRITE_IT_AS.search(text)):
        # (the caller says how to write it down: that stands over a surname heard before, 我信稳，
        # 你就写更女士吧 for 我姓耿，你就写耿女士吧)
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
        return NameHeard(surname + UNKNOWN_TITLE, declined=False)
    if titled:
        return NameHeard(titled, declined=False)
    return None

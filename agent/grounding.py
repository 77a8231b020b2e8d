"""Is a proposed slot value borne out by the caller's own words?

Whichever backend reads a turn, the policy keeps a slot value only when the transcript (this turn
and the earlier ones) bears it out. Small LLMs fill gaps with plausible inventions (13800138000,
张三, 幸福小区3号楼) and "correct" what the recogniser heard into something never said; those must
not reach a work order. The recogniser writes names and places as homophones (朝阳期, 望京接到,
前立新 for 钱立新), so words are also compared by their toneless sound.
"""

from __future__ import annotations

import re
import unicodedata

from agent.names import TITLES, UNKNOWN_TITLE
from agent.numbers import normalise_numerals
from agent.privacy import spoken_digit
from knowledge.phonetic import HOMOPHONE, NEAR, match_sequence

# ---------------------------------------------------------------- phone numbers

_PAUSES = set(" \t\n,，、.。·．-—_~～/:：")
_MAX_PAUSE = 3
_CORRECTION = re.compile(r"[ \t,，、.。]*(?:不对|不是|错了|说错了|搞错了|重说|更正|应该是)[ \t,，、.。是就啊]*")


def _dictated_runs(text: str) -> list[list[tuple[str, bool]]]:
    """Runs of digit groups joined by pauses or corrections: [(digits, follows a correction)]."""
    runs: list[list[tuple[str, bool]]] = []
    i = 0
    while i < len(text):
        if spoken_digit(text[i]) is None:
            i += 1
            continue
        run: list[tuple[str, bool]] = []
        corrects = False
        while True:
            j = i
            while j < len(text) and spoken_digit(text[j]) is not None:
                j += 1
            run.append(("".join(spoken_digit(c) or "" for c in text[i:j]), corrects))
            correction = _CORRECTION.match(text, j)
            k = correction.end() if correction and correction.end() > j else j
            corrects = k > j
            while not corrects and k < len(text) and text[k] in _PAUSES and k - j < _MAX_PAUSE:
                k += 1
            if k >= len(text) or spoken_digit(text[k]) is None:
                i = j
                break
            i = k
        runs.append(run)
    return runs


def _readings(run: list[tuple[str, bool]]) -> set[str]:
    """The digit strings a run can mean: as said, and with each correction taking the place of
    the last earlier group of its length (or of the whole number when it is said again whole)."""
    plain = "".join(digits for digits, _ in run)
    kept: list[str] = []
    for digits, corrects in run:
        if corrects and kept:
            if len(digits) >= 7:
                kept = [digits]
                continue
            same_length = [k for k, g in enumerate(kept) if len(g) == len(digits)]
            kept[same_length[-1] if same_length else -1] = digits
        else:
            kept.append(digits)
    return {plain, "".join(kept)}


def phone_is_grounded(digits: str, transcript: str) -> bool:
    """The number's digits were said, in order, in one dictated run (pauses and corrections
    between its groups allowed). A number the caller never said (13800138000) is rejected."""
    wanted = "".join(spoken_digit(c) or "" for c in digits)
    if len(wanted) < 3:
        return False
    return any(wanted in reading for run in _dictated_runs(transcript) for reading in _readings(run))


# ---------------------------------------------------------------- places

_PLACE_SUFFIXES = ("街道办事处", "街道", "地区", "社区", "小区", "区", "县", "市", "镇", "乡", "村")


def place_core(name: str) -> str:
    """The name without its administrative suffix (朝阳区 → 朝阳, 望京街道 → 望京), at least two
    characters long."""
    for suffix in _PLACE_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def sounds_in(word: str, text: str, near_ok: bool = False) -> list[int]:
    """Where `word` occurs in `text` by sound: every character the same or a homophone, or with
    `near_ok` (longer words) a near-miss or two such as a phone line makes (期 for 区)."""
    found = []
    for start in range(len(text) - len(word) + 1):
        sims = match_sequence(text, start, word)
        if sims is None:
            continue
        if min(sims) >= HOMOPHONE or (near_ok and min(sims) >= NEAR and sum(sims) / len(sims) >= 0.8):
            found.append(start)
    return found


def place_is_grounded(name: str, transcript: str) -> bool:
    """The district or street name, its core (朝阳区 → 朝阳), or the sound of the core was said."""
    name = name.strip()
    if not name:
        return False
    core = place_core(name)
    if name in transcript or core in transcript:
        return True
    return bool(sounds_in(core, transcript, near_ok=len(core) >= 3))


# Words every address has; they say nothing about which place it is.
_GENERIC_ADDRESS = re.compile(
    r"北京市|北京|号楼|号院|单元|小区|社区|胡同|大街|路口|附近|旁边|对面|门口|楼下|楼上|[东西南北][侧边面]|"
    r"[号楼层室户栋幢座区路街巷院村门期的在里\d]"
)
_NOT_WORD = re.compile(r"[^\u4e00-\u9fff\d]+")
# Share of an address's own words (not its generic ones) the caller must have said.
_ADDRESS_SAID_SHARE = 0.67


def _numerals(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"(?<=\d)[.．·\s](?=\d)", "", text)  # a room number the recogniser wrote as 6.0.2
    return normalise_numerals(text)


def address_is_grounded(address: str, transcript: str) -> bool:
    """Every number of the address was said, and most of its own words (what is left when the
    generic words 小区, 号楼, 单元 ... are taken out), each as heard or by sound."""
    said = _numerals(transcript)
    address = _NOT_WORD.sub("", _numerals(address))
    if not address:
        return False
    for number in re.findall(r"\d+", address):
        if not re.search(rf"(?<!\d){number}(?!\d)", said):
            return False
    words = [w for w in _GENERIC_ADDRESS.split(address) if w]
    total = sum(len(w) for w in words)
    if total == 0:
        # Only numbers and generic words (3号楼2单元): the numbers were said, and so were the words.
        return all(sounds_in(generic, said) for generic in re.findall(r"[\u4e00-\u9fff]+", address))
    heard = sum(len(w) for w in words if w in said or sounds_in(w, said, near_ok=len(w) >= 3))
    return heard / total >= _ADDRESS_SAID_SHARE


# ---------------------------------------------------------------- names

_TITLES = (UNKNOWN_TITLE, *TITLES)
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "司徒")
# What comes right before a caller's own name, as the recogniser writes it (姓 → 性/信, 叫 → 教).
_NAME_CUE = re.compile(r"(?:姓|性|信|叫|教|是|名字|名|本人)[\s，,]*$")
_TITLE_AFTER = re.compile(r"\s*(?:先生|女士|小姐)")
_SURNAME_CUE = re.compile(r"[姓性信][\s，,]*$")
# A digit sounds like a surname (六 liu 刘, 七 qi 齐, 五 wu 吴): only taken as one after 我姓.
_DIGITS = set("零〇一二两三四五六七八九")


def _cued(text: str, start: int, end: int) -> bool:
    """A name heard at text[start:end] is the caller naming themself: a cue (我姓, 我叫, 我是)
    just before it or a title just after it."""
    return bool(_NAME_CUE.search(text[max(0, start - 4):start]) or _TITLE_AFTER.match(text, end))


def _said_as_name(word: str, transcript: str, cue_needed: bool) -> bool:
    for start in sounds_in(word, transcript):
        end = start + len(word)
        heard = transcript[start:end]
        if heard != word and _DIGITS.intersection(heard):
            if _SURNAME_CUE.search(transcript[max(0, start - 3):start]):
                return True
            continue
        if _cued(transcript, start, end) or (not cue_needed and heard == word):
            return True
    return False


def name_is_grounded(name: str, transcript: str) -> bool:
    """The caller said this name: the whole name (as written or by sound), or its surname and then
    its given name, each where a caller names themself (我姓王, 叫王立新, 王先生). An invented
    张三 is rejected, and so is a 李四 heard only in an address (和平里四区). A title (先生/女士)
    need not have been said when the surname was."""
    core = name.strip()
    for title in _TITLES:
        if core.endswith(title):
            core = core[: -len(title)]
            break
    if not core or not all("\u4e00" <= c <= "\u9fff" for c in core):
        return False
    # Two characters or more in a row, written exactly as said, are the caller's words whatever
    # comes before them; a sound-alike needs the cue.
    if len(core) >= 2 and _said_as_name(core, transcript, cue_needed=False):
        return True
    surname_length = 2 if core[:2] in _COMPOUND_SURNAMES else 1
    surname, given = core[:surname_length], core[surname_length:]
    if not _said_as_name(surname, transcript, cue_needed=True):
        return False
    return not given or _said_as_name(given, transcript, cue_needed=len(given) < 2)


# ---------------------------------------------------------------- dangers

# What a caller says of each kind of danger, far wider than agent.danger_cues (which must tell a
# danger now from one denied, feared or past): a kind the model proposes stands only where the
# caller spoke of its matter at all. A 1.5B marked 13 of dev2's 65 calls without danger urgent
# (a noise complaint as "danger", a broken lift with no one in it as "trapped"). 电 and 打 alone
# are in every 电话 and 打电话, so those kinds name their words whole.
_DANGER_THEMES: dict[str, re.Pattern[str]] = {
    kind: re.compile(words)
    for kind, words in {
        "gas": r"煤气|燃气|天然气|液化气|气罐|漏气|跑气|臭鸡蛋|一氧化碳|中毒|灶|[味闻]",
        "fire": r"火|烟|烧|焦|糊|爆炸|炸了",
        "trapped": r"困|卡在|卡住|关在|锁在|反锁|出不来|压在|电梯里",
        "flood": r"淹|漏水|跑水|冒水|爆管|水管|管子|灌|积水|泡了|哗哗",
        "manhole": r"井盖|马葫芦|窟窿|井口|下水道|下水井|窨井|箅子|坑",
        "missing": r"丢|走失|找不|不见|没回|失踪|没影|迷路|没到家",
        "violence": r"打(?:人|我|她|他|孩子|老婆|媳妇|起来|架|得)|挨打|殴|砍|刀|捅|威胁|救命|动手|家暴|抢|揍|踹"
        r"|掐|扇|杀|行凶|跟踪|血|砸",
        "medical": r"晕|昏|摔|跌|倒地|疼|痛|喘|病|血|急救|抽搐|吐|心脏|呼吸|中风|梗|不省|叫不醒|烧|受伤|伤着|骨折|噎"
        r"|不行了|救护车",
        "distress": r"不想活|活不下去|活着没|活够|死|自杀|跳楼|跳河|轻生|寻死|了结|绝望|崩溃|割腕|农药|救救",
        "danger": r"危险|塌|坠|掉下|砸|悬|摇摇|救命|救人|冰溜子|人命|伤",
        "electric": r"漏电|触电|电线|电缆|电箱|电闸|电表|电着|电人|电打|电了|带电|过电|铜丝|铜线|插座|变压器|线头|麻手",
    }.items()
}


def danger_is_grounded(kind: str, transcript: str) -> bool:
    """The caller spoke of this kind of danger's matter (gas, fire, a person missing …); a kind we
    have no words for is not borne out."""
    theme = _DANGER_THEMES.get(kind)
    return bool(theme and theme.search(transcript))


# ---------------------------------------------------------------- all slots

def grounded_slots(slots: dict[str, str | None], transcript: str) -> tuple[dict[str, str | None], list[str]]:
    """The proposed slot values the transcript bears out, and the names of those dropped.

    Keys: district, street (places), address, name (or caller_name), phone; others pass as given.
    """
    checks = {
        "district": place_is_grounded, "street": place_is_grounded, "address": address_is_grounded,
        "name": name_is_grounded, "caller_name": name_is_grounded, "phone": phone_is_grounded,
    }
    kept: dict[str, str | None] = {}
    dropped: list[str] = []
    for key, value in slots.items():
        check = checks.get(key)
        if value is None or check is None or check(value, transcript):
            kept[key] = value
        else:
            kept[key] = None
            dropped.append(key)
    return kept, dropped

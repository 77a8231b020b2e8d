"""Chinese surnames as callers give them and as the recogniser writes them: the common ones,
what cannot be in a name, and how two characters sound alike (a surname said twice and heard two
ways, a syllable kept but for a near initial or final)."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from knowledge.phonetic import split_syllable

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
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "司徒")

# Characters that cannot be part of a given name: they end the name ("我叫周婷电话……").
NOT_IN_NAME = set(
    "的了在住家是电话手机号码呢吧啊呀哦嗯我你他她就也来去说打给有要想和跟今年岁住那这从"
    "不没还又都很太啦嘛么吗，。,.！!？?、；;：: 0123456789零幺"
)


@lru_cache(maxsize=4096)
def sound(char: str) -> str:
    return lazy_pinyin(char, style=Style.NORMAL)[0]


_NEAR_INITIAL = {"n": "l", "l": "n"}


@lru_cache(maxsize=1)
def _surname_by_sound() -> dict[str, str]:
    by_sound: dict[str, str] = {}
    for surname in SURNAMES:
        by_sound.setdefault(sound(surname), surname)
    return by_sound


def as_surname(char: str, by_sound: bool = True) -> str | None:
    """`char` as a surname: itself when it is one, else the common surname it sounds like."""
    if char in SURNAMES:
        return char
    if by_sound and "\u4e00" <= char <= "\u9fff":
        heard = sound(char)
        # A sound no common surname has is a near miss of one (努 nu for 鲁 lu: n/l, as callers
        # and the recogniser blur them).
        near = _NEAR_INITIAL.get(heard[:1])
        return _surname_by_sound().get(heard) or (_surname_by_sound().get(near + heard[1:]) if near else None)
    return None


def may_be_a_name(char: str) -> bool:
    """A Chinese character that is no pronoun, particle or other word kept out of names."""
    return "\u4e00" <= char <= "\u9fff" and char not in NOT_IN_NAME


def same_initial(heard: str, said: str) -> bool:
    if not "\u4e00" <= heard <= "\u9fff":
        return False
    initial = split_syllable(sound(said))[0]
    return bool(initial) and split_syllable(sound(heard))[0] == initial


# A syllable kept but for a near initial or final (吕 lü heard 里 li, 金 jin heard 经 jing).
NEARLY = 0.8


# Initials that differ only in breath (京 jing heard as 请 qing) or in the tongue's curl (邹 zou,
# 周 zhou): a surname said twice is heard so as often as not.
SAME_PLACE_INITIALS = ({"j", "q", "x"}, {"z", "c", "s", "zh", "ch", "sh"}, {"b", "p"}, {"d", "t"}, {"g", "k"},
                        {"n", "l"})


def sounds_alike(heard: str, surname: str) -> bool:
    """`heard` is the surname said again: the same syllable, or its final with an initial said at
    the same place."""
    a, b = sound(heard), sound(surname)
    if a == b:
        return True
    (initial_a, final_a), (initial_b, final_b) = split_syllable(a), split_syllable(b)
    if initial_a == initial_b and {final_a, final_b} in NASALS_BLURRED:
        return True  # 金 jin heard 经 jing
    return final_a == final_b and any({initial_a, initial_b} <= place for place in SAME_PLACE_INITIALS)


# Finals whose nasal the line blurs (-n as -ng and back).
NASALS_BLURRED = [{"in", "ing"}, {"en", "eng"}, {"an", "ang"}, {"ian", "iang"}, {"uan", "uang"}]

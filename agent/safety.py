"""Danger in what the caller says: what needs immediate dispatch, 110 linkage, 120 or 119.

The catalogue marks topics that are emergencies by nature (燃气异味, 电梯困人 ...); this module
finds the danger in the caller's own words, because a call can be urgent when its topic is not
(an e-bike charging in a stairwell that is smoking right now) and the topic may not be matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.cues import Cue, Utterance, find_cues, patterns, phrases, utterance

# Each label is one kind of danger; the seat gives advice per kind.
GAS, FIRE, TRAPPED, FLOOD, MANHOLE, MISSING, VIOLENCE, MEDICAL, DISTRESS, DANGER, ELECTRIC, ALONE, FRAUD = (
    "gas", "fire", "trapped", "flood", "manhole", "missing", "violence", "medical", "distress", "danger",
    "electric", "alone", "fraud",
)

_ELECTRICS = (
    r"(?:电闸|电箱|电表|电表箱|配电箱|配电柜|配电室|电路|插座|插排|插线板|开关|电线|灯泡|灯口|灯座|灯罩|灯管|吊灯|变压器)"
)

_DANGER_CUES: tuple[Cue, ...] = (
    phrases(GAS, 1, "煤气味 燃气味 天然气味 液化气味 漏气 煤气泄漏 燃气泄漏 泄漏 跑气 一股煤气 一股燃气")
    + patterns(
        GAS, 1, r"(?:煤气|燃气|天然气|液化气)[^，。,.]{0,6}(?:味|漏|泄)",
        # Gas is odorised to smell of rotten eggs; a stove left on fills a stairwell with it.
        r"臭鸡蛋[^，。,.]{0,3}味", r"(?:灶|炉子|燃气阀|煤气阀)[^，。,.]{0,4}没关",
        r"闻(?:到|着|见)[^，。,.]{0,6}(?:煤气|燃气|天然气)",
        r"漏(?:了)?(?:煤气|燃气|天然气|液化气)", r"臭鸡蛋味",
    )
    + phrases(FIRE, 1, "着火 起火 失火 冒烟 火苗 烧起来 焦糊味 糊味 烧焦 冒火星 火灾 浓烟 爆炸")
    # Smoke of any colour, a socket or cable burnt black, a fire that grows or spreads.
    + phrases(FIRE, 1, "烧黑了 烧化了 着起来 燃起来 越烧越大 火越来越大 火星子 冒火")
    # A burning smell as Beijing callers name it, a plug strip or charger scorching.
    + phrases(FIRE, 1, "胶皮味 烧胶皮 烧塑料 塑料味 烧线的味 电线味 烧焦的味 冒着烟 直冒烟 一股烟")
    + patterns(
        FIRE, 1,
        r"(?:插排|插线板|接线板|拖线板|插座|充电器|电瓶|电池|充电宝)[^。.]{0,10}(?:烫手|发烫|烧了|烧坏|化了|冒烟|着了|冒火)",
    )
    + patterns(
        FIRE, 1, r"冒(?:着)?(?:黑|白|青|浓)烟", r"(?:快|都|要)?烧到(?:旁边|边上|房子|楼|屋|树|柴|车|那边)",
        r"火(?:烧)?得?(?:挺|很|特别|老|这么|那么|越来越|可)大",
    )
    + phrases(TRAPPED, 1, "被困 困在 困住 关在里面 出不来 卡在 卡住了 困人 反锁")
    + patterns(
        TRAPPED, 1, r"(?:关|困|锁|卡)在[^，。,.]{0,6}里", r"被(?:关|困|锁|卡)(?:在)?[^，。,.]{0,6}里",
        r"困了(?:人|[一两三四五六七八九几]个)",
        r"电梯[^。.]{0,12}(?:停|卡)在[^，。,.]{0,8}中间", r"电梯里[^，。,.]{0,4}(?:有人|还有)",
        r"(?:关|困|卡|锁)(?:在)?电梯(?:里|里头|里面|里边)", r"电梯[^。.]{0,10}(?:不上不下|坏在半道|停在半道|停半截)",
        # A lift that stopped with someone still in it ("刚才又停了，我闺女还在里面呢").
        r"电梯[^。.]{0,24}(?:停|坏|卡|不动|不走)[^。.]{0,16}(?:还|正)?在(?:里面|里头|里边)",
    )
    + phrases(FLOOD, 1, "跑水 爆管 水管爆 管子爆 被淹 水淹 哗哗 水漫 灌进 往下灌 喷水")
    # 淹了 has something flooded before it in its clause ("楼下也淹了"); at a clause's start it is
    # more often another word misheard (养了 as 淹了) than a flood with nothing flooded.
    + patterns(FLOOD, 1, r"(?<=[^，。,.！!？?；;\s])淹了")
    + patterns(
        FLOOD, 1, r"(?:水管|暖气管|管道|管子|水龙头)[^，。,.]{0,4}(?:爆|裂|崩)", r"水[^，。,.]{0,4}往下(?:流|冲|灌)",
    )
    + phrases(MANHOLE, 1, "没有井盖 没井盖 井盖没了 井盖丢了 井盖不见 井盖被偷 井盖缺失 井盖坏了 井盖碎了")
    # 马葫芦 is Beijing for a manhole; a grate or cover gone, a hole left open in the road.
    + patterns(
        MANHOLE, 1, r"(?:马葫芦|井盖儿|雨箅子|箅子|窨井)[^，。,.]{0,8}(?:没|丢|偷|缺|碎|塌|掉|敞|开着|翻)",
        r"(?:没|丢了|少了)[^，。,.]{0,3}(?:井盖|马葫芦盖|箅子)", r"(?:黑|大)窟窿",
    )
    + patterns(MANHOLE, 1, r"井盖[^，。,.]{0,6}(?:没|丢|偷|缺|碎|塌|掉)")
    # The cover named as people name it (下水道的盖子), or the shaft left open.
    + patterns(
        MANHOLE, 1,
        r"(?:下水道|下水井|窨井|雨水井|污水井|检查井|井口)(?:的)?盖(?:子|板)?[^，。,.]{0,8}(?:没|丢|偷|缺|碎|塌|掉|敞|开着)",
        r"(?:下水道|下水井|窨井|井口)[^，。,.]{0,4}(?:敞着|露着|没盖)",
    )
    + phrases(MISSING, 1, "走丢 走失 跑丢 找不着 不见了 没回来 一直没回 找不到他 找不到她 找不到了 找遍了")
    + phrases(
        VIOLENCE, 1,
        "打人 动手 拿刀 持刀 动刀 砍人 捅人 威胁 打架 斗殴 群殴 抢劫 砸东西 掐我 掐脖子 扬言",
    )
    # A fight as people tell it: started (打起来了), with something swung (抡着酒瓶), blood seen.
    + phrases(VIOLENCE, 1, "打起来 干起来 动起手 打成一团 见血 头破血流 满脸是血 一地血")
    + patterns(VIOLENCE, 1, r"抡(?:着|起|起来)")
    # 我家 is home: 我家暴… is 我家 and a word of 暴 (暴雨, 暴露), not 家暴.
    + patterns(VIOLENCE, 1, r"(?<![我咱俺])家暴")
    # 打我 is a blow, except when it is a call ("电话就打我现在这个号", "打我手机").
    + patterns(VIOLENCE, 1, r"打我(?![^，。,.]{0,5}(?:电话|手机|号|座机))")
    + phrases(
        MEDICAL, 1,
        "摔倒 晕倒 昏迷 叫不醒 不省人事 喘不上气 呼吸困难 胸口疼 心脏病 抽搐 中风 脑梗 吐血 大出血 "
        "没意识 没有意识 没反应 没气了 休克 扶不起来 倒在地上 起不来 心梗",
    )
    + patterns(
        MEDICAL, 1, r"叫(?:他|她|也)?[^，。,.]{0,4}不(?:怎么)?(?:答应|应|醒|理)",
        r"喘(?:气|不)[^，。,.]{0,4}(?:费劲|困难|不上|不过来|不动)", r"(?:上不来|倒不上)气",
    )
    # A weapon in someone's hand, a threat to someone's life.
    + patterns(
        VIOLENCE, 1, r"(?:拿|持|举|抄|拎|提)(?:着)?(?:一?把|根|块)?[^，。,.]{0,3}(?:刀|棍|棒|斧|砖|锤)",
        r"(?:弄死|打死|杀了|砍死|捅死|废了|整死)(?:你|我|他|她|你们|我们)",
    )
    + phrases(DISTRESS, 1, "不想活 活不下去 想死 自杀 跳楼 轻生 寻死 了结")
    # A swindle under way: someone posing as the police moving a relative's savings to a "safe
    # account" can still be stopped at the bank.
    + phrases(FRAUD, 1, "安全账户 涉嫌洗钱 冒充公安 冒充警察 冒充民警")
    + patterns(
        FRAUD, 1, r"自称(?:是)?(?:公安|警察|民警|检察院|法院|公检法)",
        r"(?:正在|正往|正要|要去|赶着去|去了)[^。.]{0,6}(?:银行|转账|汇款|取钱)[^。.]{0,20}(?:骗|不听|劝不住|拦)",
        r"(?:骗子|被骗)[^。.]{0,16}(?:正在|还在|马上|这会儿)",
    )
    # A child or a frail person left alone where harm can come to them: locked in a car, alone at
    # home, an old person living alone who has not been seen or answered for days.
    + patterns(
        ALONE, 1,
        r"(?:孩子|小孩|婴儿|宝宝)[^。.！!？?]{0,16}(?:车里|车内|后座|锁在|关在|一个人在家|自己在家|没人管)",
        r"(?:车里|车内|后座)[^。.！!？?]{0,8}(?:孩子|小孩|婴儿|宝宝)",
        r"(?:一个人(?:住|主|注)|独居|孤寡|自己住)[^。.]{0,40}(?:没人应|不应|没动静|没见|没人拿|不接|联系不上)",
    )
    + patterns(
        DANGER, 1, r"(?:制氧机|呼吸机|透析机|氧气机)[^。.]{0,12}(?:停|没电|断电|用不了)",
        r"(?:停电|没电|断电)[^。.]{0,20}(?:制氧机|呼吸机|透析机|氧气机)",
    )
    + phrases(DANGER, 1, "有危险 救命 救救 快不行了 出人命 砸到人 砸伤 伤着人")
    + phrases(ELECTRIC, 1, "漏电 电线掉 电线断 电线耷拉 电着人 触电 电线杆倒 露着铜丝 露出铜丝 铜丝露 裸露的电线")
    + phrases(ELECTRIC, 1, "麻手 电人 电了一下")
    # (耷拉 heard as 大拉/搭拉, 露在外 as 路在外)
    + patterns(ELECTRIC, 1, r"(?:电线|线头|电缆)[^，。,.]{0,6}(?:露|路在外|耷拉|大拉|搭拉|垂|掉|裸|搭在地)")
    # Water getting at electrics, sparks, a box of live parts left open.
    + patterns(
        ELECTRIC, 1,
        rf"{_ELECTRICS}[^。.]{{0,10}}(?:进水|泡水|泡在水|淹了|滴水|漏水|渗水|湿了|冒火花|打火|火花|往下滴|往下流|往下淌|滴答|里有水|里全是水)",
        rf"(?:顺着|沿着|流进|渗进|滴进|灌进){_ELECTRICS}",
        rf"(?:进水|漏水|滴水|渗水|水|流)[^。.]{{0,12}}(?:流|漫|滴|渗|灌)(?:到|进|在)[^。.]{{0,6}}{_ELECTRICS}",
        rf"{_ELECTRICS}[^。.]{{0,6}}(?:门)?(?:开着|敞着|没锁|没关)", r"滋滋(?:冒|响)|冒火花|打火花",
    )
)
# What the patterns above look for, as words the recogniser is asked to listen for on the audio
# (voice/asr/respelling.py): a danger written as homophones (传气而都飞进 for 喘气儿都费劲) is
# only found once the audio has been heard again for it.
_DANGER_WORDS = (
    "喘气 费劲 制氧机 呼吸机 透析机 氧气机 煤气 燃气 天然气 液化气 电线 线头 电缆 耷拉 井盖 水管 暖气管 "
    "菜刀 铁棍 孩子 小孩 宝宝 独居 没人应"
)


def danger_words() -> set[str]:
    """Every word of danger this module looks for, to listen for on the audio."""
    return {cue.phrase for cue in _DANGER_CUES if cue.phrase} | set(_DANGER_WORDS.split())


# A missing person is an emergency (and a police matter) when it is someone who cannot look after
# themself: an elderly person, one with dementia, a child.
_VULNERABLE = phrases(
    "vulnerable", 1,
    "痴呆 老年痴呆 糊涂 认不得路 不认路 记不住 阿尔茨海默 失智 孩子 小孩 儿子 女儿 老人 老爷子 老太太 "
    "父亲 母亲 我爸 我妈 爷爷 奶奶 姥姥 姥爷 老伴",
)

# Someone who lives alone, and no sign of them: said anywhere in the turn (the clues of a long
# account: "他一个人住……今天一直没见出门……敲门没人应……座机在里面一直响").
_LIVES_ALONE = re.compile(
    r"一个人(?:住|主|注|过)|独居|孤寡|孤老|空巢|自己住|(?:儿女|孩子|子女)(?:都)?(?:在国外|在外地|不在身边|不在跟前)"
    r"|老伴(?:儿)?(?:走了|去世|没了|不在了)"
)
_NO_SIGN_OF_LIFE = re.compile(
    r"没人应|不应声|没(?:有)?(?:反应|动静|回音)|没人开门|不开门|没见(?:他|她|人)?(?:出来|出门|下楼|露面|人影)"
    r"|(?:电话|座机|手机)[^。.！!？?]{0,8}(?:没人接|不接|打不通|一直响)|没人拿|没(?:拿|收)进去"
)
# Kinds that need the police (110 linkage) and kinds that need a human now.
POLICE_KINDS = {VIOLENCE, MISSING, FRAUD}
HANDOFF_KINDS = {MEDICAL, DISTRESS, FRAUD}
# A child alone in danger is a police matter too; a frail old person unseen for days is a matter
# for the community to go and look (and 120 or 110 to open the door if needed).
_POLICE_ALONE = re.compile(r"孩子|小孩|婴儿|宝宝")
# The caller is the one in danger now and afraid: a person should talk to them, not a form.
_IN_FEAR = re.compile(r"害怕|不敢|躲在|躲着|吓死|救救我|救我|快帮帮我|快来")


@dataclass
class SafetySignals:
    kinds: set[str] = field(default_factory=set)
    police: bool = False
    in_fear: bool = False  # the caller is threatened now and afraid
    child_in_car: bool = False  # a child shut in a car

    @property
    def urgent(self) -> bool:
        return bool(self.kinds)

    @property
    def needs_human(self) -> bool:
        return bool(self.kinds & HANDOFF_KINDS) or self.in_fear or self.child_in_car

    def merge(self, other: SafetySignals) -> None:
        self.kinds |= other.kinds
        self.police = self.police or other.police
        self.in_fear = self.in_fear or other.in_fear
        self.child_in_car = self.child_in_car or other.child_in_car


def _clause_before(text: str, start: int, limit: int) -> str:
    """The words of the cue's own clause before it (a comma ends a clause's reach)."""
    clause_start = max(text.rfind(p, 0, start) for p in "，,。.！!？?；;") + 1
    return text[max(clause_start, start - limit):start]


def _negated(text: str, start: int, label: str) -> bool:
    """"我不是家里漏气", "没有人受伤": denied in the cue's own clause; a bare 没 only right before
    a missing person or an illness ("没回来" is the cue itself elsewhere)."""
    before = _clause_before(text, start, 8)
    if any(n in before for n in ("不是", "没有", "并没", "不算")):
        return True
    return label in (MISSING, MEDICAL) and "没" in text[max(0, start - 2):start]


_WORRY_OR_PAST = (
    "万一", "怕", "担心", "容易", "差点", "会不会", "要是", "如果", "以防", "防止", "预防", "避免", "以免", "免得",
    "去年", "以前", "上次", "上回", "曾经",
    "前年", "昨天", "前天", "上周", "上个月", "前几天", "那天", "当时", "那回", "有一回", "有一次",
)
_WORRY_BY_SOUND = phrases("worry", 1, "万一 要是 如果 担心 以前 上次 上回 去年")
# A threat is about what is still to come, whenever it was made.
_THREAT = re.compile(r"弄死|打死|杀了|砍死|捅死|废了|整死")


# Said of something else: "跟关在家里似的", "就像被困住了一样" (a lift out of order for days).
_LIKENED_AFTER = re.compile(r"[^，。,.！!？?；;]{0,6}(?:似的|一样)")
_LIKENED_BEFORE = ("就像", "好比", "就跟", "像是")
_PAST = ("去年", "以前", "上次", "上回", "曾经", "前年", "那回", "有一回", "有一次", "那次", "前天", "上个月", "上礼拜",
         "上星期", "上周", "前几天", "前些天", "那天")
# What brings a story back to now ("上回就堵过，现在又……", "前天就开始漏，到现在还漏").
_NOW = re.compile(r"现在|这会儿|此刻|眼下|正在|又|今天|刚才|刚刚|一直|还在|还是|到现在|至今|还没")


def _hypothetical(text: str, start: int, end: int) -> bool:
    """"万一着火了怎么办", "怕老人摔倒", "去年摔倒过", "上回有户人家厨房冒烟": a worry or the
    past, not happening now (in the cue's own clause, or the past told earlier in its sentence and
    not brought back to now), or a likeness ("跟关在家里似的")."""
    if _THREAT.match(text, start):
        return False
    before = _clause_before(text, start, 14)
    if any(w in before for w in _WORRY_OR_PAST) or text.startswith("过", end):
        return True
    if _LIKENED_AFTER.match(text, end) or any(w in before for w in _LIKENED_BEFORE):
        return True
    sentence = text[max(text.rfind(p, 0, start) for p in "。.！!？?；;") + 1:start]
    past_at = max((sentence.rfind(w) for w in _PAST), default=-1)
    if past_at >= 0 and not _NOW.search(sentence, past_at):
        return True
    # The worry words as the recogniser may write them (万一 as 万以, 要是 as 要事).
    heard = utterance(before)
    return any(hit.by_sound for hit in find_cues(heard, _WORRY_BY_SOUND))


def _near_vulnerable(text: str, earlier_text: str, start: int) -> bool:
    """Is the one missing someone who cannot look after themself? Said in the same or the
    sentence before ("老人出门没回来", "我爸有点糊涂。他早上出去到现在没回来"), or, when this
    turn names nobody, in the turns before."""
    sentences = re.split(r"(?<=[。.！!？?])", text[:start])
    near = "".join(sentences[-2:])
    if _names_vulnerable(near):
        return True
    return not re.search(r"[他她]|人", text[:start]) and _names_vulnerable(earlier_text)


def _names_vulnerable(text: str) -> bool:
    """Someone who cannot look after themself, named in so many words: by sound 老板 is 老伴 and
    a boss who has run off is no missing person."""
    return any(not hit.by_sound for hit in find_cues(utterance(text), _VULNERABLE))


def _alone_and_unseen(text: str, earlier_text: str) -> bool:
    """Someone living alone (said in this turn or before) of whom this turn gives no sign of life,
    said as happening now."""
    if not (_LIVES_ALONE.search(text) or _LIVES_ALONE.search(earlier_text)):
        return False
    return any(
        not _negated(text, m.start(), ALONE) and not _hypothetical(text, m.start(), m.end())
        for m in _NO_SIGN_OF_LIFE.finditer(text)
    )


def safety_signals(utt: Utterance, earlier_text: str = "") -> SafetySignals:
    """The dangers described in one caller turn (`earlier_text`: the call so far, for context)."""
    signals = SafetySignals()
    text = utt.text
    for hit in find_cues(utt, _DANGER_CUES):
        if _negated(text, hit.start, hit.cue.label) or _hypothetical(text, hit.start, hit.end):
            continue
        if hit.by_sound and (hit.cue.label in (DISTRESS, VIOLENCE, MEDICAL) or hit.end - hit.start < 3):
            continue  # these sound like too many everyday words (拿到 ≈ 拿刀, 九九 ≈ 救救, 煤气了 ≈ 没气了)
        if hit.cue.label == MISSING and not _near_vulnerable(text, earlier_text, hit.start):
            continue  # "钥匙找不着了", "狗走丢了", "包工头人也找不着了": not a missing person
        signals.kinds.add(hit.cue.label)
        if hit.cue.label == ALONE and _POLICE_ALONE.search(text, hit.start, hit.end):
            signals.police = True
            # A child shut in a car is dying by the minute: a person must guide the caller now.
            signals.child_in_car = signals.child_in_car or "车" in text[hit.start:hit.end]
    if ALONE not in signals.kinds and _alone_and_unseen(text, earlier_text):
        signals.kinds.add(ALONE)
    if signals.kinds & POLICE_KINDS:
        signals.police = True
    signals.in_fear = VIOLENCE in signals.kinds and bool(_IN_FEAR.search(text))
    return signals

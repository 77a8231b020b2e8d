"""Danger in what the caller says: what needs immediate dispatch, 110 linkage, 120 or 119.

The catalogue marks topics that are emergencies by nature (燃气异味, 电梯困人 ...); this module
finds the danger in the caller's own words, because a call can be urgent when its topic is not
(an e-bike charging in a stairwell that is smoking right now) and the topic may not be matched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.cues import Cue, Utterance, find_cues, patterns, phrases, utterance

# Each label is one kind of danger; the seat gives advice per kind.
GAS, FIRE, TRAPPED, FLOOD, MANHOLE, MISSING, VIOLENCE, MEDICAL, DISTRESS, DANGER, ELECTRIC = (
    "gas", "fire", "trapped", "flood", "manhole", "missing", "violence", "medical", "distress", "danger",
    "electric",
)

_DANGER_CUES: tuple[Cue, ...] = (
    phrases(GAS, 1, "煤气味 燃气味 天然气味 液化气味 漏气 煤气泄漏 燃气泄漏 泄漏 跑气 一股煤气 一股燃气")
    + patterns(
        GAS, 1, r"(?:煤气|燃气|天然气|液化气)[^，。,.]{0,6}(?:味|漏|泄)", r"闻到[^，。,.]{0,6}(?:煤气|燃气|天然气)",
    )
    + phrases(FIRE, 1, "着火 起火 失火 冒烟 火苗 烧起来 焦糊味 糊味 烧焦 冒火星 火灾 浓烟 爆炸")
    + phrases(TRAPPED, 1, "被困 困在 困住 关在里面 出不来 卡在 卡住了 困人 反锁")
    + patterns(
        TRAPPED, 1, r"(?:关|困|锁|卡)在[^，。,.]{0,6}里", r"困了(?:人|[一两三四五六七八九几]个)",
        r"电梯[^。.]{0,12}(?:停|卡)在[^，。,.]{0,8}中间", r"电梯里[^，。,.]{0,4}(?:有人|还有)",
    )
    + phrases(FLOOD, 1, "跑水 爆管 水管爆 管子爆 被淹 水淹 哗哗 水漫 灌进 往下灌 喷水")
    + patterns(FLOOD, 1, r"淹了")
    + patterns(
        FLOOD, 1, r"(?:水管|暖气管|管道|管子|水龙头)[^，。,.]{0,4}(?:爆|裂|崩)", r"水[^，。,.]{0,4}往下(?:流|冲|灌)",
    )
    + phrases(MANHOLE, 1, "没有井盖 没井盖 井盖没了 井盖丢了 井盖不见 井盖被偷 井盖缺失 井盖坏了 井盖碎了")
    + patterns(MANHOLE, 1, r"井盖[^，。,.]{0,6}(?:没|丢|偷|缺|碎|塌|掉)")
    + phrases(MISSING, 1, "走丢 走失 跑丢 找不着 不见了 没回来 一直没回 找不到他 找不到她 找不到了 找遍了")
    + phrases(
        VIOLENCE, 1,
        "家暴 打我 打人 动手 拿刀 持刀 动刀 砍人 捅人 威胁 打架 斗殴 群殴 抢劫 砸东西 掐我 掐脖子 扬言",
    )
    + phrases(
        MEDICAL, 1,
        "摔倒 晕倒 昏迷 叫不醒 不省人事 喘不上气 呼吸困难 胸口疼 心脏病 抽搐 中风 脑梗 吐血 大出血 "
        "没意识 没有意识 没反应 没气了 休克 扶不起来 倒在地上 起不来 心梗",
    )
    + patterns(MEDICAL, 1, r"叫(?:他|她|也)?[^，。,.]{0,4}不(?:怎么)?(?:答应|应|醒|理)")
    + phrases(DISTRESS, 1, "不想活 活不下去 想死 自杀 跳楼 轻生 寻死 了结")
    + phrases(DANGER, 1, "有危险 救命 救救 快不行了 出人命 砸到人 砸伤 伤着人")
    + phrases(ELECTRIC, 1, "漏电 电线掉 电线断 电线耷拉 电着人 触电 电线杆倒")
)
# A missing person is an emergency (and a police matter) when it is someone who cannot look after
# themself: an elderly person, one with dementia, a child.
_VULNERABLE = phrases(
    "vulnerable", 1,
    "痴呆 老年痴呆 糊涂 认不得路 不认路 记不住 阿尔茨海默 失智 孩子 小孩 儿子 女儿 老人 老爷子 老太太 "
    "父亲 母亲 我爸 我妈 爷爷 奶奶 姥姥 姥爷 老伴",
)

# Kinds that need the police (110 linkage) and kinds that need a human now.
POLICE_KINDS = {VIOLENCE, MISSING}
HANDOFF_KINDS = {MEDICAL, DISTRESS}


@dataclass
class SafetySignals:
    kinds: set[str] = field(default_factory=set)
    police: bool = False

    @property
    def urgent(self) -> bool:
        return bool(self.kinds)

    @property
    def needs_human(self) -> bool:
        return bool(self.kinds & HANDOFF_KINDS)

    def merge(self, other: SafetySignals) -> None:
        self.kinds |= other.kinds
        self.police = self.police or other.police


def _negated(text: str, start: int) -> bool:
    before = text[max(0, start - 3):start]
    return any(n in before for n in ("没有", "不是", "没"))


def _hypothetical(text: str, start: int, end: int) -> bool:
    """"万一着火了怎么办", "怕老人摔倒", "去年摔倒过": a worry or the past, not happening now."""
    before = text[max(0, start - 8):start]
    worry_or_past = ("万一", "怕", "担心", "容易", "差点", "会不会", "要是", "如果", "以防", "去年", "以前", "上次",
                     "曾经", "前年", "昨天", "前天", "上周", "上个月", "前几天", "那天", "当时")
    return any(w in before for w in worry_or_past) or text.startswith("过", end)


def safety_signals(utt: Utterance, earlier_text: str = "") -> SafetySignals:
    """The dangers described in one caller turn (`earlier_text`: the call so far, for context)."""
    signals = SafetySignals()
    for hit in find_cues(utt, _DANGER_CUES):
        if hit.cue.label in (MISSING, MEDICAL) and _negated(utt.text, hit.start):
            continue
        if _hypothetical(utt.text, hit.start, hit.end):
            continue
        if hit.by_sound and (hit.cue.label in (DISTRESS, VIOLENCE) or hit.end - hit.start < 3):
            continue  # two syllables sound like too many everyday words (拿到 ≈ 拿刀, 九九 ≈ 救救)
        signals.kinds.add(hit.cue.label)
    if MISSING in signals.kinds and not find_cues(utterance(earlier_text + utt.text), _VULNERABLE):
        # "钥匙找不着了", "狗走丢了": not a missing person.
        signals.kinds.discard(MISSING)
    if signals.kinds & POLICE_KINDS:
        signals.police = True
    return signals

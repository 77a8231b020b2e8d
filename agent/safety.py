"""Danger in what the caller says: what needs immediate dispatch, 110 linkage, 120 or 119.

The catalogue marks topics that are emergencies by nature (燃气异味, 电梯困人 ...); this module
finds the danger in the caller's own words, because a call can be urgent when its topic is not
(an e-bike charging in a stairwell that is smoking right now) and the topic may not be matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.cues import Utterance, find_cues, phrases, utterance
from agent.danger_cues import (
    ALONE,
    DANGER,
    DANGER_CUES,
    DISTRESS,
    ELECTRIC,
    FIRE,
    FRAUD,
    GAS,
    JUMPER,
    MANHOLE,
    MEDICAL,
    MISSING,
    VIOLENCE,
)

# A missing person is an emergency (and a police matter) when it is someone who cannot look after
# themself: an elderly person, one with dementia, a child.
_VULNERABLE = phrases(
    "vulnerable", 1,
    "痴呆 老年痴呆 糊涂 认不得路 不认路 记不住 阿尔茨海默 失智 孩子 小孩 儿子 女儿 老人 老爷子 老太太 "
    "父亲 母亲 我爸 我妈 爷爷 奶奶 姥姥 姥爷 老伴 老头子 老头儿 老太婆 记性坏 记性差 记性不好 认不全 认不出人 "
    "不认人 脑子不好 脑子不清楚",
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
# A gas smell asked about, then smelt now: "家里要是闻着有煤气味儿怎么办？" … "我现在就闻着有点儿".
# Gas itself, not what is paid for it.
_GAS_SAID = re.compile(r"(?:煤气|燃气|天然气|液化气)(?!费|卡|账|缴)")
# (闻 as the recogniser may write it: 文着, 纹到)
_SMELLS_IT_NOW = re.compile(
    r"(?:现在|这会儿|正|就|真|确实)[^，。,.]{0,3}[闻文纹蚊](?:着|到|见)|[闻文纹蚊](?:着|到)(?:了)?(?:有|一股|点|还)"
)
# Kinds that need the police (110 linkage) and kinds that need a human now.
POLICE_KINDS = {VIOLENCE, MISSING, FRAUD, JUMPER}
HANDOFF_KINDS = {MEDICAL, DISTRESS, FRAUD, JUMPER}
# A child alone in danger is a police matter too; a frail old person unseen for days is a matter
# for the community to go and look (and 120 or 110 to open the door if needed).
_POLICE_ALONE = re.compile(r"孩子|小孩|婴儿|宝宝")
_BURNING_ON_PURPOSE = re.compile(
    r"(?:天天|每天|老是|经常|一到晚上|一到傍晚|隔三差五|又在|专门)[^。.，,]{0,24}(?:烧|点了)|焚烧|一烧就是"
    r"|(?:有人|他们|那家|收破烂的|收废品的)[^。.，,]{0,8}烧(?:垃圾|东西|电线|电缆|线皮|秸秆|树叶|落叶|轮胎|破烂|废品)"
)
# Smoke that comes out of a kitchen's or a grill's vent: 油烟 filling a flat is a nuisance to report
# (餐饮油烟扰民), not a fire, unless flames are told of.
_SMOKE_FROM_A_VENT = re.compile(r"排烟|油烟|烟道|烟囱|烧烤|烤串|撸串|炒菜|做饭|饭店|餐馆|饭馆")
_FLAMES = re.compile(r"着火|起火|火苗|明火|冒火|火光|烧着|烧起来|爆炸")
# Things named after children (a pram, a child seat): no child is in them for that.
_CHILDS_THING = re.compile(r"(?:孩子|小孩儿?|婴儿|宝宝|儿童)(?:车|床|用品|座椅|推车|乐园|游乐场|医院|节)")
_CHILD = re.compile(r"孩子|小孩|婴儿|宝宝|儿童")
_SPREADING = re.compile(r"烧到|着起来|蔓延|越烧越大|火越来越大|压不住|扑不灭|窜上|烧着了房|烧着了树|连上了|引着了")
_ASKS_CAN = re.compile(r"(?:能|可以)[^，。,.！!？?]{0,3}$")  # 能, 能不能, 可不可以, 能拿 … just before the cue
_ENDS_ASKING = re.compile(r"[^，。,.！!？?]{0,6}吗")
_PUBLIC_VEHICLE = re.compile(r"公交|大巴|乘客|售票员|地铁")
_PERIL = re.compile(r"车|窗|空调|阳台|护栏|栏杆|楼顶|房檐")
# The caller is the one in danger now and afraid: a person should talk to them, not a form.
# Said in any turn of a call that tells of violence now: hiding counts (locked in the bathroom).
# A bystander who dare not step in (不敢过去, 不敢上前) watches from safety and can give the order;
# so can a caller who keeps away from the danger (不敢回去, 不敢出门): out of its reach for now.
_IN_FEAR = re.compile(
    r"害怕|不敢(?!过去|上前|靠近|近前|管|拦|劝|插手|多管|出面|回去|回家|回来|出门|出去|下楼|下去|进去|进门)"
    r"|躲在|躲着|吓死|救救我|救我|快帮帮我|快来|求求你们|快点儿?来人"
    r"|锁(?:在)?(?:卫生间|厕所|洗手间|屋|房间|卧室)里"
)


@dataclass
class SafetySignals:
    kinds: set[str] = field(default_factory=set)
    police: bool = False
    afraid: bool = False  # the caller says they are afraid or hiding
    child_in_peril: bool = False  # a child shut in a car or out over a drop

    @property
    def urgent(self) -> bool:
        return bool(self.kinds)

    @property
    def in_fear(self) -> bool:
        """The caller is threatened now and afraid (the two may be told in different turns)."""
        return VIOLENCE in self.kinds and self.afraid

    @property
    def needs_human(self) -> bool:
        return bool(self.kinds & HANDOFF_KINDS) or self.in_fear or self.child_in_peril

    def merge(self, other: SafetySignals) -> None:
        self.kinds |= other.kinds
        self.police = self.police or other.police
        self.afraid = self.afraid or other.afraid
        self.child_in_peril = self.child_in_peril or other.child_in_peril


# Whoever cannot be found owes the caller money (退钱都找不着人, 工钱…人联系不上): a business gone, not a
# missing person, though the caller's child is in the story.
_OWED_MONEY = re.compile(r"退钱|退费|退款|退课|退押金|押金|工钱|工资|欠钱|欠款|欠的钱|跑路|卷钱|卷款")


def _sentence_around(text: str, index: int) -> str:
    start = max(text.rfind(mark, 0, index) for mark in "。！？!?") + 1
    ends = [i for i in (text.find(mark, index) for mark in "。！？!?") if i >= 0]
    return text[start : min(ends) if ends else len(text)]


# What a place's name ends in: a danger word that runs straight into one is that name misheard.
_PLACE_KIND = re.compile(
    r"小区|社区|家园|花园|公寓|大厦|胡同|大街|街道|号楼|[东西南北中]?路(?:[东西南北]|口|\d|[一二三四五六七八九十])"
)


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
    return label in (MISSING, MEDICAL, DANGER, VIOLENCE) and "没" in text[max(0, start - 2):start]


_WORRY_OR_PAST = (
    "万一", "怕", "担心", "容易", "差点", "会不会", "要是", "如果", "以防", "防止", "预防", "避免", "以免", "免得",
    "去年", "以前", "上次", "上回", "曾经",
    "前年", "昨天", "前天", "上周", "上个月", "前几天", "那天", "当时", "那回", "有一回", "有一次",
    # the same in Beijing words
    "昨儿", "前儿个", "头两天", "上礼拜", "前些日子", "前阵子", "前段时间", "前一阵",
    # told of elsewhere: on the news, by hearsay
    "新闻", "报道", "听说", "电视上", "网上",
)
# Only a worry, wherever it stands in a sentence that asks ("万一哪天一开门，闻见燃气味儿了，该干嘛？").
_WORRY_ONLY = ("万一", "要是", "如果", "假如", "假设", "哪天")
_ASKS_WHAT_TO_DO = re.compile(r"[？?]|怎么办|咋办|该干|该怎么|该咋|该先|头一件|第一步|吗$")
# A clause that opens with 真 (or 这, 要) and asks what then: "真烧起来，往哪儿跑啊" (if it really
# did); a danger come about says 了 (这着火了怎么办).
_IF_IT_REALLY = re.compile(r"^(?:这|那)?(?:要|要是)?真?(?:的)?(?:要|要是)?$")
_WHAT_THEN = re.compile(r"[？?]|怎么|咋|哪儿|哪里|谁(?:管|负责)|还了得|不得了|可就")
_WORRY_BY_SOUND = phrases("worry", 1, "万一 要是 如果 担心 以前 上次 上回 去年")
# A threat is about what is still to come, whenever it was made.
_THREAT = re.compile(r"弄死|打死|杀了|砍死|捅死|废了|整死")


# Said of something else: "跟关在家里似的", "就像被困住了一样" (a lift out of order for days).
_LIKENED_AFTER = re.compile(r"[^，。,.！!？?；;]{0,6}(?:似的|一样)")
# (好像是 only hedges: "好像是充电器冒烟了" tells of smoke.)
# (就跟 is a likeness only when 似的 or 一样 closes it, which _LIKENED_AFTER sees: "就跟我动手" is
# with whom, not like what.)
_LIKENED_BEFORE = re.compile(r"就像|好比|(?<!好)像是")
_PAST = ("去年", "以前", "上次", "上回", "曾经", "前年", "那回", "有一回", "有一次", "那次", "前天", "上个月", "上礼拜",
         "上星期", "上周", "前几天", "前些天", "那天", "昨天", "昨晚", "昨儿", "前儿个",
         "前些日子", "前阵子", "前段时间", "前一阵")
# What brings a story back to now ("上回就堵过，现在又……", "前天就开始漏，到现在还漏").
# ... unless to say it is over ("现在早没事儿了").
_OVER_NOW = re.compile(r"(?:现在|这会儿|眼下)(?:早|已经|都|也)?(?:就)?(?:没事|好了|消停|平息|安静|散了|走了)")
_NOW = re.compile(r"现在|这会儿|此刻|眼下|正在|又|今天|刚才|刚刚|一直|还在|还是|到现在|至今|还没|开始|起就|以来")


def _sentence_after(text: str, end: int) -> str:
    """The rest of the cue's sentence, with the mark that ends it."""
    ends = [i for i in (text.find(p, end) for p in "。.！!？?；;") if i >= 0]
    return text[end:min(ends) + 1] if ends else text[end:]


def _hypothetical(text: str, start: int, end: int, lasting: bool = False) -> bool:
    """"万一着火了怎么办", "怕老人摔倒", "去年摔倒过", "上回有户人家厨房冒烟": a worry or the
    past, not happening now (in the cue's own clause, or the past told earlier in its sentence and
    not brought back to now), or a likeness ("跟关在家里似的")."""
    if _THREAT.match(text, start):
        return False
    before = _clause_before(text, start, 14)
    if _ASKS_CAN.search(before) and _ENDS_ASKING.match(text, end):
        return True  # "当天能拿刀新卡吗" (拿到 heard 拿刀): asked whether one can, told of nothing
    if any(w in before for w in _WORRY_OR_PAST if not (lasting and w in _PAST)) or text.startswith("过", end):
        return True
    if (before and _IF_IT_REALLY.search(before) and not text.startswith("了", end)
            and _WHAT_THEN.search(text, end, end + 24)):
        return True  # "真烧起来，楼上的人往哪儿跑啊": if it really came to that
    if _LIKENED_AFTER.match(text, end) or _LIKENED_BEFORE.search(before):
        return True
    sentence = text[max(text.rfind(p, 0, start) for p in "。.！!？?；;") + 1:start]
    if any(w in sentence for w in _WORRY_ONLY) and _ASKS_WHAT_TO_DO.search(_sentence_after(text, end)):
        return True
    past_at = max((sentence.rfind(w) for w in _PAST), default=-1)
    if past_at >= 0 and not lasting and not _NOW.search(_OVER_NOW.sub("", sentence[past_at:])):
        return True
    # The worry words as the recogniser may write them (万一 as 万以, 要是 as 要事).
    heard = utterance(before)
    return any(hit.by_sound for hit in find_cues(heard, _WORRY_BY_SOUND))


# The one gone is the one who should be looking after things: the grown-up, the driver, the boss.
_RESPONSIBLE_ONE = re.compile(r"(?:大人|家长|车主|司机|老板|包工头|工头|物业|房东|店主|人家)[也都还就]?$")


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


def _gas_spoken_of(text: str) -> bool:
    """Gas named in `text`, in a question or as a danger, as written or by its sound (没气味 for 煤气味)."""
    if _GAS_SAID.search(text):
        return True
    return any(hit.cue.label == GAS for hit in find_cues(utterance(text), DANGER_CUES))


# A surname said again with its title a few words on.
_TITLE_AFTER = re.compile(r"[^。.！!？?]{0,8}?(\w)(?:女士|先生|小姐|阿姨|大爷|老师|师傅)")


def _said_again_with_a_title(text: str, end: int) -> bool:
    """The cue's last character is said again right after with a title: it was a surname."""
    again = _TITLE_AFTER.match(text, end)
    return end > 0 and again is not None and again.group(1) == text[end - 1]


# A cover gone or a wire left bare stays so until someone mends it: gone since the day before
# yesterday (前天井盖就没了) is gone now, where a fire the day before yesterday is over.
_LASTING = {MANHOLE, ELECTRIC}
_MENDED = re.compile(r"(?:已经|早就|就|又|给)?(?:补上|盖上|换上|修好|弄好|接好|包好|处理好|安上)了")
# What cannot be found is a thing, however near a child is named (孩子那个打疫苗的小本儿找不着了).
_A_THING_BEFORE = re.compile(
    r"(?:本儿?|本子|证|卡|钥匙|手机|钱包|包|单子|材料|证件|存折|票|合同|文件|快递|东西|车)(?:也|都|又|给|让人|叫人)?$"
)
# An injury whose costs or care are spoken of is being seen to (or has been): the matter now is
# the bill or the rights, not a person in danger.
_TREATED = re.compile(r"医药费|医疗费|住院费|治疗费|手术费|看病的钱|出院|住了院|工伤认定|赔偿")
# 迟到 (late) and 持刀 (holding a knife) sound the same: late is what one is for work or school.
_LATE_FOR = re.compile(r"(?:上班|上学|上课|开会|接孩子)[^，。,.！!？?]{0,4}持刀")
# An illness someone has (她有心脏病, 患有高血压) is why a danger weighs more, not a danger of its own.
_CHRONIC = re.compile(r"心脏病|高血压|糖尿病|哮喘|癫痫|中风|脑梗|心梗")
_HAS_CONDITION = re.compile(r"(?:有|患有|患过|得过|有过)(?:点儿?|些)?$")


def _a_condition(text: str, start: int, end: int) -> bool:
    return bool(_CHRONIC.fullmatch(text[start:end]) and _HAS_CONDITION.search(text[:start]))


def safety_signals(utt: Utterance, earlier_text: str = "") -> SafetySignals:
    """The dangers described in one caller turn (`earlier_text`: the call so far, for context)."""
    signals = SafetySignals()
    text = utt.text
    for hit in find_cues(utt, DANGER_CUES):
        lasting = hit.cue.label in _LASTING
        if _negated(text, hit.start, hit.cue.label) or _hypothetical(text, hit.start, hit.end, lasting):
            continue
        if lasting and _MENDED.search(text, hit.end):
            continue  # 前天井盖丢了，昨天就给盖上了: gone then, mended since
        if hit.by_sound and (hit.cue.label in (DISTRESS, VIOLENCE, MEDICAL) or hit.end - hit.start < 3):
            continue  # these sound like too many everyday words (拿到 ≈ 拿刀, 九九 ≈ 救救, 煤气了 ≈ 没气了)
        if _PLACE_KIND.match(text, hit.end):
            continue  # the recogniser's spelling of a place's name (枣园小区 heard 揍人小区)
        if hit.cue.label == MEDICAL and _a_condition(text, hit.start, hit.end):
            continue
        if hit.cue.label in (DANGER, MEDICAL) and _TREATED.search(_sentence_around(text, hit.start)):
            continue  # 把手砸伤了，老板就给垫了点儿医药费: an injury being seen to, no emergency now
        if hit.cue.label == VIOLENCE and _LATE_FOR.search(text, max(0, hit.start - 8), hit.end):
            continue  # 上班天天持刀 is 上班天天迟到 (chi dao both): late for work, no knife
        if _said_again_with_a_title(text, hit.end):
            continue  # the caller's surname (我姓耿，耿女士 heard 我心梗，梗女士): no heart attack
        if hit.cue.label == ALONE and not _CHILD.search(_CHILDS_THING.sub("", text[hit.start : hit.end])):
            continue  # 推个婴儿车都过不去，没人管: a pram in the way, no child alone
        if hit.cue.label == ALONE and "车" in text[hit.start:hit.end] and _PUBLIC_VEHICLE.search(text):
            continue  # a child left on a bus is among passengers and a driver, not shut in a car
        if hit.cue.label == MISSING and (
            not _near_vulnerable(text, earlier_text, hit.start)
            or _A_THING_BEFORE.search(text, max(0, hit.start - 6), hit.start)
            or _RESPONSIBLE_ONE.search(_clause_before(text, hit.start, 8))
            or _OWED_MONEY.search(_sentence_around(text, hit.start))
        ):
            # "钥匙找不着了", "狗走丢了", "包工头人也找不着了": not a missing person; nor the grown-up
            # who left a child in the car ("大人也不知道上哪儿去了"): the child is the danger.
            continue
        signals.kinds.add(hit.cue.label)
        if hit.cue.label == DISTRESS and "跳" in text[hit.start:hit.end]:
            signals.police = True  # about to jump from a height: the police and fire brigade go to the place
        if hit.cue.label == ALONE and _POLICE_ALONE.search(text, hit.start, hit.end):
            signals.police = True
            # A child shut in a car or out on a ledge can die any minute: a person must guide the
            # caller now.
            signals.child_in_peril = signals.child_in_peril or bool(_PERIL.search(text, hit.start, hit.end))
    if FIRE in signals.kinds and _BURNING_ON_PURPOSE.search(text) and not _SPREADING.search(text):
        # Rubbish, cables or straw burnt on purpose, day after day: smoke and a plastic smell are
        # the wrong reported (露天焚烧), not a fire running out of hand.
        signals.kinds.discard(FIRE)
    if FIRE in signals.kinds and _SMOKE_FROM_A_VENT.search(text) and not _FLAMES.search(text):
        signals.kinds.discard(FIRE)  # 排烟管冲着窗户，满屋子都是烟: cooking smoke, not a fire
    smelt = _SMELLS_IT_NOW.search(text)
    if GAS not in signals.kinds and smelt and _gas_spoken_of(earlier_text) and not _hypothetical(
        text, smelt.start(), smelt.end()
    ):
        signals.kinds.add(GAS)  # the smell the caller asked about is here now
    if ALONE not in signals.kinds and _alone_and_unseen(text, earlier_text):
        signals.kinds.add(ALONE)
    if signals.kinds & POLICE_KINDS:
        signals.police = True
    signals.afraid = bool(_IN_FEAR.search(text))
    return signals

"""The 12345 category (诉求类别) of a call: 咨询 求助 投诉 举报 建议 表扬.

Two kinds of evidence, weighed together by `decide_category`:
- how the caller frames the call: naming it (我要投诉, 我举报, 想提个建议, 想表扬一下, 咨询一下),
  or the way they talk (a grievance: 太吵了, 没人管, 好几次; a plea: 帮帮我, 怎么办啊; covert
  wrongdoing: 偷偷, 黑作坊, 无证; thanks: 特别负责, 感谢; a question: 怎么办理, 需要什么材料);
- what the call is about: the catalogue topic's usual category, and whether the knowledge base
  has a confident answer to a question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.cues import Cue, CueHit, Utterance, find_cues, patterns, phrases
from agent.types import CATEGORIES, TICKET_CATEGORIES

# The caller names the kind of call. Strongest evidence.
_NAMED: tuple[Cue, ...] = (
    phrases("投诉", 5, "投诉", near=True)
    + phrases("投诉", 5, "告状")
    + phrases("举报", 5, "举报", near=True)
    # Whisper base writes 我举报 as 我只抱/我只包 (zhi for ju) on these lines.
    + patterns("举报", 4, r"我(?:只|之|指|直|至)(?:抱|包|报|爆)(?:个|一个|一下|黑|违)")
    + phrases("举报", 5, "检举 揭发")
    + phrases("表扬", 5, "表扬 锦旗 感谢信")
    # "我没别的事儿，就是想说声谢谢": the call is for the thanks, whatever it tells on the way.
    + patterns("表扬", 4, r"没(?:有)?(?:别的|其他|什么别的)事[^。.！!]{0,8}(?:谢谢|感谢|道谢)")
    + patterns("表扬", 4, r"(?:想|要|特别|非常|真心|好好)感谢|感谢一下|感谢(?:你们|他们|那位|这位)",
               r"(?:想|要|来|得|得好好)夸(?:夸|一夸|一下|个|快)")
    + phrases("建议", 5, "建议 提议 出个主意")
    # The caller says what they mean, and it is something to be built or changed ("我的意思是，
    # 能不能让物业在小区里给装一排充电桩"): a suggestion, however the problem was told before.
    + patterns(
        "建议", 4,
        r"我的意思是[^。.！!]{0,30}(?:能不能|可不可以|能否|最好|应该|希望)[^。.！!]{0,24}"
        r"(?:装|建|设|加|增|开|修|划|放|配|安|添|改)",
    )
    # "我想反映个想法": an idea offered is a suggestion.
    + patterns("建议", 4, r"(?:反映|提|说|出|谈)(?:个|一个|点|几个|点儿)(?:小)?(?:想法|主意|点子)")
    # (the verb lost to the recogniser: 我收个想法 for 我说个想法; 我有个想法 offers one too)
    + patterns("建议", 4, r"我[^，。,.？?的]{0,2}(?:个|一个|点儿?)(?:小)?(?:想法|点子)")
    # 提个建议 as the recogniser writes it on a phone line (提个介意, 提个见意); 提个意见 offers an
    # opinion (a grudge is 有意见, 对…有意见).
    + patterns("建议", 4, r"提(?:个|各|一个|点)(?:介意|见意|建意|剑意)", r"提(?:个|一个|点|点儿)(?:小)?意见")
    + phrases("求助", 5, "求助 救命 求救")
    + phrases("咨询", 4, "咨询", near=True)
)

# How callers talk when they have a grievance, need help, report, suggest, praise or ask.
_FRAMING: tuple[Cue, ...] = (
    phrases("投诉", 3.5, "反映")
    + phrases(
        "投诉", 1.2,
        "太吵 吵得 吵死 扰民 噪音 没法睡 睡不着 没人管 不管不问 推来推去 推诿 踢皮球 不作为 好几次 "
        "多次 一直没 拖着 受不了 太过分 凭什么 不像话 管一管 管管 给个说法 说法 不给修 没人修 没人来 "
        "乱停 乱扔 乱贴 乱收费 不退 拖欠 欠薪 不给钱 影响休息 影响生活 影响出行 熏得 呛得 天天 "
        "一到晚上 后半夜 半夜 谁都不管 没有人管 不解决 没解决 找过 打过电话 "
        # money owed, and whoever owes it out of reach ("欠了我们三个月的工钱，找他他就躲着")
        "欠了 欠我们 欠我 躲着 躲起来 不露面 玩消失 人跑了 找不着人 联系不上 把我拉黑",
    )
    + patterns(
        "投诉", 1.5,
        r"态度(?:特别|非常|很|太)?(?:差|恶劣|不好|蛮横)", r"(?:都|也)不(?:管|理|修|接|处理)",
        # "你们管不管", not "礼拜天管不管" (does a rule apply on Sunday).
        r"(?<!管)不管(?=[，,。.！!？?了]|$)",
        r"归谁管|谁来管|找谁管|谁管|(?:你们|有没有人|到底|这事儿?)管不管|有没有人管",
        r"只管[^。.？?]{1,8}不管",  # "只管往外投，不管收"
    )
    # Tried and got nowhere: "找了供热站三回了", "每回都说给调", "到现在也没动静", "物业说管不了".
    + patterns(
        "投诉", 1.5,
        r"(?:找|打|催|报|问|去)(?:了|过)[^，。,.？?]{0,6}?(?:[两三四五六七八九十几好多]+)(?:回|次|趟|遍|拨)",
        r"不归(?:自己|我们|他们|咱们)?管",
        r"(?:每回|每次|回回|次次)都", r"(?:到现在|至今|到今天|一直)(?:也|都|还)?(?:没|不)",
        r"管不了|不给(?:管|修|办|处理|解决)|没(?:有)?动静|没(?:有)?回音|不了了之|没人搭理|不搭理",
        # Someone came and the problem stayed: "来了拧两下阀门就走了，屋里还是冷".
        r"来了[^。.！!？?]{0,12}就走了|还是(?:冷|凉|不热|不亮|没水|没电|漏|滴|堵|臭|吵|坏|不行|老样子)",
    )
    # Asking for someone to be sent (社区能不能派人上门, 你们能不能找人来看看): help, not an answer.
    # (Asking whether someone comes, 能不能有人上门帮着洗澡, asks about a service.)
    + patterns(
        "求助", 3,
        r"(?:能不能|能否|可不可以|可以|麻烦|能)[^，。,.？?]{0,6}(?:派|找|安排|叫)(?:个)?人(?:来|过来|上门|去|帮)",
        # "能不能让自来水公司来查查", "能不能赶紧给补上": someone to come and do it, not an answer.
        r"让[^，。,.？?]{1,8}(?:来|过来|上门)(?:查|看|修|处理|管|弄)",
        r"(?:赶紧|尽快|马上|快点)(?:给|来|派人)?(?:补|修|处理|清理|拉走|管管|弄好)",
    )
    # Asking the hotline to act: 催一催, 督促, 让他们……
    + patterns("投诉", 2, r"催(?:催|一催|一下)|督促|(?:让|叫)(?:他们|物业|商家|老板|工地|对方)", r"给(?:个|我们)?解决")
    + phrases(
        "求助", 1.5,
        "帮帮 快来 赶紧来 来个人 害怕 吓死 急死 着急 被困 困住 出不来 走丢 走失 找不到 扶不起来 "
        "没钱吃饭 揭不开锅 生活困难 过不下去 想想办法 帮忙找",
    )
    # "怎么办啊" as a plea starts a phrase or follows 我/那/这可; "居住证怎么办" asks how to apply.
    + patterns(
        "求助", 2,
        r"(?:^|[，,。.！!？? ]|我|那|这可|可)(?:该|应该)?怎么办(?:啊|呀|哪|呢|吧)",
        r"不知道(?:该|应该)?怎么办|我该怎么办|咋办|怎么办才好",
    )
    + phrases(
        "投诉", 1.0,
        "坏了 不亮 堵了 满了 漏水 渗水 发臭 太脏 破了 塌了 不热 好几天 好几个月 一个多月 半个月 几天了 这么久 "
        "好几年 好多年 这么多年 前前后后 一个礼拜 一个星期 好些天 一直没修 老是坏 "
        "一直不 还是没",
    )
    + phrases(
        "举报", 2,
        "偷偷 黑作坊 黑诊所 黑车 黑工厂 黑加工 无证 没有证 没证 没执照 没有执照 没有资质 没资质 非法 "
        "违法 违规 偷排 偷倒 传销 赌博 假货 假冒 私下 地下工厂 行医资格",
    )
    # 过期 alone is as often the caller's own old medicine as a shop's fraud.
    + phrases("举报", 1, "私自 群租 隔断 二房东 揽客 拉活")
    # Goods past their date are sold against the rules; a passport or a card past its date is the
    # caller's own errand ("护照去年就过期了，换本新的……").
    + patterns(
        "举报", 1,
        r"过期(?:的)?(?:食品|东西|药|面包|牛奶|奶|饮料|零食|肉|货|商品|产品|罐头|月饼)"
        r"|(?:食品|东西|药|面包|牛奶|奶|饮料|零食|肉|货|商品|产品|罐头|月饼)[^，。,.]{0,6}过期",
    )
    + patterns("举报", 2, r"(?<!外)卖[^，。,.]{0,8}过期|过期[^，。,.]{0,8}(?:(?<!外)卖|标签|日期)")
    # "我建议社区腾块地方建个充电棚": a suggestion named with the thing to be built or changed,
    # however the problem behind it was told first.
    + patterns(
        "建议", 3,
        r"建议[^。.！!？?]{0,20}?(?:建个|建一个|修个|修一个|装个|装一个|设个|增设|增加|加装|安装|设置|开通|腾出|划出"
        r"|搞个|弄个|多设|多装|多建|改成|调整)",
    )
    + patterns(
        "建议", 2.5,
        r"能不能(?:在|给|把|再)?.{0,6}?(?:多|增加|增设|加装|加个|安装|装个|设置|设个|设立|建个|修建|开通|开设|"
        r"延长|划|放|添|调整|规划|改成|改善|优化)",
        r"希望(?:能|可以|政府|有关部门|相关部门)?.{0,4}?(?:增加|增设|多|安装|设置|开通|延长|改善|加强|考虑)",
        r"要是能.{1,20}就好了", r"我觉得.{0,8}?(?:应该|可以|最好)", r"提个(?:小)?想法",
        # A measure to be made longer, wider or moved ("把这个绿灯时间再延长点儿"): a change proposed.
        r"把[^，。,.？?]{1,12}?(?:再|多|给)?(?:延长|加长|调长|加宽|拓宽|放宽|放长|延后|提前|挪到|改到|改成|调整)",
        r"应该(?:多|增加|增设|安装|加装|设置|建|修|开)",
        # "能不能在那儿画条斑马线", "可不可以把站挪一挪": asking for something to be built or changed.
        r"(?:能不能|可不可以|能否|是不是可以|可以考虑|最好能?)(?:在|给|把|再|多|也)?[^，。,.？?]{0,8}?"
        r"(?:画|化|装|修|建|设|加|增|开|放|挪|改|换|划|配|安|添|延长|调整|规划)",
        r"我的意思是|我的想法是|出个主意|提个醒",
    )
    + phrases("表扬", 2, "感谢 辛苦了 热心 耐心 好人 暖心 给力 帮了大忙 值得 点赞 点个赞 夸一夸 夸夸")
    + patterns(
        "表扬", 2,
        r"(?:特别|非常|很|挺|真)(?:负责|认真|仔细|热情|到位|及时|专业|好)(?!.{0,3}(?:吵|差|烦))",
        r"谢谢(?:他|她|你们|那位|师傅|这位|他们)", r"(?:说声|道声|说一声|道个|专门|特意|就是想|想)谢谢",
        r"(?:真|特别|非常|太|挺)(?:利索|给力|麻利|上心|尽心|贴心)",
        r"(?:处理|解决|办|修|来)得(?:特别|非常|很|挺|真)?(?:快|及时|好|到位|利索)",
    )
    + phrases(
        "咨询", 1.5,
        "请问 想问 问一下 问问 打听 了解一下 怎么办理 怎么申请 如何 需要什么 需要哪些 需要带 材料 手续 "
        "条件 流程 什么时候 几点 多久 多长时间 多少钱 要钱吗 政策 规定 标准 哪个部门 找谁 能办吗 "
        "可以办 能不能办 能领 能取 能报 报销 提取 补办 办理 几月 几号 哪天 截止 有效期 收费标准 "
        "几天能 几天可以 几天就能 多少天",
    )
    + patterns(
        "咨询", 1.5,
        r"怎么(?:办|弄|领|交|补|查|预约|登记|申请|报|取|缴)(?![啊呀哪呢吧])",
        r"咋(?:弄|领|交|补|查|预约|登记|申请|报|取|缴|找|上|整|办理)",
        r"(?<![我那可该，,。.！!？? ])怎么办(?:理)?",
        r"在哪(?:儿|里)?(?:办|交|领|申请|登记|查)", r"往哪(?:儿|里)?(?:扔|放|倒|送)",
        r"(?:能|可以|用不用|要不要|需不需要)[^，。,.？?]{0,12}吗",
    )
    # The caller's own procedure asked about, its object said before ("驾驶证…这个能不能在外地直接换？"):
    # a change asked for the public names what is to be built or changed after the verb (换个灯).
    + patterns(
        "咨询", 3,
        r"(?:能不能|可不可以|能否|可以)[^，。,.？?]{0,8}?(?:办|换|补|领|交|用|报销|提取|申请|延期|续)"
        # the question mark taken in: a hit longer than the suggestion's over the same words wins
        r"(?:吗|呢|啊|呀|么)?[？?]",
    )
)

_NEGATION_BEFORE = (
    "不是", "不算", "不想", "没想", "不要", "并不是", "没有要",
    "别给我记", "别记", "先别", "甭记", "不用记",  # "你先别给我记投诉啊，我是要表扬"
)
# A clause that tells of an earlier call or report ("上礼拜打过电话，反映……", "反映过"): that
# call's framing, not this one's.
_EARLIER_REPORT = re.compile(r"过|上次|上回|之前|以前|已经|去年|早就|上个?月|上个?礼拜|上个?星期|上周|前几天|前两天")
# A question ends with a question mark or particle, or says it asks; 哪/几/什么 alone are often
# indefinite ("没见哪儿贴通知", "这几天", "什么都不管"). It leans towards a consultation; a
# grievance outweighs it.
_QUESTION_CLAUSE = re.compile(r"[？?]\s*$|[吗么嘛][，,。.！!]?\s*$|呢[。.！!]?\s*$")
# Words that ask whatever the recogniser made of the question mark ("……才能补办是不是", "想问问").
_ASKING_WORDS = re.compile(
    r"请问|想问|问一下|问问|打听|是不是|有没有|能不能|可不可以|要不要|用不用|需不需要|多长时间|多久"
    # Beijing and northern speech asks with 咋 (how) and 啥 (what); 咋办 is a plea, not a question.
    r"|咋(?!办)|啥时候|带啥|要啥|干啥用|是啥"
    # A verb said, denied and said again asks (管不管, 限不限, 算不算), question mark or not.
    r"|([\u4e00-\u9fff])不\1"
    # Where to go to get it done, how it is done, what to bring, what it is called: questions
    # however the recogniser ends them (上哪儿办去。去哪儿报啊。该怎么弄。).
    r"|(?:上|去|到)哪(?:儿|里)?(?:去)?(?:办|报|交|补|领|申请|买|查|开)|该怎么(?:弄|办理|做|申请|操作)"
    r"|(?:要|得|需要)带(?:着)?(?:什么|啥)|叫什么来着"
)
# "我想了解一下……的事", its verb whatever the recogniser made of it (咨询一下 as 私行依下): a
# caller who wants to know about a matter, unless the verb is one of telling or reporting.
_WANTS_TO_KNOW_ABOUT = re.compile(
    r"想(?!反映|投诉|举报|说|讲|告|表扬|感谢|夸|建议|提|报)\w{1,2}(?:一下|依下|以下)[^，,。.！!？?]{1,16}"
    r"(?:的事|的问题|的政策|的手续)"
)
_CLAUSES = re.compile(r"[^，,。.！!？?；;]+[，,。.！!？?；;]*")
_SENTENCES = re.compile(r"[^。.！!？?]+[。.！!？?]*")
# "那个什么，" is a speaker searching for words, not asking what.
_HESITATION = re.compile(r"(?:那个|这个|就是)什么[，,]?")
QUESTION_WEIGHT = 1.5
# The caller says this is not a complaint or report ("我不是要告他，就想问问", "不是投诉"): what
# follows is asked, not filed.
_DISOWNS_TICKET = re.compile(
    r"(?:不是|并不是|不是说|没想|不想|没打算|不打算|也不是)(?:要|想|来|说)?(?:告|投诉|举报|反映问题|追究|找(?:谁的)?麻烦)"
    # "甭派单", "不用立案": no order wanted
    r"|(?:甭|不用|用不着|不必|别)(?:给我)?(?:派单|立案|立单|下单|建单|登记工单)"
)
# The problem told of is over ("第三天就修好了", "已经找回来了"): no work order is owed for it.
_RESOLVED = re.compile(
    r"(?:修好|解决|处理好|弄好|整好|找回|找着|找到|送回|接回|拿到手|拿到|要回来|追回来|到账)了|送了回来"
    r"|(?:已经|早就)(?:好|修|解决|处理|没事)"
)
# Greetings and particles: "喂？喂？" asks nothing.
_FILLERS = re.compile(r"[喂你您好啊呀吗呢吧哦嗯哈是的请问在不听得见到么清楚\W\d]")
# Below UNANSWERED_KB the knowledge base has no real answer; from CLEAR_TOPIC on the catalogue
# knows what the problem is (both as confidences in [0, 1]).
UNANSWERED_KB = 0.3
CLEAR_TOPIC = 0.375
# How much framing makes a call told as a problem, so that its catalogue topic's kind weighs fully.
PROBLEM_FRAMING = 1.5
# Danger right now is a plea for help whatever words carry it.
DANGER_WEIGHT = 3.0


@dataclass
class CategoryEvidence:
    """Cue weights per category, summed over the call; `named` counts only naming cues."""

    framing: dict[str, float]
    named: dict[str, float]
    danger: int = 0  # turns that describe a danger happening now
    asks: bool = False  # the turn asks a question
    disowns_ticket: bool = False  # the caller says this is no complaint or report
    resolved: bool = False  # the problem told of is already over

    @classmethod
    def empty(cls) -> CategoryEvidence:
        return cls({c: 0.0 for c in CATEGORIES}, {c: 0.0 for c in CATEGORIES})

    def add(self, other: CategoryEvidence, weight: float = 1.0, keep: float = 1.0) -> None:
        """Add a turn's evidence; what was there before counts `keep` times (the conversation moves on)."""
        for c in CATEGORIES:
            self.framing[c] = self.framing[c] * keep + other.framing[c] * weight
            self.named[c] = self.named[c] * keep + other.named[c] * weight
        self.danger += other.danger
        self.resolved = self.resolved or other.resolved

    def turn_best(self) -> tuple[str, float]:
        """The category this evidence alone leans to most, and by how much."""
        scores = {c: self.framing[c] + self.named[c] for c in CATEGORIES}
        best = max(CATEGORIES, key=lambda c: scores[c])
        return best, scores[best]


def _negated(text: str, hit: CueHit) -> bool:
    # 是不是 asks, it does not deny ("这些公司是不是只管往外投，不管收").
    before = text[max(0, hit.start - 4):hit.start].replace("是不是", "")
    return any(before.endswith(n) or n in before for n in _NEGATION_BEFORE)


def _non_overlapping(hits: list[CueHit]) -> list[CueHit]:
    """Longer and character-matched hits first; a place in the text counts once."""
    ranked = sorted(hits, key=lambda h: (h.by_sound, -(h.end - h.start), h.start))
    taken: list[CueHit] = []
    for hit in ranked:
        if all(hit.end <= t.start or hit.start >= t.end for t in taken):
            taken.append(hit)
    return taken


def asks_question(text: str) -> bool:
    """Does the turn ask something (beyond "喂？在吗？")?"""
    if _ASKING_WORDS.search(text) or _WANTS_TO_KNOW_ABOUT.search(text):
        return True
    text = _HESITATION.sub("", text)
    # A short question clause asks when its sentence says what about ("这身份证怎么补，来得及吗？");
    # alone ("喂？能听见吗？") it only checks the line.
    return any(
        _QUESTION_CLAUSE.search(clause) and len(_FILLERS.sub("", sentence)) >= 4
        for sentence in _SENTENCES.findall(text) for clause in _CLAUSES.findall(sentence)
    )


def _tells_of_earlier_report(text: str, start: int, end: int) -> bool:
    """反映 in "反映过", "反映完", "我反映的问题", or in a clause or right after one that tells of an earlier call
    ("我上礼拜打过你们这个电话，反映……")."""
    sentence_start = max(text.rfind(p, 0, start) for p in "。.！!？?；;") + 1
    # 反映过, 反映完以后, 我反映的问题: a report made before, or about reporting in general.
    told = text.startswith(("过", "完", "了以后", "的问题", "的事"), end)
    return told or bool(_EARLIER_REPORT.search(text, max(sentence_start, start - 20), start))


def category_evidence(utt: Utterance, danger: bool = False, about_the_call: bool = False) -> CategoryEvidence:
    """The category cues in one caller turn.

    `danger`: the turn describes a danger now; `about_the_call`: the caller talks about the call
    itself (asks for a person: "你是机器人吗？"), so a question mark is no consultation.
    """
    evidence = CategoryEvidence.empty()
    text = utt.text
    for hit in _non_overlapping(find_cues(utt, _NAMED)):
        if _negated(text, hit):
            continue
        evidence.named[hit.cue.label] += hit.cue.weight * (0.6 if hit.by_sound else 1.0)
    for hit in _non_overlapping(find_cues(utt, _FRAMING)):
        if hit.cue.label in ("投诉", "举报") and _negated(text, hit):
            continue
        if hit.cue.phrase == "反映" and _tells_of_earlier_report(text, hit.start, hit.end):
            continue
        weight = hit.cue.weight * (0.7 if hit.by_sound else 1.0)
        evidence.framing[hit.cue.label] += weight
        if hit.cue.phrase == "反映":
            # 反映 brings a problem, a grievance or a wrong done in secret alike: what is told
            # decides which (ties go to 投诉, the commoner).
            evidence.framing["举报"] += weight
    # Many grievance words in one breath say more than any single one, but not without limit.
    for c in CATEGORIES:
        evidence.framing[c] = min(evidence.framing[c], 6.0)
    evidence.asks = asks_question(text) and not about_the_call
    named_act = any(evidence.named[c] > 0 for c in CATEGORIES if c != "咨询")
    # "我想表扬个人，你们这儿能记吗？" asks about the call it names, not about a service.
    if evidence.asks and not named_act:
        evidence.framing["咨询"] += QUESTION_WEIGHT
    evidence.disowns_ticket = bool(_DISOWNS_TICKET.search(text))
    evidence.resolved = bool(_RESOLVED.search(text))
    if evidence.resolved:
        evidence.framing["表扬"] += 1.0
    if danger:
        # A caller who names the call a complaint or a report ("我要举报，…有人打架") keeps it so; the
        # danger makes it urgent, not a plea of their own.
        if not (evidence.named["投诉"] or evidence.named["举报"]):
            evidence.framing["求助"] += DANGER_WEIGHT
        evidence.danger = 1
    return evidence


def decide_category(
    evidence: CategoryEvidence,
    topic_hint: str | None,
    topic_confidence: float,
    kb_confidence: float,
) -> str | None:
    """The call's category from the caller's framing, the topic's usual category and the KB.

    `topic_confidence` and `kb_confidence` are in [0, 1]: how sure the catalogue and the
    knowledge base are about their best match.
    """
    scores = dict(evidence.framing)
    for c in CATEGORIES:
        scores[c] += evidence.named[c]
    if topic_hint == "举报" and evidence.named["投诉"] == 0:
        # How a wrong done harms the caller (天天, 呛得) is told alike in a complaint and a report;
        # what is done (burning cables, an unlicensed clinic) says it is a report.
        scores["举报"] = max(scores["举报"], scores["投诉"])
    if topic_hint in scores:
        # The topic says what kind of call this usually is; less so when the caller only asks
        # questions about it ("什么时候开始供暖？" is no heating complaint), and little when the
        # problem is over ("路灯第三天就修好了，谢谢你们").
        # One weak word (天天 in "孙子天天闹着要养狗") does not yet frame a problem.
        problem_framing = max(scores[c] for c in TICKET_CATEGORIES) >= PROBLEM_FRAMING
        weight = (3.0 if problem_framing else 2.0) * (0.3 if evidence.resolved else 1.0)
        scores[topic_hint] += weight * topic_confidence
    # A confident knowledge-base answer makes a question a consultation, unless the caller
    # describes a grievance or an emergency that the catalogue knows.
    scores["咨询"] += 2.5 * kb_confidence if scores["咨询"] > 0 else 1.0 * kb_confidence
    best = max(CATEGORIES, key=lambda c: scores[c])
    if scores[best] < 1.0:
        return None
    if best == "咨询" and evidence.named["咨询"] == 0:
        if evidence.danger:
            # "燃气有味道怎么办？我现在就闻到了": a question asked in danger is a plea for help.
            return max(TICKET_CATEGORIES, key=lambda c: scores[c])
        if topic_hint in TICKET_CATEGORIES and kb_confidence < UNANSWERED_KB and topic_confidence >= CLEAR_TOPIC:
            # A question about a problem the KB cannot answer ("电梯坏了一礼拜了，能不能催催？",
            # "工地干到半夜，几点算违规？"): the caller needs it handled, not explained.
            return topic_hint
    return best

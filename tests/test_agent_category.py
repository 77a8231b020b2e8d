"""Category cues, danger and conversational intents, on sentences written for these tests."""

import pytest
from seat_calls import play

from agent.category import category_evidence, decide_category
from agent.cues import utterance
from agent.danger_cues import FIRE, FLOOD, GAS, MEDICAL, MISSING, TRAPPED, VIOLENCE
from agent.intents import is_thats_all, is_yes, wants_human
from agent.safety import safety_signals


def category_of(text, hint=None, topic_confidence=0.0, kb_confidence=0.0):
    return decide_category(category_evidence(utterance(text)), hint, topic_confidence, kb_confidence)


@pytest.mark.parametrize(
    ("said", "category"),
    [
        ("我要投诉我们楼下那个洗车房，天天把水泼到马路上", "投诉"),
        ("跟你们反映一下，我们这个小区的路灯坏了快俩月了", "投诉"),
        ("我实名举报，村口那个废品站晚上偷偷烧电线", "举报"),
        ("我想表扬一下咱们街道的王主任，特别负责", "表扬"),
        ("我提个建议，能不能在公交站多安装几个座椅", "建议"),
        ("我想咨询一下，生二胎的生育津贴怎么领？", "咨询"),
        ("请问公租房现在还能申请吗？", "咨询"),
        ("救命啊，我家孩子被反锁在屋里出不来了", "求助"),
        # 反映 brings any problem: a wrong done in secret is reported, not complained of
        ("我要反映个事儿，我们楼下有人开了个黑诊所，天天偷偷给人打针", "举报"),
        # asking for someone to be sent is asking for help
        ("你们能不能派个人来看看，我们单元门口的台阶塌了一块", "求助"),
        # money owed and the one who owes it out of reach: a grievance, though nothing is named
        ("我们几个在饭馆打工，老板欠了我们俩月的钱，现在人都找不着，电话也联系不上了。", "投诉"),
        # the caller's own procedure, asked about; not a change asked for the public
        ("我护照明年三月到期，我现在人在广州，这个能不能在广州直接换？", "咨询"),
        # an opinion offered, and a measure asked to be made longer: a suggestion, though it asks
        ("我提点意见啊，地铁站那个自动扶梯老早就停了，能不能跟地铁公司说说，把开的时间再提前一点？", "建议"),
    ],
)
def test_the_caller_frames_the_call(said, category):
    assert category_of(said) == category


def test_negated_naming_does_not_count():
    assert category_of("我不是要投诉，就是想感谢一下物业的师傅，修得特别及时") == "表扬"


def test_named_category_heard_as_homophone():
    assert category_of("我要头诉，楼上天天半夜剁肉") == "投诉"


def test_a_plea_is_not_a_question_about_procedures():
    assert category_of("我家楼道里全是烟，我该怎么办啊") == "求助"
    assert category_of("残疾人证丢了怎么办？", kb_confidence=1.0) == "咨询"


def test_topic_hint_decides_when_the_caller_only_describes():
    # no framing words: the catalogue topic's usual category decides
    assert category_of("小区东门那儿有个大坑，车开过去直颠", hint="投诉", topic_confidence=1.0) == "投诉"
    assert category_of("我们这边从早上到现在一直没水", hint="求助", topic_confidence=1.0) == "求助"


def test_a_question_about_a_topic_stays_a_consultation():
    assert category_of("暖气费什么时候开始交？有没有优惠？", hint="投诉", topic_confidence=0.9,
                       kb_confidence=0.8) == "咨询"


def test_nothing_to_go_on():
    assert category_of("喂？喂？") is None


# ---------------------------------------------------------------- danger

def kinds(text, earlier=""):
    signals = safety_signals(utterance(text), earlier)
    return signals.kinds, signals.police


@pytest.mark.parametrize(
    ("said", "kind"),
    [
        ("厨房一股天然气味儿，呛得慌", GAS),
        ("地下室的配电箱冒烟了", FIRE),
        ("我们四个人被关在电梯里了", TRAPPED),
        ("楼上水管崩了，水从灯口往下流", FLOOD),
        ("我妈在厨房晕倒了，叫她也没反应", MEDICAL),
        ("后山有人烧荒，火烧得挺大，风往村里刮", FIRE),
    ],
)
def test_dangers_in_the_callers_words(said, kind):
    found, _ = kinds(said)
    assert kind in found


def test_missing_person_with_dementia_needs_the_police():
    found, police = kinds("我奶奶中午出门到现在没回来，她有点糊涂，认不得路")
    assert MISSING in found and police


def test_domestic_violence_needs_the_police():
    found, police = kinds("他喝多了又动手，拿东西砸我")
    assert VIOLENCE in found and police


@pytest.mark.parametrize(
    "said",
    [
        "电动车在楼道充电，万一着火了怎么办",   # a worry, not a fire
        "我家钥匙找不着了",                    # no person missing
        "我在地铁上拿到一个钱包",              # 拿到 sounds like 拿刀
        "电话是一三九九九八七六五四三",        # 九九 sounds like 救救
        "去年老人摔倒过一次，担心再摔倒",
        "楼下烤串儿的，晾的衣服全是一股羊肉味儿",  # 一股羊 sounds like 一股烟, but 羊 belongs to 羊肉
        "我心梗，你就写梗女士吧",  # 我姓耿，耿女士 as heard: a surname, said again with its title
    ],
)
def test_no_danger(said):
    found, police = kinds(said)
    assert not found and not police


# ---------------------------------------------------------------- intents

@pytest.mark.parametrize(
    "said",
    [
        "给我转人工", "我要人工服务", "帮我整个人工吧", "我不想跟机器说话", "你这机器人听不懂，找个真人来",
        # asking whether there is one, or for someone to ask
        "你们那边有没有人工啊？", "我想找个人再详细问问", "你们有人工吗",
        # no use talking to a machine; 转人工 as the recogniser may write it
        "我跟你这机器说不通", "你赶紧给我转员工", "跟你们这破机器说了也白说",
    ],
)
def test_asking_for_a_person(said):
    assert wants_human(utterance(said))


@pytest.mark.parametrize(
    "said",
    ["这草坪是人工铺的", "装修的人工费太贵了", "我要投诉工地", "物业说找个人来修一下", "村里有没有人工作都不知道",
     "那个湖是不是有人工养殖", "我们公司年底要转员工的劳动合同"],
)
def test_not_asking_for_a_person(said):
    assert not wants_human(utterance(said))


def test_yes_and_thats_all():
    assert is_yes("对，就打这个")
    assert is_yes("嗯，可以")
    assert not is_yes("不对，换一个号")
    assert is_yes("是的是的") and is_yes("嗯，是这样")
    # a yes word that opens an account of the problem answers nothing
    assert not is_yes("是这么个情况，我们楼的暖气一直不热，找了好几回了")
    assert not is_yes("好几天了，门口那个灯还是不亮")
    assert is_thats_all("没有了，谢谢")
    assert not is_thats_all("还有一个事")


def test_a_question_asked_in_danger_is_a_plea():
    utt = utterance("请问家里天然气味特别大怎么办？我现在就在厨房")
    evidence = category_evidence(utt, danger=bool(safety_signals(utt).kinds))
    assert decide_category(evidence, "求助", 0.8, kb_confidence=1.0) == "求助"


def test_a_question_about_a_problem_the_kb_cannot_answer_is_a_ticket():
    # the caller asks, but what they need is the problem handled
    assert category_of("我们单元电梯停了五天了，能不能帮忙催催物业？", hint="投诉", topic_confidence=0.8) == "投诉"
    assert category_of("我想咨询一下，公司半年没发工资，我该怎么办？", hint="投诉", topic_confidence=0.8) == "咨询"


@pytest.mark.parametrize(
    ("said", "asks"),
    [
        ("我想了解一下公积金提取的事", True),
        ("我想此讯依下孩子上学的事，我们是外地户口", True),  # 咨询一下 as the recogniser may write it
        ("我想反映一下楼上装修的事", False),  # telling, not asking
        ("我想表扬一下社区的事", False),
    ],
)
def test_wanting_to_know_about_a_matter_asks(said, asks):
    from agent.category import asks_question

    assert asks_question(said) == asks


def test_is_it_not_asks_and_does_not_deny_the_grievance_after_it():
    from agent.category import category_evidence
    from agent.cues import utterance

    evidence = category_evidence(utterance("这些公司是不是只管往外投，不管收啊？"))
    assert evidence.framing["投诉"] >= 1.5


@pytest.mark.parametrize(
    ("said", "asks"),
    [
        # questions the recogniser ended with a full stop
        ("我家孩子的医保卡丢了，上哪儿补去。", True),
        ("刚换的新车，这个进京证得去哪儿办啊。", True),
        ("退休以后档案转回街道，该怎么弄。", True),
        ("办居住证要带着什么材料。", True),
        ("那个给残疾人的补贴叫什么来着，我们家老三也想申请。", True),
        # where someone went, or what was taken: no question
        ("我找了一上午，不知道他上哪儿去了。", False),
        ("楼下饭馆把垃圾全倒在我们门口了。", False),
    ],
)
def test_a_question_asks_whatever_the_recogniser_ended_it_with(said, asks):
    from agent.category import asks_question

    assert asks_question(said) == asks


@pytest.mark.parametrize(
    ("said", "category"),
    [
        # a suggestion named with what to build, after the trouble that led to it was told
        ("我们小区门口的共享单车堆得人都过不去，物业说了好几回也不管用，到现在也没人管，我建议街道在路口"
         "腾出一块地方，专门停单车。", "建议"),
        # an idea offered with the verb misheard (收 for 说), and a rule asked to be loosened
        ("你好，我收个想法，社区活动室晚上八点就关门，太早了，把开放时间放宽一点儿就好了。", "建议"),
        # a card past its date is the caller's errand, not expired goods reported
        ("我身份证上个月过期了 现在补办的话大概几天能拿到", "咨询"),
        # goods named before they are said to be past their date are a report all the same
        ("我举报一下，楼下小卖部的饮料和火腿肠好多都过期了，还摆着卖。", "举报"),
    ],
)
def test_the_seat_frames_the_call_with_its_topic(knowledge, said, category):
    assert play(knowledge, said).finish().category == category


def test_disowning_a_complaint_while_finding_something_fine_is_no_thanks(knowledge):
    # 挺好的 praises the park; only thanks said in so many words make a call praise.
    outcome = play(knowledge, "我不是要投诉啊，那个公园修得挺好的，就是门口能不能多放几个垃圾桶。").finish()
    assert outcome.category != "表扬"

"""Whole calls through the offline seat, on dialogues written for these tests.

The seat runs on the real knowledge: the shared sample KB, catalogue and gazetteer.
"""


import pytest

from agent.seat import Seat


def call(knowledge, *turns, caller_number=None):
    seat = Seat(knowledge, caller_number=caller_number)
    assert "12345" in seat.greeting()
    replies = [seat.turn(t) for t in turns]
    return seat, replies


# ---------------------------------------------------------------- consultations

def test_consultation_answered_with_the_right_article(knowledge):
    seat, [reply] = call(knowledge, "你好，孩子上个月刚出生，想问问怎么给他上医保？")
    assert reply.action == "answer"
    assert "新生儿" in reply.text or "出生" in reply.text
    outcome = seat.finish()
    assert (outcome.category, outcome.route, outcome.kb_article) == ("咨询", "answer", "kb-013")
    assert outcome.work_order is None


def test_follow_up_question_is_answered_in_context(knowledge):
    seat, replies = call(
        knowledge,
        "请问一下，电动自行车上牌需要带什么东西？",
        "那如果发票找不着了，还能上吗？",
    )
    assert [r.action for r in replies] == ["answer", "answer"]
    assert seat.finish().kb_article == "kb-022"


def test_the_answer_said_back_to_be_sure_stays_on_its_article(knowledge):
    # 身份证 has an article of its own; said back from the answer, it asks about that answer
    seat, replies = call(
        knowledge,
        "我想给孩子办个护照，户口不在北京，能在这边办吗？",
        "哦，能办啊。就身份证？",
    )
    assert [r.kb_article for r in replies] == ["kb-018", "kb-018"]


def test_follow_up_on_another_service_gets_its_own_article(knowledge):
    seat, replies = call(
        knowledge,
        "我想问一下个税年度汇算在哪里办？",
        "另外我还想问一下，公积金租房能不能提取？",
    )
    assert "公积金" in replies[1].text
    assert seat.finish().kb_article == "kb-006"  # the call's answer is the first one read


def test_the_answer_opens_with_yes_or_no_only_when_that_was_asked(knowledge):
    # The article opens 可以。 for "租房能提取公积金吗"; asked how, the caller hears the how alone.
    _, [how] = call(knowledge, "我在外面租房子住，公积金怎么提出来交房租？")
    _, [whether] = call(knowledge, "我在外面租房子住，公积金能不能提出来交房租？")
    assert how.kb_article == whether.kb_article == "kb-005"
    assert whether.text.startswith("可以") and not how.text.startswith("可以")
    assert whether.text.endswith(how.text), "only the bare reply is left out"
    # A follow-up asking yes or no hears the reply before the sentences picked for it.
    _, replies = call(knowledge, "法律援助去哪儿申请？", "那老板拖欠工资这种也能申请吗？")
    assert [r.kb_article for r in replies] == ["kb-025", "kb-025"]
    assert not replies[0].text.startswith("可以") and replies[1].text.startswith("可以。")


def test_question_the_kb_cannot_answer(knowledge):
    seat, replies = call(knowledge, "请问一下明天北京会不会下雨？", "那算了，你帮我转人工吧")
    assert replies[0].action == "answer" and "没有准确的答复" in replies[0].text
    outcome = seat.finish()
    assert outcome.kb_article is None
    assert (outcome.route, outcome.handoff_reason) == ("handoff", "caller_request")


def test_consultation_that_turns_into_a_complaint_keeps_its_article(knowledge):
    seat, replies = call(
        knowledge,
        "你好，问一下暖气一般什么时候开始供？",
        "我要投诉，我们家暖气到现在还是冰凉的，屋里才十二度",
        "丰台区马家堡街道，角门东里，十一号楼二单元三零一",
    )
    assert replies[0].action == "answer"
    outcome = seat.finish()
    assert outcome.category == "投诉" and outcome.route == "ticket"
    assert outcome.kb_article == "kb-010"
    assert outcome.work_order is not None and outcome.work_order.topic == "供暖不热"


# ---------------------------------------------------------------- work orders

def test_complaint_asks_for_place_then_phone_and_reads_back(knowledge):
    seat, replies = call(
        knowledge,
        "我要投诉，我们楼下那家饭馆在门口烤串，烟特别大，熏得窗户都不敢开",
        "在朝阳区三里屯街道，幸福村中路，十八号楼底商",
        "我姓何，何先生，电话幺三九，零零八八，七六五四",
    )
    assert replies[0].action == "ask" and "哪个区" in replies[0].text
    assert replies[1].action == "ask" and "电话" in replies[1].text and "哪个区" not in replies[1].text
    assert replies[2].action == "confirm"
    assert "幺三九，零零八八，七六五四" in replies[2].text  # read back digit by digit
    outcome = seat.finish()
    assert (outcome.category, outcome.route) == ("投诉", "ticket")
    order = outcome.work_order
    assert order is not None
    assert order.topic == "餐饮油烟扰民"
    assert (order.district, order.street) == ("朝阳区", "三里屯街道")
    assert "幸福村中路" in order.address and "18号楼" in order.address
    assert (order.caller_name, order.phone) == ("何先生", "13900887654")
    assert not order.urgent and not order.police
    assert "烤串" in order.summary


def test_everything_in_one_breath_needs_no_questions(knowledge):
    seat, [reply] = call(
        knowledge,
        "我举报，大兴区旧宫镇，旧忠路上有个黑作坊做豆腐，卫生特别差。我不想留名字，电话一五六，一一二二，三三四四",
    )
    assert reply.action == "confirm"
    order = seat.finish().work_order
    assert order is not None and order.category == "举报" and order.topic == "食品安全"
    assert order.caller_name is None and order.phone == "15611223344"


def test_recogniser_homophones_in_place_and_number(knowledge):
    seat, _ = call(
        knowledge,
        "你好，我反映个事，我们小区门口的路灯坏了好几天了，晚上黑乎乎的",
        "海电期学院路接到，志新村小区北门",
        "电话138 0101 2345",
    )
    order = seat.finish().work_order
    assert order is not None and order.topic == "路灯不亮"
    assert (order.district, order.street) == ("海淀区", "学院路街道")
    assert order.phone == "13801012345"


def test_caller_corrects_a_digit_group(knowledge):
    seat, _ = call(
        knowledge,
        "我投诉，通州区玉桥街道，玉桥南里那边一到晚上就有人在小区里跳广场舞，音响特别吵",
        "电话一三六，二二三三，四四五五，不对，是四四五六，我姓邓",
    )
    order = seat.finish().work_order
    assert order is not None and order.phone == "13622334456"


def test_implausible_number_is_asked_again(knowledge):
    seat, replies = call(
        knowledge,
        "我要投诉，西城区月坛街道，南礼士路那边有个工地半夜还在打桩",
        "电话是1390011223",  # one digit short
    )
    assert replies[1].action == "ask" and "再" in replies[1].text
    assert seat.finish().work_order.phone is None


def test_caller_number_is_offered_as_the_default(knowledge):
    seat, replies = call(
        knowledge,
        "你好，我们单元的电梯坏了一个星期了，物业说等配件，老人爬楼太难了",
        "朝阳区安贞街道，安华里，五号楼",
        "对，就打这个",
        "我姓白",
        caller_number="+8613812345678",
    )
    assert "幺三八，幺二三四，五六七八" in replies[1].text
    outcome = seat.finish()
    assert outcome.work_order is not None
    assert outcome.work_order.phone == "13812345678"
    assert outcome.work_order.topic == "电梯故障-停运"


def test_hang_up_before_the_slots_still_makes_a_ticket(knowledge):
    seat, _ = call(knowledge, "我要投诉，小区门口的共享单车堆得人都过不去")
    outcome = seat.finish()
    assert outcome.route == "ticket"
    order = outcome.work_order
    assert order is not None and order.topic == "共享单车乱停放"
    assert order.district is None and order.phone is None
    assert order.summary


# ---------------------------------------------------------------- safety

def test_gas_smell_gets_safety_advice_and_urgent_dispatch(knowledge):
    seat, [reply] = call(knowledge, "喂，我家厨房一股煤气味儿，是不是漏气了，我好害怕")
    assert "离开" in reply.text and "燃气公司" in reply.text
    assert reply.action == "ask"
    outcome = seat.finish()
    assert outcome.route == "ticket" and outcome.urgent and not outcome.police
    assert outcome.work_order is not None and outcome.work_order.topic == "燃气异味"


def test_missing_elderly_person_links_the_police(knowledge):
    seat, replies = call(
        knowledge,
        "我姥爷不见了，他有阿尔茨海默症，上午自己出去到现在没回来",
        "在西城区什刹海街道，后海南沿附近走丢的",
    )
    assert "110" in replies[0].text
    outcome = seat.finish()
    assert outcome.urgent and outcome.police
    assert outcome.work_order is not None and outcome.work_order.topic == "老人走失"
    assert outcome.work_order.district == "西城区"


def test_domestic_violence(knowledge):
    seat, [reply] = call(knowledge, "救救我，我老公喝了酒就打我，我现在躲在楼道里")
    assert "110" in reply.text
    outcome = seat.finish()
    assert outcome.urgent and outcome.police and outcome.category == "求助"


def test_medical_emergency_is_handed_off_with_120_advice(knowledge):
    seat, replies = call(knowledge, "快帮帮我，我爸突然晕倒了，叫他也没反应", "在朝阳区小关街道")
    assert replies[0].action == "handoff" and "120" in replies[0].text
    assert replies[1].action == "handoff"
    outcome = seat.finish()
    assert (outcome.route, outcome.handoff_reason) == ("handoff", "medical")
    assert outcome.urgent and outcome.category == "求助"


# ---------------------------------------------------------------- handoff, praise, suggestions

def test_caller_asks_for_a_person(knowledge):
    seat, replies = call(knowledge, "你是机器人吧？我不跟机器说，给我转人工", "是我们村宅基地腾退补偿的事")
    assert [r.action for r in replies] == ["handoff", "handoff"]
    outcome = seat.finish()
    assert (outcome.route, outcome.handoff_reason) == ("handoff", "caller_request")
    assert outcome.topic == "征地拆迁补偿"  # still understood for the human agent


def test_seat_that_cannot_understand_hands_off(knowledge):
    seat, replies = call(knowledge, "喂？喂？", "嗯……那个……", "就是那个……啥来着", "哎呀，怎么说呢")
    assert "请讲" in replies[0].text  # the caller is only checking the line
    assert replies[1].action == "ask" and replies[2].action == "ask" and replies[3].action == "handoff"
    assert "咨询" in replies[2].text and "建议" in replies[2].text  # the second time: which kind of call
    assert seat.finish().handoff_reason == "not_understood"


def test_caller_asks_to_hear_the_question_again(knowledge):
    _, replies = call(knowledge, "我要投诉，小区里的垃圾站三天没人清运了", "啊？你说什么？")
    assert replies[1].text == replies[0].text


def test_praise_is_recorded_not_ticketed(knowledge):
    seat, [reply] = call(knowledge, "我想表扬一下海淀区中关村街道的社区医生，对我们老两口特别耐心")
    assert reply.action == "record" and "感谢" in reply.text
    outcome = seat.finish()
    assert (outcome.category, outcome.route) == ("表扬", "answer")
    assert outcome.work_order is None


def test_suggestion_naming_a_place_is_still_an_answer(knowledge):
    seat, replies = call(
        knowledge,
        "我提个建议，我们这个公交站没有遮雨棚，能不能给加一个",
        "在昌平区天通苑北街道，立水桥北那站",
    )
    assert replies[0].action == "record"
    outcome = seat.finish()
    assert (outcome.category, outcome.route) == ("建议", "answer")


def test_goodbye_after_an_answer(knowledge):
    seat, replies = call(knowledge, "请问养狗要办什么手续？", "好的，没有了，谢谢")
    assert replies[1].action == "goodbye"
    assert seat.finish().kb_article == "kb-031"


def test_thanks_after_the_read_back_ends_the_call(knowledge):
    seat, replies = call(
        knowledge,
        "我要投诉，朝阳区望京街道，望京西园三区，有人在楼顶私自加盖了一层彩钢板房，电话一三一，二二三三，四四五五，我姓汪，汪先生",
        "好的，谢谢",
    )
    assert replies[0].action == "confirm" and replies[1].action == "goodbye"
    assert seat.finish().work_order.topic == "违法建设"


def test_unclassifiable_problem_is_still_a_ticket_for_a_dispatcher(knowledge):
    seat, _ = call(
        knowledge, "我要投诉，我们小区门口新开的那家店天天往外放气球，乱七八糟的", "朝阳区劲松街道，劲松南路"
    )
    outcome = seat.finish()
    assert outcome.route == "ticket"
    assert outcome.work_order is not None and outcome.work_order.district == "朝阳区"


@pytest.mark.parametrize(
    ("line", "offered"),
    [("sip:+8613912345678@gw.example.org:5060", "幺三九，幺二三四，五六七八"),
     ("013912345678", "幺三九，幺二三四，五六七八"),
     ("01062345678", "零幺零，六二三四，五六七八")],
)
def test_caller_number_formats_from_the_gateway(knowledge, line, offered):
    _, replies = call(knowledge, "我要投诉，东城区景山街道，景山后街有个工地半夜施工", caller_number=line)
    assert offered in replies[0].text


def test_broken_lift_is_not_a_trapped_person_unless_someone_is_inside(knowledge):
    seat, _ = call(knowledge, "我们楼的电梯坏了，物业一直拖着不修，老人只能爬楼")
    outcome = seat.finish()
    assert outcome.work_order.topic == "电梯故障-停运" and not outcome.urgent
    seat, replies = call(knowledge, "快来人啊，我家电梯困了人，我女儿在里面，电梯停在五楼和六楼中间了")
    assert "警铃" in replies[0].text
    outcome = seat.finish()
    assert outcome.work_order.topic == "电梯故障-困人" and outcome.urgent


def test_line_number_is_the_default_even_unconfirmed(knowledge):
    seat, _ = call(
        knowledge, "我要投诉，海淀区清河街道，清河中街那边有人天天半夜在路边烧烤，烟特别大", caller_number="13700001111"
    )
    assert seat.finish().work_order.phone == "13700001111"  # the caller hung up before confirming


def test_spoken_number_wins_over_the_line_number(knowledge):
    seat, _ = call(knowledge, "我要投诉，海淀区清河街道，清河中街有人半夜施工，电话一三九，零零零一，二二二二",
                   caller_number="13700001111")
    assert seat.finish().work_order.phone == "13900012222"


def test_caller_turns_down_the_line_number(knowledge):
    seat, _ = call(knowledge, "我要投诉，海淀区清河街道，清河中街有人半夜施工", "不用这个，这是单位的电话",
                   caller_number="13700001111")
    assert seat.finish().work_order.phone is None


def test_seat_tells_what_it_expects_next(knowledge):
    seat = Seat(knowledge)
    seat.turn("我要投诉，我们小区门口天天有人乱停车，把消防通道都堵了")
    assert seat.expecting() == "place"
    seat.turn("丰台区右安门街道，翠林二里")
    assert seat.expecting() == "phone"  # the server may bias recognition towards digits
    seat.turn("电话一八八，一二三四，五六七八，我姓屈")
    assert seat.expecting() == "confirm"  # the order was read back: 对 or 不对
    seat.turn("对的")
    assert seat.expecting() == "more"


# ---------------------------------------------------------------- a live call's needs

def test_a_turn_taken_back_leaves_the_seat_as_before_it(knowledge):
    seat, _ = call(knowledge, "我要投诉，楼下饭馆油烟太大了")
    before = seat.snapshot()
    seat.turn("在朝阳区")  # the caller was not done: "…望京街道，电话一三八…"
    seat.restore(before)
    whole = seat.turn("在朝阳区望京街道，我的电话是13812345678")
    fresh, _ = call(knowledge, "我要投诉，楼下饭馆油烟太大了")
    assert whole == fresh.turn("在朝阳区望京街道，我的电话是13812345678")
    assert seat.snapshot() == fresh.snapshot()  # nothing of the taken-back turn is left
    assert seat.outcome() == fresh.outcome()


def test_a_question_the_caller_talked_over_is_asked_again_not_given_up(knowledge):
    seat, [first] = call(knowledge, "我要投诉，楼下饭馆油烟太大了")
    assert seat.expecting() == "place"
    seat.reply_cut_short(first.text[:6])  # heard only the start, not the question
    again = seat.turn("嗯")
    assert "区" in again.text and seat.expecting() == "place"
    seat.reply_cut_short(again.text[:4])
    third = seat.turn("呃")
    assert seat.expecting() == "place" and "区" in third.text  # still asking: no question was heard


def test_hotwords_name_the_places_the_seat_has_just_asked_for(knowledge):
    seat, _ = call(knowledge, "你好")
    assert seat.hotwords() == ""
    seat.turn("我要投诉，楼下饭馆油烟太大了")
    names = seat.hotwords().rstrip("。").split("、")
    assert "朝阳区" in names and "海淀区" in names
    seat.turn("在朝阳区")
    if seat.expecting() == "place":  # district given, street still missing: that district's streets
        names = seat.hotwords().rstrip("。").split("、")
        assert "望京街道" in names and "海淀区" not in names

"""What the seat says. Short, spoken sentences: they are read by TTS to a telephone line."""

from __future__ import annotations

import re

from agent.danger_cues import (
    ALONE,
    DANGER,
    DISTRESS,
    ELECTRIC,
    FIRE,
    FLOOD,
    FRAUD,
    GAS,
    JUMPER,
    MANHOLE,
    MEDICAL,
    MISSING,
    TRAPPED,
    VIOLENCE,
)
from agent.phone import spoken_number
from knowledge.catalogue import CatalogueEntry

GREETING = "您好，这里是12345市民服务热线，请问有什么可以帮您？"
ANYTHING_ELSE = "请问还有其他需要吗？"
GOODBYE = "感谢您的来电，再见。"
HANDOFF = "好的，正在为您转接人工座席，请稍候。"
HANDOFF_AFTER_ADVICE = "我现在为您转接人工座席，请不要挂机。"
PLEASE_GO_ON = "您好，请讲，有什么可以帮您？"
HANDOFF_HOLD = "正在为您转接人工座席，请稍候，您说的情况我已经记下来了。"
HANDOFF_STUCK = "抱歉，我没能听明白您的问题，现在为您转接人工座席，请稍候。"
NOT_UNDERSTOOD = "抱歉，我没有听清楚，您能简单说一下是什么事情吗？"
WHICH_KIND = "不好意思，我还没听明白。您是想咨询政策，反映问题，还是提建议、表扬？"
NO_ANSWER = (
    "抱歉，这个问题我这里暂时没有准确的答复。我可以帮您记录下来转给相关部门，"
    "也可以为您转接人工座席，您看需要吗？"
)
PRAISE = "感谢您的表扬，我们已经记录下来，会把您的感谢转达给相关单位和工作人员。"
SUGGESTION = "感谢您的建议，我们已经记录下来，会转给相关部门研究参考。"
ASK_WHERE_FOR_RECORD = "方便的话，请说一下是哪个区、哪个地方，我一并记下来。"

# Said at once when a turn holds a phone number, while the number is read again digit by digit.
NUMBER_HOLD = "好的，请稍等。"
SYSTEM_ERROR = "不好意思，系统刚才没有处理好，请您再说一遍。"

# A caller waiting for a free line (server/telephony/line_queue.py) hears the first, again and
# again; one who has waited the longest we hold anyone hears the second, and the call ends.
LINES_BUSY = "您好，现在线路繁忙，请稍候，我们会按顺序为您接通。"
CALL_BACK_LATER = "抱歉，现在来电较多，请您稍后再拨打12345，感谢您的耐心等待，再见。"

ACKNOWLEDGE = {
    "投诉": "您反映的情况我记下了。",
    "求助": "您别着急，我马上帮您登记处理。",
    "举报": "您举报的情况我记下了，我们会为您保密。",
}

ASK_PLACE = "请问具体在哪个区、哪个街道，详细地址是哪里？"
ASK_ADDRESS = "请问具体地址是哪里，比如哪条路、哪个小区、几号楼？"
ASK_DISTRICT = "请问这是在哪个区、哪个街道？"
ASK_PHONE = "请留一个联系电话，方便承办单位联系您。"
ASK_PHONE_AGAIN = "这个号码好像不完整，麻烦您再慢一点说一遍联系电话。"
ASK_NAME = "请问您怎么称呼？不方便的话也可以不留。"
PHONE_NOTED = "电话我记下了。"


def confirm_line_number(number: str) -> str:
    return f"回访电话就打您现在来电的这个号码，{spoken_number(number)}，可以吗？"


SAFETY_ADVICE = {
    GAS: "请您马上离开屋子，不要开关电灯电器，不要用明火，到室外安全的地方给燃气公司打抢修电话。",
    FIRE: "如果有明火或者浓烟，请马上拨打119，先带家人撤到安全的地方。",
    TRAPPED: "请保持冷静，不要扒门，也不要强行出来，按电梯里的警铃，我们马上通知救援。",
    FLOOD: "请先关闭总水阀，把附近的电源断开，注意安全。",
    MANHOLE: "请提醒过往的行人和车辆绕开，有条件的话在旁边放个显眼的东西做标记。",
    MISSING: "我们已经同步联动110，也请您马上拨打110报警，把老人的照片和衣着特征提供给民警。",
    VIOLENCE: "如果您现在有危险，请先到安全的地方，马上拨打110报警，我们也已经同步联动110。",
    MEDICAL: "这种情况请马上拨打120急救电话，12345不能派救护车，病人不要随便挪动。",
    DISTRESS: "我能感觉到您现在很难受，您不是一个人，请不要挂机。",
    ELECTRIC: "请远离掉落的电线，千万不要用手碰，提醒周围的人绕开。",
    DANGER: "如果有人身危险，请马上拨打110。",
    JUMPER: "请马上拨打110，我们也同步联动110；请不要刺激对方，尽量让人在旁边陪着、劝着，别让围观的人起哄。",
    FRAUD: "这很可能是电信诈骗，公安机关不会让人把钱转到安全账户。请马上拨打110，也请尽快联系家人千万不要转账。",
    ALONE: "这种情况很危险，能做到的话请先守在旁边，必要时马上拨打110或者120，我们也会通知社区马上上门。",
}
# Advice is given once per call, most pressing first.
ADVICE_ORDER = (
    JUMPER, MEDICAL, DISTRESS, FIRE, GAS, VIOLENCE, FRAUD, MISSING,
    ALONE, TRAPPED, ELECTRIC, FLOOD, MANHOLE, DANGER,
)
POLICE_LINKED = "我们已经同步联动110。"
# Said before an answer found once the caller's words were heard again more carefully.
LATE_ANSWER = "不好意思，刚才我没听准，您问的应该是这个："
LATE_UNDERSTOOD = "不好意思，刚才我没听准，现在听明白了。"


def late_safety_advice(kinds: set[str]) -> str:
    """Advice for a danger understood only after the reply was said (the words respelt)."""
    advice = "".join(SAFETY_ADVICE[kind] for kind in ADVICE_ORDER if kind in kinds)
    return f"我再提醒您一下：{advice}{URGENT_DISPATCH}"
URGENT_DISPATCH = "这个情况我们按紧急工单马上派单处理。"


def readback(what: str, place: str | None, phone: str | None, corrected: bool = False) -> str:
    """The work order read back in one short sentence, the number digit by digit in groups as
    people say it (幺 for 1), asking the caller to confirm."""
    parts = [f"{'好的，改过来了' if corrected else '我跟您核对一下'}：{what}"]
    if place:
        parts.append(f"在{place}")
    if phone:
        parts.append(f"回访电话{spoken_number(phone)}")
    return "，".join(parts) + "，对吗？"


def filed(urgent: bool, closing: bool = False) -> str:
    """The order confirmed and filed: what happens next, then anything else or goodbye."""
    dispatch = "我们马上按紧急工单派单" if urgent else "工单已经提交，会派给相关部门办理"
    return f"好的，{dispatch}，办理后会有工作人员给您回电。{GOODBYE if closing else ANYTHING_ELSE}"


WHAT_IS_WRONG = "请问哪里不对？您直接说正确的就行。"


# What the seat says word for word again and again: the server renders these once at start-up,
# so a caller never waits for them to be synthesised (the greeting above all).
FIXED_PROMPTS = (
    GREETING, ANYTHING_ELSE, GOODBYE, HANDOFF, HANDOFF_AFTER_ADVICE, PLEASE_GO_ON, HANDOFF_HOLD,
    HANDOFF_STUCK, NOT_UNDERSTOOD, WHICH_KIND, NO_ANSWER, PRAISE, SUGGESTION, ASK_WHERE_FOR_RECORD, ASK_PLACE,
    ASK_ADDRESS, ASK_DISTRICT, ASK_PHONE, ASK_PHONE_AGAIN, ASK_NAME, PHONE_NOTED, SYSTEM_ERROR, NUMBER_HOLD,
    WHAT_IS_WRONG, LINES_BUSY, CALL_BACK_LATER, *(filed(u, c) for u in (True, False) for c in (True, False)),
    *ACKNOWLEDGE.values(),
)

# Everything the seat says to any caller alike, FIXED_PROMPTS and the sentences said only now and
# then; the rest is made of one caller's words. Only these are kept in the reply cache on disk.
SAID_TO_EVERYONE = (
    *FIXED_PROMPTS, *SAFETY_ADVICE.values(), POLICE_LINKED, LATE_ANSWER, LATE_UNDERSTOOD, URGENT_DISPATCH,
)


def spoken_topic(entry: CatalogueEntry | None) -> str:
    """The topic of a work order as the read-back says it."""
    if entry is None:
        return "您反映的问题"
    topic = re.sub(r"[（(].*?[)）]", "", entry.topic).replace("-", "，")
    return f"您反映的是{topic}的问题"

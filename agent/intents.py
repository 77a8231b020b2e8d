"""Short conversational intents: asking for a person, yes/no, "that's all", "say again"."""

from __future__ import annotations

import re

from agent.cues import Cue, Utterance, find_cues, patterns, phrases

# The caller wants a human agent. The recogniser writes 转 as 整/专/赚, so "人工" after a verb of
# asking counts, and a few ways of refusing the machine. 人工 that begins another word is no person.
_NOT_A_PERSON = r"(?!湖|智能|草|降雨|养殖|费|作|林|合成|呼吸|授精|流产)"
_HUMAN_REQUEST: tuple[Cue, ...] = (
    patterns(
        "human", 1,
        r"(?:转|整|专|赚|接|换|找|要|给我|帮我)[^，。,.？?]{0,3}人工" + _NOT_A_PERSON,
        r"人工(?:服务|客服|座席|坐席|台|接听)",
        # asking whether there is one is asking for one ("你们这儿有没有人工啊？")
        r"有没有[^，。,.？?]{0,2}人工" + _NOT_A_PERSON,
        r"(?:有|没有)[^，。,.？?]{0,2}人工(?:吗|嘛|么|啊|呀|呢|[？?])",
        # a person to ask, not one to fix something ("找个人再仔细问问"; "找个人来修" is no such)
        r"(?:找|跟|和)(?:个|一个)?人(?:再|好好|仔细|详细|当面)*(?:问问|问一下|问一问|说说|说一下|聊聊|谈谈|咨询)",
        r"(?:找|换|要|来)(?:个|一个)?(?:真人|活人|真的人|工作人员|接线员|客服)",
        r"(?:不想|不要|不愿意|不跟|不和|没法|没办法)(?:再)?(?:跟|和|与)?(?:你这个?|这个)?(?:机器|机器人|电脑|录音)",
        r"(?:机器|机器人)[^，。,.？?]{0,4}(?:说不明白|说不清|听不懂|不明白|不管用|没用)",
        # "我跟你个机器说不着", "跟你们这机器说了也白说": no use talking to a machine.
        r"(?:跟|和)(?:你|你们)?(?:这|那)?(?:个)?(?:破)?(?:机器|机器人)[^，。,.？?]{0,3}(?:说不着|说不了|说不通|白说|没法说)",
        # 转人工 as the recogniser may write it (转员工)
        r"(?:我|窝|你|您|赶紧|快|请|^|[，。,. ])(?:转|专|整|赚)(?:个)?员工(?=[，。,.！!？?]|$|吧|啊|呀)",
        # "我听不明白，你这机器说话太快了": the caller cannot follow the machine.
        r"(?:听不明白|听不懂|听不清楚|搞不明白)[^。.？?]{0,12}(?:机器|机器人)|(?:机器|机器人)[^。.？?]{0,12}(?:听不明白|听不懂)",
        r"(?:让|叫)(?:你们)?(?:领导|负责人|值班长|人)(?:来)?(?:接|听|跟我说)",
    )
    + phrases("human", 1, "转人工 人工服务 人工客服")
)

_YES = re.compile(
    r"^(?:[嗯恩哦噢啊呃]+[，,。. ]*)?"
    r"(?:对|是|是的|对的|没错|没问题|可以|行|好|好的|嗯|恩|对对|对啊|是啊|就是|就这个|正确|确认)"
)
_NO = re.compile(r"(?:不对|不是|错了|不行|不用|不要|不可以|换一个|换个号|别的号)")
_THATS_ALL = re.compile(r"(?:没有了|没了|没别的|没有别的|没其他|没有其他|就这些|就这样|就这事|不用了|挂了|再见|拜拜)")
_SAY_AGAIN = re.compile(r"(?:没听清|没听清楚|再说一遍|再说一下|重复一下|你说什么|啥意思|什么意思|听不懂)")


# The caller asks for a person for themself, now ("给我转人工", "我要找真人").
_FOR_ME = re.compile(r"我要|我想|我找|给我|帮我|让我|请(?:你|您)?(?:帮我)?")


def wants_human(utt: Utterance, suggesting: bool = False) -> bool:
    """The caller asks for a person. In a suggestion ("能不能遇上岁数大的直接给转人工？") a person
    is wished for others, later: only a request for themself counts there."""
    for hit in find_cues(utt, _HUMAN_REQUEST):
        if hit.by_sound:
            continue
        if not suggesting or _FOR_ME.search(utt.text, max(0, hit.start - 4), hit.end):
            return True
    return False


# What may follow a yes word for it to be the answer, not the start of a statement: "是这么回事儿，
# 我们家…" and "好几天了" open an account; "是的", "对，就打这个", "行啊" answer.
_YES_ENDS = re.compile(r"$|[\s，,。.！!？?、~～啊呀吧嘛哈呢啦嘞了的]|对|是|好|行|嗯|可以|没错|没问题|就是|谢谢|麻烦")
_SHORT_ANSWER_CHARS = 8


def is_yes(text: str) -> bool:
    text = text.strip()
    said = _YES.match(text)
    if not said or _NO.search(text[:6]):
        return False
    core = re.sub(r"[\s，,。.！!？?、]", "", text)
    return len(core) <= _SHORT_ANSWER_CHARS or bool(_YES_ENDS.match(text, said.end()))


def is_no(text: str) -> bool:
    return bool(_NO.search(text))


def is_thats_all(text: str) -> bool:
    return bool(_THATS_ALL.search(text))


_CLOSING = re.compile(r"谢谢|感谢|好的|好嘞|行|知道了|明白了|清楚了|没问题|可以|嗯|对|就这样|辛苦")


def is_closing(text: str) -> bool:
    """A short "好的，谢谢" after the seat has answered or read back: the caller is done."""
    core = re.sub(r"[\s，,。.！!？?]", "", text)
    return len(core) <= 12 and bool(_CLOSING.search(core)) and not _NO.search(core)


_GREETING_ONLY = re.compile(r"^(?:喂|你好|您好|哈喽|在吗|有人吗|能听到吗|听得到吗|听见了吗|[\s，,。.！!？?~～])+$")


def is_greeting_only(text: str) -> bool:
    """"喂？你好？": the caller checks the line, nothing to understand yet."""
    return bool(_GREETING_ONLY.match(text))


def asks_to_repeat(text: str) -> bool:
    return bool(_SAY_AGAIN.search(text))

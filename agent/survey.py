"""The callback survey (回访) as a dialogue: may we ask? contacted? solved? satisfied?

The caller answers each question by keypad (the digits each question names) or in words (联系过,
没解决, 基本满意 …). An answer not understood is asked again once; a second one ends the call as
unclear, to be tried again later. A caller may decline at any point (不方便, 别打了), and is then
not asked again. The dialler (server/dialer/) plays the prompts and stores what comes of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum


class SurveyEnd(StrEnum):
    ANSWERED = "answered"
    DECLINED = "declined"
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class SurveyStep:
    say: str
    end: SurveyEnd | None = None  # None: the survey goes on


_HELLO = "您好，这里是12345市民服务热线。"
_CONSENT = "请问您现在方便接受回访吗？方便请按1或者说方便，不方便请按2。"
_QUESTIONS = {
    "contacted": "承办单位联系过您吗？联系过请按1，没有联系请按2。",
    "solved": "您反映的问题解决了吗？解决了请按1，没有解决请按2。",
    "satisfaction": "您对这次办理满意吗？满意请按1，基本满意请按2，不满意请按3。",
}
_AGAIN = "抱歉，没有听清。"
_THANKS = "感谢您的评价，我们会认真改进工作。再见。"
_SORRY = "好的，不打扰您了，再见。"
_LATER = "抱歉，我们稍后再联系您，再见。"

# What a survey says to every caller alike (the opening names the order's topic).
SAID_TO_EVERYONE = (_HELLO, _CONSENT, *_QUESTIONS.values(), _AGAIN, _THANKS, _SORRY, _LATER)



def opening(topic: str | None) -> str:
    """What a survey about an order of `topic` begins with: the same for every caller of it."""
    what = f"{topic}的问题" if topic else "问题"
    return f"{_HELLO}您之前反映的{what}，承办单位已经办理并反馈了结果。{_CONSENT}"


# Declining the survey, whatever was asked ("不方便", "别打了", "没空").
_DECLINE = re.compile(r"不方便|没空|没时间|别(?:再)?打|不用(?:回访|了)|不需要|不想(?:说|回答|评价)|不接受|挂了")
# (好 takes in 好的, 好了 and 修好了.)
_YES = re.compile(r"方便|可以|行|好|是|对|有|联系(?:过|了)|打过|来过|来了|解决了")
# A no: said before the yes words are looked for, as 没有联系 holds 联系.
_NO = re.compile(r"没有|没|不是|不对|还没|未|没人|老样子|还是那样")
# Satisfaction, most specific first: 不满意 holds 满意, 基本满意 too.
_SATISFACTION = (
    ("不满意", re.compile(r"不满意|不太满意|不怎么满意|很不满|差|不行")),
    ("基本满意", re.compile(r"基本满意|还行|还可以|凑合|一般|马马虎虎|还算满意|比较满意")),
    ("满意", re.compile(r"满意|挺好|很好|非常好|不错")),
)
# What callers answer each question with, word for word: a spoken answer the rules cannot read is
# taken as the one of these that best fits its audio (Whisper reads a word or two poorly).
SPOKEN_ANSWERS = {
    "consent": ("方便", "可以", "好的", "不方便", "没空"),
    "contacted": ("联系过", "联系了", "有", "没有", "没联系"),
    "solved": ("解决了", "没解决", "还没解决", "没有"),
    "satisfaction": ("满意", "基本满意", "不满意", "还行", "一般", "非常满意"),
}
_KEYS = {
    "consent": {"1": True, "2": False},
    "contacted": {"1": True, "2": False},
    "solved": {"1": True, "2": False},
    "satisfaction": {"1": "满意", "2": "基本满意", "3": "不满意"},
}


def _yes_or_no(text: str) -> bool | None:
    if _NO.search(text):
        return False
    return True if _YES.search(text) else None


def _satisfaction(text: str) -> str | None:
    return next((level for level, words in _SATISFACTION if words.search(text)), None)


@dataclass
class Survey:
    """One callback survey. `opening()` first, then `hear(...)` with each answer until a step ends it."""

    topic: str | None = None
    answers: dict[str, object] = field(default_factory=dict)
    _asking: str = "consent"
    _unclear: int = 0

    def opening(self) -> str:
        return opening(self.topic)

    @property
    def spoken_answers(self) -> tuple[str, ...]:
        """What the question now asked is answered with, in words."""
        return SPOKEN_ANSWERS[self._asking]

    def understands(self, text: str) -> bool:
        """Whether `text` answers the question now asked (or declines)."""
        text = re.sub(r"\s", "", text)
        return bool(text) and (bool(_DECLINE.search(text)) or self._read(text, "") is not None)

    def hear(self, text: str = "", keys: str = "") -> SurveyStep:
        """The caller's answer to the question asked: keys pressed, or words (as recognised)."""
        text = re.sub(r"\s", "", text)
        if _DECLINE.search(text):
            return SurveyStep(_SORRY, SurveyEnd.DECLINED)
        answer = self._read(text, keys.strip()[-1:] if keys.strip() else "")
        if answer is None:
            self._unclear += 1
            if self._unclear >= 2:
                return SurveyStep(_LATER, SurveyEnd.UNCLEAR)
            return SurveyStep(_AGAIN + (_CONSENT if self._asking == "consent" else _QUESTIONS[self._asking]))
        self._unclear = 0
        if self._asking == "consent":
            if answer is False:
                return SurveyStep(_SORRY, SurveyEnd.DECLINED)
        else:
            self.answers[self._asking] = answer
        remaining = [q for q in _QUESTIONS if q not in self.answers]
        if not remaining:
            return SurveyStep(_THANKS, SurveyEnd.ANSWERED)
        self._asking = remaining[0]
        return SurveyStep(_QUESTIONS[self._asking])

    def _read(self, text: str, key: str) -> object | None:
        if key:
            return _KEYS[self._asking].get(key)
        if self._asking == "satisfaction":
            return _satisfaction(text)
        return _yes_or_no(text)

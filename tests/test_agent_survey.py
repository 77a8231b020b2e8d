"""The callback survey dialogue: keypad or words, asked again once when unclear, declined at any
point; sentences written for these tests."""

from __future__ import annotations

import pytest

from agent.survey import Survey, SurveyEnd


def run(*answers: tuple[str, str]) -> tuple[Survey, list]:
    survey = Survey(topic="噪音扰民-夜间施工")
    assert "噪音扰民-夜间施工" in survey.opening() and "按1" in survey.opening()
    return survey, [survey.hear(text=text, keys=keys) for text, keys in answers]


def test_answered_by_keypad() -> None:
    survey, steps = run(("", "1"), ("", "1"), ("", "2"), ("", "3"))
    assert [s.end for s in steps] == [None, None, None, SurveyEnd.ANSWERED]
    assert survey.answers == {"contacted": True, "solved": False, "satisfaction": "不满意"}


@pytest.mark.parametrize(("said", "expected"), [
    (("可以，你问吧", "嗯，前天街道的人打过电话", "修好了，现在晚上不施工了", "挺满意的"),
     {"contacted": True, "solved": True, "satisfaction": "满意"}),
    (("方便", "没有，一直没人联系我", "还是老样子", "不太满意"),
     {"contacted": False, "solved": False, "satisfaction": "不满意"}),
    (("行", "联系过", "解决了", "还行吧，一般"),
     {"contacted": True, "solved": True, "satisfaction": "基本满意"}),
])
def test_answered_in_words(said, expected) -> None:  # noqa: ANN001
    survey, steps = run(*((text, "") for text in said))
    assert steps[-1].end == SurveyEnd.ANSWERED and survey.answers == expected


def test_an_unclear_answer_is_asked_again_once_then_left_for_later() -> None:
    survey, steps = run(("", "1"), ("喂喂，你说什么", ""), ("", "1"), ("嗯……那个", ""), ("啊？", ""))
    assert steps[1].end is None and steps[1].say.startswith("抱歉，没有听清") and "联系" in steps[1].say
    assert steps[2].end is None and survey.answers == {"contacted": True}
    assert steps[3].end is None
    assert steps[4].end == SurveyEnd.UNCLEAR
    # A key no question names is no answer either.
    survey, steps = run(("", "9"), ("", "7"))
    assert steps[-1].end == SurveyEnd.UNCLEAR


@pytest.mark.parametrize("answers", [
    (("不方便，正开车呢", ""),),
    (("", "2"),),
    (("", "1"), ("你们别再打了", "")),
])
def test_a_caller_may_decline(answers) -> None:  # noqa: ANN001
    _, steps = run(*answers)
    assert steps[-1].end == SurveyEnd.DECLINED and "不打扰" in steps[-1].say

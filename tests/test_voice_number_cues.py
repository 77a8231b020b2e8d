"""Where a caller announces a phone number, and the stretch the recogniser wrote for it."""

from __future__ import annotations

import pytest

from voice.asr.number_cues import announced_numbers


@pytest.mark.parametrize(
    ("text", "stretch", "digits"),
    [
        # 一九一，五八四七，零三零六: single digits said slowly came out as words that sound like them.
        ("我姓冯，冯女士，电话依舅，依584703066。", "依舅，依584703066", "584703066"),
        ("我叫郭大勇，电话是一三三四八十名二二六一。", "一三三四八十名二二六一", "133482261"),
        # every digit heard as a word but the last five
        ("我信访，总理是电话依旧，义务律师七零三零六。", "依旧，义务律师七零三零六", "70306"),
        # a run that goes on past the span is taken whole
        ("他手机数，1 3次，1 0 8,5 2 7 6，你们直接跟他联系。", "数，1 3次，1 0 8,5 2 7 6", "131085276"),
        # past a second cue, the copula and the pause
        ("您记一下我的电话号码是：幺三次，二七七八，五二一四。", "幺三次，二七七八，五二一四", "1327785214"),
        # eight digits after others said first end a mobile number, they are no local landline
        ("我姓范，电话193开开，58407676的。", "193开开，58407676", "19358407676"),
        ("它手机是13次，1108,5276，你们要原直接跟它练习。", "13次，1108,5276", "1311085276"),
    ],
)
def test_a_number_announced_and_written_partly_as_words_is_found(text: str, stretch: str, digits: str) -> None:
    (found,) = announced_numbers(text)
    assert text[found.start : found.end] == stretch
    assert found.digits == digits and found.length == 11


@pytest.mark.parametrize(
    "text",
    [
        "我姓吴，电话幺三七，二二零八，五五六一。",  # a run Whisper wrote whole is read where it lies
        "我的电话是：010，6512，3456。",
        "电话是：六五一二，三四五六。",  # a local landline
        "我给物业打了三四回电话，没人管。",  # a count, not a number
        "电话我就不方便留了，我家在三号楼二单元五零一。",  # words after the cue, then the place
        "电话就用我现在打的这个号。",
        "他手机也没带，穿一件灰色的夹克。",
        "我叫凡利明电话159，112-0368，",  # a run that lost a digit is read where it lies
        # a place misheard with 电话 in it (海淀花园路 as 海电话原路): its numbers count floors and
        # doors, none is dictated
        "海电话原路接到五单原北里。三号楼二单元，我叫段文静",
        "电话那头说了，他家是七号楼三层，两个老人。",
    ],
)
def test_no_stretch_where_no_number_was_written_as_words(text: str) -> None:
    assert announced_numbers(text) == []

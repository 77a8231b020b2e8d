"""Phone and ID numbers masked in text that leaves the call (agent/privacy.py)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from agent.privacy import PiiMasker, find_numbers, fold_digits, mask_pii

# How a caller's digit can come out of the recogniser.
_WRITTEN = {
    "0": "0零洞〇０", "1": "1一幺要腰邀药妖１", "2": "2二两２", "3": "3三", "4": "4四", "5": "5五",
    "6": "6六", "7": "7七", "8": "8八", "9": "9九",
}
_PAUSES = ["", " ", "，", ",", "、", "-", ". ", "，，"]
# Words around a number that hold no digit character.
_WORDS = ["我的电话是", "手机号", "您记好", "好的", "谢谢", "身份证号码", "座机", "联系我", "对", "就这个"]


@st.composite
def dictated(draw: st.DrawFn, digits: st.SearchStrategy[str]) -> tuple[str, str]:
    """(the number, how the recogniser wrote it): digits in any spelling, cut into groups."""
    number = draw(digits)
    text, i = "", 0
    while i < len(number):
        size = draw(st.integers(1, 5))
        group = number[i:i + size]
        text += "".join(draw(st.sampled_from(_WRITTEN[d])) if d in _WRITTEN else d for d in group)
        i += size
        if i < len(number):
            text += draw(st.sampled_from(_PAUSES))
    return number, text


mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
landlines = st.from_regex(r"(010)?[2-9][0-9]{7}", fullmatch=True)
ids = st.from_regex(r"[1-6][0-9]{16}[0-9X]", fullmatch=True)


def _surrounded(draw: st.DrawFn, text: str) -> str:
    return draw(st.sampled_from(_WORDS)) + text + draw(st.sampled_from(_WORDS))


@settings(max_examples=300, deadline=None)
@given(st.data(), st.one_of(mobiles, landlines, ids))
def test_a_masked_number_leaves_none_of_its_digits(data: st.DataObject, digits: str) -> None:
    number, written = data.draw(dictated(st.just(digits)))
    text = _surrounded(data.draw, written)
    masked = mask_pii(text)
    assert fold_digits(masked) == "", (text, masked)
    assert "[电话]" in masked or "[证件号]" in masked


@settings(max_examples=200, deadline=None)
@given(st.data(), mobiles)
def test_a_corrected_number_is_masked_with_its_correction(data: st.DataObject, digits: str) -> None:
    _, written = data.draw(dictated(st.just(digits)))
    _, again = data.draw(dictated(st.just(digits[-4:])))
    text = f"电话{written}，不对，是{again}，谢谢"
    masked = mask_pii(text)
    assert fold_digits(masked) == "", (text, masked)


@settings(max_examples=200, deadline=None)
@given(st.data(), st.one_of(mobiles, ids))
def test_numbered_placeholders_come_back_as_said(data: st.DataObject, digits: str) -> None:
    _, written = data.draw(dictated(st.just(digits)))
    masker = PiiMasker()
    masked = masker.mask(f"号码是{written}。")
    assert fold_digits(masked) == "1"  # only the placeholder's own number: [电话1]
    assert masker.restore(masked) == f"号码是{written}。"


def test_the_kind_of_number_is_named() -> None:
    assert mask_pii("我的手机是一三九，一一二二，三三四四。") == "我的手机是[电话]。"
    assert mask_pii("身份证号11010519491231002X，对") == "身份证号[证件号]，对"
    assert mask_pii("身份证 110105 19491231 0021") == "身份证 [证件号]"
    assert mask_pii("座机010-8888-6666，找王先生") == "座机[电话]，找王先生"
    assert mask_pii("幺三八要要二二三三四四") == "[电话]"
    # A number said with a correction can have 15 or 18 digits; it is still a phone number.
    assert mask_pii("一三九一一二二三三四四，不对，三三四五") == "[电话]"


def test_short_numbers_and_everyday_words_stay() -> None:
    for text in ("我住六零二室，三号楼二单元", "两三天了，2024年交了1500元", "我要投诉", "拨打12345就行",
                 "一五零一房间"):
        assert mask_pii(text) == text
    # Only the number goes, not the room or building number said apart from it.
    assert mask_pii("我住六零二，电话13911223344") == "我住六零二，电话[电话]"
    assert mask_pii("电话13911223344，3号楼2单元") == "电话[电话]，3号楼2单元"
    assert mask_pii("电话一三九一一二二三三四四，三号楼") == "电话[电话]，三号楼"


def test_the_same_number_gets_the_same_placeholder() -> None:
    masker = PiiMasker()
    first = masker.mask("电话一三九一一二二三三四四")
    second = masker.mask("再说一遍：139 1122 3344，座机88886666")
    assert first == "电话[电话1]"
    assert second == "再说一遍：[电话1]，座机[电话2]"
    assert masker.restore("好的，[电话2]和【电话1】") == "好的，88886666和一三九一一二二三三四四"
    assert masker.restore("[电话7]") == "[电话7]"  # nothing to put back: left as the model wrote it


def test_numbers_are_found_with_their_place() -> None:
    text = "我叫王立新，电话139 1122 3344。"
    [span] = find_numbers(text)
    assert text[span.start:span.end] == "139 1122 3344"
    assert span.digits == "13911223344"

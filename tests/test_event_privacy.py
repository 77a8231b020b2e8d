"""What a call's live events may say of the caller (server/telephony/event_privacy.py): numbers by
their last four digits, names by their surname, in the words and in the seat's reading."""

from __future__ import annotations

from agent.privacy import fold_digits, masked_name, masked_number
from server.telephony.event_privacy import masked_event, masked_words


def test_numbers_keep_four_digits_and_names_their_surname() -> None:
    assert masked_number("13811998877") == "138****8877"
    assert masked_number("110101199003071234") == "**************1234"
    assert masked_number("一三八，一一九九，八八七七") == "138****8877"
    assert masked_number("2046") == "2046"  # a room, not a number to hide
    assert masked_name("陈立新") == "陈**" and masked_name("欧阳娜娜") == "欧***"
    assert masked_name("马先生") == "马先生" and masked_name("李先生/女士") == "李先生/女士"


def test_the_words_lose_every_dictated_number_and_the_name_they_give() -> None:
    said = "我叫陈立新，电话幺三八，一一九九，八八七七，住在3号楼"
    masked = masked_words(said)
    assert "陈立新" not in masked and "陈**" in masked
    assert "13811998877" not in fold_digits(masked) and "8877" in masked
    assert "3号楼" in masked  # an address's small numbers stay
    # A name the seat read earlier is masked where it comes again, the given name alone too.
    assert masked_words("好的，立新，我记下了", ["陈立新"]) == "好的，**，我记下了"


def test_an_event_masks_its_reading_and_leaves_the_rest() -> None:
    event = {"turn": 2, "phone": "13811998877", "caller_name": "陈立新", "category": "投诉",
             "summary": "投诉：陈立新反映，电话13811998877", "urgent": False, "caller": "+8613700001111"}
    masked = masked_event(event)
    assert masked["phone"] == "138****8877" and masked["caller_name"] == "陈**"
    assert masked["caller"].endswith("1111") and "13700001111" not in masked["caller"]
    assert "陈立新" not in masked["summary"] and "13811998877" not in masked["summary"]
    assert (masked["turn"], masked["category"], masked["urgent"]) == (2, "投诉", False)

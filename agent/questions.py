"""What the seat asks next while a work order is being taken, and how it reads the order back.

One or two things at a time, in the order a dispatcher needs them: the place (district, then the
address), the callback number (the line's own number offered first, a bad one asked for again
once), then the name; each asked at most twice. When nothing is missing the order is read back in
one sentence, the number in groups as people say it.
"""

from __future__ import annotations

from agent import replies
from agent.state import AWAIT_CONFIRM, AWAIT_LINE_CONFIRM, AWAIT_NAME, AWAIT_PHONE, AWAIT_PLACE, CallState
from knowledge.catalogue import CatalogueEntry


def next_question(s: CallState, caller_number: str | None) -> str | None:
    """The question for what is still missing (None: nothing is), marked as asked in `s`.
    `caller_number` is the number of the line the caller rings from, if the carrier gave it."""
    if not s.has_place and s.times_asked(AWAIT_PLACE) < 2:
        s.ask(AWAIT_PLACE)
        if s.district is None and s.address is None:
            return replies.ASK_PLACE
        return replies.ASK_DISTRICT if s.district is None else replies.ASK_ADDRESS
    if s.phone is None and s.times_asked(AWAIT_PHONE) + s.times_asked(AWAIT_LINE_CONFIRM) < 2:
        if s.bad_phone:
            s.bad_phone = None
            s.ask(AWAIT_PHONE)
            return replies.ASK_PHONE_AGAIN
        if caller_number and not s.line_offered and not s.line_declined:
            s.line_offered = True
            s.ask(AWAIT_LINE_CONFIRM)
            return replies.confirm_line_number(caller_number)
        ask_name_too = not s.name_settled
        s.ask(AWAIT_PHONE)
        if ask_name_too:
            s.asked[AWAIT_NAME] = s.times_asked(AWAIT_NAME) + 1
            return replies.ASK_PHONE + replies.ASK_NAME
        return replies.ASK_PHONE
    if not s.name_settled:
        s.ask(AWAIT_NAME)
        return replies.ASK_NAME
    return None


def read_back(s: CallState, what: CatalogueEntry | None, callback_number: str | None, corrected: bool = False) -> str:
    """The order in one sentence (what, where, the number to call back), awaiting 对 or 不对."""
    s.read_back = True
    s.ask(AWAIT_CONFIRM)
    place = "".join(p for p in (s.district, s.street, s.address) if p) or None
    return replies.readback(replies.spoken_topic(what), place, callback_number, corrected)

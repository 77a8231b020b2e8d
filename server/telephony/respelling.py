"""A turn's words respelt on the audio once the seat has answered it (voice/asr/respelling.py).

Respelling costs about a sixth of the turn's decode (bench/asr_respelling.py), all of it added to
the caller's wait when it ran before the reply: bench/load_calls.py gave a median end of speech →
first reply audio of 1,053 ms (one call) and 1,565 ms (four) with it in front, 984 and 1,262 ms
with it behind, in runs an hour apart on this shared machine. The seat matches names by sound
itself, so it answers the words as decoded, and the respelling runs while the caller listens to
the reply. The stored turn and a second `final` event carry the respelt words,
and the seat takes them in place of the decoded ones where, reading them, it would have answered
the same (the caller heard that answer): its work order then holds 回龙观, not 回笼官.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import numpy as np

from agent import replies
from agent.knowledge import SeatKnowledge
from agent.name_respelling import name_not_caught, surname_respellings, with_name_heard_again
from agent.seat import Seat, SeatSnapshot
from agent.state import AWAIT_MORE
from agent.types import RECORD_CATEGORIES
from server.services import Services
from server.telephony.call_record import draft_of
from server.telephony.call_state import AnsweredTurn, CallState
from voice.asr.base import Segment
from voice.asr.respelling import Candidate, respell

log = logging.getLogger("hotline.call")


async def respell_answered(
    services: Services,
    knowledge: SeatKnowledge,
    state: CallState,
    answered: AnsweredTurn,
    reply_text: str,
    heard: tuple[np.ndarray, list[Segment]],
    publish: Callable[..., None],
) -> None:
    """Respell the answered turn's words on its audio (`heard`: the audio and the decoder's segments);
    store and publish them if they changed, and let the seat take them."""
    audio, segments = heard
    text, recognizer = answered.text, services.recognizer

    def respelt() -> tuple[str, list[Candidate], list[Candidate], bool]:
        # Finding the candidates is work too: on the worker, off the call's event loop.
        heard_again = None
        # (what the seat had asked is in the snapshot taken before the turn: no copy of the seat)
        if name_not_caught(text, answered.before.state.name_wanted):
            heard_again = with_name_heard_again(text, recognizer.listen_again(audio))
        words = heard_again or text
        surnames = surname_respellings(words)
        better, chosen = respell(audio, words, segments, knowledge.misspellings.find(words) + surnames,
                                 recognizer.score_texts)
        return better, chosen, surnames, heard_again is not None

    better, chosen, surnames, name_again = await services.run_soon(respelt)
    if not chosen and not name_again:
        return
    # The terms respelt are gazetteer and service words, logged; a caller's surname or name is not.
    words = [candidate[0] for candidate in chosen if candidate not in surnames]
    log.debug("call %s: turn %d respelt as %s%s%s", state.start.call_sid, answered.index, words,
              " and a surname" if len(words) < len(chosen) else "", " and a name heard again" if name_again else "")
    state.record.turn_text(answered.index, better)
    # Events number turns as the caller spoke them (partials, the first final): the same turn here.
    publish("final", turn=answered.number, text=better, respelt=True)

    # The seat reads the respelt words on a copy, from where it was before the turn: a barge-in
    # or the next turn may touch the seat itself meanwhile. The seat is not touched between turns
    # but for a reply cut short; a caller who has only started the next turn (its turn waits for
    # this one) changes nothing the copy lacks. Under `hotline simulate`, which speaks again as soon
    # as a reply ends, most respellings land so.
    taken = await asyncio.to_thread(reread, state.seat, answered.before, better, reply_text)
    if taken is None or state.answered is not answered or answered.cut_short:
        return
    copy, late_words = taken
    # `answered.text` stays as decoded: a caller who only coughs after the reply says it again.
    state.seat.restore(copy.snapshot())
    state.record.draft(draft_of(state.seat))
    if late_words is not None:
        log.info("call %s: turn %d's respelt words change the answer", state.start.call_sid, answered.index)
        state.speaker.say(late_words, name=None)


def reread(seat: Seat, before: SeatSnapshot, better: str, reply_text: str) -> tuple[Seat, str | None] | None:
    """The seat having heard the respelt words instead, if it takes them, and what to say now:
    taken where it answers them the same; where they tell of a danger the words as decoded did not
    (晕到 respelt 晕倒), with the safety advice said late rather than never; where they ask what the
    knowledge base answers and the words as decoded got another answer or none (基础证 respelt
    居住证), with the right answer; where they say what the call is about and the words as decoded
    did not, with the reply to them. None: the words as decoded stand."""
    copy = seat.fork()
    copy.restore(before)
    reply = copy.turn(better)
    if reply.text == reply_text:
        return copy, None
    if copy.outcome().urgent and not seat.outcome().urgent:
        return copy, replies.late_safety_advice(copy.safety_advice_given() - seat.safety_advice_given())
    if reply.action == "answer" and reply.kb_article is not None:
        return copy, replies.LATE_ANSWER + "".join(reply.sentences())
    if seat.outcome().category is None and copy.outcome().category is not None:
        # The decoded words told the seat nothing (it asked what the call is about); the respelt
        # ones do, and the caller need not tell it all again.
        return copy, replies.LATE_UNDERSTOOD + "".join(reply.sentences())
    if _knows_more(seat, copy):
        return copy, None
    return None


_ASKING = ("place", "phone", "line_confirm", "name")


def _knows_more(decoded: Seat, respelt: Seat) -> bool:
    """The respelt words tell the seat more of the order and change nothing else the caller heard:
    the decoded reply asked for a detail of the order and the respelt one would ask for another,
    the call is of the same kind, and every detail the decoded words gave is still there (a place
    heard as 外有七全个阶档 that the respelling reads as 怀柔区泉河街道). Nothing needs saying: the caller
    answers the question they heard, and the seat no longer needs to ask it again. A praise or
    a suggestion (no order, so nothing to read back) may need nothing more at all: its place, asked
    for once, is then kept though the caller never says it again."""
    if decoded.expecting() not in _ASKING:
        return False
    had, has = decoded.outcome(), respelt.outcome()
    if respelt.expecting() not in _ASKING and not (respelt.expecting() == AWAIT_MORE and has.route == "answer"
                                                   and has.category in RECORD_CATEGORIES):
        return False
    if (had.category, had.route) != (has.category, has.route) or had.topic not in (None, has.topic):
        return False
    if had.urgent > has.urgent:
        return False
    fields = ("district", "street", "phone", "caller_name")
    before = [getattr(had.caller, f) is not None for f in fields]
    after = [getattr(has.caller, f) is not None for f in fields]
    return all(a or not b for a, b in zip(after, before, strict=True)) and sum(after) > sum(before)

"""The LLM backend of the seat: a model reads the turn, the caller's own words decide what is kept.

Every turn is read by the offline rules first (cheap, and the fallback); then the model reads it
into a TurnRead. Of the model's reading the seat takes:
- danger only added to what the safety rules heard, never taken away (an LLM answer cannot switch
  the safety guard off), and only a kind whose matter the caller spoke of (agent.grounding);
- its category as strong framing evidence, which the one dialogue policy weighs with the rest;
- slot values only where the transcript bears them out (agent.grounding) and, for places, only
  names of the gazetteer: an invented 13800138000 or 张三 never reaches an order;
- the KB article it judged to answer the turn, from the candidates it was shown.
When the model errs, times out or writes invalid output (after one retry), the offline reading
takes the turn and says why (`reading.fallback`), to be stored with the turn.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace

from agent.consult import CANDIDATES, Consultant
from agent.grounding import (
    address_is_grounded,
    danger_is_grounded,
    name_is_grounded,
    phone_is_grounded,
    place_is_grounded,
)
from agent.knowledge import SeatKnowledge
from agent.llm.client import LlmClient, LlmUnavailable
from agent.llm.prompting import ReplyPlan, TurnContext
from agent.llm.schema import TurnRead
from agent.names import NameHeard
from agent.phone import HeardNumber, is_plausible
from agent.place import PlaceHeard
from agent.reading import TurnReading
from agent.safety import POLICE_KINDS
from agent.understanding import CallView, OfflineUnderstanding, WordingFailed
from knowledge.gazetteer import Gazetteer
from knowledge.kb import KbArticle

log = logging.getLogger(__name__)

# The model's category for the turn weighs as much as a caller naming the kind of call.
LLM_CATEGORY_WEIGHT = 4.0
# The longest turn still read as a short answer (对, 不是, 对的没错就这个号).
_SHORT_ANSWER = 15
_STREET_SUFFIXES = ("街道", "镇", "乡", "地区")


class LlmUnderstanding:
    name = "llm"

    def __init__(self, client: LlmClient, knowledge: SeatKnowledge, word_replies: bool = True):
        self._client = client
        self._word_replies = word_replies
        self._gazetteer = knowledge.gazetteer
        self._consultant = Consultant(knowledge.kb, knowledge.sound_corrector)
        self._offline = OfflineUnderstanding(knowledge.gazetteer)

    def read(self, text: str, call: CallView) -> TurnReading:
        offline = self._offline.read(text, call)
        context = TurnContext(
            asked=call.asked, known=call.known, recent=call.recent,
            articles=self._consultant.candidates(text, CANDIDATES),
        )
        try:
            read = self._client.read_turn(text, context)
        except LlmUnavailable as exc:
            log.info("LLM reading failed (%s); the offline backend takes the turn", exc.reason)
            return replace(offline, fallback=exc.reason)
        return merge_reading(offline, read, f"{call.earlier}{text}", self._gazetteer)

    def word_answer(self, question: str, articles: Sequence[KbArticle]) -> tuple[Iterator[str], str]:
        try:
            sentences, cited = self._client.answer_consultation(question, articles)
        except LlmUnavailable as exc:
            raise WordingFailed(exc.reason) from exc
        return _until_it_fails(sentences), cited

    def word_reply(self, draft: str, caller_said: str) -> Iterator[str] | None:
        """The model says the seat's question or acknowledgement in its own words; a sentence with a
        figure in it is not said (the draft has none, so the model made it up)."""
        if not self._word_replies:
            return None
        stream = self._client.stream_reply(ReplyPlan(intent=_SAY_THE_DRAFT, draft=draft, caller_said=caller_said))
        try:
            first = next((s for s in stream if not _FIGURE.search(s)), None)
        except LlmUnavailable as exc:
            raise WordingFailed(exc.reason) from exc
        if first is None:
            raise WordingFailed("invalid")
        return itertools.chain([first], (s for s in _until_it_fails(stream) if not _FIGURE.search(s)))


# What the model is asked to do with the seat's own reply.
_SAY_THE_DRAFT = "按参考说法的意思回应来电者：问参考说法里的问题，不多问别的，不答应任何事"
# A figure (三天内, 两百块) or a promise (一定, 保证) the seat's own words did not make.
_FIGURE = re.compile(
    r"\d|[零一二两三四五六七八九十百千万幺]{2,}"
    r"|[零一二两三四五六七八九十百千万幺](?:天|日|个|小时|分钟|周|星期|礼拜|月|年|号|块|元|次|位|趟)"
    r"|一定|保证|肯定会|承诺|马上就"
)


def _until_it_fails(sentences: Iterator[str]) -> Iterator[str]:
    """The sentences the model gets out; a stream that breaks off later just ends (what was said
    stands, and the seat goes on with its own next words)."""
    try:
        yield from sentences
    except LlmUnavailable as exc:
        log.info("LLM answer broke off (%s) after its first sentence", exc.reason)


def merge_reading(offline: TurnReading, read: TurnRead, transcript: str, gazetteer: Gazetteer) -> TurnReading:
    """The offline reading with what the model read and the caller's words bear out."""
    safety = replace(offline.safety, kinds=set(offline.safety.kinds))  # all the offline judged, a copy
    proposed = {kind for kind in read.danger if danger_is_grounded(kind, transcript)}
    safety.kinds |= proposed
    safety.police = safety.police or bool(proposed & POLICE_KINDS)
    short = len(offline.text) <= _SHORT_ANSWER
    evidence = offline.evidence
    if read.category:
        evidence = replace(evidence, framing=dict(evidence.framing), named=dict(evidence.named))
        evidence.framing[read.category] += LLM_CATEGORY_WEIGHT
        evidence.asks = evidence.asks or (read.category == "咨询" and read.is_question)
    return replace(
        offline,
        evidence=evidence,
        safety=safety,
        wants_human=offline.wants_human or read.wants_human,
        # Yes and no are short answers: a small model marks a long question "affirms" too.
        yes=(read.affirms and short) or (offline.yes and not (read.denies and short)),
        no=(read.denies and short) or (offline.no and not (read.affirms and short)),
        thats_all=offline.thats_all or read.done,
        phone=_phone(read, transcript) or offline.phone,
        line_number=offline.line_number or read.use_line_number,
        name=_name(read, transcript) or offline.name,
        place=_place(read, transcript, gazetteer, offline.place),
        # A correction is the caller's own words taking something back ("不对", "是…不是…"); a model's
        # "corrects" alone changes nothing (a 1.5B marks first mentions as corrections).
        corrects=offline.corrects,
        backend="llm",
        kb_choice=read.kb_article,
    )


def _phone(read: TurnRead, transcript: str) -> HeardNumber | None:
    if not read.phone or not phone_is_grounded(read.phone, transcript):
        return None
    return HeardNumber(read.phone if is_plausible(read.phone) else None, read.phone, 0, 0, cued=True)


def _name(read: TurnRead, transcript: str) -> NameHeard | None:
    if read.name_declined:
        return NameHeard(None, declined=True)
    if read.name and name_is_grounded(read.name, transcript):
        return NameHeard(read.name, declined=False)
    return None


def _place(read: TurnRead, transcript: str, gazetteer: Gazetteer, heard: PlaceHeard | None) -> PlaceHeard | None:
    """The incident place: what the model read, as gazetteer names the caller said, over what the
    rules heard, field by field (a model that leaves the address out does not take it away); a place
    that is only where the caller lives is not where the problem is."""
    if read.place_is_callers_home:
        return heard
    district = _gazetteer_district(read.district, gazetteer)
    if district and not place_is_grounded(district, transcript):
        district = None
    street = _gazetteer_street(read.street, district, gazetteer)
    if street and not place_is_grounded(street, transcript):
        street = None
    if street and district is None:
        homes = gazetteer.districts_of(street)
        district = homes[0] if len(homes) == 1 else None
    address = read.address if read.address and address_is_grounded(read.address, transcript) else None
    if not (district or street or address):
        return heard
    if heard is None:
        return PlaceHeard(district, street, address, 0.9)
    if district and district != heard.district:  # another district: its streets are not the rules' street
        return PlaceHeard(district, street, address or heard.address, 0.9, spans=heard.spans)
    return PlaceHeard(district or heard.district, street or heard.street, address or heard.address, 0.9,
                      spans=heard.spans)


def _gazetteer_district(name: str | None, gazetteer: Gazetteer) -> str | None:
    if not name:
        return None
    districts = gazetteer.districts()
    return next((d for d in (name, f"{name}区") if d in districts), None)


def _gazetteer_street(name: str | None, district: str | None, gazetteer: Gazetteer) -> str | None:
    if not name:
        return None
    pool = gazetteer.streets(district) if district else [s for d in gazetteer.districts() for s in gazetteer.streets(d)]
    return next((s for s in (name, *(name + suffix for suffix in _STREET_SUFFIXES)) if s in pool), None)

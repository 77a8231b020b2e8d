"""What one call knows so far, and how each turn's reading is folded into it.

Every turn is read for every slot, whatever the seat asked; a correction replaces what it corrects.
The category follows the conversation: what the caller says now weighs more than before, a
consultation becomes a work order on the caller's own grievance, a named complaint or a volunteered
incident place, and a complaint never becomes a consultation by a question about it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agent.category import CLEAR_TOPIC, PROBLEM_FRAMING, UNANSWERED_KB, decide_category
from agent.consult import Consultant
from agent.danger_cues import KIND_AS_TOPIC
from agent.names import UNKNOWN_TITLE
from agent.phone import rest_of_number
from agent.place import corrected_address, without_place
from agent.reading import TurnReading
from agent.state import (
    AWAIT_LINE_CONFIRM,
    AWAIT_NAME,
    AWAIT_PHONE,
    AWAIT_PLACE,
    CallState,
    TopicTracker,
)
from agent.types import RECORD_CATEGORIES, TICKET_CATEGORIES
from knowledge.catalogue import CatalogueEntry
from knowledge.kb import KbArticle

# A category, once acted on, changes only for clearly stronger evidence or the caller's own words.
_CATEGORY_SWITCH_MARGIN = 2.0
# A knowledge-base answer this sure turns a call only its topic called a problem into a consultation.
_CONFIDENT_KB = 0.5
# How much the category evidence of earlier turns counts beside the turn just heard.
_EARLIER_TURNS_WEIGHT = 0.5
# A turn's own framing of a problem that makes a consultation a work order ("找了三回了，到现在也
# 没动静", "我要投诉他们"); and a turn that frames a grievance this strongly is never answered
# from the knowledge base, whatever words it shares with an article.
_TURN_TICKET_FRAMING = 2.0


def _said_of_name(name: str | None) -> int:
    """How much of a name the caller said: a full name beats a surname, "先生/女士" adds nothing."""
    return len((name or "").replace(UNKNOWN_TITLE, ""))


# A problem told as one (管管, 一到晚上) that the catalogue knows this surely makes a KB article about
# something else count this much; a circumstance (给我爸看病) is no problem told.
_CLEAR_PROBLEM = 0.6
_UNRELATED_ARTICLE = 0.3
# Articles about calling us (how long an order takes, how praise is taken) speak to every problem.
_ABOUT_THE_HOTLINE = re.compile(r"12345|热线|受理|回访|办理时限")
# The caller names what the call is about: "我反映个私搭乱建的事儿", "我要投诉楼下烧烤店的油烟问题".
_ANNOUNCED = re.compile(
    r"(?:反映|投诉|举报|说|报)(?:一下|一)?个?([^，,。.！!？?]{2,14}?)(?:的)?(?:事儿?|问题|情况)"
)
# "我要说的是……", "我打电话是为这个：……": what follows is what the call is about.
_SAYS_WHAT_IT_IS_ABOUT = re.compile(
    r"(?:我(?:要|想|主要是想)?(?:说|反映|讲)的(?:是|就是)|我打(?:这个)?电话是为(?:了)?(?:这个|这事儿?)"
    r"|我打(?:这个)?电话(?:主要)?是想说)[：:，,。 ]*([^。.！!？?]{2,24})"
)
_ANNOUNCED_WEIGHT = 0.5
# An address that says only roughly where ("方庄那边", "这附近"): the place told before says more.
_VAGUE_ADDRESS = re.compile(r"\w{0,4}?(?:那边|这边|附近|一带|那块儿?|这块儿?|那儿|这儿|那片儿?|这片儿?)")


# "我们是干装修的", "我是开出租的": the caller's trade, not what the call is about (the wages
# the builder owes them, not the noise of building).
_TRADE = re.compile(
    # (also where: "我们是在良乡一个工地上干装修的")
    r"(?:我|我们|俺|俺们|咱|咱们)(?:几个人?|俩|仨|这些人)?(?:都)?(?:是)?(?:在[^，。,.！!？?]{1,14}?)?"
    r"(?:是(?:干|做|搞|开|跑|送)|干|做|搞)(\w{1,4}?)的"
)

# What an answer did not mend: told it, the caller contradicts it and tells of the problem as still
# there, or of whoever should handle it as out of reach.
_ANSWER_DID_NOT_HELP = re.compile(
    r"(?:^|[，,。.！!]|那|可)不对(?:啊|呀|吧)?[，,。.！!]?.{0,30}(?:还是|一直|到现在|至今|压根|根本)"
    r"|(?:打不通|没人接|找不着人|推来推去|踢皮球)"
)

# Answered, a caller who will see to it themself ("行，我让他自己弄去", "那我自己上网约吧") wants
# nothing handled, though they leave where they are and a number.
_SEES_TO_IT_THEMSELF = re.compile(
    r"(?:我|让他|让她|叫他|叫她|让孩子)自己(?:再|去|来|先)?(?:弄|办|查|上网|跑|约|预约|申请|问|找)"
)
# "打他手机", "打我电话": a call, not a blow.
_CALLING = re.compile(r"打(?:我|他|她|你|我们|他们)?(?:的)?(?:家)?(?:手机|电话|座机)")


def _aside_spans(text: str, place_spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans that say nothing of the problem: the caller's trade, a phone call made, and the names
    of district and street (椿树街道 is no tree, 花园路 no garden)."""
    return [*(m.span(1) for m in _TRADE.finditer(text)), *(m.span() for m in _CALLING.finditer(text)), *place_spans]


# Thanks said in so many words (挺好的 praises a pastime, it thanks no one).
_THANKS = re.compile(r"谢谢|感谢|道谢|致谢")


class CallMemory:
    def __init__(self, topics: TopicTracker, consultant: Consultant, caller_number: str | None):
        self.state = CallState()
        self.topics = topics
        self._consultant = consultant
        self.caller_number = caller_number

    def remember(self, r: TurnReading) -> None:
        """Fold one turn's reading into what the call knows: every slot, whatever was asked."""
        s = self.state
        # What the caller says now weighs more than what they said before: a consultation that
        # turns into a complaint is a complaint.
        s.evidence.add(r.evidence, keep=_EARLIER_TURNS_WEIGHT)
        s.safety.merge(r.safety)
        for kind in sorted(r.safety.kinds & KIND_AS_TOPIC.keys()):
            words, weight = KIND_AS_TOPIC[kind]
            self.topics.hear(words, weight=weight)
        answering = s.awaiting in (AWAIT_PLACE, AWAIT_PHONE, AWAIT_NAME, AWAIT_LINE_CONFIRM)
        announced = _ANNOUNCED.search(r.text) or _SAYS_WHAT_IT_IS_ABOUT.search(r.text)
        if answering and r.gives_slots and not announced:
            # An answer to a slot question: the place words in it (底商, 菜市场) say where, not what.
            self.topics.hear(without_place(r.text), weight=0.5)
        else:
            self.topics.hear(r.text, aside=_aside_spans(r.text, r.place.spans if r.place else ()))
            s.problem_texts.append(r.text)
            if announced:
                # "我反映个私搭乱建的事儿", "我要说的是路灯坏了": what the caller says the call is
                # about outweighs the details told on the way (the drain pipe the new shed leads to
                # their door, last night's fight the dark street let happen).
                self.topics.hear(announced.group(1), weight=_ANNOUNCED_WEIGHT)
        self._remember_place(r)
        self._remember_phone(r)
        if r.name is not None:
            if r.name.declined:
                s.name_declined = s.name is None
            elif s.name is None or s.awaiting == AWAIT_NAME or _said_of_name(r.name.name) > _said_of_name(s.name):
                s.name = r.name.name

    def _remember_place(self, r: TurnReading) -> None:
        """Every turn is read for the place, whatever was asked. A place named with its district or
        street replaces one pieced together from loose words; a correction replaces what it corrects."""
        s = self.state
        asked = s.awaiting == AWAIT_PLACE
        if r.place is not None:
            same_district = r.place.district is None or r.place.district == s.district
            if r.place.home and s.district is not None and not asked:
                return  # where the caller lives, said beside the place of the problem already given
            replaces_home = s.place_is_home and not r.place.home
            if s.district is None or asked or r.corrects or replaces_home or (same_district and s.street is None):
                s.place_is_home = r.place.home
                s.district = r.place.district or s.district
                s.street = r.place.street or (s.street if same_district else None)
            if r.place.address and (s.address is None or asked or r.corrects or s.address_loose or replaces_home):
                s.address, s.address_loose = r.place.address, False
            told = s.address_told_before
            if told and s.district is not None and (s.address is None or _VAGUE_ADDRESS.fullmatch(s.address)):
                s.address, s.address_loose, s.address_told_before = told, False, None
        elif r.loose_address and not asked and s.district is None and s.address is None:
            s.address_told_before = s.address_told_before or r.loose_address
        elif r.loose_address and r.corrects and s.address is not None:
            s.address = corrected_address(s.address, r.loose_address)
        elif r.loose_address and (asked or s.address is None and s.district is not None):
            if s.address and r.loose_address not in s.address:
                s.address = f"{s.address}，{r.loose_address}"
            else:
                s.address = r.loose_address
            s.address_loose = s.address_loose or not asked

    def _remember_phone(self, r: TurnReading) -> None:
        s = self.state
        rest = rest_of_number(r.text, s.phone_begun) if s.phone_begun and s.phone is None else None
        if rest is not None:
            s.phone, s.bad_phone, s.phone_begun = rest, None, None  # begun in a turn before, ended now
        elif r.phone is not None and r.phone.number:
            s.phone, s.bad_phone, s.phone_begun = r.phone.number, None, None
        elif r.phone is not None and (s.phone is None or s.awaiting == AWAIT_PHONE):
            s.bad_phone = s.phone_begun = r.phone.digits
        elif r.line_number and self.caller_number and s.phone is None:
            s.phone = self.caller_number
        elif s.awaiting == AWAIT_LINE_CONFIRM and self.caller_number:
            if r.yes and not r.no:
                s.phone = self.caller_number
            elif r.no:
                s.line_declined = True

    def follow_category(self, r: TurnReading) -> str | None:
        """The call's category after this turn: it follows the conversation (see module doc)."""
        s = self.state
        best = self.topics.best(s.safety.urgent)
        hint, topic_conf = (best[0].category_hint, best[1]) if best else (None, 0.0)
        s.kb_confidence *= _EARLIER_TURNS_WEIGHT
        if r.evidence.asks and not self._grievance(r):
            hit = self._consultant.best(r.text)
            unsure = hit is None or self._consultant.confidence(hit[1]) < UNANSWERED_KB
            if unsure and s.last_article is None and s.category not in TICKET_CATEGORIES and len(s.turns) > 1:
                # "往后再碰上这种情况该干嘛？": what it asks about was told in the turns before.
                hit = self._consultant.best_after(r.text, s.turns[:-1]) or hit
            if hit is not None:
                confidence = self._consultant.confidence(hit[1])
                if best and self._beside_the_problem(r, best[0], topic_conf, hit[0]):
                    confidence *= _UNRELATED_ARTICLE
                s.kb_confidence = max(s.kb_confidence, confidence)
        new = decide_category(s.evidence, hint, topic_conf, s.kb_confidence)
        if s.category == "咨询" and r.safety.urgent:
            # Asked about a danger, then it is here ("家里要是闻着煤气味儿怎么办？" … "我现在就闻着有点儿"):
            # it is to be handled now, not explained again.
            return new if new in TICKET_CATEGORIES else hint if hint in TICKET_CATEGORIES else "求助"
        if (s.category == "咨询" and s.answered and new in (None, "咨询", *TICKET_CATEGORIES) and not r.evidence.asks
                and _ANSWER_DID_NOT_HELP.search(r.text)):
            # Answered, the caller says it does not hold for them: the problem is still there and
            # whoever should see to it cannot be reached ("那不对啊，暖气片还是凉的……电话打不通").
            return new if new in TICKET_CATEGORIES else hint if hint in TICKET_CATEGORIES else "投诉"
        if r.evidence.disowns_ticket and r.evidence.named["建议"] > 0:
            return "建议"  # "我也不是要投诉谁，我就是建议……": the caller's own word
        if r.evidence.disowns_ticket and _THANKS.search(r.text):
            return "表扬"  # "我打这个电话不是反映问题，是想谢谢人家": thanks, whatever went wrong before
        if r.evidence.disowns_ticket and r.evidence.asks and new in (None, "咨询", *TICKET_CATEGORIES):
            return "咨询"  # "我不是要告他，就想问问……": the caller's own word
        if (s.category == "咨询" and s.kb_article is not None and new in ("咨询", *TICKET_CATEGORIES)
                and self._hands_over_details(r, s)
                and not _SEES_TO_IT_THEMSELF.search(r.text)):
            # Answered, the caller gives where it is and how to reach them ("东城区…，我姓陈，回电话
            #就打这个号"): the answer was not enough, they want it handled.
            return hint if hint in TICKET_CATEGORIES else "投诉"
        if s.category is None or new is None or new == s.category:
            return new or s.category
        turn_best, turn_score = r.evidence.turn_best()
        named_now = r.evidence.named[turn_best] > 0 and turn_best == new
        if s.category in TICKET_CATEGORIES and new == "咨询":
            # A complaint does not become a consultation by a question about it ("多久能修好？") ...
            problem_told = max(s.evidence.framing[c] + s.evidence.named[c] for c in TICKET_CATEGORIES)
            if problem_told < PROBLEM_FRAMING and s.kb_confidence >= _CONFIDENT_KB and not s.safety.urgent:
                # ... but a call only its topic made one, that asks what the KB answers, is a
                # consultation ("老爷子老忘关灶眼儿…万一闻见燃气味儿，头一件事该干嘛？").
                return "咨询"
            return s.category
        if s.category in ("投诉", "举报") and new == "求助" and r.evidence.danger and not named_now:
            # A danger told of in a complaint makes it urgent, not a plea for help: the lamp post's
            # bare wires are still the street lights complained of.
            return s.category
        if s.category in RECORD_CATEGORIES and s.evidence.named[s.category] > 0 and not named_now:
            # "我要表扬一位司机": what others did wrong, told to make the praise, files nothing.
            return s.category
        if new in TICKET_CATEGORIES and s.category not in TICKET_CATEGORIES:
            # (a praise or a suggestion was asked for its place: giving it files no order)
            volunteers_place = (r.place is not None and r.place.address is not None and s.awaiting != AWAIT_PLACE
                                and s.category not in RECORD_CATEGORIES)
            if named_now or self._grievance(r) or volunteers_place and topic_conf >= CLEAR_TOPIC:
                return new
        scores = {c: s.evidence.framing[c] + s.evidence.named[c] for c in s.evidence.framing}
        if named_now or scores[new] - scores[s.category] >= _CATEGORY_SWITCH_MARGIN:
            return new
        return s.category

    def _beside_the_problem(self, r: TurnReading, entry: CatalogueEntry, topic_conf: float, article: KbArticle) -> bool:
        """A clear problem told as one (a fire lane parked full) and an article that only shares a
        word said in passing (电动车, on registering e-bikes): the question is about the problem.
        The cheap tests go first; reading the article's concepts is the dear one."""
        told_as_problem = max(r.evidence.framing[c] for c in TICKET_CATEGORIES) >= _TURN_TICKET_FRAMING
        return (
            told_as_problem
            and topic_conf >= _CLEAR_PROBLEM
            and not _ABOUT_THE_HOTLINE.search(article.title)
            and not self.topics.about_the_same(entry, article)
        )

    @staticmethod
    def _hands_over_details(r: TurnReading, s: CallState) -> bool:
        """The turn gives a place of the problem and a way to call back (a number, a name, this line),
        or one of them where an earlier turn gave the other (the place, then 我姓宫…电话…)."""
        placed = bool(r.place is not None and (r.place.district or r.place.street) and not r.place.home)
        reachable = bool(r.phone or r.name or r.line_number)
        return (placed and (reachable or s.phone is not None or s.name is not None)) or (
            reachable and (s.district is not None or s.street is not None)
        )

    @staticmethod
    def _grievance(r: TurnReading) -> bool:
        """The turn itself frames a problem to be handled (or names it a complaint or report)."""
        scores = {c: r.evidence.framing[c] + r.evidence.named[c] for c in TICKET_CATEGORIES}
        asked = r.evidence.framing["咨询"] + r.evidence.named["咨询"]
        strongest = max(scores.values())
        return strongest >= _TURN_TICKET_FRAMING and strongest > asked and not r.evidence.disowns_ticket

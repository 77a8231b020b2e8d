"""What the seat knows about one call so far, and the catalogue topic it is converging on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from agent.category import CategoryEvidence
from agent.safety import SafetySignals
from knowledge.catalogue import Catalogue, CatalogueEntry
from knowledge.kb import KbArticle

# What the seat asked last, so the next turn can be read as the answer to it.
AWAIT_PLACE, AWAIT_PHONE, AWAIT_LINE_CONFIRM, AWAIT_NAME, AWAIT_MORE, AWAIT_OFFER, AWAIT_CONFIRM = (
    "place", "phone", "line_confirm", "name", "more", "offer", "confirm",
)


@dataclass
class CallState:
    turns: list[str] = field(default_factory=list)
    evidence: CategoryEvidence = field(default_factory=CategoryEvidence.empty)
    safety: SafetySignals = field(default_factory=SafetySignals)
    category: str | None = None
    # consultation
    kb_article: KbArticle | None = None       # the first article read: the call's answer
    last_article: KbArticle | None = None
    kb_confidence: float = 0.0
    # work-order slots
    district: str | None = None
    street: str | None = None
    address: str | None = None
    address_loose: bool = False  # pieced together from place-like words with no district or street
    # Where it is, told with the problem before any district or street ("天坛公园东门外边那个公交站"):
    # the address once the district comes without one.
    address_told_before: str | None = None
    place_is_home: bool = False  # the place held is where the caller lives, not yet where the problem is
    phone: str | None = None
    bad_phone: str | None = None               # digits heard that cannot be a number
    phone_begun: str | None = None             # the same, kept after asking again: its end may follow
    line_offered: bool = False
    line_declined: bool = False
    name: str | None = None
    name_declined: bool = False
    problem_texts: list[str] = field(default_factory=list)
    # dialogue
    awaiting: str | None = None
    asked: dict[str, int] = field(default_factory=dict)
    advised: set[str] = field(default_factory=set)
    police_told: bool = False
    acknowledged: bool = False
    urgent_told: bool = False
    order_status_told: bool = False  # a repeat caller was told where their open order stands
    read_back: bool = False
    recorded: bool = False
    answered: bool = False
    not_understood: int = 0
    last_reply: str | None = None
    dialogue: list[tuple[str, str]] = field(default_factory=list)  # (speaker, words), for a backend
    handoff_reason: str | None = None
    finished: bool = False

    def ask(self, what: str) -> None:
        self.asked[what] = self.asked.get(what, 0) + 1
        self.awaiting = what

    def times_asked(self, what: str) -> int:
        return self.asked.get(what, 0)

    @property
    def has_place(self) -> bool:
        return self.district is not None and self.address is not None

    @property
    def name_wanted(self) -> bool:
        """The name has been asked for (alone or with the number) and is not there yet: the next
        turn is likely to hold it, however it was heard."""
        return (self.name is None and not self.name_declined and self.times_asked(AWAIT_NAME) > 0
                and self.awaiting in (AWAIT_NAME, AWAIT_PHONE))

    @property
    def name_settled(self) -> bool:
        return self.name is not None or self.name_declined or self.times_asked(AWAIT_NAME) > 0


# Scores within this share of the best one count as a tie.
_TIE = 0.95
_UNHEARD_EMERGENCY = 0.5


class TopicTracker:
    """Catalogue topic scores summed over the turns that describe the problem.

    The catalogue's own scores are sums of concept weights (about 1-2 for one weak shared word,
    4 and up for a clear description); they are scaled so that a clear description is 1.
    """

    CLEAR_SCORE = 4.0
    # Below this the best catalogue match is a guess, not a topic (the catalogue's own floor).
    MIN_CONFIDENCE = Catalogue.MIN_SCORE / CLEAR_SCORE

    def __init__(self, catalogue: Catalogue):
        self._catalogue = catalogue
        self._scores: dict[str, float] = {}
        self._entries: dict[str, CatalogueEntry] = {}

    def snapshot(self) -> tuple[dict[str, float], dict[str, CatalogueEntry]]:
        return dict(self._scores), dict(self._entries)

    def restore(self, snapshot: tuple[dict[str, float], dict[str, CatalogueEntry]]) -> None:
        self._scores, self._entries = dict(snapshot[0]), dict(snapshot[1])

    def hear(
        self, text: str, weight: float = 1.0, aside: Sequence[tuple[int, int]] = ()
    ) -> list[tuple[CatalogueEntry, float]]:
        """Take in what `text` says the problem is; `aside` are spans of it that say nothing of
        the problem (Catalogue.concepts)."""
        matches = self._catalogue.match(text, aside)
        for entry, score in matches:
            self._entries[entry.topic] = entry
            self._scores[entry.topic] = self._scores.get(entry.topic, 0.0) + weight * score / self.CLEAR_SCORE
        return matches

    def about_the_same(self, entry: CatalogueEntry, article: KbArticle) -> bool:
        """Whether a KB article speaks of what the catalogue entry is about (供暖时间与报修 and
        供暖不热 do; 电动自行车登记上牌 and 消防通道堵塞 do not, whatever words a caller shares
        with both)."""
        return self._catalogue.shares_concepts(entry.topic, " ".join([article.title, article.question, *article.tags]))

    def best(self, danger: bool = False) -> tuple[CatalogueEntry, float] | None:
        """The leading topic and a confidence in [0, 1] (its lead over the runner-up counts).

        Near-ties between an emergency topic and its everyday sibling (电梯故障-困人 and
        电梯故障-停运 both match "电梯坏了") go to the emergency only when the caller's words
        describe a danger (`danger`).
        """
        if not self._scores:
            return None
        # An emergency by nature (老人走失) whose danger the caller's words do not bear out counts
        # half: "包工头人也找不着了，家里老人等着钱看病" shares its words, not its danger.
        scores = {t: sc * (1.0 if danger or not self._entries[t].urgent else _UNHEARD_EMERGENCY)
                  for t, sc in self._scores.items()}
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        tied = [kv for kv in ranked if kv[1] >= _TIE * ranked[0][1]]
        if len(tied) > 1:
            preferred = [kv for kv in tied if self._entries[kv[0]].urgent == danger]
            if preferred:
                ranked = [preferred[0]] + [kv for kv in ranked if kv != preferred[0]]
        topic, score = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        if score <= 0:
            return None
        lead = (score - runner_up) / score
        return self._entries[topic], min(1.0, score) * (0.6 + 0.4 * lead)

    def confident(self, danger: bool = False) -> CatalogueEntry | None:
        best = self.best(danger)
        return best[0] if best is not None and best[1] >= self.MIN_CONFIDENCE else None

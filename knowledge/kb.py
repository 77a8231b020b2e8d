"""Knowledge-base articles and their retrieval (jieba tokens + BM25).

Retrieval runs over two BM25 indexes: the "head" of each article (title, the typical question,
tags) and its answer text. The head says what an article is about; the answer mentions many
things in passing (an article on 供暖 mentions 物业 and 12345), so it only counts at
ANSWER_WEIGHT. Queries and heads both go through the domain lexicon (kb_lexicon, kb_situations): synonyms map
caller words onto article words and concepts turn a described situation into the service name.

Scores are raw BM25 sums, comparable across queries against the same index, so one absolute
floor works: DEFAULT_MIN_SCORE. It was calibrated on both the seed KB and the shared sample KB with
paraphrased questions (the lowest right answer scores about 4.3) and questions about nothing in the
KB — weather, train tickets, restaurants (the highest scores about 2.1); 3.0 sits between. To
recalibrate for a very different KB, score a dozen real and a dozen unrelated questions and take a
value between the two groups (tests/test_knowledge_kb.py does exactly this). `best()` applies the
floor; callers wanting "did you mean A or B?" can compare the top score with the runner-up.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from knowledge import segment
from knowledge.kb_lexicon import STOP_WORDS, SYNONYMS, USER_WORDS, caller_hukou_as_status, matters_in
from knowledge.kb_situations import CONCEPTS, concept_terms, concept_words
from knowledge.phonetic import SoundAlikeFinder

MARKER_TITLES = {"说明", "示例"}
MARKER_TAGS = {"示例"}

_WORD = re.compile(r"[\w\u4e00-\u9fff]")


@dataclass
class KbArticle:
    id: str
    title: str
    question: str
    answer: str
    department: str
    tags: list[str] = field(default_factory=list)

    @property
    def is_marker(self) -> bool:
        """kb-000-style lines that describe the file itself, never an answer to give a caller."""
        return self.title.strip() in MARKER_TITLES or any(tag.strip() in MARKER_TAGS for tag in self.tags)


# ---------------------------------------------------------------- tokenisation

_sound_alikes: SoundAlikeFinder | None = None


def _ensure_vocabulary() -> SoundAlikeFinder:
    """Teach jieba the service names (once) and build the finder for their misheard spellings."""
    global _sound_alikes
    if _sound_alikes is None:
        # Every caller's word the synonyms know is a word (小泰迪 cut as 小/泰/迪 never met 养犬).
        segment.add_words(USER_WORDS + sorted({w for _, terms, _ in CONCEPTS for w in terms} | set(SYNONYMS)))
        terms = {*USER_WORDS, *SYNONYMS, *SYNONYMS.values()}
        terms |= concept_words()
        _sound_alikes = SoundAlikeFinder(terms, segment.is_common_word, is_word=segment.is_word)
    return _sound_alikes


def normalise(text: str) -> str:
    # NFKC folds full-width digits and letters (ＡＢＣ１２３) into their ASCII forms.
    return unicodedata.normalize("NFKC", text).lower()


def tokenize(text: str, with_concepts: bool = True) -> list[str]:
    """Content tokens of `text`: jieba search-mode words, fillers dropped, synonyms mapped.

    Search mode also yields the parts of long words (住房公积金 → 住房, 公积金, 住房公积金), so a
    caller saying only part of a service name still matches.
    """
    text = caller_hukou_as_status(normalise(text))
    # Service names the recogniser spelt as homophones (户照 → 护照) are added back as said.
    recovered = [term for term, _, _ in _ensure_vocabulary().find(text)]
    if recovered:
        text = f"{text} {' '.join(recovered)}"
    tokens = []
    for token in segment.cut_for_search(text, hmm=False):
        token = token.strip()
        if not token or token in STOP_WORDS or not _WORD.search(token):
            continue
        tokens.append(SYNONYMS.get(token, token))
    if with_concepts:
        tokens.extend(SYNONYMS.get(term, term) for term in concept_terms(text))
    return tokens


# ---------------------------------------------------------------- index

class KbIndex:
    ANSWER_WEIGHT = 0.3
    # An article that never speaks of a matter the question asks about (a bill, a loan: see
    # kb_lexicon._MATTERS) keeps this share of its score per such matter.
    UNSPOKEN_MATTER = 0.2
    # Calibrated floor for raw scores (see module docstring and tests/test_knowledge_kb.py).
    DEFAULT_MIN_SCORE = 3.0

    def __init__(self, articles: Iterable[KbArticle]):
        self.articles: list[KbArticle] = [a for a in articles if not a.is_marker]
        self._head = self._answer = None
        self._matters = [matters_in(" ".join([self._head_text(a), a.answer])) for a in self.articles]
        if self.articles:
            self._head = self._bm25([self._head_text(a) for a in self.articles], with_concepts=True)
            self._answer = self._bm25([a.answer for a in self.articles], with_concepts=False)

    @staticmethod
    def _head_text(article: KbArticle) -> str:
        return " ".join([article.title, article.question, *article.tags])

    @staticmethod
    def _bm25(texts: list[str], with_concepts: bool) -> Any:
        import bm25s

        index = bm25s.BM25(k1=1.2, b=0.5)
        # An empty token list breaks bm25s; a placeholder keeps the document's position.
        index.index([tokenize(t, with_concepts) or ["\u2205"] for t in texts], show_progress=False)
        return index

    def __len__(self) -> int:
        return len(self.articles)

    def get(self, article_id: str) -> KbArticle | None:
        return next((a for a in self.articles if a.id == article_id), None)

    def scores(self, query: str) -> list[float]:
        """The score of every (non-marker) article for `query`, in article order."""
        tokens = tokenize(query)
        if not self.articles or not tokens:
            return [0.0] * len(self.articles)
        head = self._head.get_scores(tokens)
        answer = self._answer.get_scores(tokenize(query, with_concepts=False) or tokens)
        asked = matters_in(normalise(query))
        return [
            float(h + self.ANSWER_WEIGHT * a) * self.UNSPOKEN_MATTER ** len(asked - spoken)
            for h, a, spoken in zip(head, answer, self._matters, strict=True)
        ]

    def search(self, query: str, k: int = 3) -> list[tuple[KbArticle, float]]:
        """The k best articles for `query`, best first; articles scoring 0 are left out."""
        ranked = sorted(zip(self.articles, self.scores(query), strict=True), key=lambda pair: -pair[1])
        return [(article, round(score, 4)) for article, score in ranked[:k] if score > 0]

    def best(self, query: str, min_score: float | None = None) -> tuple[KbArticle, float] | None:
        """The top article if it clears the floor (DEFAULT_MIN_SCORE unless given), else None."""
        floor = self.DEFAULT_MIN_SCORE if min_score is None else min_score
        hits = self.search(query, k=1)
        return hits[0] if hits and hits[0][1] >= floor else None

"""Answering 咨询 from the knowledge base, including follow-up questions.

A follow-up is often elliptical ("那我去银行补的话，当天能拿到吗？"): on its own it names no
service, so it is searched together with the caller's earlier question. When it lands on the
article already read, only the sentences of that answer that speak to the follow-up are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.hearing import SoundCorrector
from knowledge.kb import KbArticle, KbIndex, tokenize

# How many of the retrieval's best articles a backend may choose from.
CANDIDATES = 3
# Signs that a question leans on the one before it.
_ELLIPTICAL = re.compile(
    r"^(?:哦|噢|嗯|啊|好的?|那么?|那如果|如果|还有|另外)?[，,]?(?:那|这种|这样|这个|它|她|他)"
    r"|也能|也可以|也行|还能|还可以|还要|还需要|这种情况|这样的话|的话"
)
# Signs of a new, self-contained question.
_NEW_QUESTION = re.compile(r"另外|还想问|再问一下|还有个问题|还有一个问题|换个问题")
# A follow-up stays on the article being discussed while that article scores at least this share
# of the best one for the question read in context.
_KEEP_TOPIC_RATIO = 0.6
_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]?")
_CLAUSE = re.compile(r"[^，,。！？!?；;]+[？?]?")
# The clauses that ask something.
_ASKING = re.compile(r"[？?]|吗|怎么|什么|哪|几|多少|能不能|可不可以|要不要|是不是|有没有|如何")
# An answer written for a yes-or-no question opens with the bare reply (可以。/ 不需要。/ 能，…).
_BARE_REPLY = re.compile(r"^(?:不?可以|不?能|不?需要|不用|不?是的?|不?会|不?行|有的?|没有)[。，,！!]")
# What asks yes or no: 吗, or a verb said both ways (能不能, 需不需要), or 是否.
_YES_OR_NO = re.compile(r"[吗嘛]|(\w)不\1|(\w)没\2|是否|可否|得不得|对吧|是吧")


@dataclass
class Consultation:
    article: KbArticle
    score: float
    text: str  # what the seat reads out


class Consultant:
    def __init__(self, kb: KbIndex, corrector: SoundCorrector, min_score: float | None = None):
        self._kb = kb
        self._corrector = corrector
        self.min_score = KbIndex.DEFAULT_MIN_SCORE if min_score is None else min_score

    def best(self, text: str) -> tuple[KbArticle, float] | None:
        """The best article for `text` (recogniser homophones of service words undone), any score."""
        hits = self._search(text, k=1)
        return hits[0] if hits else None

    def best_after(self, text: str, earlier: list[str]) -> tuple[KbArticle, float] | None:
        """The best article for `text` read after the two turns before it ("钱包让人顺走了，身份证
        全在里头" told first is what "非得回老家才能重新弄一张吗？" asks about), any score."""
        return self.best(_after(text, earlier))

    def candidates(self, text: str, k: int = 3) -> list[KbArticle]:
        """The articles a backend may choose from to answer `text`: the top `k` of the retrieval
        that come within half of the floor (a model may see what BM25 ranks just below it)."""
        hits = self._search(text, k=k)
        return [article for article, score in hits if score >= 0.5 * self.min_score]

    def ranked(self, text: str, k: int = 3) -> list[tuple[KbArticle, float]]:
        """The retrieval's `k` best articles for `text` and their scores, searched as a turn is."""
        return self._search(text, k=k)

    def _search(self, text: str, k: int) -> list[tuple[KbArticle, float]]:
        return self._kb.search(self._corrector.corrected(asked_twice(text)), k=k)

    def confidence(self, score: float) -> float:
        """0 at half the floor, 1 at twice the floor: how sure the KB is about a score."""
        low, high = 0.5 * self.min_score, 2.0 * self.min_score
        return max(0.0, min(1.0, (score - low) / (high - low)))

    def consult(
        self, text: str, earlier: list[str], previous: KbArticle | None, prefer: str | None = None
    ) -> Consultation | None:
        """The answer to read for this turn, or None when the KB has nothing confident.

        `prefer`: the article a backend judged to answer the turn, taken when the retrieval ranks
        it among its candidates for the turn (within half the floor: the model's judgement and the
        retrieval together); a model chooses among what BM25 found, never beyond it.
        """
        alone = self.best(text)
        if prefer is not None:
            ranked = self._search(text, k=CANDIDATES)
            alone = next(((a, max(sc, self.min_score)) for a, sc in ranked
                          if a.id == prefer and sc >= 0.5 * self.min_score), alone)
        chosen = alone
        if previous is not None and earlier and (self._is_follow_up(text) or _echoes(text, previous)):
            chosen = self._in_context(_after(text, earlier), previous) or chosen
        elif previous is None and earlier:
            # What the caller told before, which found no answer alone ("钱包让人顺走了，身份证全在
            # 里头"), is what this turn asks about ("非得回老家才能重新弄一张吗？").
            told = self.best_after(text, earlier)
            if told is not None and told[1] >= self.min_score:
                chosen = told
        if chosen is None or chosen[1] < self.min_score:
            return None
        article, score = chosen
        if previous is not None and article.id == previous.id:
            return Consultation(article, score, answered_as_asked(focused_answer(article, text), text))
        return Consultation(article, score, answered_as_asked(article.answer, text))


    def _in_context(self, query: str, previous: KbArticle) -> tuple[KbArticle, float] | None:
        """The article for a follow-up read with the earlier question; the article already being
        discussed keeps the floor unless another one is clearly better ("公租房怎么申请？" then
        "那我户口不在北京能申请吗？" is still about 公租房, not 户口)."""
        scores = self._kb.scores(self._corrector.corrected(query))
        if not scores:
            return None
        ranked = sorted(zip(self._kb.articles, scores, strict=True), key=lambda pair: -pair[1])
        top_article, top_score = ranked[0]
        kept = next((sc for a, sc in ranked if a.id == previous.id), 0.0)
        if kept >= self.min_score and kept >= _KEEP_TOPIC_RATIO * top_score:
            return previous, kept
        return (top_article, top_score) if top_score >= self.min_score else None

    def _is_follow_up(self, text: str) -> bool:
        """Does this question lean on the previous one?

        It does when it says so (那…的话, 这种也能…吗) or when its question itself names no
        service: "有居住证，需要准备哪些材料？" mentions 居住证 as a circumstance, but what is
        asked ("需要准备哪些材料") only makes sense with the earlier question.
        """
        if _NEW_QUESTION.search(text):
            return False
        if _ELLIPTICAL.search(text):
            return True
        asked = "，".join(_asking_clauses(text))
        hit = self.best(asked) if asked else None
        return hit is None or hit[1] < self.min_score


# What a caller wraps round the words of an answer they say back to check them ("就身份证？", "得预约是吧？").
_ECHO_WRAPPING = re.compile(
    r"^(?:那|就|只要|还得|得|要|是|都)+|(?:是吧|对吧|是不是|对不对|就行|就可以|了|吗|吧|啊|呀|呢|哈)+$"
)


def _echoes(text: str, previous: KbArticle) -> bool:
    """The caller says back what the answer just read holds, asking to be sure ("要带啥？就身份证？"
    after an answer that said 带上本人身份证): a question about that answer, though the words it
    echoes name a service of their own (身份证 has an article)."""
    echoed = [_ECHO_WRAPPING.sub("", clause.strip(" ，,。！？!?；;")) for clause in _asking_clauses(text)]
    return bool(echoed) and any(len(e) >= 2 and e in previous.answer for e in echoed)


def _asking_clauses(text: str) -> list[str]:
    """The clauses of `text` that ask something."""
    return [clause for clause in _CLAUSE.findall(text) if _ASKING.search(clause)]


def _after(text: str, earlier: list[str]) -> str:
    """`text` as a question read with the two turns said before it."""
    return "，".join([*earlier[-2:], text])


def asked_twice(text: str) -> str:
    """`text` with its last asking sentence said again, so that what is asked outweighs the story
    around it ("我闺女在澳大利亚读书……我这辈子没出过国，办证得带啥？" asks about a passport, not
    about school)."""
    sentences = [s for s in _SENTENCE.findall(text) if s.strip()]
    if len(sentences) < 2:
        return text
    asking = [s for s in sentences if _ASKING.search(s)]
    return f"{text}{asking[-1]}" if asking else text


def answered_as_asked(answer: str, question: str) -> str:
    """`answer` without the bare yes or no it opens with when the caller did not ask yes or no: to
    "护照怎么办？" an answer written for "办护照需要回户籍地吗？" would start 不需要。"""
    opening = _BARE_REPLY.match(answer)
    if opening is None or len(answer) == opening.end() or _asks_yes_or_no(question):
        return answer
    return answer[opening.end() :].lstrip()


def _yes_or_no_first(focused: str, answer: str, question: str) -> str:
    """A focused answer to a yes-or-no question opens with the article's bare reply, where it has one."""
    opening = _BARE_REPLY.match(answer)
    if opening is None or focused.startswith(answer[: opening.end()]) or not _asks_yes_or_no(question):
        return focused
    return answer[: opening.end() - 1] + "。" + focused


def _asks_yes_or_no(question: str) -> bool:
    return any(map(_YES_OR_NO.search, _asking_clauses(question)))


def focused_answer(article: KbArticle, question: str, max_sentences: int = 2) -> str:
    """The sentences of an answer that share the most words with a follow-up question."""
    asked = set(tokenize(question, with_concepts=False))
    sentences = [s.strip() for s in _SENTENCE.findall(article.answer) if s.strip()]
    if not asked or len(sentences) <= max_sentences:
        return article.answer
    ranked = sorted(
        range(len(sentences)),
        key=lambda i: (-len(asked & set(tokenize(sentences[i], with_concepts=False))), i),
    )
    best = sorted(ranked[:max_sentences])
    if not asked & set(tokenize(sentences[best[0]], with_concepts=False)):
        return article.answer
    return _yes_or_no_first("".join(sentences[i] for i in best), article.answer, question)

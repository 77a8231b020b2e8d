"""Keeping an LLM's consultation answer to the KB articles it was given.

The model must open its answer with the id of the article it answers from ([kb-012]); an id not
among the candidates, or [无], means it has no grounded answer. A sentence quoting a figure (a fee,
a time limit, a phone number) that is not in the cited article is invented policy.
"""

from __future__ import annotations

import re
import unicodedata

import cn2an

from knowledge.kb import KbArticle

_CITATION = re.compile(r"^\s*[\[【]\s*([^\]】\s]+)\s*[\]】][\s：:，,]*")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# Figures an answer may give whatever the article says: the hotline's own number.
_ALWAYS_ALLOWED = {"12345"}


def split_citation(text: str) -> tuple[str | None, str]:
    """The cited id at the start of `text` and the text after it; (None, text) when none is there."""
    match = _CITATION.match(text)
    if not match:
        return None, text
    return match.group(1), text[match.end():]


def _numbers(text: str) -> set[str]:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"(?<=\d)[-\s](?=\d)", "", text)  # 010-12345678 is one number
    return set(_NUMBER.findall(text))


def article_numbers(article: KbArticle) -> set[str]:
    """The figures an article states, written in Arabic digits or in Chinese (三十个工作日)."""
    text = "\n".join((article.title, article.question, article.answer))
    try:
        arabic = cn2an.transform(text, "cn2an")
    except (ValueError, KeyError):  # cn2an fails on some odd runs; the digits as written still count
        arabic = text
    return _numbers(text) | _numbers(arabic) | _ALWAYS_ALLOWED


def invented_numbers(sentence: str, allowed: set[str]) -> set[str]:
    """Figures in `sentence` that its article does not state."""
    return _numbers(sentence) - allowed

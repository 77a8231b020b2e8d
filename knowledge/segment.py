"""One shared jieba tokenizer with the hotline vocabulary, built quietly on first use.

jieba's dictionary costs ~80 MB per tokenizer, so KB retrieval, the gazetteer and the sound-alike
check share this one instead of building their own. It is private (not jieba's global default),
so our words never change how other code using jieba segments text.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

_tokenizer: Any = None
_lock = threading.RLock()
_added: set[str] = set()


def tokenizer() -> Any:
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)  # jieba announces "Building prefix dict" on stderr
            fresh = jieba.Tokenizer()
            fresh.initialize()
            _tokenizer = fresh
        return _tokenizer


def add_words(words: Iterable[str]) -> None:
    """Teach the tokenizer words it must keep whole (service and place names)."""
    with _lock:
        shared = tokenizer()
        for word in words:
            if word and word not in _added:
                shared.add_word(word)
                _added.add(word)


def cut(text: str, hmm: bool = True) -> list[str]:
    return list(tokenizer().cut(text, HMM=hmm))


def cut_for_search(text: str, hmm: bool = True) -> list[str]:
    return list(tokenizer().cut_for_search(text, HMM=hmm))


def is_common_word(word: str, min_frequency: int = 50) -> bool:
    """True for words of jieba's general dictionary that are frequent enough to be meant as said
    (一包, 事业): such words are not taken for a sound-alike of a domain term (医保, 失业)."""
    return tokenizer().FREQ.get(word, 0) >= min_frequency and word not in _added


def is_word(word: str) -> bool:
    """True for any word of jieba's general dictionary, however rare (电钻): enough to say that
    two characters side by side were said as that word."""
    return tokenizer().FREQ.get(word, 0) > 0 and word not in _added


def last_char_joins_next(text: str, end: int, min_frequency: int = 50) -> bool:
    """Whether the character before `end` makes a common word with the one at `end` (羊|肉 in
    一股羊肉, 打|算 in 对象打算): a match ending at `end` took a character that belongs to that word."""
    return end < len(text) and is_common_word(text[end - 1 : end + 1], min_frequency)

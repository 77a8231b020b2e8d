"""Whisper's output as callers' words are written: Simplified Chinese, full-width marks, no titles;
its timestamped tokens as timed texts; and our text back in Whisper's style for its prompt."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import opencc
from faster_whisper.tokenizer import Tokenizer

from voice.asr.digits import DIGIT_CHARS

_HALF_TO_FULL = {",": "，", "?": "？", "!": "！", ":": "：", ";": "；"}
# Whisper puts ASCII marks into Chinese text ("你好,我想问一下?"); next to a Chinese character
# they become full width, as written Chinese has them. "1,200" and English text stay as they are.
_HALF_WIDTH_IN_CHINESE = re.compile(r"(?<=[\u4e00-\u9fff])[,?!:;]|[,?!:;](?=[\u4e00-\u9fff])")
# Whisper dresses place names as titles (《回龙观》西大街) or quotes them; nobody speaks those
# marks, and they would end up inside addresses.
_UNSPOKEN_MARKS = str.maketrans("", "", "《》〈〉「」『』“”\"")
# Whisper also writes the small form variants of the marks (电话﹐138﹐…), which no one types and
# which the digit and address rules would not take for pauses.
_SMALL_FORMS = str.maketrans({"﹐": "，", "﹑": "、", "﹒": ".", "﹔": "；", "﹕": "：", "﹖": "？", "﹗": "！"})
_TO_SIMPLIFIED = opencc.OpenCC("t2s")
# The same prompt makes Whisper try the full-width comma (EF BC 8C) and, on some CPUs, get its last
# byte wrong: a full-width letter or digit where the comma goes (东城区和平里街道４和平里…, d014_2).
# Whisper writes numbers in ASCII, so one of those between Chinese characters is that comma.
# Next to a dictated number it is a full-width letter or digit (电话158Ｍ20106637Ｍ我不对,
# 电话159４112-0368４: the pauses of a number said in groups, and its end before a stop: 0368４。),
# which no caller's number holds.
_GARBLED_COMMA = re.compile(
    r"(?<=[\u4e00-\u9fff])[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a](?=[\u4e00-\u9fff])"
    r"|(?<=[0-9])[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a](?=[0-9\u4e00-\u9fff]|$)"
    r"|(?<=[\u4e00-\u9fff])[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a](?=[0-9])"
)
# ... and where a mark follows anyway, the garbled comma is simply dropped.
_GARBLED_BEFORE_A_MARK = re.compile(r"(?<=[0-9])[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a](?=[\s，,。.！!？?、；;：:])")
# Whisper writes the ASCII forms of these marks; a prompt in our full-width style makes it try the
# full-width ones, and with the non-speech tokens suppressed the last byte of those comes out
# wrong (一二Ｇ三, 十１二, �): seen on the dev calls' long turns once committed text became the prompt.
_FULL_TO_HALF = str.maketrans({full: half for half, full in _HALF_TO_FULL.items()})


def tidy_segment_text(raw: str) -> str:
    """Whisper's text as a caller's words are written: Simplified, full-width marks, no titles."""
    text = _TO_SIMPLIFIED.convert(raw.strip()).translate(_UNSPOKEN_MARKS).translate(_SMALL_FORMS)
    text = _GARBLED_COMMA.sub("，", _GARBLED_BEFORE_A_MARK.sub("", text))
    return _HALF_WIDTH_IN_CHINESE.sub(lambda mark: _HALF_TO_FULL[mark.group(0)], text)


def whisper_style(text: str) -> str:
    """Our text with the ASCII marks Whisper writes, for its prompt."""
    return text.translate(_FULL_TO_HALF)


_MAX_COMPRESSION_RATIO = 2.4  # faster-whisper's default threshold for the same test


def timed_texts(tokens: Sequence[int], tokenizer: Tokenizer, duration_s: float) -> list[tuple[float, float, str]]:
    """Whisper's timestamped output (<|0.00|> text <|2.40|><|2.40|> text …) as (start, end, text)."""
    pieces: list[tuple[float, float, list[int]]] = []
    start: float | None = None
    text: list[int] = []
    for token in tokens:
        if token >= tokenizer.timestamp_begin:
            time = min((token - tokenizer.timestamp_begin) * 0.02, duration_s)
            if text:  # the timestamp that closes a piece of text
                pieces.append((start or 0.0, max(time, start or 0.0), text))
                start, text = None, []
            else:  # the one that opens the next
                start = time
        elif token < tokenizer.eot:
            if start is None:
                start = pieces[-1][1] if pieces else 0.0
            text.append(token)
    if text:  # cut off by the end of the audio before its closing timestamp
        pieces.append((start or 0.0, duration_s, text))
    found = [(begin, end, tidy_segment_text(tokenizer.decode(ids))) for begin, end, ids in pieces]
    return [(begin, end, text) for begin, end, text in found if text]


def says_nothing(text: str) -> bool:
    """Text with no word in it: only marks ("。", "？"), as a decode that lost its way can write."""
    return not any(char.isalnum() for char in text)


def bare(text: str) -> str:
    """`text` without its marks and spaces: its words alone, to compare."""
    return "".join(char for char in text if char.isalnum())


def reads_prompt_back(text: str, prompt: str) -> bool:
    """Words that all lie in the decoder's prompt: Whisper read its prompt back out (以下是普通话的
    句子 for a clipped 对, 用简体中文。 for loud line noise) rather than heard a caller."""
    words = bare(text)
    return bool(words) and words in bare(prompt)


# Shorter runs of the prompt's words may be the caller's own (普通话, 简体).
_PROMPT_ECHO_MIN_CHARS = 5


def without_prompt_echo(text: str, prompt: str | None) -> str:
    """`text` without the stretches Whisper copied from its initial prompt: on real recordings it
    sometimes ends a turn with "……以下是普通话的句子，使用简体中文", which no caller said. A
    stretch counts when five or more of its characters in a row (marks aside) lie in the prompt."""
    core = bare(prompt or "")
    if len(core) < _PROMPT_ECHO_MIN_CHARS:
        return text
    # Whisper copies the prompt from or up to one of its clause boundaries (以下是普通话的句子,
    # 用简体中文); a caller's "我说的是普通话的" only has words from its middle.
    clauses = [bare(c) for c in re.split(r"[，,。.！!？?；;]", prompt or "") if bare(c)]
    starts = {core.find(c) for c in clauses}
    ends = {core.find(c) + len(c) for c in clauses}

    def copied(words: str) -> bool:
        at = [m.start() for m in re.finditer(re.escape(words), core)]
        return any(p in starts or p + len(words) in ends for p in at)

    out: list[str] = []
    i = 0
    while i < len(text):
        end, j, words = i, i, ""
        while j < len(text) and text[i].isalnum():
            if text[j].isalnum():
                if words + text[j] not in core:
                    break
                words += text[j]
                if len(words) >= _PROMPT_ECHO_MIN_CHARS and copied(words):
                    end = j + 1
            j += 1
        if end > i:
            while end < len(text) and not text[end].isalnum():
                end += 1  # the echo's own marks go with it
            i = end
            continue
        out.append(text[i])
        i += 1
    return "".join(out).rstrip("，,、 ") if len(out) < len(text) else text


def broke_off(text: str) -> bool:
    """Text with a character split in two (U+FFFD): the decoder stopped inside a character's bytes
    and, after it, most often wrote nothing more of the audio (a simulated call's last turn read
    as 艾姐，不对不对。我说错了，使用� for 10 s of speech: its place, name and number lost)."""
    return "\ufffd" in text


# A loop that starts late in a long turn: the text before it keeps the ratio low (a simulated
# call's turn read its place well, then 我姓姆，姆姆，姆姆… eleven times over, 1.7), but no caller
# says a word or two this many times in a row. Digits may run on (13611111111), and are left out.
_LOOPED_TAIL = re.compile(r"(\D{1,4}?)\1{5,}")


def looks_looped(text: str) -> bool:
    """Whisper's own test for a decode stuck in a loop (its text compresses too well), or a word
    or two said over and over where the loop took over late in the turn."""
    data = text.encode("utf-8")
    if len(data) > 24 and len(data) / len(zlib.compress(data)) > _MAX_COMPRESSION_RATIO:
        return True
    return any(
        any(ch not in DIGIT_CHARS for ch in loop.group(1)) for loop in _LOOPED_TAIL.finditer(bare(text))
    )


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def chinese_output_tokens(tokenizer: Tokenizer) -> list[int]:
    """The tokens Whisper writes Chinese text with: those with no letters but Han characters
    (digits and marks too, and the byte pieces of characters split in two), and the special tokens.

    The rest (46k of 52k) are words of other scripts; where the words before are Chinese they took
    0.4 % of the probability at the median on the dev calls' dictated numbers (' one', ' nine')."""
    vocabulary = tokenizer.tokenizer
    kept = []
    for token in range(vocabulary.get_vocab_size()):
        if token >= tokenizer.eot:
            kept.append(token)
            continue
        text = vocabulary.decode([token])
        if not any(ch.isalpha() and not _CJK.match(ch) for ch in text):
            kept.append(token)
    return kept

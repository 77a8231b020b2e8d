"""A name the audio is asked about again: a surname said twice and heard two ways, and a name
the quick decode did not catch.

Callers say the surname and then themselves with a title: 我姓荆，荆女士. The recogniser decodes
each on its own and may write two different characters (我姓姆，经女士); the seat, reading the
words, cannot tell which one was said, and takes the first. The audio can: the server scores the
clause written both ways (voice/asr/respelling.py) and keeps the one that fits it better, and the
seat then reads the words so respelt.

A name said where the words as decoded yield none, or a surname with no title (我现在可以说你是
for 我姓费，费女士), is heard again: the server decodes the turn with a wider search and the
stretch where the caller gives their name is taken from that decode where it yields the name.
"""

from __future__ import annotations

import difflib
import re

from agent.names import SURNAME_VERB, SURNAME_VERB_WEAK, TITLES, UNKNOWN_TITLE, extract_name
from agent.surnames import may_be_a_name

# 姓 as the recogniser writes it, the surname, perhaps a pause, the surname again and a title.
_TWICE = re.compile(rf"[{SURNAME_VERB}](\w)([，, ]?)(\w)(?={'|'.join(TITLES)})")


def surname_respellings(text: str) -> list[tuple[str, int, int]]:
    """(respelt, start, end): for each surname heard two ways in `text`, the stretch from the first
    to the second written with the first twice and written with the second twice."""
    candidates = []
    for said in _TWICE.finditer(text):
        first, pause, second = said.groups()
        if first == second or not (may_be_a_name(first) and may_be_a_name(second)):
            continue
        start, end = said.start(1), said.end(3)
        candidates += [(first + pause + first, start, end), (second + pause + second, start, end)]
    return candidates


# Where a caller begins to give their name, 姓 and 叫 as the recogniser writes them too (not 我是:
# "我是外地的" begins too many turns to hear each again).
_NAME_CUE = re.compile(rf"(?:我|免贵|本人)(?:[{SURNAME_VERB}]|叫|教)|叫我|(?:^|[，,。. ])[{SURNAME_VERB}]")
# After 我 even a misheard 姓 that is an everyday word (我心无声不拟 for 我姓吴，吴女士) is a cue where
# what follows may be a surname (not 我现在): a cue costs only a wider decode, and a name is taken
# from that only where it comes with its title.
_WEAK_NAME_CUE = re.compile(rf"我[{SURNAME_VERB_WEAK}](?=(\w))")


def _name_cues(text: str) -> list[re.Match[str]]:
    weak = [cue for cue in _WEAK_NAME_CUE.finditer(text) if may_be_a_name(cue.group(1))]
    return sorted([*_NAME_CUE.finditer(text), *weak], key=lambda cue: cue.start())


# Where it ends: the number, or the end of the sentence.
_AFTER_NAME = re.compile(r"电话|手机|号码|联系|[。.！!？?]")


def name_not_caught(text: str, asked: bool) -> bool:
    """The caller gave their name in `text` (a cue to it, or the seat had asked for it) and the
    words yield none, or a surname with no title, so the turn is worth hearing again."""
    heard = extract_name(text)
    if heard is not None and (heard.declined or not _untitled(heard.name)):
        return False
    return asked or bool(_name_cues(text))


def with_name_heard_again(text: str, again: str) -> str | None:
    """`text` with the stretch where the caller gives their name taken from `again`, the same turn
    decoded with a wider search, where `again` yields a name with its title or a full name and
    `text` does not; None where it does not."""
    better = extract_name(again)
    if better is None or better.name is None or _untitled(better.name):
        return None
    stretch = _name_stretch(again, better.name)
    if stretch is None:
        return None
    start, end = stretch
    # The same words in both decodes anchor the stretch in `text`.
    blocks = difflib.SequenceMatcher(None, text, again, autojunk=False).get_matching_blocks()
    before, after = _in_text(blocks, start, leftward=True), _in_text(blocks, end, leftward=False)
    spliced = text[:before] + again[start:end] + text[after:]
    heard = extract_name(spliced)
    return spliced if heard is not None and heard.name == better.name else None


def _untitled(name: str | None) -> bool:
    return name is None or name.endswith(UNKNOWN_TITLE)


def _name_stretch(text: str, name: str) -> tuple[int, int] | None:
    """From the first cue to the name to where the number or the sentence begins, if that stretch
    alone yields `name`."""
    for cue in _name_cues(text):
        start = cue.start() + (text[cue.start()] in "，,。. ")
        after = _AFTER_NAME.search(text, cue.end() + 1)
        end = after.start() if after else len(text)
        heard = extract_name(text[start:end])
        if heard is not None and heard.name == name:
            return start, end
    return None


def _in_text(blocks: list[difflib.Match], at: int, leftward: bool) -> int:
    """Position `at` of the second text in the first: inside a stretch both share, the same
    place; between two, the end of the one before (`leftward`) or the start of the one after."""
    for block in blocks:
        if block.b <= at <= block.b + block.size and block.size:
            return block.a + at - block.b
    if leftward:
        return max((b.a + b.size for b in blocks if b.b + b.size <= at), default=0)
    return min((b.a for b in blocks if b.b >= at), default=blocks[-1].a)

"""A surname said twice and heard two ways, for the audio to judge.

Callers say the surname and then themselves with a title: 我姓荆，荆女士. The recogniser decodes
each on its own and may write two different characters (我姓姆，经女士); the seat, reading the
words, cannot tell which one was said, and takes the first. The audio can: the server scores the
clause written both ways (voice/asr/respelling.py) and keeps the one that fits it better, and the
seat then reads the words so respelt.
"""

from __future__ import annotations

import re

from agent.names import SURNAME_VERB, TITLES, may_be_a_name

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

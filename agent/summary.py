"""The one-sentence 诉求概括 of a work order, composed from what the caller said."""

from __future__ import annotations

import re
from collections.abc import Callable

from agent.numbers import normalise_numerals
from agent.state import CallState
from agent.types import WorkOrderDraft
from knowledge.gazetteer import Gazetteer

# Greetings, fillers and framing that say nothing about the problem itself.
_OPENERS = re.compile(
    r"^(?:(?:我)?(?:想|要|就是想|来)?(?:好好)?(?:投诉|举报|反映|反应|求助|咨询)(?:一下|个事儿?|一个事儿?|个问题|一个问题)?|"
    r"我这个?事儿?有点复杂|我尽量说清楚|我实在是?受不了了|是这样的?|打扰一下|"
    r"喂|你好|您好|哎|唉|嗯|啊|那个|我想|我要|我就|想|麻烦|请问)[，,。.！!？? ]*"
)
_CLAUSE = re.compile(r"[^，,。.！!？?；;]+")
# Clauses about the caller or the call, not the problem.
_NOT_PROBLEM = re.compile(r"电话|手机|号码|我姓|我叫|名字|先生|女士|转人工|人工|机器|你好|您好")
MAX_CHARS = 60


def _problem_clauses(
    text: str, place_words: list[str], place: str, names_a_place: Callable[[str], bool]
) -> list[str]:
    clauses = []
    for clause in _CLAUSE.findall(text):
        clause = clause.strip()
        while True:
            stripped = _OPENERS.sub("", clause)
            if stripped == clause:
                break
            clause = stripped
        if not clause or _NOT_PROBLEM.search(clause):
            continue
        if (any(word in clause for word in place_words) or normalise_numerals(clause) in place
                or names_a_place(clause)):
            continue  # the place is given separately
        clauses.append(clause)
    return clauses


def compose_summary(
    category: str | None,
    topic: str | None,
    problem_texts: list[str],
    place: str | None,
    place_names: list[str],
    urgent: bool,
    police: bool,
    names_a_place: Callable[[str], bool] = lambda clause: False,
) -> str:
    """"投诉：朝阳区望京街道阜通东大街，小区旁工地夜间施工……（噪音扰民-夜间施工）"-style summary.

    `place_names`: district and street names (and their short forms); phrases naming them, or
    any place `names_a_place` recognises (misheard names), are left out of the body because the
    place is written out in front.
    """
    clauses: list[str] = []
    for text in problem_texts:
        clauses.extend(_problem_clauses(text, [w for w in place_names if w], place or "", names_a_place))
    body = ""
    for clause in clauses:
        if len(body) + len(clause) + 1 > MAX_CHARS and body:
            break
        body = f"{body}，{clause}" if body else clause
    parts = [f"{category or '来电'}："]
    if place:
        parts.append(f"{place}，")
    parts.append(body or (topic or "来电人反映问题"))
    if topic and body:
        parts.append(f"（{topic}）")
    flags = [label for flag, label in ((urgent, "紧急"), (police, "已联动110")) if flag]
    if flags:
        parts.append("【" + "，".join(flags) + "】")
    return "".join(parts) + "。"


def draft_work_order(
    state: CallState, topic: str | None, urgent: bool, police: bool, phone: str | None, gazetteer: Gazetteer
) -> WorkOrderDraft:
    """The work order as the call stands: its slots and a one-sentence summary of the problem."""
    s = state
    place = "".join(p for p in (s.district, s.street, s.address) if p) or None
    names = [n for n in (s.district, s.street) if n]
    names += [n[:-2] if n.endswith(("街道", "地区")) else n[:-1] for n in names if len(n) > 2]
    summary = compose_summary(
        s.category, topic, s.problem_texts, place, names, urgent, police,
        names_a_place=lambda clause: _mostly_place(gazetteer, clause),
    )
    return WorkOrderDraft(
        topic=topic, category=s.category, district=s.district, street=s.street, address=s.address,
        caller_name=s.name, phone=phone, urgent=urgent, police=police, summary=summary,
    )


def _mostly_place(gazetteer: Gazetteer, clause: str) -> bool:
    """A phrase that is mainly a place name ("海电期学院路接到"), not a problem told at a place."""
    covered = sum(m.end - m.start for m in gazetteer.find_all(clause))
    return covered * 2 >= len(clause)

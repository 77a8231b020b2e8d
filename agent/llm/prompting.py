"""The messages sent to the model: prompt files filled in with the turn and what the seat knows.

Prompts live in `agent/llm/prompts/` (package data), with `$name` fields filled by string.Template
so JSON and braces in them need no escaping. Every piece of caller text goes through `mask`
(agent.privacy's PiiMasker when llm.mask_pii is on) before it is put into a message.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from string import Template
from typing import Any

from agent.llm.schema import turn_read_schema
from knowledge.kb import KbArticle

Message = dict[str, Any]
Mask = Callable[[str], str]

# What the slots are called in the prompt; the model does not need a known number, only that one
# is there, so a phone is never rendered.
_SLOT_NAMES = {"district": "区", "street": "街道", "address": "地址", "name": "姓名", "caller_name": "姓名",
               "phone": "电话", "category": "类别", "topic": "事项"}
_RECENT_TURNS = 6


@cache
def prompt(name: str) -> Template:
    """A prompt file of agent/llm/prompts/ (`name` without .md)."""
    text = resources.files("agent.llm").joinpath("prompts", f"{name}.md").read_text(encoding="utf-8")
    return Template(text.strip())


@dataclass
class TurnContext:
    """What the model is shown besides the turn itself."""

    asked: str | None = None  # what the seat said last
    known: Mapping[str, str | None] = field(default_factory=dict)  # slots collected so far
    recent: Sequence[tuple[str, str]] = ()  # (speaker, text), speaker "座席" or "来电者"
    articles: Sequence[KbArticle] = ()  # candidate KB articles (top of the retrieval)

    @property
    def kb_ids(self) -> list[str]:
        return [a.id for a in self.articles]


@dataclass
class ReplyPlan:
    """A reply the policy has decided on, for the model to word."""

    intent: str  # what to do, in Chinese: "请来电者留一个回电号码", "感谢来电者的表扬"
    facts: Mapping[str, str] = field(default_factory=dict)  # what the reply must say as given
    draft: str | None = None  # the offline seat's wording, as a model of tone and length
    caller_said: str | None = None  # the caller's last turn


def _known(known: Mapping[str, str | None]) -> str:
    parts = []
    for key, value in known.items():
        if value:
            shown = "已有" if key == "phone" else value
            parts.append(f"{_SLOT_NAMES.get(key, key)}={shown}")
    return "；".join(parts) or "无"


def _articles(articles: Sequence[KbArticle], with_answer: bool) -> str:
    lines = []
    for a in articles:
        line = f"[{a.id}] {a.title}：{a.question}"
        lines.append(f"{line}\n答复：{a.answer}" if with_answer else line)
    return ("\n\n" if with_answer else "\n").join(lines) or "无"


def read_turn_messages(transcript: str, context: TurnContext, structured: str, mask: Mask) -> list[Message]:
    """System prompt and the turn with its context; in json_object mode the schema is spelt out in
    the prompt too, because not every server enforces response_format's schema."""
    system = prompt("read_turn").template
    if structured == "json_object":
        schema = json.dumps(turn_read_schema(context.kb_ids), ensure_ascii=False, separators=(",", ":"))
        system += "\n\n" + prompt("json_object").substitute(schema=schema)
    recent = "\n".join(f"{who}：{text}" for who, text in context.recent[-_RECENT_TURNS:]) or "无"
    user = prompt("read_turn_turn").substitute(
        asked=mask(context.asked or "无"),
        known=mask(_known(context.known)),
        recent=mask(recent),
        articles=mask(_articles(context.articles, with_answer=False)),
        turn=mask(transcript),
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def consult_messages(question: str, articles: Sequence[KbArticle], mask: Mask) -> list[Message]:
    user = prompt("consult_question").substitute(
        articles=mask(_articles(articles, with_answer=True)), question=mask(question),
    )
    return [{"role": "system", "content": prompt("consult").template}, {"role": "user", "content": user}]


def reply_messages(plan: ReplyPlan, mask: Mask) -> list[Message]:
    facts = "；".join(f"{k}：{v}" for k, v in plan.facts.items()) or "无"
    user = prompt("reply_plan").substitute(
        intent=plan.intent, facts=mask(facts), draft=mask(plan.draft or "无"), caller=mask(plan.caller_said or "无"),
    )
    return [{"role": "system", "content": prompt("reply").template}, {"role": "user", "content": user}]


def masked_messages(messages: Sequence[Message], mask: Mask) -> list[Message]:
    """Messages the policy wrote itself, with their text masked."""
    return [{**m, "content": mask(m["content"])} if isinstance(m.get("content"), str) else dict(m) for m in messages]

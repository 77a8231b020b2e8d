"""The one-paragraph brief a human agent reads before speaking to a caller the seat hands over
(warm transfer): why the call comes to them, what it is about, where, who, how urgent, and the
caller's last words, so nobody has to ask the caller to start again."""

from __future__ import annotations

from collections.abc import Sequence

from agent.types import CallOutcome

HANDOFF_REASONS = {
    "caller_request": "来电人要求转人工",
    "no_answer": "知识库没有答案",
    "not_understood": "座席多次没有听懂",
    "medical": "有人需要急救",
    "child_in_danger": "有儿童处于危险中",
    "distress": "来电人处境危险或情绪激动",
    "unclear": "来电目的不明",
}
# The caller's own words at the end of the brief: enough to hear how they put it, not the call.
LAST_WORDS_CHARS = 80


def brief(outcome: CallOutcome, caller_turns: Sequence[str]) -> str:
    """What the seat has understood so far, in one paragraph of plain Chinese."""
    parts: list[str] = []
    if outcome.handoff_reason:
        parts.append(f"转人工原因：{HANDOFF_REASONS.get(outcome.handoff_reason, outcome.handoff_reason)}。")
    caller = outcome.caller
    who = caller.caller_name or "来电人"
    what = outcome.work_order.summary if outcome.work_order and outcome.work_order.summary else None
    if what:  # the seat's summary names the kind of call itself (投诉：…)
        parts.append(f"{who}{what.rstrip('。．.')}。")
    else:
        kind = outcome.category or "类别未明"
        parts.append(f"{who}来电，{kind}" + (f"，事项：{outcome.topic}" if outcome.topic else "") + "。")
    place = "".join(p for p in (caller.district, caller.street, caller.address) if p)
    parts.append(f"地点：{place}。" if place else "地点未说明。")
    parts.append(f"回访电话：{caller.phone}。" if caller.phone else "未留回访电话。")
    if outcome.urgent or outcome.police:
        flags = [f for f, on in (("紧急", outcome.urgent), ("需转110", outcome.police)) if on]
        parts.append("、".join(flags) + "！")
    said = [t.strip() for t in caller_turns if t and t.strip()]
    if said:
        last = said[-1]
        if len(last) > LAST_WORDS_CHARS:
            last = "…" + last[-LAST_WORDS_CHARS:]
        parts.append(f"来电人最后说：“{last}”")
    return "".join(parts)

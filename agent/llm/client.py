"""The LLM backend of the virtual seat, on any OpenAI-compatible chat server.

The model reads a turn into a TurnRead and words replies; what to do with them stays in the
policy. Every call has a deadline, and an answer that fails (the server errs, times out or writes
something that does not validate) is tried once more while time is left; after that
LlmUnavailable says why ("error", "timeout", "invalid") and the policy lets the offline backend
take the turn. Measured against llama.cpp's server (llama-cpp-python): response_format json_object
with a schema works and json_schema answers 500; tool calls come back only with a forced
tool_choice, which is why those are the two ways offered.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Literal, TypeVar

import openai
from pydantic import ValidationError

from agent.llm.citation import article_numbers, invented_numbers, split_citation
from agent.llm.prompting import (
    Message,
    ReplyPlan,
    TurnContext,
    consult_messages,
    masked_messages,
    read_turn_messages,
    reply_messages,
)
from agent.llm.schema import TurnRead, turn_read_schema
from agent.llm.sentences import SentenceSplitter
from agent.privacy import PiiMasker
from knowledge.kb import KbArticle

Reason = Literal["error", "timeout", "invalid"]
Structured = Literal["tool", "json_object"]
TOOL_NAME = "read_turn"
# A retry that could not get this long is not worth starting.
_MIN_ATTEMPT_S = 0.2
_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$")

T = TypeVar("T")


class LlmUnavailable(Exception):
    """The LLM gave no usable answer; `reason` is what the policy stores with the turn."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason: Reason = reason
        self.detail = detail


class _Invalid(Exception):
    """The model answered, but not with what was asked for."""


class _Deadline(Exception):
    """Our own deadline passed while a stream was still coming."""


def _reason(exc: BaseException) -> Reason:
    if isinstance(exc, (openai.APITimeoutError, _Deadline)):
        return "timeout"
    if isinstance(exc, (_Invalid, ValidationError, json.JSONDecodeError)):
        return "invalid"
    return "error"


_FAILURES = (openai.OpenAIError, _Invalid, _Deadline, ValidationError, json.JSONDecodeError)


class LlmClient:
    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "",
        timeout_s: float = 15.0,
        structured: Structured = "tool",
        mask_pii: bool = True,
        reply_timeout_s: float | None = None,
    ) -> None:
        """`timeout_s` bounds a turn's reading and the wait for a reply's first words, retry
        included: it is how long a caller may wait in silence before the offline seat answers.
        `reply_timeout_s` (3 × timeout_s unless given) bounds a whole streamed reply."""
        if structured not in ("tool", "json_object"):
            raise ValueError(f"structured must be 'tool' or 'json_object', not {structured!r}")
        self.model = model
        self.timeout_s = timeout_s
        self.reply_timeout_s = max(reply_timeout_s or 3 * timeout_s, timeout_s)
        self.structured: Structured = structured
        self.mask_pii = mask_pii
        # Retries are ours (once, within the deadline), not the SDK's. Local servers take any key,
        # but the SDK insists on one.
        self._openai = openai.OpenAI(base_url=base_url, api_key=api_key or "no-key", max_retries=0, timeout=timeout_s)

    @classmethod
    def from_settings(cls, llm: Mapping[str, Any]) -> LlmClient:
        """From the [llm] section of the config (the key arrives there from HOTLINE_LLM_API_KEY)."""
        return cls(
            base_url=llm["base_url"], model=llm["model"], api_key=llm.get("api_key", ""),
            timeout_s=float(llm["timeout_s"]), structured=llm.get("structured", "tool"),
            mask_pii=bool(llm.get("mask_pii", True)), reply_timeout_s=llm.get("reply_timeout_s"),
        )

    def _masker(self) -> PiiMasker | None:
        return PiiMasker() if self.mask_pii else None

    # ---------------------------------------------------------------- reading a turn

    def read_turn(self, transcript: str, context: TurnContext | None = None) -> TurnRead:
        """What the caller said in this turn, as the model reads it. Raises LlmUnavailable."""
        context = context or TurnContext()
        masker = self._masker()
        messages = read_turn_messages(transcript, context, self.structured, masker.mask if masker else str)
        schema = turn_read_schema(context.kb_ids)

        def attempt(timeout: float) -> TurnRead:
            data = json.loads(_FENCE.sub("", self._structured_answer(messages, schema, timeout)))
            if not isinstance(data, dict):
                raise _Invalid(f"expected a JSON object, got {type(data).__name__}")
            if masker:
                data = {k: masker.restore(v) if isinstance(v, str) else v for k, v in data.items()}
            return TurnRead.from_model(data, context.kb_ids)

        return _with_retry(attempt, time.monotonic() + self.timeout_s)

    def _structured_answer(self, messages: list[Message], schema: dict[str, Any], timeout: float) -> str:
        """The JSON text the model wrote: a forced tool call's arguments, or a json_object reply."""
        if self.structured == "tool":
            tool = {"type": "function", "function": {
                "name": TOOL_NAME, "description": "记下来电者这一句话说了什么", "parameters": schema}}
            response = self._openai.chat.completions.create(
                model=self.model, messages=messages, tools=[tool], temperature=0, timeout=timeout,
                tool_choice={"type": "function", "function": {"name": TOOL_NAME}},
            )
            message = _first_message(response)
            calls = [c for c in (message.tool_calls or []) if getattr(c, "function", None)]
            if not calls or calls[0].function.name != TOOL_NAME:
                raise _Invalid("no read_turn tool call in the answer")
            return calls[0].function.arguments or ""
        response = self._openai.chat.completions.create(
            model=self.model, messages=messages, temperature=0, timeout=timeout,
            response_format={"type": "json_object", "schema": schema},  # type: ignore[arg-type,typeddict-unknown-key]
        )
        return _first_message(response).content or ""

    # ---------------------------------------------------------------- streamed replies

    def stream_reply(self, plan: ReplyPlan | Sequence[Message]) -> Iterator[str]:
        """Whole sentences of the reply as the stream brings them, so TTS can start on the first.

        Iterating raises LlmUnavailable when no sentence came (after one retry) or when the stream
        breaks off later; the sentences already yielded stand, the policy says the rest.
        """
        masker = self._masker()
        mask = masker.mask if masker else str
        messages = reply_messages(plan, mask) if isinstance(plan, ReplyPlan) else masked_messages(plan, mask)
        restore = masker.restore if masker else str
        return (restore(s) for s in self._sentences(messages))

    def answer_consultation(self, question: str, articles: Sequence[KbArticle]) -> tuple[Iterator[str], str]:
        """An answer from the given articles only, and the id of the article it cites.

        Returns once the citation and the first sentence are in, so the id is known before the
        caller hears anything. An id not among `articles`, [无], no sentence, or a figure the cited
        article does not state is invalid output: tried once more, then LlmUnavailable. A later
        sentence with an invented figure ends the iteration with LlmUnavailable("invalid").
        """
        if not articles:
            raise ValueError("answer_consultation needs at least one candidate article")
        by_id = {a.id: a for a in articles}
        masker = self._masker()
        messages = consult_messages(question, articles, masker.mask if masker else str)
        restore = masker.restore if masker else str
        start = time.monotonic()

        def attempt(timeout: float) -> tuple[Iterator[str], str]:
            stream = self._stream_sentences(messages, time.monotonic() + timeout, start + self.reply_timeout_s)
            sentences = (restore(s) for s in stream)
            cited, first = split_citation(next(sentences, ""))
            if not first.strip():  # the citation stood alone on its line
                first = next(sentences, "")
            article = by_id.get(cited or "")
            try:
                if article is None:
                    raise _Invalid(f"cited {cited!r}, not one of {sorted(by_id)}")
                if not first.strip():
                    raise _Invalid("an answer with no sentence")
                allowed = article_numbers(article)
                if invented := invented_numbers(first, allowed):
                    raise _Invalid(f"figures not in the cited article: {sorted(invented)}")
            except _Invalid:
                stream.close()
                raise
            return _grounded_answer(first, sentences, allowed), article.id

        return _with_retry(attempt, start + self.timeout_s)

    def _sentences(self, messages: list[Message]) -> Iterator[str]:
        """Sentences of one streamed answer, tried again when it fails before its first sentence."""
        start = time.monotonic()
        deadline, end = start + self.timeout_s, start + self.reply_timeout_s
        for attempt in range(2):
            started = False
            try:
                for sentence in self._stream_sentences(messages, deadline, end):
                    started = True
                    yield sentence
                if started:
                    return
                raise _Invalid("an empty reply")
            except _FAILURES as exc:
                left = deadline - time.monotonic()
                if started or attempt == 1 or left < _MIN_ATTEMPT_S:
                    raise LlmUnavailable(_reason(exc), str(exc)) from exc

    def _stream_sentences(self, messages: list[Message], first_by: float, end_by: float) -> Iterator[str]:
        """One streamed chat completion cut into sentences. The first words must come by
        `first_by`, the whole answer by `end_by` (monotonic times)."""
        stream = self._openai.chat.completions.create(
            model=self.model, messages=messages, stream=True, temperature=0.3,
            timeout=max(0.01, first_by - time.monotonic()),
        )
        splitter = SentenceSplitter()
        heard = False
        try:
            for chunk in stream:
                text = "".join(c.delta.content or "" for c in chunk.choices if c.delta)
                heard = heard or bool(text.strip())
                now = time.monotonic()
                if now > end_by or (not heard and now > first_by):
                    raise _Deadline("the reply did not come in time")
                yield from splitter.feed(text)
            rest = splitter.flush()
            if rest:
                yield rest
        finally:
            stream.close()


def _first_message(response: Any) -> Any:
    if not getattr(response, "choices", None):
        raise _Invalid("an answer without choices")
    return response.choices[0].message


def _with_retry(attempt: Callable[[float], T], deadline: float) -> T:
    """`attempt(seconds left)`, once more if it fails and time is left, else LlmUnavailable."""
    for tries in (1, 2):
        left = deadline - time.monotonic()
        try:
            return attempt(left)
        except _FAILURES as exc:
            if tries == 2 or deadline - time.monotonic() < _MIN_ATTEMPT_S:
                raise LlmUnavailable(_reason(exc), str(exc)) from exc
    raise AssertionError("unreachable")


def _grounded_answer(first: str, rest: Iterator[str], allowed: set[str]) -> Iterator[str]:
    """The answer's sentences; one stating a figure the article does not, or a stream that breaks
    off, ends them with LlmUnavailable."""
    yield first
    try:
        for sentence in rest:
            invented = invented_numbers(sentence, allowed)
            if invented:
                raise LlmUnavailable("invalid", f"figures not in the cited article: {sorted(invented)}")
            yield sentence
    except _FAILURES as exc:
        raise LlmUnavailable(_reason(exc), str(exc)) from exc

"""What the LLM reads from one caller turn, validated strictly.

Flat and small on purpose: a 0.5B model fills it in a grammar-constrained decode, and every field
it does not need to touch has a default. Any value outside the enums, an extra key or a number
with letters in it is a ValidationError, which the client counts as invalid output. Deciding what
to do with the reading (what is still missing, read-back, safety, filing) is the policy's job.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Collection
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator

from agent.privacy import fold_digits

Category = Literal["咨询", "投诉", "求助", "举报", "建议", "表扬"]
# The danger labels of agent.safety, so both backends speak of the same kinds.
Danger = Literal["gas", "fire", "trapped", "flood", "manhole", "missing", "violence", "medical", "distress",
                 "danger", "electric"]
Slot = Literal["district", "street", "address", "phone", "name"]

# A masking placeholder ([电话1]) left in the answer after the masker put back the numbers it knew.
_PLACEHOLDER = re.compile(r"[\[【]\s*电话\s*\d*\s*[\]】]")
# Separators a model may leave between the groups of a number it writes down.
_NUMBER_SEPARATORS = set(" -—,，、.·")


class TurnRead(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: Category | None = None
    wants_human: bool = False
    affirms: bool = False  # "对/是的" to a read-back or yes/no question
    denies: bool = False
    done: bool = False  # "没别的事了"
    is_question: bool = False
    kb_article: str | None = None  # one of the candidate ids given with the turn
    danger: list[Danger] = []
    district: str | None = None
    street: str | None = None
    address: str | None = None
    place_is_callers_home: bool = False  # the place given is where the caller lives, not the incident
    phone: str | None = None  # digits as said
    use_line_number: bool = False  # "就用这个号"
    name: str | None = None
    name_declined: bool = False
    corrects: Slot | None = None  # the turn corrects an earlier value of this slot

    @field_validator("category", "kb_article", "district", "street", "address", "name", "corrects", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        # Small models write "" (or "null") for "not said"; that is absence, not a value.
        if isinstance(value, str) and value.strip().lower() in ("", "null", "none"):
            return None
        return value.strip() if isinstance(value, str) else value

    @field_validator("phone", mode="before")
    @classmethod
    def _phone_digits(cls, value: Any) -> Any:
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, int):
            return str(value)  # models often write a number as a JSON number
        if not isinstance(value, str):
            return value
        if value.strip().lower() in ("", "null", "none") or _PLACEHOLDER.fullmatch(value.strip()):
            # A placeholder no number stands behind is the prompt's example copied: no number said.
            return None
        kept = [c for c in value.strip() if c not in _NUMBER_SEPARATORS]
        digits = fold_digits("".join(kept))
        if len(digits) != len(kept):
            raise ValueError(f"phone must be digits as said, got {value!r}")
        return digits

    @field_validator("danger")
    @classmethod
    def _once_each(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    @field_validator("kb_article")
    @classmethod
    def _a_candidate(cls, value: str | None, info: ValidationInfo) -> str | None:
        candidates = (info.context or {}).get("kb_ids")
        if value is not None and candidates is not None and value not in candidates:
            raise ValueError(f"kb_article {value!r} is not one of the candidates given")
        return value

    @model_validator(mode="after")
    def _yes_or_no(self) -> TurnRead:
        if self.affirms and self.denies:
            raise ValueError("a turn cannot both affirm and deny")
        return self

    @classmethod
    def from_model(cls, data: Any, kb_ids: Collection[str]) -> TurnRead:
        """Validate what the model wrote; `kb_ids` are the candidate articles it was shown."""
        return cls.model_validate(data, context={"kb_ids": set(kb_ids)})


def _without_titles(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_titles(v) for k, v in node.items() if k != "title"}
    if isinstance(node, list):
        return [_without_titles(v) for v in node]
    return node


_BASE_SCHEMA = _without_titles(TurnRead.model_json_schema())


def turn_read_schema(kb_ids: Collection[str] = ()) -> dict[str, Any]:
    """The JSON schema of TurnRead for a prompt, a tool's parameters or a response_format.

    kb_article is narrowed to this turn's candidate ids, so a server that decodes by grammar
    (llama.cpp) cannot even write another id; titles are dropped to save a small model tokens.
    """
    schema = copy.deepcopy(_BASE_SCHEMA)
    schema["additionalProperties"] = False
    ids = sorted(kb_ids)
    schema["properties"]["kb_article"] = (
        {"anyOf": [{"type": "string", "enum": ids}, {"type": "null"}], "default": None} if ids else {"type": "null"}
    )
    return schema

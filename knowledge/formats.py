"""Read and write the three knowledge import formats of DESIGN.md, validating them strictly.

- KB: JSON lines, one article per line: id, title, question, answer, department, tags.
- Catalogue: a JSON list of entries: topic, keywords, category_hint, unit, dispatch (direct|dual),
  co_unit, time_limit_hours, and the optional booleans urgent and police.
- Gazetteer: a JSON object {district: [street, ...]}.

Admins edit these files by hand, so every error names the file, the line (and entry) and what is
wrong, instead of surfacing as a KeyError deep in the server. Ids and topic names are kept exactly
as given. Writing round-trips: read_x(write_x(data)) == data.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.catalogue import CatalogueEntry
from knowledge.kb import KbArticle

KB_FIELDS = ("id", "title", "question", "answer", "department", "tags")
CATALOGUE_FIELDS = ("topic", "keywords", "category_hint", "unit", "dispatch", "co_unit", "time_limit_hours")
CATALOGUE_OPTIONAL = ("urgent", "police")
CATEGORIES = ("咨询", "求助", "投诉", "举报", "建议", "表扬")
DISPATCH_MODES = ("direct", "dual")


class KnowledgeFormatError(Exception):
    """A knowledge file that cannot be used as it is; the message says where and why."""

    def __init__(self, path: str | Path, problem: str, line: int | None = None, entry: str | None = None):
        self.path = str(path)
        self.problem = problem
        self.line = line
        self.entry = entry
        where = self.path
        if line is not None:
            where += f", line {line}"
        if entry is not None:
            where += f", {entry}"
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class FieldProblem:
    """One field that breaks the format's rules. `rule` names the rule ("type", "empty", "list_item",
    "choice", "co_unit_needed", "co_unit_not_allowed", "positive", "boolean"), so a page can say it in
    its own language; `message` says it as the file errors do."""

    field: str
    rule: str
    message: str


# ---------------------------------------------------------------- shared helpers

def _read_text(path: str | Path) -> str:
    try:
        # utf-8-sig: files saved by Windows editors start with a BOM that json rejects.
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise KnowledgeFormatError(path, "file not found") from None
    except UnicodeDecodeError as exc:
        raise KnowledgeFormatError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise KnowledgeFormatError(path, f"cannot read file: {exc.strerror}") from None


def _write_text(path: str | Path, text: str) -> None:
    """Write atomically so a failed export never leaves half a file where a good one was."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent or Path("."), prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class DuplicateKey(ValueError):
    """An object naming the same key twice (json keeps the last one silently)."""


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise DuplicateKey(f"duplicate key {key!r}")
        seen[key] = value
    return seen


def _loads(text: str) -> Any:
    """json.loads, failing only with ValueError: besides JSONDecodeError and DuplicateKey, a number
    of thousands of digits is a ValueError (Python's int limit) and nesting thousands deep a
    RecursionError, which a hostile or broken file must not turn into a server error."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _json_error(path: str | Path, exc: json.JSONDecodeError, line_offset: int = 0) -> KnowledgeFormatError:
    return KnowledgeFormatError(path, f"bad JSON: {exc.msg} (column {exc.colno})", line=exc.lineno + line_offset)


def _check_fields(obj: Any, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> str | None:
    """Return a problem description, or None when the object has exactly the expected keys."""
    if not isinstance(obj, dict):
        return f"expected a JSON object, got {_type_name(obj)}"
    missing = [name for name in required if name not in obj]
    if missing:
        return "missing field" + ("s " if len(missing) > 1 else " ") + ", ".join(missing)
    unknown = [name for name in obj if name not in required and name not in optional]
    if unknown:
        return "unknown field" + ("s " if len(unknown) > 1 else " ") + ", ".join(unknown)
    return None


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string",
            list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def _text_problem(obj: dict[str, Any], name: str, allow_empty: bool = False) -> FieldProblem | None:
    value = obj[name]
    if not isinstance(value, str):
        return FieldProblem(name, "type", f"field {name} must be a string, got {_type_name(value)}")
    if not allow_empty and not value.strip():
        return FieldProblem(name, "empty", f"field {name} must not be empty")
    return None


def _text_list_problem(obj: dict[str, Any], name: str) -> FieldProblem | None:
    value = obj[name]
    if not isinstance(value, list):
        return FieldProblem(name, "type", f"field {name} must be a list of strings, got {_type_name(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            return FieldProblem(name, "list_item", f"field {name}[{i}] must be a non-empty string, got {item!r}")
    return None


def _first(problems: list[FieldProblem]) -> str | None:
    return problems[0].message if problems else None


# ---------------------------------------------------------------- KB (JSON lines)

def read_kb(path: str | Path) -> list[KbArticle]:
    articles: list[KbArticle] = []
    first_line_of: dict[str, int] = {}
    # Lines end at "\n" only: str.splitlines() also splits at U+2028, U+0085 and the like, which
    # an article's text may hold as they are (write_kb writes them so).
    for number, line in enumerate(_read_text(path).split("\n"), start=1):
        if not line.strip():
            continue  # blank lines (e.g. a trailing one) carry no article
        try:
            obj = _loads(line)
        except json.JSONDecodeError as exc:
            raise _json_error(path, exc, line_offset=number - 1) from None
        except ValueError as exc:
            raise KnowledgeFormatError(path, str(exc), line=number) from None
        problem = _check_fields(obj, KB_FIELDS) or _first(kb_article_problems(obj))
        entry = f"article {obj['id']!r}" if isinstance(obj, dict) and isinstance(obj.get("id"), str) else None
        if problem:
            raise KnowledgeFormatError(path, problem, line=number, entry=entry)
        if obj["id"] in first_line_of:
            raise KnowledgeFormatError(
                path, f"duplicate id (first used on line {first_line_of[obj['id']]})", line=number, entry=entry
            )
        first_line_of[obj["id"]] = number
        articles.append(KbArticle(**{name: obj[name] for name in KB_FIELDS}))
    return articles


def kb_article_problems(obj: dict[str, Any]) -> list[FieldProblem]:
    """What is wrong with an article's fields (an object with every field of KB_FIELDS), field by field."""
    found = [_text_problem(obj, name) for name in ("id", "title", "question", "answer")]
    found += [_text_problem(obj, "department", allow_empty=True), _text_list_problem(obj, "tags")]
    return [problem for problem in found if problem]


def write_kb(path: str | Path, articles: Iterable[KbArticle]) -> None:
    lines = []
    for article in articles:
        obj = {name: getattr(article, name) for name in KB_FIELDS}
        obj["tags"] = list(article.tags)
        lines.append(json.dumps(obj, ensure_ascii=False) + "\n")
    _write_text(path, "".join(lines))


# ---------------------------------------------------------------- catalogue (JSON list)

def _list_items_with_lines(path: str | Path, text: str) -> list[tuple[int, Any]]:
    """Parse a top-level JSON list, remembering the line each item starts on (for messages)."""
    decoder = json.JSONDecoder(object_pairs_hook=_no_duplicate_keys)
    try:
        _loads(text)  # validates the whole document first, with json's own line numbers
    except json.JSONDecodeError as exc:
        raise _json_error(path, exc) from None
    except DuplicateKey:
        pass  # reported below with the entry they are in
    except ValueError as exc:
        raise KnowledgeFormatError(path, str(exc)) from None
    pos = len(text) - len(text.lstrip())
    if not text[pos:pos + 1] == "[":
        raise KnowledgeFormatError(path, "expected a JSON list of catalogue entries", line=1)
    items: list[tuple[int, Any]] = []
    pos += 1
    while True:
        while text[pos] in " \t\r\n,":
            pos += 1
        if text[pos] == "]":
            return items
        line = text.count("\n", 0, pos) + 1
        try:
            item, pos = decoder.raw_decode(text, pos)
        except ValueError as exc:
            raise KnowledgeFormatError(path, str(exc), line=line, entry=f"entry {len(items) + 1}") from None
        items.append((line, item))


def read_catalogue(path: str | Path) -> list[CatalogueEntry]:
    entries: list[CatalogueEntry] = []
    first_line_of: dict[str, int] = {}
    for index, (line, obj) in enumerate(_list_items_with_lines(path, _read_text(path)), start=1):
        entry = f"entry {index}"
        if isinstance(obj, dict) and isinstance(obj.get("topic"), str):
            entry += f" (topic {obj['topic']!r})"
        problem = _check_fields(obj, CATALOGUE_FIELDS, CATALOGUE_OPTIONAL) or _first(catalogue_entry_problems(obj))
        if problem:
            raise KnowledgeFormatError(path, problem, line=line, entry=entry)
        if obj["topic"] in first_line_of:
            raise KnowledgeFormatError(
                path, f"duplicate topic (first used on line {first_line_of[obj['topic']]})", line=line, entry=entry
            )
        first_line_of[obj["topic"]] = line
        entries.append(CatalogueEntry(
            topic=obj["topic"], keywords=list(obj["keywords"]), category_hint=obj["category_hint"],
            unit=obj["unit"], dispatch=obj["dispatch"], co_unit=obj["co_unit"],
            time_limit_hours=obj["time_limit_hours"],
            urgent=obj.get("urgent", False), police=obj.get("police", False),
        ))
    return entries


def catalogue_entry_problems(obj: dict[str, Any]) -> list[FieldProblem]:
    """What is wrong with an entry's fields (an object with every field of CATALOGUE_FIELDS, the
    optional ones if given), field by field."""
    texts = [_text_problem(obj, "topic"), _text_list_problem(obj, "keywords"), _text_problem(obj, "unit")]
    found = [problem for problem in texts if problem]
    if obj["category_hint"] not in CATEGORIES:
        found.append(FieldProblem("category_hint", "choice", f"field category_hint must be one of "
                                  f"{'/'.join(CATEGORIES)}, got {obj['category_hint']!r}"))
    co_unit = obj["co_unit"]
    if obj["dispatch"] not in DISPATCH_MODES:
        found.append(FieldProblem("dispatch", "choice",
                                  f"field dispatch must be \"direct\" or \"dual\", got {obj['dispatch']!r}"))
    elif obj["dispatch"] == "dual" and not (isinstance(co_unit, str) and co_unit.strip()):
        found.append(FieldProblem("co_unit", "co_unit_needed",
                                  f"dispatch \"dual\" needs a co_unit (e.g. \"属地街道(乡镇)\"), got {co_unit!r}"))
    elif obj["dispatch"] == "direct" and co_unit is not None:
        found.append(FieldProblem("co_unit", "co_unit_not_allowed", f"dispatch \"direct\" goes to the unit only, "
                                  f"so co_unit must be null, got {co_unit!r}"))
    hours = obj["time_limit_hours"]
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not math.isfinite(hours) or hours <= 0:
        found.append(FieldProblem("time_limit_hours", "positive",
                                  f"field time_limit_hours must be a positive number, got {hours!r}"))
    for name in CATALOGUE_OPTIONAL:
        if name in obj and not isinstance(obj[name], bool):
            found.append(FieldProblem(name, "boolean", f"field {name} must be true or false, got {obj[name]!r}"))
    return found


def write_catalogue(path: str | Path, entries: Iterable[CatalogueEntry]) -> None:
    items = [
        {
            "topic": e.topic, "keywords": list(e.keywords), "category_hint": e.category_hint,
            "unit": e.unit, "dispatch": e.dispatch, "co_unit": e.co_unit,
            "time_limit_hours": e.time_limit_hours, "urgent": e.urgent, "police": e.police,
        }
        for e in entries
    ]
    _write_text(path, json.dumps(items, ensure_ascii=False, indent=1) + "\n")


# ---------------------------------------------------------------- gazetteer (JSON object)

def read_gazetteer(path: str | Path) -> dict[str, list[str]]:
    text = _read_text(path)
    try:
        obj = _loads(text)
    except json.JSONDecodeError as exc:
        raise _json_error(path, exc) from None
    except DuplicateKey as exc:
        raise KnowledgeFormatError(path, f"{exc} (a district listed twice)") from None
    except ValueError as exc:
        raise KnowledgeFormatError(path, str(exc)) from None
    if not isinstance(obj, dict):
        raise KnowledgeFormatError(path, f"expected a JSON object {{district: [streets]}}, got {_type_name(obj)}")
    mapping: dict[str, list[str]] = {}
    for district, streets in obj.items():
        line = _line_of_key(text, district)
        entry = f"district {district!r}"
        if not district.strip():
            raise KnowledgeFormatError(path, "district name must not be empty", line=line)
        if not isinstance(streets, list):
            raise KnowledgeFormatError(path, f"expected a list of streets, got {_type_name(streets)}", line, entry)
        seen: set[str] = set()
        for i, street in enumerate(streets):
            if not isinstance(street, str) or not street.strip():
                raise KnowledgeFormatError(path, f"street {i + 1} must be a non-empty string, got {street!r}",
                                           line, entry)
            if street in seen:
                raise KnowledgeFormatError(path, f"street {street!r} is listed twice", line, entry)
            seen.add(street)
        mapping[district] = list(streets)
    return mapping


def place_problems(district: Any, street: Any) -> list[FieldProblem]:
    """What is wrong with one street of the gazetteer and the district it lies in: both must be named."""
    found = [_text_problem({"district": district}, "district"), _text_problem({"street": street}, "street")]
    return [problem for problem in found if problem]


def _line_of_key(text: str, key: str) -> int | None:
    for quoted in (json.dumps(key, ensure_ascii=False), json.dumps(key)):
        pos = text.find(quoted)
        if pos >= 0:
            return text.count("\n", 0, pos) + 1
    return None


def write_gazetteer(path: str | Path, mapping: dict[str, list[str]]) -> None:
    obj = {district: list(streets) for district, streets in mapping.items()}
    _write_text(path, json.dumps(obj, ensure_ascii=False, indent=1) + "\n")

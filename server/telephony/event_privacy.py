"""What a call's live events may say of the caller. Events go to every watcher of the stream (the
consoles, the caller's own browser phone, whatever an operator plugs in), so a phone or ID number
is shown only by its last four digits and a name only by its surname, in the words as in the
seat's reading. The stored call keeps everything; the console reads the whole reading through its
own route (server/web/console.py), for the role that may see it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from agent.names import extract_name
from agent.privacy import find_numbers, masked_name, masked_number

# Fields that hold what someone said or a summary of it.
_WORDS = frozenset({"text", "confirmed", "tentative", "heard", "brief", "summary", "address"})
_NUMBERS = frozenset({"phone", "caller"})


def masked_words(text: str, names: Iterable[str] = ()) -> str:
    """`text` with its dictated numbers and the caller's name masked: the names the seat has read
    so far, and any name the text itself gives (the turn that says it is heard before it is read)."""
    out, last = [], 0
    for span in find_numbers(text):
        out += [text[last:span.start], masked_number(span.digits)]
        last = span.end
    out.append(text[last:])
    masked = "".join(out)
    heard = extract_name(masked)
    for name in {*names, *([heard.name] if heard and heard.name else [])}:
        if len(name) >= 2 and masked_name(name) != name:  # 马先生 names nobody: nothing to hide
            masked = masked.replace(name, masked_name(name))
            given = name[1:]
            if len(given) >= 2:  # "叫立新" said without the surname
                masked = masked.replace(given, "*" * len(given))
    return masked


def masked_event(fields: dict[str, Any], names: Iterable[str] = ()) -> dict[str, Any]:
    """The event's fields as watchers may see them."""
    own = fields.get("caller_name")  # a reading names the caller: mask it in its summary and brief too
    names = [n for n in [*names, own if isinstance(own, str) else None] if n]
    out = dict(fields)
    for key, value in fields.items():
        if not isinstance(value, str) or not value:
            continue
        if key in _NUMBERS:
            out[key] = masked_number(value)
        elif key == "caller_name":
            out[key] = masked_name(value)
        elif key in _WORDS:
            out[key] = masked_words(value, names)
    return out

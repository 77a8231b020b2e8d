"""Cutting a reply into sentences that can be synthesised and played one after another.

The caller hears the first sentence while the rest is still being synthesised, and each
sentence is cached on its own, so the stock phrases that end many replies cost nothing.
"""

from __future__ import annotations

import re

# Full stops, not commas: a sentence is long enough to sound natural on its own.
_SENTENCE = re.compile(r"[^。！？；!?;]+[。！？；!?;]*")
PAUSE_BETWEEN_S = 0.2


def speech_chunks(text: str) -> list[str]:
    return [chunk.strip() for chunk in _SENTENCE.findall(text) if chunk.strip()]

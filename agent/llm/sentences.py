"""Cutting a streamed reply into whole sentences, so speech can start on the first one."""

from __future__ import annotations

from collections.abc import Iterator

_ENDS = set("。！？!?；;\n")
# Closing marks after an end mark (…吗？”). A sentence goes out as soon as its end mark arrives,
# without waiting for them, so they are dropped from the start of the next one: TTS says nothing
# for them anyway.
_CLOSERS = set("”’」』）)】]")


class SentenceSplitter:
    """Feed text as it arrives; get back each sentence as soon as its end mark has arrived."""

    def __init__(self) -> None:
        self._pending = ""

    def feed(self, text: str) -> Iterator[str]:
        self._pending += text
        while True:
            self._pending = self._pending.lstrip("".join(_CLOSERS | _ENDS) + " \t")
            end = next((i + 1 for i, c in enumerate(self._pending) if c in _ENDS), None)
            if end is None:
                return
            sentence, self._pending = self._pending[:end].strip(), self._pending[end:]
            if _has_words(sentence):
                yield sentence

    def flush(self) -> str | None:
        """The rest once the stream has ended (a last sentence without an end mark)."""
        rest, self._pending = self._pending.strip(), ""
        return rest if _has_words(rest) else None


def _has_words(text: str) -> bool:
    return any(c.isalnum() for c in text)

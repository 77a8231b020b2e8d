"""How long a pause must last before the caller's turn is over, judged by what was said.

A good operator answers a finished "对。" at once and waits through "在朝阳区那个……". The
voice activity detector only hears silence; this looks at the text of the decode that ran in
the pause and picks one of three silences:

- `finished_ms`: the text ends a sentence (。？！), or is a short answer (对 / 是的 / 不是 /
  好的 / a complete phone number) — the caller is done.
- `hesitation_ms`: the text trails off — a filler (嗯, 那个, 就是), a word that needs what
  follows (在, 的, 和, 叫 …), a comma, or a number too short to be one being dictated.
- `default_ms` otherwise.

A turn ended too early is not lost: the detector takes it up again when the caller goes on
within its rejoin time (voice/vad.py), and whoever answered it takes the answer back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from voice.asr.digits import trailing_digit_run

_SPACE = re.compile(r"\s+")
_MARKS = re.compile(r"[，,、。？！?!.；;：:…—~～-]")
_TRAILING_MARKS = "，,、；;：:…—-~～"
_SENTENCE_END = "。？！?!."
_SHORT_ANSWERS = frozenset(
    "对 对的 对对 对对对 对啊 嗯对 没错 是 是的 是啊 是我 不是 不对 有 没有 没有了 没了".split()
    + "好 好的 行 可以 要 不要 不用 不用了 不行 谢谢 好的谢谢 就这些 就这样 就这样吧 没有其他的".split()
)
# Said while thinking or before what comes next: never the end of a turn.
# (Not 啊/呀/吧: at the end of a sentence they are particles, 怎么办啊？)
_FILLERS = ("嗯", "呃", "额", "那个", "这个", "就是", "然后", "还有", "就是说", "怎么说", "反正")
_OPEN_WORDS = tuple("在的和跟与是到往从叫姓给把被让对于及或")
# A mobile number has 11 digits, a Beijing line 8 (010 + 8 = 11); fewer at the end is a number
# still being read out.
_COMPLETE_NUMBER_DIGITS = (8, 11, 12)


@dataclass(frozen=True)
class EndOfTurnPolicy:
    finished_ms: int = 400
    default_ms: int = 700
    hesitation_ms: int = 1500

    def silence_ms(self, text: str) -> int:
        """The silence after which a turn whose words so far are `text` is over."""
        return {"finished": self.finished_ms, "open": self.hesitation_ms}.get(ending(text), self.default_ms)


def ending(text: str) -> str:
    """"finished", "open" (more is coming) or "plain" (cannot tell), for the text of a turn so far."""
    said = _SPACE.sub("", text)
    if not said:
        return "open"  # nothing understood yet: a quiet caller gets the longest wait
    bare = said.rstrip(_SENTENCE_END + _TRAILING_MARKS)
    if not bare:
        return "open"
    if _MARKS.sub("", bare) in _SHORT_ANSWERS:  # before the open words: 是的 ends in 的, 对 is one
        return "finished"
    if said[-1] in _TRAILING_MARKS or bare.endswith(_FILLERS) or bare[-1] in _OPEN_WORDS:
        return "open"
    number = trailing_digit_run(bare)  # Whisper writes pauses between digit groups: 139,1122,3344
    if number:
        start, digits = number
        if len(digits) in _COMPLETE_NUMBER_DIGITS or start == 0 and len(digits) <= 2:
            return "finished"
        return "open"
    if said[-1] in _SENTENCE_END:
        return "finished"
    return "plain"

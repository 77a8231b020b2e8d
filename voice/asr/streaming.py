"""A caller's turn transcribed while it is spoken: partial text that firms up, then the final text.

Whisper decodes stretches of audio, not a stream, so the turn is decoded again as it grows, and
only the part since the last *commit* is decoded each time:

- The stretch since the last commit is decoded every few seconds of speech and in each short
  pause (`update`). What two decodes in a row agree on (LocalAgreement-2, Macháček et al. 2023)
  is *confirmed*; the rest is *tentative*.
- When the pause grows into the end of a sentence (`commit`), the last decode is *committed* if it
  heard all the speech so far, covers at least `min_commit_s` and is a finished clause: its text
  is final, its audio is never decoded again, and it becomes the prompt for what follows. Text
  ending in digits is not committed: a dictated number goes on after a pause.

The final text is the committed stretches plus one decode of the rest. When the last decode heard
everything up to the end of speech (it ran in the pause that ended the turn), its text stands and
the end of the turn costs no decoding at all.

Commits happen in pauses only, where no syllable is cut in two (Whisper's segment times are too
loose to cut at), and not for short stretches, because Whisper reads a clause better with the
words around it. On the dev turns (bench/streaming_asr.py), decoding every 4 s of speech and in
each 0.15 s pause, and committing after 0.45 s pauses and 8 s stretches, reads 1.9 % worse (CER)
than decoding each whole turn at once, for 0.30 CPU-s per audio second. Every 3 s and in 0.25 s
pauses: 4.2 % worse for 0.33; commits from 4 s stretches: 10 % worse (less audio around a clause).
A decode 0.1 s into each pause read as well as 0.15 s (1.000 against 1.004 × whole turns, a later
session and code) and starts the turn's last decode 50 ms sooner.

Nothing here runs by itself: the call session decides when to decode and runs `update` /
`commit` / `finish` off its event loop, one at a time per turn, except that a partial decode
while the caller speaks is `hear` (the decode alone, beside the rest) then `take` (its result,
dropped if a commit or a decode of more audio came first); `stream_recorded` does the same on a
recording, for benchmarks and tests.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz.distance import LCSseq

from voice.asr.base import SAMPLE_RATE, Segment, Transcript
from voice.asr.digits import DIGIT_CHARS
from voice.asr.whisper_text import broke_off, looks_looped

log = logging.getLogger(__name__)

Decode = Callable[[np.ndarray, str], list[Segment]]
"""(16 kHz audio, text said before it) → segments, times relative to the audio."""
PartialDecode = Callable[[np.ndarray, str], list[Segment] | None]
"""Like Decode, but quick, and None where it could not settle on a reading (the next decode will)."""

_MARKS = re.compile(r"[\s，。、？！；：,.?!;:…—\-·~～]")
# The prompt carries the end of the committed text only: Whisper's prompt holds ~220 tokens.
PROMPT_CHARS = 120
# When to decode and commit (the server's [turn] settings; measured above).
STEP_S = 4.0
PAUSE_S = 0.1
COMMIT_PAUSE_S = 0.45
MIN_COMMIT_S = 8.0
# A decode that holds fewer than this share of the words already confirmed of its stretch (two
# decodes of less audio agreed on them) has skipped part of it: Whisper base read d002's two clips,
# 2 s of digital silence between them, as the second clip alone when cut at 12.5 s (both at 12.25
# and 12.75 s).
FORGOTTEN_SHARE = 0.5
# The final's decode, when it skipped: read again with this much more silence after the speech.
REREAD_PADDING_S = 0.25
# A decode of this much audio or more that writes fewer words a second than this stopped early:
# Whisper now and then runs into its prompt (使用简体中文) and ends there, and the rest of the
# turn was lost (dev2's e026 kept 4 s of a 15 s turn). Callers say 2.2 words a second at the
# slowest on the dev turns, silences at either end included; a turn ends at a pause, so there are
# no long silences inside it.
SPARSE_MIN_S = 4.0
SPARSE_WORDS_PER_S = 1.0


@dataclass(frozen=True)
class Partial:
    confirmed: str  # will not change for the rest of the turn
    tentative: str  # the latest decode's guess at what follows
    audio_s: float  # how much of the turn the decode heard
    latest: str = ""  # everything the latest decode heard (committed text first), for judging the turn

    @property
    def text(self) -> str:
        return self.confirmed + self.tentative


@dataclass
class Hypothesis:
    """One decode of the stretch after a commit."""

    segments: list[Segment]  # times from the commit
    heard_to: int  # turn sample up to which it heard
    cut: int  # turn sample of the commit it was decoded after

    @property
    def text(self) -> str:
        return "".join(segment.text for segment in self.segments)


@dataclass
class StreamingTranscriber:
    """One turn. Each call gets the turn's audio so far (16 kHz, from the turn's first sample)."""

    decode: Decode
    min_commit_s: float = MIN_COMMIT_S  # shorter stretches wait for the next pause: context helps Whisper
    partial_decode: PartialDecode | None = None  # for `update`; `decode` where not given
    committed: list[Segment] = field(default_factory=list)  # turn time
    decodes: int = 0
    _cut: int = 0  # turn samples already committed
    _last: Hypothesis | None = None
    _agreed: str = ""  # text two decodes of the current stretch agreed on
    _shown: str = ""  # the confirmed text given out so far (committed and agreed), marks as first shown

    @property
    def committed_text(self) -> str:
        return "".join(segment.text for segment in self.committed)

    def update(self, turn_audio: np.ndarray) -> Partial:
        """Decode what is not committed yet; what this decode and the one before agree on is confirmed."""
        partial = self.take(self.hear(turn_audio), turn_audio.size)
        assert partial is not None  # nothing ran in between
        return partial

    def hear(self, turn_audio: np.ndarray) -> Hypothesis | None:
        """Only the decode of `update` (None: no reading), changing nothing: a partial decode may run
        while a pause's `update` or a `commit` goes ahead, and `take` its result afterwards."""
        return self._read(self.partial_decode or self.decode, turn_audio)

    def take(self, hypothesis: Hypothesis | None, heard_to: int) -> Partial | None:
        """The rest of `update` for what `hear` decoded of the turn's first `heard_to` samples;
        None if a commit or a decode of more audio came in between (the decode is dropped)."""
        previous = self._last
        if hypothesis is not None and (
            hypothesis.cut != self._cut or (previous is not None and previous.heard_to > hypothesis.heard_to)
        ):
            return None
        if hypothesis is not None and self._skipped(hypothesis):
            # (Not its words: they may hold the caller's name or number.)
            log.debug("a decode of %.2f s skipped confirmed words, not taken", heard_to / SAMPLE_RATE)
            hypothesis = None
        if hypothesis is None:  # no reading this time: what was confirmed stays, nothing is guessed
            return Partial(self._shown, "", heard_to / SAMPLE_RATE, self._shown)
        self._last = hypothesis
        if previous is not None:
            self._agreed = _agreed_prefix(previous.text, hypothesis.text)
        # The agreed text is a prefix of the latest decode, which is what a commit keeps: the words
        # of committed + agreed only ever grow. Whisper moves its marks about, so the text shown
        # keeps the marks it first showed.
        self._shown = _grown(self._shown, self.committed_text + self._agreed)
        latest = self.committed_text + hypothesis.text
        return Partial(self._shown, _after(latest, self._shown), heard_to / SAMPLE_RATE, latest)

    def commit(self, speech_end_s: float) -> bool:
        """The caller has paused long enough to end a sentence (speech ended at `speech_end_s`, turn
        time): commit the last decode if it heard that far, is long enough and is a finished clause."""
        last = self._last
        if last is None or last.heard_to < speech_end_s * SAMPLE_RATE:
            return False
        if (last.heard_to - self._cut) / SAMPLE_RATE < self.min_commit_s or not _finished(last.text):
            return False
        if _unsound(last):
            return False  # the next decode may read it all; what is committed is never read again
        self.committed += [_shift(segment, self._cut / SAMPLE_RATE) for segment in last.segments]
        self._cut = last.heard_to
        self._last, self._agreed = None, ""
        return True

    def needs_decode(self, turn_audio: np.ndarray, speech_end_s: float | None = None) -> bool:
        """Whether `finish` will decode (seconds of work) or only put together what it has."""
        speech_end = turn_audio.size if speech_end_s is None else int(speech_end_s * SAMPLE_RATE)
        if self._cut >= min(speech_end, turn_audio.size):
            return False  # everything said is committed; what follows is silence
        last = self._last
        heard_it_all = last is not None and speech_end_s is not None and last.heard_to >= speech_end
        return last is None or not heard_it_all or _unsound(last)

    def finish(self, turn_audio: np.ndarray, speech_end_s: float | None = None) -> Transcript:
        """The final text of the turn.

        `speech_end_s` (turn time) is where the voice activity detector heard the speech end; when
        the last decode heard that far, its text stands and nothing is decoded again.
        """
        speech_end = turn_audio.size if speech_end_s is None else int(speech_end_s * SAMPLE_RATE)
        if self.needs_decode(turn_audio, speech_end_s):
            rest = self._settled(turn_audio).segments
        elif self._cut >= min(speech_end, turn_audio.size):
            rest = []
        else:
            assert self._last is not None
            rest = self._last.segments
        segments = self.committed + [_shift(segment, self._cut / SAMPLE_RATE) for segment in rest]
        return Transcript(
            text="".join(segment.text for segment in segments),
            language="zh",
            duration_s=turn_audio.size / SAMPLE_RATE,
            segments=segments,
        )

    def _settled(self, turn_audio: np.ndarray) -> Hypothesis:
        hypothesis = self._read(self.decode, turn_audio)
        assert hypothesis is not None  # `decode` always reads something
        if self._skipped(hypothesis) or _unsound(hypothesis):
            log.debug("the final's decode skipped words, stopped early or looped; read again")
            # Whisper's reading moves with where the audio ends; a little more silence reads it anew.
            padding = np.zeros(int(REREAD_PADDING_S * SAMPLE_RATE), dtype=np.float32)
            again = self._read(self.decode, np.concatenate([turn_audio, padding]))
            assert again is not None
            # A loop's words are no words: a reading that does not loop beats one that does.
            if not looks_looped(again.text) and (
                looks_looped(hypothesis.text) or _words(again.text) > _words(hypothesis.text)
            ):
                hypothesis = Hypothesis(again.segments, turn_audio.size, again.cut)
        self._last = hypothesis
        return hypothesis

    def _skipped(self, hypothesis: Hypothesis) -> bool:
        """A reading that has lost most of the words confirmed of its stretch: it holds fewer than
        FORGOTTEN_SHARE of them in order. (Not only a shared start: a decode of more audio may
        change the first word, 为您好 for 您好, and still hear the rest.)"""
        confirmed = _MARKS.sub("", self._shown)[_words(self.committed_text) :]
        if not confirmed:
            return False
        return LCSseq.similarity(confirmed, _MARKS.sub("", hypothesis.text)) < FORGOTTEN_SHARE * len(confirmed)

    def _read(self, decode: PartialDecode, turn_audio: np.ndarray) -> Hypothesis | None:
        cut = self._cut  # first: a commit in between makes this decode stale, whatever its prompt
        self.decodes += 1
        segments = decode(turn_audio[cut:], self.committed_text[-PROMPT_CHARS:])
        return None if segments is None else Hypothesis(segments, turn_audio.size, cut)


def _unsound(hypothesis: Hypothesis) -> bool:
    """A decode that cannot stand: it stopped before the end of its audio (too few words for it,
    or a broken one), or got stuck saying the same word over and over."""
    seconds = (hypothesis.heard_to - hypothesis.cut) / SAMPLE_RATE
    text = hypothesis.text
    return (
        broke_off(text)
        or looks_looped(text)
        or (seconds >= SPARSE_MIN_S and _words(text) < SPARSE_WORDS_PER_S * seconds)
    )


def _words(text: str) -> int:
    return len(_MARKS.sub("", text))


def _finished(text: str) -> bool:
    """Text that may be committed: something said, and not a number that may go on after a pause."""
    said = _MARKS.sub("", text)
    return bool(said) and said[-1] not in DIGIT_CHARS


def _agreed_prefix(earlier: str, later: str) -> str:
    """The start of `later` that `earlier` also has, marks not compared (Whisper moves them)."""
    a = _MARKS.sub("", earlier)
    seen = 0
    for index, char in enumerate(later):
        if _MARKS.match(char):
            continue
        if seen >= len(a) or a[seen] != char:
            return later[:index]
        seen += 1
    return later


def _grown(confirmed: str, agreed: str) -> str:
    """Confirmed text only ever grows, marks and all: `agreed` extends it only where it says the
    same words first (a later decode that changes its mind changes only the tentative part)."""
    rest = _beyond(agreed, confirmed)
    if confirmed and _MARKS.match(confirmed[-1]):
        rest = rest.lstrip("，,、。.？?！!；;：: ")
    return confirmed + rest if _MARKS.sub("", rest) else confirmed


def _beyond(text: str, prefix: str) -> str:
    """What `text` says after the words of `prefix` (marks not compared); "" if it says otherwise."""
    words = _MARKS.sub("", prefix)
    seen = 0
    for index, char in enumerate(text):
        if seen == len(words):
            return text[index:]
        if _MARKS.match(char):
            continue
        if char != words[seen]:
            return ""
        seen += 1
    return ""


def _after(text: str, shown: str) -> str:
    """`text` past as many words as `shown` holds: the tentative part, even where the latest decode
    heard the confirmed words differently (the confirmed ones stay as they were shown)."""
    words, seen = len(_MARKS.sub("", shown)), 0
    for index, char in enumerate(text):
        if seen == words:
            return text[index:].lstrip("，,、。.？?！!；;：: ") if shown else text[index:]
        if not _MARKS.match(char):
            seen += 1
    return ""


def _shift(segment: Segment, seconds: float) -> Segment:
    return Segment(segment.start + seconds, segment.end + seconds, segment.text)


class DecodeSchedule:
    """When to decode a turn being spoken, and when to commit (one per turn).

    A decode every `step_s` of speech and once in each pause of `pause_s`; a pause that reaches
    `commit_pause_s` commits the decode that heard it. Calls (server/telephony/live_turn.py) and recordings
    (`stream_recorded`) both follow this, so the benchmark measures what callers get.
    """

    DECODE_PAUSE = "pause"  # decode: the caller has paused
    DECODE_STEP = "step"  # decode: `step_s` more speech
    COMMIT = "commit"

    def __init__(
        self, step_s: float = STEP_S, pause_s: float = PAUSE_S, commit_pause_s: float = COMMIT_PAUSE_S
    ) -> None:
        self.step_s, self.pause_s, self.commit_pause_s = step_s, pause_s, commit_pause_s
        self._decoded_to: float | None = None  # turn time of the newest audio a decode was asked for
        self._decoded_pause: float | None = None  # speech end of the pause already decoded
        self._committed_pause: float | None = None  # speech end of the pause already committed

    def next(self, now_s: float, speech_end_s: float, silence_s: float) -> str | None:
        """What to do now: DECODE_PAUSE, DECODE_STEP, COMMIT or None (`now_s` is turn time)."""
        if self._decoded_to is None:
            self._decoded_to = now_s  # the first decode comes `step_s` into the turn
        if silence_s >= self.pause_s and self._decoded_pause != speech_end_s:
            self._decoded_pause, self._decoded_to = speech_end_s, now_s
            return self.DECODE_PAUSE
        if silence_s >= self.commit_pause_s and self._committed_pause != speech_end_s:
            self._committed_pause = speech_end_s
            return self.COMMIT
        if silence_s == 0 and now_s - self._decoded_to >= self.step_s:
            self._decoded_to = now_s
            return self.DECODE_STEP
        return None


def stream_recorded(
    transcriber: StreamingTranscriber,
    audio: np.ndarray,
    speech_probs: np.ndarray,
    window: int,
    schedule: DecodeSchedule | None = None,
    threshold: float = 0.5,
) -> Transcript:
    """Feed a recorded turn as a live call feeds it (`schedule`), and return the final text.

    `speech_probs` are the VAD's, one per `window` samples. The final text reuses the last decode
    when it heard the end of speech. Benchmarks and tests use this to measure the streaming
    policy on recordings; the call session drives it live.
    """
    schedule = schedule or DecodeSchedule()
    silence = speech_end = 0
    for index, prob in enumerate(speech_probs):
        end = (index + 1) * window
        if prob >= threshold:
            silence, speech_end = 0, end
        elif prob < threshold - 0.15:
            silence += window
        if not speech_end:
            continue
        action = schedule.next(end / SAMPLE_RATE, speech_end / SAMPLE_RATE, silence / SAMPLE_RATE)
        if action in (DecodeSchedule.DECODE_PAUSE, DecodeSchedule.DECODE_STEP):
            transcriber.update(audio[:end])
        elif action == DecodeSchedule.COMMIT:
            transcriber.commit(speech_end / SAMPLE_RATE)
    return transcriber.finish(audio, speech_end / SAMPLE_RATE)

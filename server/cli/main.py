"""The `hotline` command."""

from __future__ import annotations

import json
import logging
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, TextIO
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from server.cli.admin import catalogue_app, db_app, gazetteer_app, kb_app
from server.cli.data_keys import data_keys_app
from server.cli.keys import key_app
from server.cli.llm import register as register_llm
from server.cli.report import report
from server.config import ConfigError, Settings, load_settings

app = typer.Typer(help="Hotline: a voice agent for a 12345 citizen-service hotline.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")
app.add_typer(catalogue_app, name="catalogue")
app.add_typer(gazetteer_app, name="gazetteer")
app.add_typer(db_app, name="db")
app.add_typer(key_app, name="key")
app.add_typer(data_keys_app, name="keys")
app.command("report")(report)
register_llm(app)

err = Console(stderr=True, soft_wrap=True)
# With --server: a key that may read calls (a supervisor's), to read back what the seat filed.
KeyOption = Annotated[
    str | None,
    typer.Option(envvar="HOTLINE_KEY", help="With --server: a key that may read calls (hotline key create)."),
]


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        err.print(f"[red]config error:[/red] {exc}")
        raise typer.Exit(1) from None


def _beijing(iso_utc: str | None) -> str:
    """Times are stored in UTC and shown in Beijing time."""
    if not iso_utc:
        return "—"
    return datetime.fromisoformat(iso_utc).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(1)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    database: Annotated[str | None, typer.Option(help="SQLAlchemy URL (SQLite file or postgresql+psycopg://).")] = None,
) -> None:
    """Start the server: telephony WebSocket at /media-stream and the REST API."""
    import uvicorn
    from rich.markup import escape

    from knowledge.formats import KnowledgeFormatError
    from server.app import create_app, gateway_access_note, prepare_database
    from server.dialer.configured import check_dialer
    from server.services import build_recognizer, build_synthesizer, check_seat_backend
    from server.storage.db import DatabaseError
    from voice.model_assets import ModelAssetError
    from voice.tts.zhtts_model import TtsUnavailableError

    settings = _settings()
    host = host or settings.get("server", "host")
    port = port or settings.get("server", "port")
    url = database or settings.database_url
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=settings.get("server", "log_level").upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        check_seat_backend(settings)
        check_dialer(settings)
        prepare_database(settings, url)
        # Load the models here so a missing one is a clear error now, not on the first call.
        recognizer, synthesizer = build_recognizer(settings), build_synthesizer(settings)
    except (ModelAssetError, TtsUnavailableError, ConfigError, DatabaseError, KnowledgeFormatError) as exc:
        raise _fail(str(exc)) from None
    err.print(f"[green]Hotline[/green] listening on ws://{host}:{port}/media-stream (REST: http://{host}:{port}/api)")
    me = sys.argv[0] if "/" in sys.argv[0] else "hotline"
    err.print(f"Call the seat from your browser: open [bold]http://{host}:{port}/[/bold] and press 拨打 (call).")
    err.print("The console, unit desk, knowledge admin and dashboard log in with a role key, shown once:")
    err.print(f"  {me} key create --role agent   (or supervisor, admin; unit --unit NAME)")
    err.print("Or place a call from text or audio files, one per caller turn, and read it back with a key")
    err.print("that may read calls (keep it in HOTLINE_KEY):")
    err.print(f"  export HOTLINE_KEY=$({me} key create --role supervisor --quiet)")
    err.print(f'  {me} call --server ws://{host}:{port} --say "你好，我想问一下居住证怎么办"')
    err.print(f"  {me} call --server ws://{host}:{port} turn1.wav turn2.wav")
    err.print(f"  {me} simulate ../shared/corpus/dev/calls.jsonl --out results.jsonl --server ws://{host}:{port}")
    err.print(escape(gateway_access_note(settings)))  # its [gateway] is no rich markup
    err.print(f'See what was heard, said and filed: curl -H "Authorization: Bearer $HOTLINE_KEY" http://{host}:{port}/api/calls')
    app = create_app(settings, url, recognizer=recognizer, synthesizer=synthesizer, dial_callbacks=True)
    uvicorn.run(app, host=host, port=port, ws="websockets-sansio",
                ws_max_size=2**20, log_level=settings.get("server", "log_level"))


@app.command()
def transcribe(
    file: Annotated[Path, typer.Argument(help="An audio file in any format PyAV reads.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print text, language, duration and segments.")] = False,
) -> None:
    """Transcribe one audio file to Simplified Chinese."""
    from server.services import build_recognizer
    from voice.audio_file import AudioFileError, load_audio
    from voice.model_assets import ModelAssetError

    settings = _settings()
    try:
        audio = load_audio(file)
        recognizer = build_recognizer(settings)
    except (AudioFileError, ModelAssetError) as exc:
        raise _fail(str(exc)) from None
    duration = len(audio) / 16000
    with Progress(TextColumn("transcribing"), BarColumn(), TimeRemainingColumn(), console=err,
                  disable=duration < 30) as progress:
        task = progress.add_task("asr", total=1.0)
        transcript = recognizer.transcribe_long(audio, progress=lambda done: progress.update(task, completed=done))
    if as_json:
        print(json.dumps({
            "text": transcript.text, "language": transcript.language, "duration_s": transcript.duration_s,
            "segments": [{"start": s.start, "end": s.end, "text": s.text} for s in transcript.segments],
        }, ensure_ascii=False))
    else:
        print(transcript.text)


def _run_calls(calls: list, server: str | None, key: str | None, realtime: bool, out: TextIO,
               kb: Path | None, catalogue: Path | None, gazetteer: Path | None) -> int:
    from server.telephony.simulate import server_target, simulate_call

    failures = 0
    with server_target(server, key, kb, catalogue, gazetteer) as target, Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TimeRemainingColumn(), console=err,
    ) as progress:
        task = progress.add_task("calls", total=len(calls))
        for call in calls:
            progress.update(task, description=f"call {call.id}")
            line = simulate_call(target, call, realtime)
            failures += "error" in line
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            out.flush()
            progress.advance(task)
    return failures


@app.command()
def simulate(
    calls_file: Annotated[Path, typer.Argument(help="A corpus file: JSON lines with turns of audio clips.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write one JSON result line per call.")],
    kb: Annotated[Path | None, typer.Option(help="KB JSON lines replacing the seed KB.")] = None,
    catalogue: Annotated[Path | None, typer.Option(help="Responsibility catalogue replacing the seed one.")] = None,
    gazetteer: Annotated[Path | None, typer.Option(help="Gazetteer replacing the seed one.")] = None,
    server: Annotated[str | None, typer.Option(help="ws://HOST:PORT of a running server; default: start one.")] = None,
    key: KeyOption = None,
    realtime: Annotated[bool, typer.Option(help="Pace audio at 20 ms a frame and report latencies.")] = False,
) -> None:
    """Play each call of a corpus over the telephony WebSocket, as a phone would."""
    from server.telephony.simulate import SimulationError, read_corpus

    try:
        calls = read_corpus(calls_file)
        for path in (kb, catalogue, gazetteer):
            if path is not None and not path.is_file():
                raise SimulationError(f"file not found: {path}")
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            sink = out.open("w", encoding="utf-8")
        except OSError as exc:
            raise SimulationError(f"cannot write {out}: {exc.strerror or exc}") from None
        with sink:
            failures = _run_calls(calls, server, key, realtime, sink, kb, catalogue, gazetteer)
    except SimulationError as exc:
        raise _fail(str(exc)) from None
    err.print(f"{len(calls)} calls, {failures} failed → {out}")


@app.command()
def call(
    clips: Annotated[
        list[Path] | None, typer.Argument(help="The caller's turns, one audio file each, in order.")
    ] = None,
    say: Annotated[list[str] | None, typer.Option(
        "--say", help="A caller's turn as text, spoken with the offline voice; repeat for each turn.")] = None,
    server: Annotated[str | None, typer.Option(help="ws://HOST:PORT of a running server; default: start one.")] = None,
    caller_number: Annotated[str | None, typer.Option("--from", help="The caller's phone number.")] = None,
    key: KeyOption = None,
) -> None:
    """Place one call from audio files, or from text with --say, and print the conversation and its outcome."""
    from server.telephony.simulate import CorpusCall, SimulationError, server_target, simulate_call
    from server.telephony.spoken_turns import SpokenTurnError, spoken_turns

    if bool(clips) == bool(say):
        raise _fail("give the caller's turns either as audio files or as --say texts")
    missing = [str(p) for p in clips or [] if not p.is_file()]
    if missing:
        raise _fail(f"file not found: {', '.join(missing)}")
    try:
        with tempfile.TemporaryDirectory() as folder:
            turns = clips or spoken_turns(say or [], Path(folder))
            one = CorpusCall(id="call", clips=turns, caller_number=caller_number)
            with server_target(server, key) as target:
                result = simulate_call(target, one, realtime=False)
    except (SimulationError, SpokenTurnError) as exc:
        raise _fail(str(exc)) from None
    if "error" in result:
        raise _fail(result["error"])
    out = Console()
    for turn in result["turns"]:
        out.print(f"[bold]来电[/bold] {turn['asr_text']}")
        out.print(f"[bold cyan]坐席[/bold cyan] {turn['reply_text']}")
    flags = ("  [red]紧急[/red]" if result["urgent"] else "") + ("  [red]110联动[/red]" if result["police"] else "")
    article = f"  知识库 {result['kb_article']}" if result["kb_article"] else ""
    out.print(f"[bold]结果[/bold] {result['category']} → {result['route']}{article}{flags}")
    ticket = result["ticket"]
    if ticket:
        place = "".join(p for p in (ticket["district"], ticket["street"], ticket["address"]) if p)
        units = ticket["unit"] + (f" + {ticket['co_unit']}" if ticket["co_unit"] else "")
        out.print(f"[bold]工单[/bold] {ticket['id']} {ticket['topic']} {place} {ticket['caller_name'] or ''} "
                  f"{ticket['phone'] or ''} → {units}，时限至 {_beijing(ticket['due_at'])}")


@app.command()
def phone(
    server: Annotated[str, typer.Option(help="ws://HOST:PORT of a running server.")] = "ws://127.0.0.1:8000",
    caller: Annotated[str | None, typer.Option("--from", help="The caller's phone number.")] = None,
    input_device: Annotated[str | None, typer.Option(
        help="Microphone: number or part of the name (`python -m sounddevice` lists them).")] = None,
    output_device: Annotated[str | None, typer.Option(help="Speaker: number or part of the name.")] = None,
    register: Annotated[str | None, typer.Option(
        help="Instead of calling, register as this number and answer when the server calls back (回访).")] = None,
    key: Annotated[str | None, typer.Option(
        envvar="HOTLINE_KEY", help="A gateway key, where the server wants one for phones.")] = None,
) -> None:
    """Call a running server from this computer's microphone and speaker; type digits for the keypad.
    With --register NUMBER, wait for the server's callback surveys to that number and answer them."""
    from rich.markup import escape

    from server.dialer.softphone import PHONE_NUMBER
    from server.telephony.desk_phone import PhoneError, run_phone, run_registered_phone
    from voice.audio_devices import AudioDeviceError

    say = lambda text: err.print(escape(text))  # noqa: E731 - device names carry brackets rich would eat
    try:
        if register is not None:
            if not PHONE_NUMBER.fullmatch(register):
                raise _fail(f"--register wants the phone's number in digits, not {register!r}")
            run_registered_phone(server, register, key, input_device, output_device, sys.stdin, say)
            return
        run_phone(server, caller, input_device, output_device, sys.stdin, say)
    except (AudioDeviceError, PhoneError) as exc:
        raise _fail(escape(str(exc))) from None
    except KeyboardInterrupt:  # a second Ctrl-C while hanging up
        raise typer.Exit(130) from None


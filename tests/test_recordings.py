"""Call recordings end to end: a real call through the softphone is recorded on both sides, sealed on
disk (no audio to be read there), and played back over HTTP to agents and supervisors only, each
request in the audit log, which admins read and nobody else; an altered file is a clear error; a
recording retention deleted is gone for good; the console plays it and the admin page lists who
did. The recorder's clock on its own, without a call: what the caller heard is placed where the
gateway played it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np
import pytest
from browser_harness import chromium, log_in, wait_for_script
from server_harness import DEV, make_key, running_server, wait_for

from server.recording_settings import RecordingSettings
from server.storage.db import make_engine
from server.storage.keys import Role
from server.storage.recordings import find_recording
from server.storage.retention import PURGED_TEXT, purge_expired
from server.telephony.call_recorder import CallRecorder
from server.telephony.protocol import Media, Start, clear_message, media_message
from server.telephony.softphone import Softphone, caller_audio
from voice.call_recording import RecordingAudioError, decode_two_channels
from voice.codec import resample, ulaw_to_pcm16

CLIP = DEV / "d005_1.wav"
CALLER_NUMBER = "13812345678"


# ---- the recorder's clock, without a call ---------------------------------------------------------


def recorder(max_minutes: float = 1.0, enabled: bool = True) -> CallRecorder:
    return CallRecorder(RecordingSettings(enabled=enabled, directory=Path("/nonexistent"), codec="flac",
                                          retention_days=1, purge_check_minutes=0, max_minutes=max_minutes))


def start(call_sid: str = "CA1", **params: str) -> Start:
    return Start(stream_sid="MZ1", call_sid=call_sid, account_sid=None, custom_parameters=params)


def test_what_the_caller_heard_is_placed_where_the_gateway_played_it() -> None:
    taped = recorder()
    taped.received(start())
    seat, caller = b"\x10" * 160, b"\x20" * 160
    for _ in range(3):  # a reply sent at once plays for 60 ms from the caller's 0
        taped.sent(media_message("MZ1", seat))
    taped.sent(json.dumps({"event": "mark", "streamSid": "MZ1", "mark": {"name": "greeting"}}))
    for _ in range(2):
        taped.received(Media(payload=caller, track=None, timestamp_ms=None))
    taped.sent(media_message("MZ1", seat))  # queued after the three, not at 40 ms
    taped.sent(clear_message("MZ1"))  # the caller spoke over it: what had not played is dropped
    for _ in range(3):
        taped.received(Media(payload=caller, track=None, timestamp_ms=None))
    taped.sent(media_message("MZ1", seat))  # the line is idle: it plays at once
    said, heard = taped.legs()
    assert said == caller * 5 + b"\xff" * 160
    assert heard == seat * 2 + b"\xff" * 480 + seat


def test_a_recorder_keeps_no_more_than_its_limit_and_nothing_when_off() -> None:
    short = recorder(max_minutes=0.5 / 60)  # half a second
    short.received(start())
    for _ in range(40):
        short.received(Media(payload=b"\x20" * 160, track=None, timestamp_ms=None))
    assert short.cut_off and len(short.legs()[0]) == 4000
    off = recorder(enabled=False)

    async def send(message: str) -> None:
        pass

    assert off.send_through(send) is send
    off.received(start())
    off.received(Media(payload=b"\x20" * 160, track=None, timestamp_ms=None))
    assert off.call_sid is None and off.legs() == (b"", b"")
    survey = recorder()
    survey.received(start(callback="4", attempt="9", token="t"))
    assert survey.kind == "survey"


# ---- a real call -----------------------------------------------------------------------------------


@dataclass
class Recorded:
    address: str
    database_url: str
    folder: Path
    call_sid: str
    keys: dict[Role, str | None]

    def play(self, role: Role | None, call_sid: str | None = None) -> httpx.Response:
        key = self.keys.get(role) if role else None
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.get(f"http://{self.address}/api/calls/{call_sid or self.call_sid}/recording", headers=headers,
                         timeout=30)

    def audit(self, role: Role = Role.ADMIN, **query: str) -> httpx.Response:
        return httpx.get(f"http://{self.address}/api/audit", params=query,
                         headers={"Authorization": f"Bearer {self.keys[role]}"}, timeout=10)

    def file(self) -> Path:
        engine = make_engine(self.database_url)
        try:
            return self.folder / find_recording(engine, self.call_sid).path
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def recorded(settings, models, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    folder = tmp_path_factory.mktemp("recordings")
    mine = replace(settings, raw={**settings.raw, "recordings": {**settings.raw["recordings"], "dir": str(folder)}})
    database_url = f"sqlite:///{tmp_path_factory.mktemp('recorded') / 'hotline.db'}"
    with running_server(mine, database_url, *models) as address:
        phone = asyncio.run(Softphone(f"ws://{address}/media-stream", realtime=False).call([CLIP], CALLER_NUMBER))
        engine = make_engine(database_url)
        try:
            wait_for(lambda: find_recording(engine, phone.call_sid), seconds=120)
        finally:
            engine.dispose()
        keys = {role: make_key(database_url, role, unit="海淀区城管执法局" if role == Role.UNIT else None)
                for role in Role}
        yield Recorded(address, database_url, folder, phone.call_sid, keys)


@pytest.mark.slow
def test_the_call_is_sealed_on_disk_with_both_sides_on_one_clock(recorded: Recorded, models) -> None:
    data = recorded.file().read_bytes()
    assert b"fLaC" not in data and b"OggS" not in data
    with pytest.raises(RecordingAudioError):
        decode_two_channels(data)
    sent, _ = caller_audio(CLIP)
    assert sent[8000:8800] not in data  # not the caller's μ-law either

    answer = recorded.play(Role.AGENT)
    assert answer.status_code == 200 and answer.headers["content-type"] == "audio/flac"
    assert answer.headers["cache-control"] == "no-store"
    audio, rate = decode_two_channels(answer.content)
    assert rate == 8000 and audio.shape[0] == 2 and audio.shape[1] >= len(sent)
    # The caller's side is what the phone sent, sample for sample (FLAC keeps it exactly), from 0 s:
    # the phone sent nothing before the greeting had played.
    caller_side = np.round(audio[0, :len(sent)] * 32768).astype(np.int16)
    assert np.array_equal(caller_side, ulaw_to_pcm16(sent))
    # The other side opens with the seat's greeting, as the recogniser hears it.
    recognizer, _ = models
    greeting = recognizer.transcribe(resample(audio[1, :6 * rate], rate, 16000)).text
    assert "您好" in greeting and "可以帮您" in greeting, greeting
    assert float(np.sqrt(np.mean(audio[1, :3 * rate] ** 2))) > 0.01  # sound, not silence
    engine = make_engine(recorded.database_url)
    try:
        row = find_recording(engine, recorded.call_sid)
    finally:
        engine.dispose()
    assert (row.kind, row.codec, row.call_id is not None) == ("call", "flac", True)
    assert abs(row.duration_s - audio.shape[1] / rate) < 0.01 and row.size_bytes == len(data)


@pytest.mark.slow
def test_only_agents_and_supervisors_play_it_and_each_request_is_audited(recorded: Recorded) -> None:
    assert recorded.play(Role.AGENT).status_code == 200 and recorded.play(Role.SUPERVISOR).status_code == 200
    for role in (Role.ADMIN, Role.UNIT, Role.GATEWAY):
        refused = recorded.play(role)
        assert refused.status_code == 403 and "agent, supervisor" in refused.json()["detail"], role
    assert recorded.play(None).status_code == 401
    recorded.keys["nobody"] = "hk_not-a-key"  # type: ignore[index]
    assert recorded.play("nobody").status_code == 401  # type: ignore[arg-type]
    unknown = recorded.play(Role.AGENT, call_sid="CA-nobody-called")
    assert unknown.status_code == 404 and "does not exist" in unknown.json()["detail"]
    assert recorded.play(Role.AGENT, call_sid=CALLER_NUMBER).status_code == 404  # a URL may carry anything

    log = recorded.audit(action="recording.play", limit="200")
    assert log.status_code == 200
    entries = log.json()["entries"]
    seen = {(e["actor"].split(":")[0], e["outcome"]) for e in entries if e["target"] == recorded.call_sid}
    assert {("agent", "played"), ("supervisor", "played"), ("admin", "denied"), ("unit", "denied"),
            ("gateway", "denied"), ("anonymous", "denied"), ("unknown key", "denied")} <= seen
    assert any(e["target"] == "(unknown call)" and e["outcome"] == "not found" for e in entries)
    everything = recorded.audit(limit="500").json()["entries"]
    assert all(CALLER_NUMBER not in json.dumps(e) for e in everything)  # no caller's details in it
    only_agents = recorded.audit(action="recording.play", actor=entries[-1]["actor"])
    assert {e["actor"] for e in only_agents.json()["entries"]} == {entries[-1]["actor"]}
    today = datetime.now(UTC).astimezone().date()
    days = recorded.audit(since=str(today - timedelta(days=1)), until=str(today + timedelta(days=1)))
    assert days.json()["total"] == log.json()["total"]
    assert recorded.audit(since=str(today + timedelta(days=2))).json()["total"] == 0
    assert recorded.audit(since="yesterday").status_code == 422
    for role in (Role.AGENT, Role.SUPERVISOR, Role.UNIT):
        assert recorded.audit(role).status_code == 403, role


@pytest.mark.slow
def test_an_altered_file_is_a_clear_error_and_never_audio(recorded: Recorded) -> None:
    path = recorded.file()
    kept = path.read_bytes()
    altered = bytearray(kept)
    altered[len(altered) // 2] ^= 0x40
    try:
        path.write_bytes(bytes(altered))
        answer = recorded.play(Role.AGENT)
        assert answer.status_code == 500 and answer.headers["content-type"] == "application/json"
        assert "does not open" in answer.json()["detail"] and "altered" in answer.json()["detail"]
        path.write_bytes(kept[:-100])
        assert "cut short" in recorded.play(Role.AGENT).json()["detail"]
    finally:
        path.write_bytes(kept)
    failed = recorded.audit(action="recording.play").json()["entries"]
    assert [e["outcome"] for e in failed[:2]] == ["failed", "failed"]
    assert recorded.play(Role.AGENT).status_code == 200


@pytest.mark.slow
def test_the_console_plays_it_and_the_admin_page_lists_who_did(recorded: Recorded) -> None:
    with chromium() as browser:
        agent = log_in(browser, recorded.address, recorded.keys[Role.AGENT])
        before = recorded.audit(action="recording.play").json()["total"]
        agent.goto(f"http://{recorded.address}/console/calls/{recorded.call_sid}")
        assert recorded.audit(action="recording.play").json()["total"] == before  # nothing fetched unasked
        agent.evaluate("document.querySelector('#recording').play()")
        wait_for_script(agent, "document.querySelector('#recording').duration > 5")
        assert recorded.audit(action="recording.play").json()["entries"][0]["outcome"] == "played"

        admin = log_in(browser, recorded.address, recorded.keys[Role.ADMIN])
        admin.goto(f"http://{recorded.address}/admin/audit?action=recording.play")
        rows = admin.locator("#audit-entries tbody tr")
        assert rows.count() >= 5
        assert "播放录音" in rows.first.inner_text() and recorded.call_sid in rows.first.inner_text()
        admin.fill("#actor", "anonymous")
        admin.click("#audit-filters button[type=submit]")
        admin.wait_for_selector("#audit-entries")
        assert all("anonymous" in text for text in admin.locator("#audit-entries tbody tr").all_inner_texts())
        admin.goto(f"http://{recorded.address}/admin/audit?since=not-a-day")
        assert admin.inner_text("#since-error").startswith("请填写日期")
        assert agent.goto(f"http://{recorded.address}/admin/audit").status == 403


@pytest.mark.slow
def test_after_retention_the_recording_and_the_callers_words_are_gone(recorded: Recorded) -> None:
    path = recorded.file()
    engine = make_engine(recorded.database_url)
    try:
        purge_expired(engine, recorded.folder, datetime.now(UTC) + timedelta(days=1))
    finally:
        engine.dispose()
    assert not path.exists()
    gone = recorded.play(Role.AGENT)
    assert gone.status_code == 404 and "retention period" in gone.json()["detail"]
    call = httpx.get(f"http://{recorded.address}/api/calls/{recorded.call_sid}",
                     headers={"Authorization": f"Bearer {recorded.keys[Role.SUPERVISOR]}"}, timeout=10).json()
    assert call["call"]["caller_number"] is None and call["call"]["pii_purged_at"] is not None
    assert call["call"]["route"] and all(turn["asr_text"] == PURGED_TEXT for turn in call["turns"])
    with chromium() as browser:
        agent = log_in(browser, recorded.address, recorded.keys[Role.AGENT])
        agent.goto(f"http://{recorded.address}/console/calls/{recorded.call_sid}")
        assert "按保留期删除" in agent.inner_text("#recording-purged")

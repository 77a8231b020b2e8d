"""Recordings at rest: sealed files that open only whole, unaltered and as their own call's; rows
beside them; retention deleting old recordings and clearing old calls' details on both databases;
rotation sealing them again under a new key."""

from __future__ import annotations

import struct
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, text, update
from sqlmodel import Session, select

from server.data_keys import fresh_ring
from server.storage import audit_log, repository, sealing
from server.storage.db import make_engine
from server.storage.models import Call
from server.storage.recording_tables import Recording
from server.storage.recordings import RecordingUnreadable, find_recording, read_audio, save_recording
from server.storage.rekeying import recordings_by_key, recordings_to_reseal, reseal_recordings
from server.storage.retention import PURGED_TEXT, Purged, purge_expired
from server.storage.sealed_files import CHUNK_BYTES, SealedFileError, open_content, seal_content
from server.storage.sealing import SEALED_COLUMNS, KeyRing, unseal
from voice.call_recording import decode_two_channels, encode_two_channels
from voice.codec import pcm16_to_ulaw, ulaw_to_pcm16

NOW = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)


def tone(seconds: float, hz: float) -> bytes:
    t = np.arange(int(8000 * seconds)) / 8000
    return pcm16_to_ulaw((np.sin(2 * np.pi * hz * t) * 8000).astype(np.int16))


def sealed_chunks(data: bytes) -> tuple[bytes, list[bytes]]:
    """A sealed file's header and its chunks (length prefix included)."""
    position = 6 + data[5]
    header, chunks = data[:position], []
    while position < len(data):
        (length,) = struct.unpack_from(">I", data, position)
        chunks.append(data[position:position + 4 + length])
        position += 4 + length
    return header, chunks


# ---- sealed files ----------------------------------------------------------------------------


def test_a_sealed_file_opens_whole_and_unaltered_only() -> None:
    content = bytes(range(256)) * (CHUNK_BYTES // 256 * 2 + 3)  # three chunks
    data, key_id = seal_content(content, "recordings/CA1")
    assert key_id == sealing.ring().current and data.count(b"\x00\x01\x02\x03") == 0
    assert open_content(data, "recordings/CA1") == content
    header, chunks = sealed_chunks(data)
    assert len(chunks) == 3

    def refused(altered: bytes, reason: str, context: str = "recordings/CA1") -> None:
        with pytest.raises(SealedFileError, match=reason):
            open_content(altered, context)

    flipped = bytearray(data)
    flipped[len(header) + 100] ^= 1
    refused(bytes(flipped), "does not open")
    refused(header + chunks[1] + chunks[0] + chunks[2], "does not open")  # reordered
    refused(header + chunks[0] + chunks[1], "does not open")  # the last chunk dropped
    refused(data[:-10], "cut short")
    refused(data + chunks[2], "goes on after its last chunk")
    refused(data, "does not open", context="recordings/CA2")  # another call's file
    refused(b"fLaC" + data[4:], "not a sealed Hotline file")
    refused(data[:4] + b"\x09" + data[5:], "format 9")


def test_a_file_sealed_under_a_key_this_process_lacks_names_it() -> None:
    data, key_id = seal_content(b"audio", "recordings/CA1")
    header = data[:6 + data[5]]
    other = fresh_ring("elsewhere").current
    renamed = data[:5] + bytes([len(other)]) + other.encode() + data[len(header):]
    with pytest.raises(SealedFileError, match=other):
        open_content(renamed, "recordings/CA1")
    assert key_id in sealing.ring().keys


def test_two_channels_come_back_from_flac_exactly_and_from_opus_closely() -> None:
    left, right = tone(2.0, 300), tone(2.0, 1200)
    for codec in ("flac", "opus"):
        audio, rate = decode_two_channels(encode_two_channels(left, right, codec))
        assert audio.shape[0] == 2 and abs(audio.shape[1] / rate - 2.0) < 0.1, codec
        frequencies = np.fft.rfftfreq(rate, 1 / rate)
        peaks = [frequencies[np.argmax(np.abs(np.fft.rfft(channel[rate // 2: rate // 2 + rate])))]
                 for channel in audio]
        assert abs(peaks[0] - 300) < 5 and abs(peaks[1] - 1200) < 5, (codec, peaks)
    exact, _ = decode_two_channels(encode_two_channels(left, right, "flac"))
    assert np.array_equal(np.round(exact[0] * 32768).astype(np.int16), ulaw_to_pcm16(left))


# ---- rows and files ----------------------------------------------------------------------------


def saved(engine: Engine, root: Path, call_sid: str, created_at: datetime, call: bool = True) -> Recording:
    if call:
        repository.create_call(engine, call_sid, caller_number="13812345678", started_at=created_at)
    audio = encode_two_channels(tone(1.0, 400), tone(1.0, 800), "flac")
    row = save_recording(engine, root, call_sid, "call" if call else "survey", audio, "flac", 1.0)
    with engine.begin() as connection:
        connection.execute(update(Recording).where(Recording.id == row.id).values(created_at=created_at))
    return row


def test_a_recording_is_stored_sealed_and_read_back(engine: Engine, tmp_path: Path) -> None:
    row = saved(engine, tmp_path, "CA-one", NOW)
    assert row.call_id is not None and row.key_id == sealing.ring().current
    stored = (tmp_path / row.path).read_bytes()
    assert row.size_bytes == len(stored) and b"fLaC" not in stored and b"OggS" not in stored
    assert "CA-one" not in row.path and (tmp_path / row.path).stat().st_mode & 0o077 == 0
    audio, rate = decode_two_channels(read_audio(tmp_path, find_recording(engine, "CA-one")))
    assert rate == 8000 and audio.shape == (2, 8000)
    survey = saved(engine, tmp_path, "CS-survey", NOW, call=False)
    assert survey.call_id is None and survey.kind == "survey"


def test_a_recording_whose_file_is_gone_or_swapped_is_unreadable(engine: Engine, tmp_path: Path) -> None:
    one, two = saved(engine, tmp_path, "CA-one", NOW), saved(engine, tmp_path, "CA-two", NOW)
    (tmp_path / one.path).write_bytes((tmp_path / two.path).read_bytes())
    with pytest.raises(RecordingUnreadable, match="CA-one does not open"):
        read_audio(tmp_path, one)
    (tmp_path / two.path).unlink()
    with pytest.raises(RecordingUnreadable, match="no file"):
        read_audio(tmp_path, two)


# ---- retention ---------------------------------------------------------------------------------


def test_retention_purges_old_recordings_and_callers_details_and_keeps_the_rest(
    engine: Engine, tmp_path: Path
) -> None:
    old_at, recent_at = NOW - timedelta(days=200), NOW - timedelta(days=10)
    old, recent = saved(engine, tmp_path, "CA-old", old_at), saved(engine, tmp_path, "CA-recent", recent_at)
    for recording in (old, recent):
        repository.add_turn(engine, call_id=recording.call_id, asr_text="我叫王小明，电话13812345678",
                            reply_text="好的王先生", partials='[{"audio_s": 1}]')
        repository.set_turn_reply_heard(engine, recording.call_id, 0, "好的")
    with Session(engine) as session:  # what a finished call holds
        for call in session.exec(select(Call)):
            call.caller_name, call.address, call.dtmf = "王小明", "学院路1号", "13812345678#"
            call.district, call.topic, call.route = "海淀区", "噪音", "ticket"
            session.add(call)
        session.commit()
    unrelated = repository.create_call(engine, "CA-old-unrecorded", caller_number="13900000000",
                                       started_at=old_at)

    done = purge_expired(engine, tmp_path, NOW - timedelta(days=180))
    assert done == Purged(recordings=1, calls=2)
    assert not (tmp_path / old.path).exists() and (tmp_path / recent.path).exists()
    assert find_recording(engine, "CA-old").purged_at is not None
    assert find_recording(engine, "CA-recent").purged_at is None

    detail = repository.get_call_detail(engine, "CA-old")
    call, (turn,) = detail.call, detail.turns
    assert (call.caller_number, call.callback_number, call.caller_name, call.address, call.dtmf) == (None,) * 5
    assert call.pii_purged_at is not None and (call.district, call.topic, call.route) == ("海淀区", "噪音", "ticket")
    assert (turn.asr_text, turn.reply_text, turn.partials, turn.reply_heard) == (PURGED_TEXT, PURGED_TEXT, None, None)
    with engine.connect() as connection:  # every sealed column of the call and its turns, whatever they are
        for table, column in SEALED_COLUMNS:
            if table in ("calls", "turns"):
                key = "id" if table == "calls" else "call_id"
                values = connection.execute(text(f"SELECT {column} FROM {table} WHERE {key} = :id"),
                                            {"id": old.call_id}).scalars().all()
                assert {unseal(v, f"{table}.{column}") if v else v for v in values} <= {None, PURGED_TEXT}, column
    assert repository.get_call(engine, "CA-old-unrecorded").caller_number is None and unrelated
    kept = repository.get_call_detail(engine, "CA-recent")
    assert kept.call.caller_number == "13812345678" and kept.turns[0].asr_text.startswith("我叫王小明")

    with engine.connect() as connection:  # the marker is sealed like any value of the column
        raw = connection.execute(text("SELECT asr_text FROM turns")).scalars().all()
    assert all(value.startswith("hl1:") for value in raw)
    entries, total = audit_log.entries(engine, audit_log.AuditQuery(action=audit_log.PURGE_RECORDING), 10)
    assert total == 1 and (entries[0].actor, entries[0].target, entries[0].outcome) == ("retention", "CA-old", "purged")

    assert purge_expired(engine, tmp_path, NOW - timedelta(days=180)) == Purged()  # again: nothing to do


def test_retention_goes_through_many_in_batches(engine: Engine, tmp_path: Path) -> None:
    rows = [saved(engine, tmp_path, f"CA-{n}", NOW - timedelta(days=300, minutes=n)) for n in range(7)]
    assert purge_expired(engine, tmp_path, NOW, batch=3) == Purged(recordings=7, calls=7)
    assert not any((tmp_path / row.path).exists() for row in rows)


def test_two_nodes_purging_at_once_purge_each_recording_once(engine: Engine, database_url: str,
                                                             tmp_path: Path) -> None:
    rows = [saved(engine, tmp_path, f"CA-{n}", NOW - timedelta(days=300, minutes=n)) for n in range(12)]
    nodes = [make_engine(database_url) for _ in range(2)]
    try:
        with ThreadPoolExecutor(2) as pool:
            done = list(pool.map(lambda node: purge_expired(node, tmp_path, NOW, batch=5), nodes))
    finally:
        for node in nodes:
            node.dispose()
    assert sum(d.recordings for d in done) == 12 and sum(d.calls for d in done) == 12
    assert audit_log.entries(engine, audit_log.AuditQuery(action=audit_log.PURGE_RECORDING), 50)[1] == 12
    assert not any((tmp_path / row.path).exists() for row in rows)


# ---- rotation ----------------------------------------------------------------------------------


def test_rotation_seals_recordings_again_under_the_new_key(engine: Engine, tmp_path: Path) -> None:
    first = sealing.ring()
    rows = [saved(engine, tmp_path, f"CA-{n}", NOW) for n in range(3)]
    purged = saved(engine, tmp_path, "CA-purged", NOW - timedelta(days=400))
    purge_expired(engine, tmp_path, NOW - timedelta(days=180))
    before = {row.call_sid: read_audio(tmp_path, row) for row in rows}
    broken = rows[2]
    (tmp_path / broken.path).write_bytes(b"HLSF" + b"\x01" * 40)

    newer = fresh_ring("rotated")
    sealing.install(KeyRing(keys={**newer.keys, **first.keys}, current=newer.current, lookup_key=first.lookup_key,
                            source="test rotation"))
    try:
        assert recordings_by_key(engine) == {first.current: 3} and recordings_to_reseal(engine) == 3
        outcome = reseal_recordings(engine, tmp_path)
        assert (outcome.examined, outcome.resealed, outcome.unreadable) == (3, 2, 1)
        assert recordings_by_key(engine) == {newer.current: 2, first.current: 1}
        for row in rows[:2]:
            again = find_recording(engine, row.call_sid)
            assert again.key_id == newer.current and again.path != row.path
            assert not (tmp_path / row.path).exists()
            assert read_audio(tmp_path, again) == before[row.call_sid]
        assert find_recording(engine, purged.call_sid).key_id == first.current  # purged: nothing to seal
    finally:
        sealing.install(KeyRing(keys=sealing.ring().keys, current=first.current, lookup_key=first.lookup_key,
                                source="the test suite's data keys"))

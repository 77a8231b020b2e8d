"""Callers' data sealed at rest (server/storage/sealing.py): every sealed column written through the
models, then the raw SQLite file (with its write-ahead log) and the raw PostgreSQL rows read back
without the models — no number, name or address in clear, yet the models give every value back and
a repeat caller's orders are still found by number. Tampering, a missing key and a value moved to
another column are clear errors."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from server.data_keys import fresh_ring
from server.storage import sealing
from server.storage.models import Call, Callback, CallbackAttempt, Ticket, TicketEvent, Turn
from server.storage.sealing import SEALED_COLUMNS, SealingError, key_id_of
from server.workflow.merging import open_orders_for

NUMBER = "18612340099"
NAME = "欧阳立新"
ADDRESS = "石景山区八角街道杨庄东路九号院三单元"
SECRETS = (NUMBER, NAME, ADDRESS, "立新", "杨庄东路")
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def store_a_callers_data(engine: Engine) -> str:
    """A call, its turns, its order with a history, a callback survey and its attempt, each naming
    the caller: every sealed column holds a secret. Returns the order's id."""
    with Session(engine) as session:
        call = Call(call_sid="CA-rest", caller_number=NUMBER, callback_number=NUMBER, caller_name=NAME,
                    address=ADDRESS, district="石景山区", street="八角街道", started_at=NOW, dtmf=NUMBER,
                    draft={"category": "投诉", "caller": {"caller_name": NAME, "phone": NUMBER, "address": ADDRESS}})
        session.add(call)
        session.flush()
        said = f"我叫{NAME}，电话{NUMBER}，住在{ADDRESS}，楼下垃圾没人清"
        session.add(Turn(call_id=call.id, index=0, asr_text=said, reply_text=f"{NAME}您好，您的电话是{NUMBER}",
                         partials=f'[{{"audio_s": 1.0, "confirmed": "{said}", "tentative": ""}}]',
                         reply_heard=f"{NAME}您好"))
        ticket = Ticket(id="HL20261207-0001", call_id=call.id, category="投诉", topic="环境卫生", district="石景山区",
                        street="八角街道", address=ADDRESS, caller_name=NAME, phone=NUMBER,
                        summary=f"投诉：{ADDRESS}，{NAME}反映楼下垃圾没人清", status="reported", created_at=NOW,
                        result="solved", result_text=f"已联系{NAME}，已清运")
        session.add(ticket)
        session.flush()
        session.add(TicketEvent(ticket_id=ticket.id, at=NOW, kind="created", actor="seat", note=f"{NAME}来电",
                                changes={"phone": NUMBER, "caller_name": NAME, "address": ADDRESS}))
        callback = Callback(ticket_id=ticket.id, order_id=ticket.id, phone=NUMBER, status="done", due_at=NOW)
        session.add(callback)
        session.flush()
        session.add(CallbackAttempt(callback_id=callback.id, node="n1", started_at=NOW,
                                    note=f"heard: 我是{NAME}，满意"))
        session.commit()
        return ticket.id


def raw_sqlite(url: str) -> bytes:
    """Everything SQLite keeps of the database on disk: the file and its write-ahead log."""
    path = Path(make_url(url).database or "")
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def raw_postgres(engine: Engine) -> str:
    """Every row of every table in the test's schema, as PostgreSQL itself renders it."""
    with engine.connect() as connection:
        tables = connection.execute(text(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )).scalars().all()
        rows = [connection.execute(text(f'SELECT row_to_json(t)::text FROM "{name}" t')).scalars().all()
                for name in tables]
    return "\n".join(line for table in rows for line in table)


def test_no_number_name_or_address_is_stored_in_clear(engine: Engine, database_url: str) -> None:
    order = store_a_callers_data(engine)
    engine.dispose()  # every connection closed: what SQLite keeps is on disk
    if database_url.startswith("sqlite"):
        stored = raw_sqlite(database_url)
        assert b"CA-rest" in stored  # the scan reads the file: what is not sealed is there to be found
        found = [s for s in SECRETS if s.encode("utf-8") in stored]
    else:
        stored_text = raw_postgres(engine)
        assert "CA-rest" in stored_text
        found = [s for s in SECRETS if s in stored_text]
    assert found == []

    with engine.connect() as connection:  # each sealed column holds a sealed value, under the current key
        for table, column in SEALED_COLUMNS:
            values = connection.execute(text(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL")).scalars()
            assert {key_id_of(v) for v in values} == {sealing.ring().current}, (table, column)

    with Session(engine) as session:  # the models open them all again
        call = session.exec(select(Call)).one()
        assert (call.caller_number, call.caller_name, call.address) == (NUMBER, NAME, ADDRESS)
        assert call.draft is not None and call.draft["caller"]["phone"] == NUMBER
        assert NUMBER in session.exec(select(Turn)).one().asr_text
        ticket = session.get(Ticket, order)
        assert ticket is not None and (ticket.phone, ticket.caller_name) == (NUMBER, NAME)
        event = session.exec(select(TicketEvent)).one()
        assert event.changes == {"phone": NUMBER, "caller_name": NAME, "address": ADDRESS}
        assert session.exec(select(CallbackAttempt)).one().note.endswith("满意")
    # A repeat caller is found by the number's keyed hash, however the line writes it.
    assert [o.ticket_id for o in open_orders_for(engine, "186-1234-0099", NOW)] == [order]
    assert open_orders_for(engine, "18612340098", NOW) == []


def test_sealed_columns_cannot_be_compared_in_sql() -> None:
    with pytest.raises(SealingError, match="keyed hash"):
        select(Ticket).where(Ticket.phone == NUMBER)
    select(Ticket).where(Ticket.phone == None)  # noqa: E711  (whether there is one may be asked)


def test_a_sealed_value_opens_only_unaltered_in_its_own_column_with_its_key() -> None:
    value = sealing.seal(NUMBER, "tickets.phone")
    assert NUMBER not in value and sealing.unseal(value, "tickets.phone") == NUMBER
    assert sealing.seal(NUMBER, "tickets.phone") != value  # a fresh nonce each time
    with pytest.raises(SealingError, match="sealed for another column"):
        sealing.unseal(value, "calls.caller_number")
    flipped = "A" if value[-5] != "A" else "B"  # a character of the ciphertext, not of its padding
    tampered = value[:-5] + flipped + value[-4:]
    with pytest.raises(SealingError, match="altered"):
        sealing.unseal(tampered, "tickets.phone")
    with pytest.raises(SealingError, match="k-gone.*HOTLINE_SECURITY_DATA_KEYS"):
        sealing.unseal("hl1:k-gone:AAAA", "tickets.phone")
    with pytest.raises(SealingError, match="not sealed"):
        sealing.unseal(NUMBER, "tickets.phone")


def test_a_second_key_ring_with_another_lookup_key_is_refused() -> None:
    with pytest.raises(SealingError, match="other data keys"):
        sealing.install(fresh_ring("someone else's keys"))

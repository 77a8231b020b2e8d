"""Shared database fixtures: every storage test runs on SQLite (a real file) and on PostgreSQL.

PostgreSQL must be running on 127.0.0.1:5432 with trust auth (CI starts it; locally:
`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`). When it is not
reachable the PostgreSQL half of the suite fails — it is never skipped silently.
Each test gets a schema of its own (search_path set in the URL), dropped afterwards.

Besides the databases, the loaded models are shared here: loading them takes seconds.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from server.data_keys import fresh_ring
from server.storage import sealing
from server.storage.db import make_engine, upgrade

# Callers' data is sealed under the process's data keys (server/storage/sealing.py): the suite's
# own, made here, so that no test writes a key file into the checkout's var/.
sealing.install(fresh_ring("the test suite's data keys"))


POSTGRES_URL = os.environ.get("HOTLINE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SHARED = Path(__file__).resolve().parents[2] / "shared"


def _postgres_schema_url(schema: str) -> str:
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (no schema yet): a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hotline.db'}"
        return
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        pytest.fail(
            f"PostgreSQL is not reachable at {POSTGRES_URL} ({str(exc).splitlines()[0]}); start it with "
            "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`",
            pytrace=False,
        )
    try:
        yield _postgres_schema_url(schema)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a database migrated to the latest schema."""
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        yield engine
    finally:
        engine.dispose()


# ---- the loaded models, shared by every test that places a call --------------------------------


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory):
    from server.config import load_settings

    settings = load_settings(environ={})
    # The calls' recordings go to the session's temporary folder, never to the checkout's var/.
    settings.raw["recordings"]["dir"] = str(tmp_path_factory.mktemp("recordings"))
    return settings


@pytest.fixture(scope="session")
def models(settings):
    """(recognizer, synthesizer) on the embedded defaults; loading them takes seconds, so once."""
    from server.services import build_recognizer, build_synthesizer

    return build_recognizer(settings), build_synthesizer(settings)


@pytest.fixture
def server(settings, database_url, models):
    """`127.0.0.1:PORT` of a whole Hotline server (shared models, the sample knowledge) on each database."""
    from server_harness import running_server

    recognizer, synthesizer = models
    with running_server(settings, database_url, recognizer, synthesizer) as address:
        yield address


# ---- the sample knowledge the seat reads (the shared KB, catalogue and gazetteer) ---------------


@pytest.fixture(scope="session")
def knowledge():
    from agent.knowledge import SeatKnowledge

    kb = SHARED / "kb"
    return SeatKnowledge.from_files(kb / "sample_kb.jsonl", kb / "catalogue.json", kb / "gazetteer.json")


@pytest.fixture
def rest_api(engine):
    """The base URL of the REST API alone, over `engine`, with the default workflow rules."""
    from server_harness import serving_rest_api

    with serving_rest_api(engine) as base:
        yield base

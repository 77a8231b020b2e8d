"""`hotline kb|catalogue|gazetteer import|export` and `hotline db upgrade|seed`, run as commands
against real databases and the shared sample files."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from knowledge.formats import read_catalogue, read_gazetteer, read_kb
from server.cli import admin
from server.storage import repository
from server.storage.db import head_revision, make_engine

SHARED = Path(__file__).resolve().parents[2] / "shared"
KB_FILE = SHARED / "kb" / "sample_kb.jsonl"
CATALOGUE_FILE = SHARED / "kb" / "catalogue.json"
GAZETTEER_FILE = SHARED / "kb" / "gazetteer.json"

app = typer.Typer()
admin.register(app)
runner = CliRunner()


def hotline(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def assert_clean_failure(code: int, out: str, err: str) -> str:
    assert code == 1, (out, err)
    assert "Traceback" not in out + err
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1, err
    return err


def test_import_export_round_trip(database_url: str, tmp_path: Path) -> None:
    code, out, err = hotline("kb", "import", KB_FILE, "--database", database_url)
    assert code == 0, err
    assert "imported 35 articles" in out
    code, out, _ = hotline("catalogue", "import", CATALOGUE_FILE, "--database", database_url)
    assert code == 0 and "imported 46 catalogue topics" in out
    code, out, _ = hotline("gazetteer", "import", GAZETTEER_FILE, "--database", database_url)
    assert code == 0 and "imported 16 districts" in out

    kinds = (
        ("kb", KB_FILE, read_kb),
        ("catalogue", CATALOGUE_FILE, read_catalogue),
        ("gazetteer", GAZETTEER_FILE, read_gazetteer),
    )
    for kind, source, read in kinds:
        exported = tmp_path / f"out-{source.name}"
        code, out, err = hotline(kind, "export", exported, "--database", database_url)
        assert code == 0, err
        assert "exported" in out
        assert read(exported) == read(source)
        # And the exported file imports again to the same data.
        assert hotline(kind, "import", exported, "--database", database_url)[0] == 0
        assert read(exported) == read(source)


def test_bad_file_exits_1_with_the_reason_and_keeps_the_data(database_url: str, tmp_path: Path) -> None:
    assert hotline("kb", "import", KB_FILE, "--database", database_url)[0] == 0
    assert hotline("catalogue", "import", CATALOGUE_FILE, "--database", database_url)[0] == 0

    bad_kb = tmp_path / "bad.jsonl"
    lines = KB_FILE.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace('"answer"', '"answr"')
    bad_kb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = assert_clean_failure(*hotline("kb", "import", bad_kb, "--database", database_url))
    assert "bad.jsonl, line 4" in err and "answer" in err

    bad_catalogue = tmp_path / "bad.json"
    bad_catalogue.write_text('[{"topic": "x"', encoding="utf-8")
    err = assert_clean_failure(*hotline("catalogue", "import", bad_catalogue, "--database", database_url))
    assert "bad JSON" in err

    err = assert_clean_failure(*hotline("gazetteer", "import", tmp_path / "missing.json", "--database", database_url))
    assert "file not found" in err

    engine = make_engine(database_url)
    try:
        assert repository.load_kb(engine) == read_kb(KB_FILE)
        assert repository.load_catalogue(engine) == read_catalogue(CATALOGUE_FILE)
    finally:
        engine.dispose()


def test_db_upgrade_and_seed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'hotline.db'}"
    code, out, err = hotline("db", "upgrade", "--database", url)
    assert code == 0, err
    assert f"schema {head_revision()} (latest)" in out
    seed = ["db", "seed", "--database", url, "--kb", KB_FILE, "--catalogue", CATALOGUE_FILE,
            "--gazetteer", GAZETTEER_FILE]
    code, out, err = hotline(*seed)
    assert code == 0, err
    assert "35 articles" in out and "46 catalogue topics" in out and "16 districts" in out
    code, out, _ = hotline(*seed, "--if-empty")
    assert code == 0 and "KB kept" in out and "gazetteer kept" in out


def test_seed_validates_every_file_before_storing_any(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hotline.db'}"
    bad = tmp_path / "gazetteer.json"
    bad.write_text('{"朝阳区": "望京街道"}', encoding="utf-8")
    err = assert_clean_failure(*hotline("db", "seed", "--database", url, "--kb", KB_FILE, "--catalogue",
                                        CATALOGUE_FILE, "--gazetteer", bad))
    assert "gazetteer.json" in err and "朝阳区" in err
    engine = make_engine(url)
    try:
        assert repository.knowledge_is_empty(engine)
    finally:
        engine.dispose()


def test_unreachable_database_is_named() -> None:
    url = "postgresql+psycopg://hotline:secret@127.0.0.1:1/hotline"
    for args in (("kb", "import", KB_FILE), ("kb", "export", "x.jsonl"), ("db", "upgrade")):
        err = assert_clean_failure(*hotline(*args, "--database", url))
        assert "127.0.0.1:1/hotline" in err and "secret" not in err


def test_export_without_a_database_or_folder_fails_cleanly(tmp_path: Path) -> None:
    missing_db = f"sqlite:///{tmp_path / 'none.db'}"
    err = assert_clean_failure(*hotline("kb", "export", tmp_path / "kb.jsonl", "--database", missing_db))
    assert "no database" in err
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "kb.jsonl").exists()

    url = f"sqlite:///{tmp_path / 'hotline.db'}"
    assert hotline("db", "upgrade", "--database", url)[0] == 0
    err = assert_clean_failure(*hotline("gazetteer", "export", tmp_path / "no" / "such" / "g.json", "--database", url))
    assert "does not exist" in err


def test_default_database_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.setenv("HOTLINE_DATABASE_URL", url)
    assert admin.default_database_url() == url
    code, out, _ = hotline("kb", "import", KB_FILE)
    assert code == 0 and "imported 35 articles" in out
    assert (tmp_path / "env.db").exists()


def test_default_database_is_var_hotline_db_under_the_current_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("HOTLINE_DATABASE_URL", raising=False)
    monkeypatch.delenv("HOTLINE_PATHS_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert admin.default_database_url() == f"sqlite:///{tmp_path.resolve() / 'var' / 'hotline.db'}"

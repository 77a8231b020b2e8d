"""KB, catalogue and gazetteer rows: wholesale replace, load back equal, nothing lost on failure."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from knowledge.catalogue import CatalogueEntry
from knowledge.formats import read_catalogue, read_gazetteer, read_kb
from knowledge.kb import KbArticle
from server.storage import knowledge_store, repository

SHARED = Path(__file__).resolve().parents[2] / "shared"
KB_FILE = SHARED / "kb" / "sample_kb.jsonl"
CATALOGUE_FILE = SHARED / "kb" / "catalogue.json"
GAZETTEER_FILE = SHARED / "kb" / "gazetteer.json"


def test_shared_knowledge_round_trips(engine: Engine) -> None:
    articles, entries, places = read_kb(KB_FILE), read_catalogue(CATALOGUE_FILE), read_gazetteer(GAZETTEER_FILE)
    assert repository.knowledge_is_empty(engine)
    assert repository.replace_kb(engine, articles) == len(articles) == 35
    assert repository.replace_catalogue(engine, entries) == len(entries) == 46
    assert repository.replace_gazetteer(engine, places) == (16, sum(len(s) for s in places.values()))
    assert not repository.knowledge_is_empty(engine)

    loaded_kb, loaded_catalogue, loaded_places = repository.load_knowledge(engine)
    assert loaded_kb == articles and all(isinstance(a, KbArticle) for a in loaded_kb)
    assert loaded_catalogue == entries and all(isinstance(e, CatalogueEntry) for e in loaded_catalogue)
    assert loaded_places == places
    assert list(loaded_places) == list(places)  # the file's order, districts and streets
    # Whole hours come back as int, so an export writes "24", not "24.0".
    assert all(type(e.time_limit_hours) is int for e in loaded_catalogue)


def test_import_replaces_the_kind_wholesale(engine: Engine) -> None:
    repository.replace_kb(engine, read_kb(KB_FILE))
    one = KbArticle(id="x-1", title="测试", question="问", answer="答", department="部门", tags=["t"])
    assert repository.replace_kb(engine, [one]) == 1
    assert repository.load_kb(engine) == [one]
    repository.replace_gazetteer(engine, {"朝阳区": ["望京街道"], "延庆区": []})
    repository.replace_gazetteer(engine, {"海淀区": ["清河街道", "八里庄街道"]})
    assert repository.load_gazetteer(engine) == {"海淀区": ["清河街道", "八里庄街道"]}


def test_districts_without_streets_and_fractional_hours_survive(engine: Engine) -> None:
    repository.replace_gazetteer(engine, {"延庆区": [], "朝阳区": ["八里庄街道"], "海淀区": ["八里庄街道"]})
    assert repository.load_gazetteer(engine) == {"延庆区": [], "朝阳区": ["八里庄街道"], "海淀区": ["八里庄街道"]}
    half = CatalogueEntry(topic="t", keywords=["k"], category_hint="求助", unit="u", dispatch="direct",
                          co_unit=None, time_limit_hours=0.5, urgent=True, police=True)
    repository.replace_catalogue(engine, [half])
    assert repository.load_catalogue(engine) == [half]


def test_a_failed_import_loses_nothing(engine: Engine) -> None:
    articles = read_kb(KB_FILE)
    repository.replace_kb(engine, articles)
    entries = read_catalogue(CATALOGUE_FILE)
    repository.replace_catalogue(engine, entries)
    version = repository.knowledge_version(engine)

    # The database itself refuses these (duplicate ids/topics), half way through the insert.
    duplicate = KbArticle(id="dup", title="a", question="b", answer="c", department="d", tags=[])
    with pytest.raises(IntegrityError):
        repository.replace_kb(engine, [duplicate, duplicate])
    with pytest.raises(IntegrityError):
        repository.replace_catalogue(engine, [entries[0], entries[1], entries[0]])
    with pytest.raises(IntegrityError):
        repository.replace_gazetteer(engine, {"朝阳区": ["望京街道", "望京街道"]})

    assert repository.load_kb(engine) == articles
    assert repository.load_catalogue(engine) == entries
    assert repository.knowledge_version(engine) == version


def test_a_bad_file_is_refused_before_the_database_is_touched(engine: Engine, tmp_path) -> None:
    repository.replace_kb(engine, read_kb(KB_FILE))
    bad = tmp_path / "bad.jsonl"
    bad.write_text(KB_FILE.read_text(encoding="utf-8") + '{"id": "kb-999", "title": "缺字段"}\n', encoding="utf-8")
    with pytest.raises(Exception, match="line 36"):
        knowledge_store.import_kb(engine, bad)
    assert len(repository.load_kb(engine)) == 35


def test_knowledge_version_changes_on_every_import(engine: Engine) -> None:
    before = repository.knowledge_version(engine)
    repository.replace_gazetteer(engine, {"朝阳区": ["望京街道"]})
    after_one = repository.knowledge_version(engine)
    repository.replace_gazetteer(engine, {"朝阳区": ["望京街道"]})
    after_two = repository.knowledge_version(engine)
    assert len({before, after_one, after_two}) == 3
    assert dict(after_two)["gazetteer"] == 2


def test_seed_only_if_empty_keeps_what_an_admin_imported(engine: Engine) -> None:
    mine = KbArticle(id="mine", title="自己的", question="问", answer="答", department="部门", tags=[])
    repository.replace_kb(engine, [mine])
    report = repository.seed_knowledge(
        engine, kb=KB_FILE, catalogue=CATALOGUE_FILE, gazetteer=GAZETTEER_FILE, only_if_empty=True
    )
    assert (report.articles, report.topics, report.districts) == (None, 46, 16)
    assert repository.load_kb(engine) == [mine]
    report = repository.seed_knowledge(engine, kb=KB_FILE)
    assert report.articles == 35 and report.topics is None

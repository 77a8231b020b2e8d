"""Knowledge edited item by item (server/storage/knowledge_edits.py): every change is versioned and
attributed in the change log, in its own transaction; retired items are kept and restorable but the
seat no longer reads them; imports go through the same log; bad input changes nothing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine

from knowledge.catalogue import CatalogueEntry
from knowledge.formats import read_kb
from knowledge.kb import KbArticle
from server.storage import knowledge_edits as edits
from server.storage import knowledge_log, knowledge_store, repository
from server.storage.db import NotFound
from server.storage.keys import Role, create_key
from server.storage.knowledge_log import Editor

SHARED = Path(__file__).resolve().parents[2] / "shared"
ARTICLE = KbArticle(id="kb-900", title="宠物免疫", question="狗打疫苗去哪？", answer="到区里的动物诊疗机构。",
                    department="区农业农村局", tags=["养犬", "免疫"])
ENTRY = CatalogueEntry(topic="古树损坏", keywords=["古树", "树皮"], category_hint="举报", unit="区园林绿化局",
                       dispatch="dual", co_unit="属地街道(乡镇)", time_limit_hours=72)


@pytest.fixture
def admin(engine: Engine) -> Editor:
    key, _ = create_key(engine, Role.ADMIN, label="王管理员")
    return Editor(key.label, key.id)


def test_an_article_is_created_edited_retired_and_restored_with_every_step_logged(engine: Engine, admin) -> None:
    repository.replace_kb(engine, read_kb(SHARED / "kb" / "sample_kb.jsonl"))
    version = repository.knowledge_version(engine)

    edits.create_article(engine, ARTICLE, admin)
    assert repository.load_kb(engine)[-1] == ARTICLE
    assert repository.knowledge_version(engine) != version

    changed = replace(ARTICLE, id="ignored: the id stays", answer="到就近的犬类免疫点，带上犬证。")
    edits.edit_article(engine, "kb-900", changed, admin)
    assert repository.load_kb(engine)[-1] == replace(changed, id="kb-900")
    # Saving the same text again is no change: nothing logged, no reload for the servers.
    version = repository.knowledge_version(engine)
    edits.edit_article(engine, "kb-900", changed, admin)
    assert repository.knowledge_version(engine) == version

    edits.retire(engine, "kb", "kb-900", admin)
    assert "kb-900" not in {a.id for a in repository.load_kb(engine)}
    assert edits.get_item(engine, "kb", "kb-900").retired_at is not None  # kept
    assert [a.id for a in edits.list_articles(engine, "宠物 免疫", state="retired")] == ["kb-900"]
    edits.restore(engine, "kb", "kb-900", admin)
    assert repository.load_kb(engine)[-1].answer == "到就近的犬类免疫点，带上犬证。"

    history = edits.history_of(engine, "kb", "kb-900")
    assert [c.action for c in history] == ["restore", "retire", "edit", "create"]
    assert {(c.kind, c.item, c.actor, c.key_id) for c in history} == {("kb", "kb-900", "王管理员", admin.key_id)}
    edit = history[2]
    assert edit.before["answer"] == ARTICLE.answer and edit.after["answer"] == "到就近的犬类免疫点，带上犬证。"
    assert history[1].after["retired"] and not history[0].after["retired"]
    assert all(c.at.tzinfo is not None for c in history)
    # Each change made its own revision of the KB, one after the other.
    revisions = [c.revision for c in reversed(history)]
    assert revisions == sorted(revisions) and len(set(revisions)) == 4
    assert dict(repository.knowledge_version(engine))["kb"] == revisions[-1]


def test_catalogue_entries_and_streets_are_edited_the_same_way(engine: Engine, admin) -> None:
    row = edits.create_entry(engine, ENTRY, admin)
    edits.edit_entry(engine, str(row.id), replace(ENTRY, dispatch="direct", co_unit=None, time_limit_hours=24), admin)
    assert repository.load_catalogue(engine) == [replace(ENTRY, dispatch="direct", co_unit=None, time_limit_hours=24)]
    edits.retire(engine, "catalogue", str(row.id), admin)
    assert repository.load_catalogue(engine) == []
    assert [c.action for c in edits.history_of(engine, "catalogue", str(row.id))] == ["retire", "edit", "create"]

    street = edits.create_street(engine, "延庆区", "香水园街道", admin)  # a new district comes with it
    edits.create_street(engine, "延庆区", "百泉街道", admin)
    assert repository.load_gazetteer(engine) == {"延庆区": ["香水园街道", "百泉街道"]}
    edits.edit_street(engine, str(street.id), "延庆区", "儒林街道", admin)
    edits.retire(engine, "gazetteer", str(street.id), admin)
    assert repository.load_gazetteer(engine) == {"延庆区": ["百泉街道"]}
    # A renamed street's history follows it back to the name it was created under.
    history = edits.history_of(engine, "gazetteer", str(street.id))
    assert [(c.action, c.item) for c in history] == [
        ("retire", "延庆区/儒林街道"), ("edit", "延庆区/儒林街道"), ("create", "延庆区/香水园街道"),
    ]
    assert [s.street for s in edits.list_streets(engine, "延庆 街道")] == ["儒林街道", "百泉街道"]
    assert edits.counts(engine) == {"kb": (0, 0), "catalogue": (0, 1), "gazetteer": (1, 1)}


def test_bad_input_is_refused_field_by_field_and_changes_nothing(engine: Engine, admin) -> None:
    edits.create_article(engine, ARTICLE, admin)
    entry = edits.create_entry(engine, ENTRY, admin)
    edits.create_street(engine, "朝阳区", "望京街道", admin)
    version, logged = repository.knowledge_version(engine), len(knowledge_log.changes(engine))

    with pytest.raises(edits.InvalidKnowledge) as refused:
        edits.create_article(engine, replace(ARTICLE, title=" ", tags=["ok", ""]), admin)
    assert [(p.field, p.rule) for p in refused.value.problems] == [("title", "empty"), ("tags", "list_item"),
                                                                    ("id", "duplicate")]
    with pytest.raises(edits.InvalidKnowledge) as refused:
        edits.edit_entry(engine, str(entry.id), replace(ENTRY, co_unit=None, time_limit_hours=0), admin)
    assert [(p.field, p.rule) for p in refused.value.problems] == [("co_unit", "co_unit_needed"),
                                                                    ("time_limit_hours", "positive")]
    with pytest.raises(edits.InvalidKnowledge) as refused:
        edits.create_street(engine, "朝阳区", "望京街道", admin)
    assert [(p.field, p.rule) for p in refused.value.problems] == [("street", "duplicate")]
    with pytest.raises(edits.InvalidKnowledge) as refused:
        edits.create_street(engine, "朝阳区", "街" * 65, admin)
    assert [(p.field, p.rule) for p in refused.value.problems] == [("street", "too_long")]
    for kind, key in (("kb", "kb-404"), ("catalogue", "no-such-id"), ("catalogue", "999"), ("gazetteer", "1")):
        with pytest.raises(NotFound):  # row 1 is 朝阳区's own row: a district, not a street
            edits.retire(engine, kind, key, admin)

    assert repository.knowledge_version(engine) == version
    assert len(knowledge_log.changes(engine)) == logged
    assert repository.load_kb(engine) == [ARTICLE] and repository.load_catalogue(engine) == [ENTRY]


def test_an_import_is_logged_with_what_it_replaced(engine: Engine, admin, tmp_path: Path) -> None:
    edits.create_article(engine, ARTICLE, admin)
    edits.create_article(engine, replace(ARTICLE, id="kb-901"), admin)
    edits.retire(engine, "kb", "kb-901", admin)

    sample = SHARED / "kb" / "sample_kb.jsonl"
    assert knowledge_store.import_kb(engine, sample, admin) == 35
    (change,) = knowledge_log.changes(engine, "kb", limit=1)
    assert (change.action, change.item, change.actor, change.key_id) == ("import", None, "王管理员", admin.key_id)
    assert change.after == {"articles": 35, "file": "sample_kb.jsonl"}
    assert [(a["id"], a["retired"]) for a in change.before] == [("kb-900", False), ("kb-901", True)]

    # An export writes what the seat reads: the retired article is not among them.
    edits.retire(engine, "kb", "kb-005", admin)
    assert knowledge_store.export_kb(engine, tmp_path / "kb.jsonl") == 34
    assert "kb-005" not in {a.id for a in read_kb(tmp_path / "kb.jsonl")}
    # The command line and the seed are named in the log too; a seed that finds retired items keeps them.
    knowledge_store.import_kb(engine, sample)
    assert knowledge_log.changes(engine, "kb", limit=1)[0].actor == knowledge_log.COMMAND_LINE.label
    edits.retire(engine, "kb", "kb-005", admin)
    assert knowledge_store.seed(engine, kb=sample, only_if_empty=True).articles is None
    assert edits.get_item(engine, "kb", "kb-005").retired_at is not None

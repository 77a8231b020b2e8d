"""Import formats: the shared sample files and our seed load, writing round-trips, and every kind
of broken file is refused with a message naming the file, the line and the problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge.catalogue import CatalogueEntry
from knowledge.formats import (
    KnowledgeFormatError,
    read_catalogue,
    read_gazetteer,
    read_kb,
    write_catalogue,
    write_gazetteer,
    write_kb,
)
from knowledge.kb import KbArticle

SHARED_KB = Path(__file__).resolve().parents[2] / "shared" / "kb"
SEED = Path(__file__).resolve().parents[1] / "configs" / "seed"

ARTICLE = {"id": "kb-1", "title": "居住证办理", "question": "怎么办居住证？", "answer": "先办居住登记。",
           "department": "市公安局", "tags": ["居住证"]}
ENTRY = {"topic": "燃气异味", "keywords": ["燃气", "煤气"], "category_hint": "求助", "unit": "属地燃气公司",
         "dispatch": "dual", "co_unit": "属地街道(乡镇)", "time_limit_hours": 2, "urgent": True, "police": False}


# ---------------------------------------------------------------- the real files

def test_shared_sample_files_load():
    assert len(read_kb(SHARED_KB / "sample_kb.jsonl")) == 35
    catalogue = read_catalogue(SHARED_KB / "catalogue.json")
    assert len(catalogue) == 46
    gas = next(e for e in catalogue if e.topic == "燃气异味")
    assert gas.urgent and not gas.police and gas.dispatch == "dual" and gas.co_unit == "属地街道(乡镇)"
    gazetteer = read_gazetteer(SHARED_KB / "gazetteer.json")
    assert len(gazetteer) == 16 and "望京街道" in gazetteer["朝阳区"]


def test_seed_files_load_and_cover_the_shared_sample():
    articles = read_kb(SEED / "kb.jsonl")
    assert len(articles) >= 40 and len({a.id for a in articles}) == len(articles)
    seed_topics = {e.topic for e in read_catalogue(SEED / "catalogue.json")}
    assert len(seed_topics) >= 60
    # The corpus labels tickets with the sample's topic names; the seed keeps every one of them.
    assert {e.topic for e in read_catalogue(SHARED_KB / "catalogue.json")} <= seed_topics
    seed_places = read_gazetteer(SEED / "gazetteer.json")
    assert len(seed_places) == 16 and sum(len(s) for s in seed_places.values()) >= 300
    for district, streets in read_gazetteer(SHARED_KB / "gazetteer.json").items():
        assert set(streets) <= set(seed_places[district]), district


@pytest.mark.parametrize("name", ["sample_kb.jsonl", "catalogue.json", "gazetteer.json"])
def test_round_trip_of_shared_and_seed_files(tmp_path, name):
    read, write = {"sample_kb.jsonl": (read_kb, write_kb), "catalogue.json": (read_catalogue, write_catalogue),
                   "gazetteer.json": (read_gazetteer, write_gazetteer)}[name]
    for source in (SHARED_KB / name, SEED / ("kb.jsonl" if name == "sample_kb.jsonl" else name)):
        data = read(source)
        write(tmp_path / name, data)
        assert read(tmp_path / name) == data
        raw = (tmp_path / name).read_text(encoding="utf-8")
        assert "\\u" not in raw  # Chinese written as UTF-8, not escaped


def test_round_trip_keeps_ids_topics_and_optional_flags(tmp_path):
    articles = [KbArticle("自定义-7", "标题", "问题？", "回答。", "", [])]
    write_kb(tmp_path / "kb.jsonl", articles)
    assert read_kb(tmp_path / "kb.jsonl") == articles
    entries = [CatalogueEntry("噪音 / 其他 (试行)", [], "投诉", "区城管执法局", "direct", None, 1.5)]
    write_catalogue(tmp_path / "c.json", entries)
    assert read_catalogue(tmp_path / "c.json") == entries
    write_gazetteer(tmp_path / "g.json", {})
    assert read_gazetteer(tmp_path / "g.json") == {}


def test_catalogue_flags_default_to_false(tmp_path):
    entry = {k: v for k, v in ENTRY.items() if k not in ("urgent", "police")}
    (tmp_path / "c.json").write_text(json.dumps([entry], ensure_ascii=False), encoding="utf-8")
    (read,) = read_catalogue(tmp_path / "c.json")
    assert read.urgent is False and read.police is False


# ---------------------------------------------------------------- KB errors

def _kb_file(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "kb.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _line(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False)


@pytest.mark.parametrize("broken, problem", [
    ('{"id": "kb-2", "title": ', "bad JSON"),
    (_line({k: v for k, v in ARTICLE.items() if k != "answer"} | {"id": "kb-2"}), "missing field answer"),
    (_line(ARTICLE | {"id": "kb-2", "tags": "居住证"}), "tags must be a list"),
    (_line(ARTICLE | {"id": "kb-2", "tags": ["居住证", 3]}), "tags[1]"),
    (_line(ARTICLE | {"id": 2}), "id must be a string"),
    (_line(ARTICLE | {"id": "  "}), "id must not be empty"),
    (_line(ARTICLE | {"id": "kb-2", "answr": "x"}), "unknown field answr"),
    (_line(ARTICLE), "duplicate id (first used on line 1)"),
    ('["kb-2"]', "expected a JSON object"),
    ('{"id": "kb-2", "id": "kb-3"}', "duplicate key 'id'"),
])
def test_kb_errors_name_file_line_and_problem(tmp_path, broken, problem):
    path = _kb_file(tmp_path, _line(ARTICLE), "", broken)
    with pytest.raises(KnowledgeFormatError) as info:
        read_kb(path)
    message = str(info.value)
    assert str(path) in message and "line 3" in message and problem in message
    assert info.value.line == 3


def test_missing_and_non_utf8_files_are_refused(tmp_path):
    with pytest.raises(KnowledgeFormatError, match="file not found"):
        read_kb(tmp_path / "nope.jsonl")
    path = tmp_path / "gbk.jsonl"
    path.write_bytes(_line(ARTICLE).encode("gbk"))
    with pytest.raises(KnowledgeFormatError, match="not UTF-8"):
        read_kb(path)


# ---------------------------------------------------------------- catalogue errors

@pytest.mark.parametrize("change, problem", [
    ({"dispatch": "both"}, 'dispatch must be "direct" or "dual"'),
    ({"co_unit": None}, 'dispatch "dual" needs a co_unit'),
    ({"dispatch": "direct"}, "co_unit must be null"),
    ({"time_limit_hours": -2}, "time_limit_hours must be a positive number"),
    ({"time_limit_hours": "2"}, "time_limit_hours must be a positive number"),
    ({"urgent": "yes"}, "urgent must be true or false"),
    ({"category_hint": "抱怨"}, "category_hint must be one of"),
    ({"keywords": "燃气"}, "keywords must be a list"),
    ({"unit": ""}, "unit must not be empty"),
    ({"priority": 1}, "unknown field priority"),
    ({"topic": "燃气异味"}, "duplicate topic (first used on line 2)"),
])
def test_catalogue_errors_name_entry_line_and_problem(tmp_path, change, problem):
    good = ENTRY
    broken = ENTRY | {"topic": "燃气异味-2"} | change
    path = tmp_path / "catalogue.json"
    path.write_text("[\n" + _line(good) + ",\n" + _line(broken) + "\n]\n", encoding="utf-8")
    with pytest.raises(KnowledgeFormatError) as info:
        read_catalogue(path)
    message = str(info.value)
    assert str(path) in message and "line 3" in message and "entry 2" in message and problem in message


def test_catalogue_missing_field_and_shape_errors(tmp_path):
    path = tmp_path / "catalogue.json"
    path.write_text(_line([{k: v for k, v in ENTRY.items() if k != "unit"}]), encoding="utf-8")
    with pytest.raises(KnowledgeFormatError, match="entry 1 .*missing field unit"):
        read_catalogue(path)
    path.write_text(_line({"topic": "x"}), encoding="utf-8")
    with pytest.raises(KnowledgeFormatError, match="expected a JSON list"):
        read_catalogue(path)
    path.write_text("[\n" + _line(ENTRY) + ",\n", encoding="utf-8")
    with pytest.raises(KnowledgeFormatError, match="bad JSON"):
        read_catalogue(path)


# ---------------------------------------------------------------- gazetteer errors

@pytest.mark.parametrize("text, problem", [
    ('["朝阳区"]', "expected a JSON object"),
    ('{"朝阳区": ["望京街道"], "朝阳区": []}', "duplicate key '朝阳区'"),
    ('{"朝阳区": "望京街道"}', "expected a list of streets"),
    ('{"朝阳区": ["望京街道", 7]}', "street 2 must be a non-empty string"),
    ('{"朝阳区": ["望京街道", "望京街道"]}', "'望京街道' is listed twice"),
    ('{"朝阳区": ["望京街道"],}', "bad JSON"),
])
def test_gazetteer_errors(tmp_path, text, problem):
    path = tmp_path / "gazetteer.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeFormatError) as info:
        read_gazetteer(path)
    assert str(path) in str(info.value) and problem in str(info.value)


def test_same_street_in_two_districts_is_allowed(tmp_path):
    path = tmp_path / "gazetteer.json"
    path.write_text('{"朝阳区": ["八里庄街道"], "海淀区": ["八里庄街道"]}', encoding="utf-8")
    assert read_gazetteer(path) == {"朝阳区": ["八里庄街道"], "海淀区": ["八里庄街道"]}

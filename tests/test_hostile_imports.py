"""Hostile import files (Hypothesis): whatever bytes an admin's file holds — random, the sample
files cut or corrupted, nested thousands deep — `read_kb`, `read_catalogue` and `read_gazetteer`
return what it holds or raise KnowledgeFormatError naming the file; never another exception, which
the admin pages and commands could only show as a server error. And what is written reads back."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from server_harness import SAMPLE_KB

from knowledge.formats import KnowledgeFormatError, read_catalogue, read_gazetteer, read_kb, write_kb
from knowledge.kb import KbArticle

READERS: dict[str, Callable[[Path], Any]] = {
    "sample_kb.jsonl": read_kb, "catalogue.json": read_catalogue, "gazetteer.json": read_gazetteer,
}
SAMPLES = {name: (SAMPLE_KB / name).read_bytes() for name in READERS}
FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextmanager
def file_holding(content: bytes, name: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        yield path


def assert_read_or_refused(content: bytes, name: str) -> None:
    with file_holding(content, name) as path:
        try:
            READERS[name](path)
        except KnowledgeFormatError as refused:
            assert str(path) in str(refused)


@FAST
@given(st.sampled_from(sorted(READERS)), st.binary(max_size=400) | st.text(max_size=200).map(str.encode))
@example("sample_kb.jsonl", b"[" * 100_000)
@example("catalogue.json", b"[" * 100_000)
@example("gazetteer.json", b'{"a": ' + b"[" * 100_000)
@example("catalogue.json", b"[" + b"9" * 5000 + b"]")
@example("gazetteer.json", b'{"\xe6\x9c\x9d": [1e400]}')
def test_any_file_is_read_or_refused_with_a_format_error(name: str, content: bytes) -> None:
    assert_read_or_refused(content, name)


@FAST
@given(st.sampled_from(sorted(READERS)), st.data())
def test_the_sample_files_cut_or_corrupted_are_read_or_refused(name: str, data: st.DataObject) -> None:
    sample = SAMPLES[name]
    start = data.draw(st.integers(0, len(sample)))
    length = data.draw(st.integers(0, 64))
    junk = data.draw(st.binary(max_size=16) | st.sampled_from([b"", b"\xff\xfe", b"{", b"]", b",", b'"', b"null"]))
    assert_read_or_refused(sample[:start] + junk + sample[start + length:], name)


texts = st.text(st.characters(codec="utf-8"), min_size=1, max_size=30).filter(str.strip)


@FAST
@given(st.lists(st.builds(KbArticle, id=texts, title=texts, question=texts, answer=texts,
                          department=st.text(st.characters(codec="utf-8"), max_size=10), tags=st.lists(texts)),
                unique_by=lambda article: article.id, max_size=4))
@example([KbArticle("kb-1", "line\u2028separator", "next\x85line", "file\x1cseparator", "", ["para\u2029graph"])])
def test_what_is_written_reads_back_whatever_characters_it_holds(articles: list[KbArticle]) -> None:
    with file_holding(b"", "kb.jsonl") as path:
        write_kb(path, articles)
        assert read_kb(path) == articles

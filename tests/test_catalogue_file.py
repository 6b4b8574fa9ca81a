"""The review catalogue saved beside its generation: built once, loaded after, never stale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant import catalogue_file
from assistant import themes
from assistant.cli import cli
from index.reader import IndexReader
from tests.conftest import CORPUS
from tests.fakes import CountingEmbedder


def _ingest(data_dir: Path, *sources: Path) -> None:
    result = CliRunner().invoke(cli, ["ingest", *map(str, sources), "--data-dir", str(data_dir)],
                                obj={"embedder": CountingEmbedder()})
    assert result.exit_code == 0, result.output


@pytest.fixture
def corpus_reader(tmp_path: Path):
    """The shipped corpus ingested through the CLI, opened for reading."""
    _ingest(tmp_path / "data", CORPUS)
    reader = IndexReader.open(tmp_path / "data")
    yield reader
    reader.close()


def _no_scanning(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(items):
        raise AssertionError("the documents were read again")
    monkeypatch.setattr(themes, "scan_documents", refuse)


def test_ingest_saves_the_catalogue_and_a_new_process_loads_it_unchanged(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    _ingest(data, CORPUS)
    reader = IndexReader.open(data)
    saved = catalogue_file.path_for(reader)
    assert saved.is_file()  # `guidance ingest` read the reviews before the first question
    stored = json.loads(saved.read_text(encoding="utf-8"))
    assert stored["generation"] == reader.generation

    _no_scanning(monkeypatch)
    loaded = themes.catalogue(reader)
    monkeypatch.undo()
    saved.unlink()
    rebuilt = themes.catalogue(reader)
    assert loaded == rebuilt
    assert {"Child M LCSPR", "EMMA LCSPR"} <= {r.name for r in loaded.reviews}
    assert any(m.review_key == loaded.find("Child M")[0].key for m in loaded.mentions)
    reader.close()


def test_a_new_generation_does_not_reuse_the_previous_catalogue(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _ingest(data, CORPUS / "hsscp-newsletter-2025-26-q3.md")
    before = IndexReader.open(data)
    assert "Child M LCSPR" not in {r.name for r in themes.catalogue(before).reviews}
    _ingest(data, CORPUS / "hsscp-annual-report-2020-21.md")
    after = IndexReader.open(data)
    assert after.generation != before.generation
    assert "Child M LCSPR" in {r.name for r in themes.catalogue(after).reviews}
    before.close()
    after.close()


@pytest.mark.parametrize("damage", ["other code", "other generation", "not json", "missing passage"])
def test_a_saved_catalogue_that_does_not_fit_is_built_again(corpus_reader: IndexReader, damage: str) -> None:
    reader = corpus_reader
    path = catalogue_file.path_for(reader)
    good = json.loads(path.read_text(encoding="utf-8"))
    bad = dict(good)
    if damage == "other code":
        bad["fingerprint"] = "0" * 40
    elif damage == "other generation":
        bad["generation"] = "gen-99999999"
    elif damage == "missing passage":
        bad["mentions"] = [dict(good["mentions"][0], passage="no-such-passage"), *good["mentions"][1:]]
    path.write_text("{not json" if damage == "not json" else json.dumps(bad), encoding="utf-8")
    assert catalogue_file.load(reader) is None
    cat = themes.catalogue(reader)
    assert "Child M LCSPR" in {r.name for r in cat.reviews}
    assert json.loads(path.read_text(encoding="utf-8"))["fingerprint"] == good["fingerprint"]  # saved anew


def test_a_generation_the_catalogue_cannot_be_saved_in_still_answers_review_questions(corpus_reader: IndexReader) -> None:
    reader = corpus_reader
    path = catalogue_file.path_for(reader)
    path.unlink()
    path.mkdir()  # something in the way that no write can replace (a read-only folder, as root cannot make)
    assert "Child M LCSPR" in {r.name for r in themes.catalogue(reader).reviews}
    assert path.is_dir()


def test_save_reports_an_unwritable_folder(tmp_path: Path, corpus_reader: IndexReader) -> None:
    reader = corpus_reader
    cat = themes.catalogue(reader)

    class Gone:
        path = tmp_path / "removed-generation"
        generation = reader.generation

    assert catalogue_file.save(Gone(), cat) is False
    assert catalogue_file.save(reader, cat) is True

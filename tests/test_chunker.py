"""Chunk boundaries: headings are never crossed, sizes stay in range, lists keep their intro."""

from __future__ import annotations

from ingest.chunker import MAX_WORDS, chunk_document, split_sentences
from ingest.files import load_file
from ingest.models import Document, Section
from tests.conftest import CORPUS


def _doc(*sections: Section) -> Document:
    return Document(title="T", doc_type="procedure", source="/t.md", sections=tuple(sections))


def test_never_crosses_a_heading() -> None:
    doc = _doc(Section(("A",), "Alpha words here about fathers."), Section(("B",), "Beta words here about mothers."))
    chunks = chunk_document(doc)
    assert [(c.heading_path, c.text) for c in chunks] == [
        (("A",), "Alpha words here about fathers."), (("B",), "Beta words here about mothers.")]


def test_long_section_splits_at_sentences_within_limits() -> None:
    sentence = "Practitioners should record the origin of each piece of information they are given by parents. "
    doc = _doc(Section(("Recording",), sentence * 60))
    chunks = chunk_document(doc)
    assert len(chunks) > 1
    for c in chunks:
        assert len(c.text.split()) <= MAX_WORDS + 60
        assert c.text.endswith("parents.")
        assert c.heading_path == ("Recording",)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))


def test_list_stays_with_its_introduction() -> None:
    text = "Professionals should seek to:\n\n- Engage fathers\n- Record fathers\n- Give 1:1 time to the father"
    chunks = chunk_document(_doc(Section(("Fathers",), text)))
    assert len(chunks) == 1
    assert chunks[0].text.startswith("Professionals should seek to:")
    assert "Give 1:1 time" in chunks[0].text


def test_boilerplate_only_sections_are_dropped() -> None:
    chunks = chunk_document(_doc(Section(("Nav",), "- \n- ◇\n\n|"), Section(("Real",), "Children missing from care.")))
    assert [c.heading_path for c in chunks] == [("Real",)]


def test_pdf_page_is_kept() -> None:
    doc = _doc(Section(("P",), "Page one text about neglect.", page=1), Section(("P",), "Page two text.", page=2))
    assert [c.page for c in chunk_document(doc)] == [1, 2]


def test_shipped_corpus_chunks_are_sized_and_headed() -> None:
    for path in sorted(CORPUS.glob("*.md")):
        chunks = chunk_document(load_file(path))
        assert chunks
        assert all(c.heading_path for c in chunks)
        assert max(len(c.text.split()) for c in chunks) <= MAX_WORDS + 60
        assert len({c.chunk_id for c in chunks}) == len(chunks)


def test_split_sentences() -> None:
    assert split_sentences("One thing. Two things! Three? 4 more.") == ["One thing.", "Two things!", "Three?", "4 more."]

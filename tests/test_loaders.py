"""Loaders on real small fixtures: Markdown, text, PDF (multi-page, encrypted, blank)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.files import load_file
from ingest.models import LoadError
from tests.conftest import CORPUS
from tests.pdfs import BRIEFING_PAGES, make_blank_pdf, make_pdf


def test_markdown_front_matter_and_heading_paths() -> None:
    doc = load_file(CORPUS / "hsscp-newsletter-2025-26-q3.md")
    assert doc.doc_type == "newsletter"
    assert doc.title.startswith("HSSCP Newsletter")
    assert doc.date and doc.date.startswith("2026")
    paths = [s.heading_path for s in doc.sections]
    assert any("Harm Outside The Home (HOTH)" in p for p in paths)
    text = "\n".join(s.text for s in doc.sections)
    assert "(#)" not in text  # dead links keep their words only
    assert "**" not in text


def test_markdown_dead_links_and_inline_html(tmp_path: Path) -> None:
    f = tmp_path / "note.md"
    f.write_text("---\ntitle: Note\ndoc_type: guidance\n---\n# Note\n\n## Part\n\nSee [the briefing](#) and "
                 "<b>bold</b> and [gov](https://www.gov.uk/x).\n", encoding="utf-8")
    doc = load_file(f)
    body = doc.sections[-1]
    assert body.heading_path == ("Note", "Part")
    assert body.text == "See the briefing and bold and gov (https://www.gov.uk/x)."


def test_plain_text_guesses_headings(tmp_path: Path) -> None:
    f = tmp_path / "procedure.txt"
    f.write_text("Missing From Home\n\nWhen a child goes missing, the police must be informed at once.\n\n"
                 "Return Interviews\n\nA return interview is offered within 72 hours of the child coming home.\n",
                 encoding="utf-8")
    doc = load_file(f)
    assert [s.heading_path for s in doc.sections] == [("Missing From Home",), ("Return Interviews",)]
    assert "72 hours" in doc.sections[1].text


def test_windows_1252_text_is_decoded(tmp_path: Path) -> None:
    f = tmp_path / "legacy.txt"
    f.write_bytes("Costs rose to £151,436 for the café’s “training” programme this year.\n".encode("cp1252"))
    doc = load_file(f)
    assert "£151,436" in doc.sections[0].text and "“training”" in doc.sections[0].text


def test_multi_page_pdf_keeps_page_numbers(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "briefing.pdf", BRIEFING_PAGES, title="Seven Minute Briefing: Neglect")
    doc = load_file(pdf)
    assert doc.title == "Seven Minute Briefing: Neglect"
    assert doc.doc_type == "briefing"
    pages = {s.page for s in doc.sections}
    assert pages == {1, 2, 3}
    by_page = {s.page: s for s in doc.sections if "graded care profile" in s.text}
    assert list(by_page) == [2]
    assert by_page[2].heading_path[-1] == "What to do"


@pytest.mark.parametrize(
    "name,content,reason",
    [
        ("empty.md", b"", "empty file"),
        ("junk.md", bytes(range(256)) * 20, "binary data"),
        ("junk.pdf", b"this is not a pdf at all", "not a PDF"),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ntrailer<<>>\n%%EOF", "PDF"),
        ("table.xlsx", b"PK\x03\x04", "unsupported file type"),
    ],
)
def test_bad_files_are_named_with_a_reason(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(LoadError) as err:
        load_file(f)
    assert str(f) in str(err.value)
    assert reason in err.value.reason


def test_pdf_without_text_is_reported(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no extractable text"):
        load_file(make_blank_pdf(tmp_path / "scan.pdf"))


def test_encrypted_pdf_is_reported(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "secret.pdf", BRIEFING_PAGES[:1], user_password="s3cret")
    with pytest.raises(LoadError, match="encrypted"):
        load_file(pdf)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no such file"):
        load_file(tmp_path / "nope.md")

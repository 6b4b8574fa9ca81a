"""Fuzzing the loaders and the chunker: on any bytes, a Document or a LoadError, nothing else.

Inputs are mutations of small valid documents (bit flips, truncation, spliced junk,
repeated slices) plus raw random bytes, so the parsers are driven past their headers
into the structure a real corrupt file would break. Every Document that does load must
also chunk without error into chunks with text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.chunker import chunk_document, split_sentences
from ingest.html import load_html
from ingest.markdown import load_markdown, load_text
from ingest.models import Document, LoadError, Section
from ingest.pdf import load_pdf
from tests.pdfs import BRIEFING_PAGES, make_pdf

EXAMPLES = 150
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

MARKDOWN = ("---\ntitle: Missing children\ndoc_type: procedure\ndate: 2025-03-12\n---\n"
            "# Missing children\n\nWhen a child goes missing, **call the police** and tell the [Front Door](https://x.org).\n\n"
            "## Return interviews\n\n- Offer one within 72 hours.\n- Record it.\n\n```\ncode # not a heading\n```\n"
            "### Table\n\n| a | b |\n|---|---|\n| 1 | 2 |\n").encode("utf-8")
TEXT = ("RETURN HOME INTERVIEWS\n\nEvery child who returns should be offered an interview. Ask where they stayed.\n\n"
        "Escalation\nSpeak to your manager first, then the designated lead. £60 a week — Amélie.\n").encode("utf-8")
HTML = ("<!doctype html><html><head><meta charset='utf-8'><title>Neglect | Site</title>"
        "<meta name='date' content='2024-05-01'></head><body><nav><a href='/'>Home</a></nav><main>"
        "<h1>Neglect</h1><p>Neglect is the persistent failure to meet a child's basic needs.</p>"
        "<h2>What to do</h2><ul><li>Use the graded care profile</li><li>Refer the same day</li></ul>"
        "<table><tr><th>Age</th><th>Action</th></tr><tr><td>0-1</td><td>Refer</td></tr></table>"
        "<script>var x = '<p>not text</p>';</script></main><footer>Copyright</footer></body></html>").encode("utf-8")


@pytest.fixture(scope="module")
def pdf_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_pdf(tmp_path_factory.mktemp("fuzz") / "seed.pdf", BRIEFING_PAGES, title="Seed").read_bytes()


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """`seed` with a few random edits (or, sometimes, plain random bytes)."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=2048))
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        op = draw(st.sampled_from(("flip", "cut", "splice", "repeat", "delete")))
        pos = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[pos] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[pos:]
        elif op == "splice":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=64))
        elif op == "repeat":
            end = min(len(data), pos + draw(st.integers(1, 200)))
            data[pos:pos] = data[pos:end] * draw(st.integers(1, 20))
        else:
            del data[pos:pos + draw(st.integers(1, 200))]
    return bytes(data)


def _check(load, data: bytes, **kwargs: object) -> None:
    try:
        doc = load(data, source="fuzz-input", **kwargs)
    except LoadError as exc:
        assert exc.source == "fuzz-input" and exc.reason
        return
    assert isinstance(doc, Document) and doc.sections
    chunks = chunk_document(doc)
    assert all(c.text.strip() and c.doc_id == doc.doc_id for c in chunks)


@FUZZ
@given(data=mutated(MARKDOWN))
def test_fuzz_markdown(data: bytes) -> None:
    _check(load_markdown, data)


@FUZZ
@given(data=mutated(TEXT))
def test_fuzz_text(data: bytes) -> None:
    _check(load_text, data)


@FUZZ
@given(data=mutated(HTML), charset=st.sampled_from((None, "utf-8", "latin-1", "utf-16", "bogus-charset")))
def test_fuzz_html(data: bytes, charset: str | None) -> None:
    _check(load_html, data, charset=charset)


def test_fuzz_pdf(pdf_bytes: bytes) -> None:
    @FUZZ
    @given(data=mutated(pdf_bytes))
    def run(data: bytes) -> None:
        _check(load_pdf, data)

    run()


@FUZZ
@given(sections=st.lists(st.tuples(st.lists(st.text(max_size=30), max_size=3), st.text(max_size=3000),
                                   st.none() | st.integers(1, 5000)), min_size=1, max_size=6))
def test_fuzz_chunker(sections: list[tuple[list[str], str, int | None]]) -> None:
    doc = Document(title="T", doc_type="procedure", source="fuzz",
                   sections=tuple(Section(tuple(h), t, p) for h, t, p in sections))
    chunks = chunk_document(doc)
    assert [c.ordinal for c in chunks] == sorted(c.ordinal for c in chunks)
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    for c in chunks:
        assert c.text.strip()
    for _, text, _ in sections:
        split_sentences(text)  # never raises


def test_pathological_sentence_splitting_is_bounded() -> None:
    """One huge 'sentence' with no punctuation and a long run of dots still chunks."""
    words = ("word " * 20000) + ("." * 5000) + (" a" * 10000)
    doc = Document(title="T", doc_type="procedure", source="p", sections=(Section(("T",), words),))
    chunks = chunk_document(doc)
    assert chunks and sum(len(c.text) for c in chunks) >= len(words.strip()) // 2


def test_pdf_with_mangled_filter_is_a_load_error_and_the_run_goes_on(pdf_bytes: bytes, tmp_path: Path,
                                                                     data_dir: Path) -> None:
    """Found by the fuzzer: pypdf raised NotImplementedError, which ended the whole ingest run."""
    from index.pipeline import ingest_sources
    from tests.fakes import CountingEmbedder

    mangled = pdf_bytes.replace(b"/FlateDecode", b"/\x00lateDecode", 1)
    with pytest.raises(LoadError, match="corrupt or unsupported PDF"):
        load_pdf(mangled, source="mangled.pdf")
    bad = tmp_path / "mangled.pdf"
    bad.write_bytes(mangled)
    good = tmp_path / "good.md"
    good.write_text("# Good\n\nRecord every concern the same day.\n", encoding="utf-8")
    report = ingest_sources(data_dir, [str(bad), str(good)], CountingEmbedder())
    assert report.added == 1 and [f.source for f in report.failed] == [str(bad)]

"""Learning themes across case reviews: recognition, extraction, grouping, CLI, page, export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant import reviews as rv
from assistant.theme_extract import is_title_line, outcome_phrases
from assistant.themes import (answer_themes_question, catalogue, format_themes_answer, group_themes,
                              learning_themes, title_case)
from assistant.themes_cli import themes_cmd
from assistant.themes_export import escape_md, passage_rows, theme_rows, to_csv, to_markdown
from index.pipeline import ingest_sources, remove_source
from index.reader import IndexReader
from tests.conftest import CORPUS
from tests.fakes import CountingEmbedder

CITATION_KEYS = {"rank", "doc_id", "title", "doc_type", "source", "url", "section", "page", "text", "score"}


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("themes") / "data"
    report = ingest_sources(d, [str(CORPUS)], CountingEmbedder())
    assert report.added == 2 and not report.failed
    return d


@pytest.fixture(scope="module")
def corpus_themes(corpus_dir: Path):
    reader = IndexReader.open(corpus_dir)
    cat = catalogue(reader)
    return reader, cat, group_themes(cat, CountingEmbedder())


def _themes_of(themes, review: str) -> dict[str, object]:
    return {t.label: t for t in themes if review in t.reviews}


def write_briefing_pdf(path: Path) -> Path:
    """A two-page seven-minute briefing whose headings are plain bold-less lines."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title("7 Minute Briefing: Child Q LCSPR")
    pdf.add_page()

    def line(text: str, size: int = 11, style: str = "") -> None:
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")

    line("7 Minute Briefing: Child Q LCSPR", 16, "B")
    line("Child Q was a baby who was seriously injured at home in 2024. This briefing shares the "
         "learning from the local child safeguarding practice review.")
    line("Key learning", 13, "B")
    line("Professional curiosity")
    line("Practitioners accepted explanations at face value and did not ask what life was like for Child Q.")
    line("Engaging fathers")
    line("Child Q's father was not seen or spoken to by health visitors; his history was unknown.")
    pdf.add_page()
    line("Information sharing")
    line("Agencies held pieces of the picture but did not share them before the injury.")
    pdf.output(str(path))
    return path


# --- recognition -----------------------------------------------------------------------

@pytest.mark.parametrize("text,name,kind", [
    ("The EMMA LCSPR was concluded", "EMMA", "LCSPR"),
    ("published for the SLSCB Eve SCR which", "Eve", "SCR"),
    ("the 7-minute briefing from the Amber & Joshua LCSPR has", "Amber & Joshua", "LCSPR"),
    ("publication of the Sara Sherif Local Child Safeguarding Practice Review, HSSCP", "Sara Sherif", "LCSPR"),
    ("Local Child Safeguarding Practice Review - Child M", "Child M", "LCSPR"),
    ("Baby Q Rapid Review", "Baby Q", "Rapid Review"),
    ("Serious Case Review: Family W", "Family W", "SCR"),
    ("Safeguarding Adults Review Mr Z", None, None),
    ("the Daniel SAR found", "Daniel", "SAR"),
])
def test_review_names_are_recognised_generally(text: str, name: str | None, kind: str | None) -> None:
    found = rv.find_reviews(text)
    if name is None:
        assert all(m.name != "Mr Z" or m.review_type == "SAR" for m in found)
        return
    assert [(m.name, m.review_type) for m in found][:1] == [(name, kind)]


def test_non_review_phrases_are_not_reviews() -> None:
    for text in ["Child Protection Plan", "open Child In Need cases", "undertook six Rapid Reviews into",
                 "Learning arising from the LCSPR was shared", "HSSCP Learning from Review of Practice: Unlocking Fixed Thinking"]:
        assert rv.find_reviews(text) == [] and rv.heading_reviews(text) == [], text
    assert [m.key for m in rv.heading_reviews("Reviews carried over into the new partnership - EVE")] == ["eve"]


def test_learning_headings_and_title_lines() -> None:
    assert rv.is_learning_heading("Key learning") and rv.is_learning_heading("What we learned")
    assert rv.is_learning_heading("Learning from Child M") and rv.is_learning_heading("Findings")
    assert not rv.is_learning_heading("Active Learning") and not rv.is_learning_heading("Review Methodology")
    assert is_title_line("Engaging fathers", "was unknown.", "Child Q's father was not seen.")
    assert not is_title_line("Professionals should seek to:", "risk.", "- Engage fathers")
    assert not is_title_line("local child safeguarding practice review.", "shares the learning from the", "x")


def test_outcome_phrases_name_what_a_review_led_to() -> None:
    labels = [label for label, _ in outcome_phrases(
        "A Tees-wide Concealed Pregnancy procedure and a guidance document on Working with Families who "
        "Find it Hard to Engage have been developed as a result of recommendations arising from the Eve SCR "
        "and can be found on the Tees Procedures website.")]
    assert "Tees-wide Concealed Pregnancy procedure" in labels
    assert "Working with Families who Find it Hard to Engage guidance" in labels
    assert not any("website" in label.lower() for label in labels)


def test_title_case_keeps_acronyms_and_small_words() -> None:
    assert title_case("Give 1:1 time to the father") == "Give 1:1 Time to the Father"
    assert title_case("step-down processes") == "Step-Down Processes"
    assert title_case("CSAFE procedures") == "CSAFE Procedures"


# --- the shipped corpus ----------------------------------------------------------------

def test_child_m_themes_are_listed_with_citations(corpus_themes) -> None:
    _, cat, themes = corpus_themes
    child_m = _themes_of(themes, "Child M LCSPR")
    titles = {title.lower() for t in child_m.values() for title in t.titles}
    for expected in ["father inclusive practice", "engaging fathers", "self-reported information",
                     "evidence based decision making", "creating opportunities for multi-agency reflection"]:
        assert expected in titles
    father = next(t for t in child_m.values() if "father inclusive practice" in {x.lower() for x in t.titles})
    assert father.kind == "learning" and father.passages
    cites = father.to_json()["passages"]
    assert CITATION_KEYS <= set(cites[0])
    assert all("Child M" in c["section"] for c in cites)
    assert any("fathers" in c["text"].lower() for c in cites)
    assert [c["rank"] for c in cites] == list(range(1, len(cites) + 1))


def test_other_reviews_appear_with_what_they_led_to(corpus_themes) -> None:
    _, cat, themes = corpus_themes
    names = {r.name for r in cat.reviews}
    assert {"Eve SCR", "ALEX LCSPR", "Amber & Joshua LCSPR", "EMMA LCSPR", "Child T LCSPR", "Child M LCSPR",
            "Child JSW LCSPR", "Child RAC LCSPR", "Sara Sherif LCSPR", "CSAFE Deep Dive"} <= names
    assert any(n.startswith("KLOE deep dive: Children Placed at a Distance") for n in names)
    assert any(n.startswith("KLOE deep dive: Children Missing from Home") for n in names)
    eve = " | ".join(_themes_of(themes, "Eve SCR")).lower()
    assert "concealed pregnancy procedure" in eve and "working with families who find it hard to engage" in eve
    alex = " | ".join(_themes_of(themes, "ALEX LCSPR")).lower()
    assert "step-down processes" in alex and "neglect training" in alex
    neglect = next(t for t in themes if t.label.lower() == "neglect training")
    assert {"ALEX LCSPR", "Child M LCSPR"} <= set(neglect.reviews)  # recurs across reviews
    kloe = _themes_of(themes, "KLOE deep dive: Children Placed at a Distance")
    assert "Children Placed at a Distance" in kloe


def test_review_and_year_filters(corpus_dir: Path, corpus_themes) -> None:
    reader, cat, _ = corpus_themes
    eve = learning_themes(reader, CountingEmbedder(), review="eve", cat=cat)
    assert eve and all(t.reviews == ("Eve SCR",) for t in eve)
    recent = learning_themes(reader, CountingEmbedder(), year=2026, cat=cat)
    assert recent and not any("Child M LCSPR" in t.reviews for t in recent)
    assert any("CSAFE Deep Dive" in t.reviews for t in recent)
    old = learning_themes(reader, CountingEmbedder(), year=2020, cat=cat)
    assert any("Child M LCSPR" in t.reviews for t in old) and not any("CSAFE Deep Dive" in t.reviews for t in old)


def test_themes_questions_are_recognised(corpus_themes) -> None:
    reader, cat, _ = corpus_themes
    themes = answer_themes_question("what were the learning themes from the Child M review?", reader, cat=cat)
    assert themes and all("Child M LCSPR" in t.reviews for t in themes)
    alex = answer_themes_question("learning from ALEX", reader, cat=cat)
    assert alex and all("ALEX LCSPR" in t.reviews for t in alex)
    assert answer_themes_question("what do I do if a parent tells me something I can't check?", reader, cat=cat) is None
    assert answer_themes_question("what were the themes of the Child Z LCSPR?", reader, cat=cat) == []
    text, hits = format_themes_answer(themes)
    assert text.count("\n") + 1 == min(len(themes), 12)
    for line in text.splitlines():
        quote, marker = line[2:].rsplit(" [", 1)
        hit = hits[int(marker.rstrip("]")) - 1]
        assert quote in hit.chunk.text or quote in " ".join(hit.chunk.heading_path)  # copied, not invented


def test_cli_table_and_json(corpus_dir: Path) -> None:
    runner = CliRunner()
    table = runner.invoke(themes_cmd, ["--data-dir", str(corpus_dir)])
    assert table.exit_code == 0, table.output
    assert table.output.splitlines()[0].split()[:2] == ["theme", "kind"]
    assert "Father Inclusive Practice" in table.output and "Eve SCR" in table.output
    out = runner.invoke(themes_cmd, ["--data-dir", str(corpus_dir), "--json", "--review", "Child M"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data and all(set(t) >= {"theme", "reviews", "passages"} for t in data)
    assert all(t["reviews"] == ["Child M LCSPR"] for t in data)
    assert CITATION_KEYS <= set(data[0]["passages"][0])
    rev = runner.invoke(themes_cmd, ["--data-dir", str(corpus_dir), "--reviews", "--json", "--year", "2026"])
    rows = json.loads(rev.output)
    assert {r["review"] for r in rows} >= {"Amber & Joshua LCSPR", "CSAFE Deep Dive"}
    assert "Child M LCSPR" not in {r["review"] for r in rows}


def test_exports_escape_document_text(corpus_themes) -> None:
    _, _, themes = corpus_themes
    assert escape_md("<script>alert(1)</script> [x](javascript:y)") == \
        "&lt;script&gt;alert\\(1\\)&lt;/script&gt; \\[x\\]\\(javascript:y\\)"
    md = to_markdown(themes[:3])
    assert md.startswith("# Learning themes") and "| Theme | Reviews |" in md and "> " in md
    csv_text = to_csv(passage_rows(themes[:2]))
    assert csv_text.splitlines()[0].startswith("theme,rank,document,section")
    assert to_csv([{"theme": "=HYPERLINK(1)"}]).splitlines()[1] == "'=HYPERLINK(1)"
    assert theme_rows(themes)[0]["reviews"] >= 1


def test_page_renders_with_the_corpus(corpus_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    import index.embedder

    monkeypatch.setenv("GUIDANCE_DATA_DIR", str(corpus_dir))
    monkeypatch.setattr(index.embedder, "LazyEmbedder", lambda *a, **k: CountingEmbedder())
    at = AppTest.from_string("from assistant.ui.themes_page import render\nrender()", default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Learning themes"
    assert len(at.dataframe) >= 1 and at.selectbox
    assert any("Child M" in m.value for m in at.markdown) or any("Reviews:" in m.value for m in at.markdown)


# --- a new briefing, with the real model for meaning --------------------------------------

@pytest.mark.model
def test_new_pdf_briefing_is_added_grouped_and_removed(tmp_path: Path) -> None:
    from index.embedder import SentenceTransformerEmbedder

    model = SentenceTransformerEmbedder()
    data = tmp_path / "idx"
    ingest_sources(data, [str(CORPUS)], model)
    pdf = write_briefing_pdf(tmp_path / "child-q-briefing.pdf")
    report = ingest_sources(data, [str(pdf)], model)
    assert report.added == 1 and not report.failed

    reader = IndexReader.open(data)
    cat = catalogue(reader)
    assert "Child Q LCSPR" in {r.name for r in cat.reviews}
    themes = group_themes(cat, model)
    child_q = _themes_of(themes, "Child Q LCSPR")
    q_titles = {title.lower() for t in child_q.values() for title in t.titles}
    assert {"professional curiosity", "engaging fathers", "information sharing"} <= q_titles
    fathers = next(t for t in child_q.values() if "engaging fathers" in {x.lower() for x in t.titles})
    assert "Child M LCSPR" in fathers.reviews  # the same theme across the two reviews
    assert "father inclusive practice" in {x.lower() for x in fathers.titles}  # meaning, not only words
    pages = {h.chunk.page for t in child_q.values() for h in t.passages if h.document.source == str(pdf)}
    assert pages == {1, 2}
    sharing = next(t for t in child_q.values() if "information sharing" in {x.lower() for x in t.titles})
    assert any(c["url"] is None and c["page"] == 2 for c in sharing.to_json()["passages"])
    reader.close()

    remove_source(data, str(pdf), model)
    reader = IndexReader.open(data)
    cat = catalogue(reader)
    assert "Child Q LCSPR" not in {r.name for r in cat.reviews}
    assert not any("Child Q LCSPR" in t.reviews for t in group_themes(cat, model))
    reader.close()


def test_a_review_without_themes_groups_to_nothing(corpus_themes) -> None:
    from assistant.themes import group_themes

    _, cat, _ = corpus_themes
    assert group_themes(cat, CountingEmbedder(), mentions=[]) == []
    assert group_themes(cat, None, mentions=[]) == []


def test_asking_what_a_review_found_gets_its_learning_or_a_search(corpus_dir: Path) -> None:
    from assistant.engine import Assistant

    assistant = Assistant(corpus_dir, CountingEmbedder())  # corpus_dir is the corpus's index
    child_m = assistant.ask("what were the findings of the Child M LCSPR")
    assert child_m.found and "Engaging fathers" in child_m.answer  # the review's learning themes
    # Only what EMMA led to is known, not what it found: no "led to" list passed off as findings.
    emma = assistant.ask("what did the EMMA review find")
    assert "Children Returning Home procedure" not in emma.answer
    assistant.ask("what were the lessons from the amber and joshua review")  # a review with no themes: no crash
    # A finding about a topic of its own is searched for, not answered with the theme list.
    mother = assistant.ask("what did it find about what the mum told professionals?", history=["tell me about the child m review"])
    assert "Engaging fathers" not in mother.answer and "Evidence based decision making" not in mother.answer
    again = assistant.ask("what did we learn about the child m review")
    assert "Engaging fathers" in again.answer  # "about" the review itself: still its themes

"""HTML loader: main content only, readable structure, charsets, titles, dates, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ingest.html import load_html, normalise_block, page_blocks
from ingest.models import Document, LoadError

SITE = Path(__file__).resolve().parent / "fixtures" / "site"
PAGES = SITE / "procedures"
QUESTIONS = Path(__file__).resolve().parent.parent / "benchmarks" / "questions" / "site.jsonl"

# Text that only occurs in the site chrome (menu, header, footer, cookie banner, breadcrumbs,
# sidebars, skip link, search form): none of it may reach a section.
CHROME = (
    "cookies", "Skip to main content", "Registered office", "WCAG", "Search the procedures",
    "Multi-agency safeguarding children procedures for everyone", "Related chapters",
    "Related pages", "Report a problem", "Home > Procedures", "Home » Procedures",
    "What is professional curiosity? Barriers", "By continuing to browse",
)


def load(rel: str, **kwargs: object) -> Document:
    path = PAGES / rel
    return load_html(path.read_bytes(), source=str(path), **kwargs)  # type: ignore[arg-type]


def full_text(doc: Document) -> str:
    return "\n".join(" > ".join(s.heading_path) + "\n" + s.text for s in doc.sections)


ALL_PAGES = sorted(p.relative_to(PAGES).as_posix() for p in PAGES.rglob("*.html"))


@pytest.mark.parametrize("rel", ALL_PAGES)
def test_only_main_content_reaches_sections(rel: str) -> None:
    doc = load(rel)
    text = full_text(doc)
    for chrome in CHROME:
        assert chrome.lower() not in text.lower(), f"{rel}: chrome text {chrome!r} leaked"
    assert all(s.page is None for s in doc.sections)
    assert all(s.text.strip() for s in doc.sections)


@pytest.mark.parametrize(
    ("rel", "title", "sentence"),
    [
        ("index.html", "Northbridge Safeguarding Children Procedures",  # <main>
         "They are updated twice a year, in March and September"),
        ("chapters/children-missing-from-home-and-care.html", "Children Missing from Home and Care",  # <article>
         "independent return home interview within 72 hours of their return"),
        ("chapters/professional-curiosity.html", "Professional Curiosity",  # <div id="content">
         "approach information with respectful uncertainty"),
        ("chapters/resolution-of-professional-disagreements.html",  # unlabelled divs only
         "Resolution of Professional Disagreements",
         "At no point should a child be left at risk of harm while a professional disagreement"),
        ("contacts.html", "Key contacts",  # <div class="content">
         "must be reported to the LADO within one working day"),
    ],
)
def test_content_found_in_each_template(rel: str, title: str, sentence: str) -> None:
    doc = load(rel)
    assert doc.title == title
    assert sentence in full_text(doc)


def test_headings_become_heading_paths() -> None:
    doc = load("chapters/children-missing-from-home-and-care.html")
    paths = [s.heading_path for s in doc.sections]
    assert ("Children Missing from Home and Care", "Immediate actions", "Parents and carers") in paths
    assert ("Children Missing from Home and Care", "Immediate actions",
            "Foster carers and residential staff") in paths
    rhi = next(s for s in doc.sections if s.heading_path[-1] == "Return home interviews")
    assert rhi.heading_path == ("Children Missing from Home and Care", "Return home interviews")
    assert "72 hours" in rhi.text and "Repeat missing" not in rhi.text
    # h3 after h2 after h3: the stack pops back correctly
    curiosity = load("chapters/professional-curiosity.html")
    assert ("Professional Curiosity", "Good practice", "Using supervision") in [
        s.heading_path for s in curiosity.sections]


def test_lists_tables_and_definitions_are_readable_lines() -> None:
    missing = full_text(load("chapters/children-missing-from-home-and-care.html"))
    assert "\n- Search the home, garden, outbuildings and any vehicles.\n" in missing
    assert ("High | The risk of serious harm is immediate and substantial | "
            "Immediate deployment and a senior officer reviews the case") in missing
    assert "Police risk levels for missing children\nRisk level | Meaning | Police response" in missing
    escalation = full_text(load("chapters/resolution-of-professional-disagreements.html"))
    assert "- Stage 3: if there is still no agreement" in escalation
    sharing = full_text(load("chapters/information-sharing.html"))
    assert "7. Keep a record | Record what you shared, with whom, and why" in sharing
    assert "Consent\nConsent is not the only lawful basis" in sharing


def test_inline_markup_does_not_break_sentences() -> None:
    data = b"<html><body><main><h1>T</h1><p>Call the <a href='/x'>Front Door</a> <strong>today</strong>, not tomorrow.</p></main></body></html>"
    doc = load_html(data, source="inline.html")
    assert doc.sections[0].text == "Call the Front Door today, not tomorrow."


def test_windows_1252_declared_in_meta() -> None:
    raw = (PAGES / "chapters/private-fostering.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the fixture really is windows-1252
    text = full_text(load("chapters/private-fostering.html"))
    for expected in ("A “family friend” or a cousin", "£60 a week", "Amélie, aged 14", "Children’s Front Door"):
        assert expected in text
    assert "\ufffd" not in text


def test_charset_from_http_header_and_fallback() -> None:
    html = "<html><body><main><h1>Café policy</h1><p>It costs £5 – “really”.</p></main></body></html>"
    data = html.encode("windows-1252")
    for charset in ("windows-1252", "iso-8859-1", None):  # header label, latin-1 alias, none (sniffed)
        doc = load_html(data, source="x.html", charset=charset)
        assert doc.title == "Café policy"
        assert doc.sections[0].text == "It costs £5 – “really”."
    # a wrong header (says utf-8, bytes are windows-1252) falls back instead of mangling
    assert load_html(data, source="x.html", charset="utf-8").sections[0].text == "It costs £5 – “really”."
    # an unknown charset label is ignored, UTF-8 bytes still decode
    assert load_html(html.encode("utf-8"), source="x.html", charset="x-nonsense").title == "Café policy"


def test_title_falls_back_to_title_tag_then_file_name() -> None:
    body = "<body><main><p>Some real guidance text for practitioners here.</p></main></body>"
    for title in ("Private Fostering | Northbridge Procedures", "Private Fostering - Northbridge Procedures",
                  "Private Fostering – Northbridge"):
        doc = load_html(f"<html><head><title>{title}</title></head>{body}</html>".encode(), source="a.html")
        assert doc.title == "Private Fostering"
    doc = load_html(f"<html>{body}</html>".encode(), source="/tmp/site/private-fostering_guide.html")
    assert doc.title == "private fostering guide"
    doc = load_html(f"<html>{body}</html>".encode(), source="http://h/p/neglect-toolkit.htm?x=1")
    assert doc.title == "neglect toolkit"


def test_h1_outside_main_content_is_not_the_title() -> None:
    data = (b"<html><head><title>Neglect | Site</title></head><body><header><h1>Northbridge Partnership</h1>"
            b"</header><main><p>Neglect is the persistent failure to meet a child's needs.</p></main></body></html>")
    assert load_html(data, source="x.html").title == "Neglect"


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("<p>Last reviewed: 12 March 2025</p>", "2025-03-12"),
        ("<p>Last updated 5th January 2024.</p>", "2024-01-05"),
        ("<p>Last amended: September 2, 2024</p>", "2024-09-02"),
        ("<p>Date: 03/02/2025</p>", "2025-02-03"),
        ("<p>Review date: 2026-01-31</p>", "2026-01-31"),
        ("<p>Last reviewed: March 2025</p>", "2025-03"),
        ("<p>Nothing dated here at all.</p>", None),
    ],
)
def test_date_statements(snippet: str, expected: str | None) -> None:
    data = f"<html><body><main><h1>Page</h1><p>Body text for the page.</p>{snippet}</main></body></html>"
    assert load_html(data.encode(), source="x.html").date == expected


def test_date_from_meta_and_fixture_pages() -> None:
    for name in ('name="dcterms.modified"', 'property="article:modified_time"', 'name="date"'):
        data = f'<html><head><meta {name} content="2024-07-09T10:00:00+01:00"></head><body><main><p>Body text here.</p></main></body></html>'
        assert load_html(data.encode(), source="x.html").date == "2024-07-09"
    assert load("chapters/children-missing-from-home-and-care.html").date == "2025-03-12"
    assert load("chapters/professional-curiosity.html").date == "2024-11-04"
    assert load("chapters/resolution-of-professional-disagreements.html").date == "2024-09-02"
    assert load("briefings/seven-minute-briefing-neglect.html").date == "2025-01-20"
    assert load("amendments.html").date == "2025-02-03"
    assert load("contacts.html").date is None


def test_doc_type_given_or_inferred() -> None:
    assert load("briefings/seven-minute-briefing-neglect.html").doc_type == "briefing"
    assert load("chapters/professional-curiosity.html", doc_type="guidance").doc_type == "guidance"
    doc = load("chapters/professional-curiosity.html", url="http://h/procedures/p_curiosity.html",
               registered_source="http://h/procedures/")
    assert doc.url == "http://h/procedures/p_curiosity.html"
    assert doc.registered_source == "http://h/procedures/"


def test_hidden_elements_skip_links_and_furniture_removed() -> None:
    data = b"""<html><body><main>
      <a href="#content" class="govuk-skip-link">Skip to content</a>
      <h1>Neglect</h1>
      <p>Neglect is the persistent failure to meet a child's basic needs.</p>
      <p hidden>Hidden draft paragraph.</p>
      <div style="display: none">Display none paragraph.</div>
      <div aria-hidden="true">Aria hidden paragraph.</div>
      <div class="cookie-notice"><p>We use cookies on this website to improve it.</p></div>
      <ol class="breadcrumb"><li>Home</li><li>Neglect</li></ol>
      <div class="share-this">Share on social media</div>
      <div class="related"><h2>See also</h2><p><a href="/a">Alpha</a> <a href="/b">Beta</a> <a href="/c">Gamma</a></p></div>
      <p>Speak to your designated safeguarding lead about any concern.</p>
    </main></body></html>"""
    text = full_text(load_html(data, source="x.html"))
    assert "persistent failure" in text and "designated safeguarding lead" in text
    for junk in ("Skip to content", "Hidden draft", "Display none", "Aria hidden", "cookies",
                 "Home", "Share on", "See also", "Alpha"):
        assert junk not in text


def test_densest_block_chosen_when_main_is_a_stub() -> None:
    prose = "".join(f"<p>Paragraph {i} explains how practitioners should record concerns about a child.</p>"
                    for i in range(6))
    data = ("<html><body><main><p>Loading…</p></main><div class='links'>"
            + "".join(f"<a href='/{i}'>Link number {i}</a> " for i in range(30))
            + f"</div><div class='x'><h1>Recording concerns</h1>{prose}</div>"
            "<div class='y'><p>Copyright 2025 Northbridge Council, all rights reserved.</p></div></body></html>")
    doc = load_html(data.encode(), source="x.html")
    assert doc.title == "Recording concerns"
    text = full_text(doc)
    assert "Paragraph 5 explains" in text
    assert "Link number" not in text and "Copyright" not in text and "Loading" not in text


def test_boilerplate_blocks_are_dropped() -> None:
    notice = "Printed copies of this procedure are uncontrolled; always check the online version before acting on it."
    assert notice in full_text(load("contacts.html"))
    doc = load("contacts.html", boilerplate={normalise_block(notice)})
    assert notice not in full_text(doc)
    assert "within one working day" in full_text(doc)
    blocks = page_blocks((PAGES / "contacts.html").read_bytes(), source="contacts.html")
    assert normalise_block(notice) in blocks
    assert not any("cookies" in b for b in blocks)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n\t ", "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (bytes(range(256)) * 8, "binary"),
        (b"<html><body><nav><a href='/'>Home</a></nav><footer>(c) 2025</footer></body></html>", "no readable text"),
        (b"<html><head><script>var x = 1;</script></head><body></body></html>", "no readable text"),
    ],
)
def test_bad_input_raises_clear_load_error(data: bytes, reason: str) -> None:
    with pytest.raises(LoadError) as info:
        load_html(data, source="bad-input.html")
    assert info.value.source == "bad-input.html"
    assert reason.lower() in info.value.reason.lower()


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("**", "")).strip().lower()


def test_site_questions_evidence_is_in_extracted_text() -> None:
    """benchmarks/questions/site.jsonl: every evidence string is in one extracted block of a
    page (as load_html produces it), and each key fact is in a section holding its evidence."""
    sections = [(rel, s) for rel in ALL_PAGES if "internal/" not in rel for s in load(rel).sections]
    records = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(records) >= 15
    assert sum(1 for r in records if not r["answerable"]) >= 3
    assert len({r["id"] for r in records}) == len(records)
    for rec in records:
        if not rec["answerable"]:
            assert rec["evidence"] == [] and rec["key_facts"] == []
            continue
        holding = []
        for ev in rec["evidence"]:
            assert 20 <= len(_norm(ev)) <= 80, (rec["id"], ev)
            hits = [s for _, s in sections if any(_norm(ev) in _norm(line) for line in s.text.split("\n"))]
            assert hits, f"{rec['id']}: evidence not found: {ev!r}"
            holding.extend(hits)
        for fact in rec["key_facts"]:
            assert any(_norm(fact) in _norm(s.text) for s in holding), f"{rec['id']}: key fact {fact!r}"

"""A crawled site through the whole pipeline: `guidance ingest URL`, `reindex` after the site
changes, removal of vanished pages, citations with text-fragment and #page links, and no
boilerplate searchable. Real HTTP server on 127.0.0.1, fake embedder, real SQLite and FAISS."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from tests.fakes import CountingEmbedder
from tests.sitetools import EXPLOITATION_PDF_PAGES, SiteServer, make_pdf

SITE = Path(__file__).resolve().parent / "fixtures" / "site"
PDF = "/documents/exploitation-briefing.pdf"
CHANGED = "/procedures/chapters/professional-curiosity.html"


@pytest.fixture
def site() -> Iterator[SiteServer]:
    with SiteServer() as external, SiteServer(SITE, external=external) as server:
        server.put(PDF, make_pdf(EXPLOITATION_PDF_PAGES))
        yield server


def run(embedder: CountingEmbedder, *args: str):
    return CliRunner().invoke(cli, list(args), obj={"embedder": embedder})


def listed(embedder: CountingEmbedder, data_dir: Path) -> dict[str, dict]:
    out = run(embedder, "list", "--json", "--data-dir", str(data_dir)).output
    return {e["source"]: e for e in json.loads(out)}


def test_crawl_reindex_updates_adds_and_drops_pages(site: SiteServer, data_dir: Path,
                                                     embedder: CountingEmbedder) -> None:
    start = site.url("/procedures/")
    first = run(embedder, "ingest", start, "--allow-host", "127.0.0.1", "--delay", "0", "--data-dir", str(data_dir))
    assert first.exit_code in (0, 1), first.output
    docs = listed(embedder, data_dir)
    assert site.url(CHANGED) in docs and site.url(PDF) in docs
    assert docs[site.url(PDF)]["url"] == site.url(PDF)

    export = [json.loads(l) for l in run(embedder, "export", "--data-dir", str(data_dir)).output.splitlines()]
    pdf_lines = [l for l in export if l["source"] == site.url(PDF)]
    assert {l["page"] for l in pdf_lines} >= {1, 2}
    assert all(l["url"] == f"{site.url(PDF)}#page={l['page']}" for l in pdf_lines)
    html_lines = [l for l in export if l["source"] == site.url(CHANGED)]
    assert html_lines and all(l["url"].startswith(site.url(CHANGED) + "#:~:text=") for l in html_lines)
    searchable = " ".join(l["text"] for l in export)
    assert "cookies" not in searchable.lower()
    assert "Printed copies of this procedure are uncontrolled" not in searchable

    embedded = embedder.texts_embedded
    page = (SITE / CHANGED.lstrip("/")).read_text(encoding="utf-8")
    site.put(CHANGED, page.replace("Using supervision", "Reflective supervision")
             .replace('<a href="/procedures/contacts.html">Contact',
                      '<a href="/procedures/chapters/neglect.html">Neglect</a> <a href="/procedures/contacts.html">Contact'))
    site.put("/procedures/chapters/neglect.html", "<html><head><title>Neglect</title></head><body><main>"
             "<h1>Neglect</h1><p>Neglect is the persistent failure to meet a child's basic physical and "
             "psychological needs, likely to result in serious impairment of the child's health.</p></main></body></html>")
    site.remove("/procedures/contacts.html")

    second = run(embedder, "reindex", "--allow-host", "127.0.0.1", "--data-dir", str(data_dir))
    assert "added 1, updated 1" in second.output, second.output
    assert "removed 1" in second.output
    after = listed(embedder, data_dir)
    assert site.url("/procedures/chapters/neglect.html") in after
    assert site.url("/procedures/contacts.html") not in after
    assert len(after) == len(docs)  # one added, one removed
    # only the chunks of the changed and the new page were embedded
    assert 0 < embedder.texts_embedded - embedded <= 12


def test_network_failure_during_recrawl_keeps_documents(site: SiteServer, data_dir: Path,
                                                         embedder: CountingEmbedder) -> None:
    start = site.url("/procedures/")
    run(embedder, "ingest", start, "--allow-host", "127.0.0.1", "--delay", "0", "--data-dir", str(data_dir))
    before = listed(embedder, data_dir)
    site.status(CHANGED, 503)  # a server error: the page could not be checked
    result = run(embedder, "reindex", "--allow-host", "127.0.0.1", "--data-dir", str(data_dir))
    assert result.exit_code == 1
    assert CHANGED.rsplit("/", 1)[-1] in result.output
    assert set(listed(embedder, data_dir)) == set(before)

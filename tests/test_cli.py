"""The `guidance` CLI through CliRunner: exit codes, messages and JSON shapes of DESIGN.md."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from tests.conftest import CORPUS
from tests.fakes import CountingEmbedder
from tests.pdfs import BRIEFING_PAGES, make_pdf

HTML = """<!doctype html><html><head><title>Missing from home | Tees Procedures</title></head>
<body><header><nav><a href="/">Home</a> <a href="/p">Procedures</a> Cookie settings menu</nav></header>
<div id="cookie-banner">We use cookies to improve this site. Accept all cookies.</div>
<main><h1>Children Missing from Home and Care</h1>
<p>When a child is reported missing, the police lead the search and children's social care is told the same day.</p>
<h2>Return home interviews</h2>
<p>Every child who returns should be offered an independent return home interview within 72 hours.</p>
<ul><li>Ask where they stayed</li><li>Ask who they were with</li></ul>
</main><footer>Copyright Tees Safeguarding Children Partnerships. Accessibility statement.</footer></body></html>"""


def run(args: list[str], embedder: CountingEmbedder, input: str | None = None):
    return CliRunner().invoke(cli, args, obj={"embedder": embedder}, input=input)


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "docs"
    shutil.copytree(CORPUS, folder)
    pdf = make_pdf(tmp_path / "neglect-briefing.pdf", BRIEFING_PAGES, title="Seven Minute Briefing: Neglect")
    html = tmp_path / "missing.html"
    html.write_text(HTML, encoding="utf-8")
    return {"folder": folder, "pdf": pdf, "html": html}


def test_ingest_list_export(data_dir: Path, inputs: dict[str, Path], embedder: CountingEmbedder) -> None:
    result = run(["ingest", str(inputs["folder"]), str(inputs["pdf"]), str(inputs["html"]), "--data-dir", str(data_dir)],
                 embedder)
    assert result.exit_code == 0, result.output
    assert "added 4" in result.output

    listed = json.loads(run(["list", "--json", "--data-dir", str(data_dir)], embedder).output)
    assert len(listed) == 4
    for entry in listed:
        assert {"doc_id", "title", "doc_type", "source", "url", "chunks", "content_hash", "indexed_at"} <= set(entry)
    by_title = {e["title"]: e for e in listed}
    assert by_title["Seven Minute Briefing: Neglect"]["doc_type"] == "briefing"
    assert by_title["Children Missing from Home and Care"]["chunks"] >= 1
    assert by_title["HSSCP Newsletter Quarter 3 2025-26"]["doc_type"] == "newsletter"

    lines = [json.loads(l) for l in run(["export", "--data-dir", str(data_dir)], embedder).output.splitlines()]
    assert sum(e["chunks"] for e in listed) == len(lines)
    for line in lines:
        assert {"chunk_id", "doc_id", "title", "doc_type", "source", "url", "section", "page", "text"} <= set(line)
        assert "rank" not in line and "score" not in line
    pdf_pages = {l["page"] for l in lines if l["title"] == "Seven Minute Briefing: Neglect"}
    assert pdf_pages == {1, 2, 3}
    html_lines = [l for l in lines if l["title"] == "Children Missing from Home and Care"]
    html_text = " ".join(l["text"] for l in html_lines)
    assert "72 hours" in html_text
    for boilerplate in ("cookies", "Copyright", "Procedures", "Accessibility"):
        assert boilerplate not in html_text
    assert any(l["section"].endswith("Return home interviews") for l in html_lines)


def test_bad_input_exit_1_names_input_and_keeps_good(data_dir: Path, tmp_path: Path, embedder: CountingEmbedder,
                                                      inputs: dict[str, Path]) -> None:
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    result = run(["ingest", str(empty), str(tmp_path / "missing.pdf"), str(inputs["pdf"]),
                  "--data-dir", str(data_dir)], embedder)
    assert result.exit_code == 1
    assert f"{empty}: empty file" in result.output
    assert "missing.pdf: no such file or folder" in result.output
    listed = json.loads(run(["list", "--json", "--data-dir", str(data_dir)], embedder).output)
    assert [e["title"] for e in listed] == ["Seven Minute Briefing: Neglect"]


def test_usage_error_exit_2(embedder: CountingEmbedder) -> None:
    assert run(["ingest"], embedder).exit_code == 2
    assert run(["ask", "x", "--k", "0"], embedder).exit_code == 2


def test_reindex_prints_counts(data_dir: Path, inputs: dict[str, Path], embedder: CountingEmbedder) -> None:
    run(["ingest", str(inputs["folder"]), "--data-dir", str(data_dir)], embedder)
    news = inputs["folder"] / "hsscp-newsletter-2025-26-q3.md"
    news.write_text(news.read_text(encoding="utf-8") + "\n\n## Late news\n\nA new designated lead starts in May.\n",
                    encoding="utf-8")
    result = run(["reindex", "--data-dir", str(data_dir)], embedder)
    assert result.exit_code == 0, result.output
    assert "added 0, updated 1, unchanged 1, removed 0, failed 0" in result.output


def test_remove(data_dir: Path, inputs: dict[str, Path], embedder: CountingEmbedder) -> None:
    run(["ingest", str(inputs["pdf"]), str(inputs["html"]), "--data-dir", str(data_dir)], embedder)
    assert run(["remove", str(inputs["pdf"]), "--data-dir", str(data_dir)], embedder).exit_code == 0
    listed = json.loads(run(["list", "--json", "--data-dir", str(data_dir)], embedder).output)
    assert [e["title"] for e in listed] == ["Children Missing from Home and Care"]
    missing = run(["remove", "/no/such/doc.md", "--data-dir", str(data_dir)], embedder)
    assert missing.exit_code == 1 and "not in the index" in missing.output


def test_ask_json_and_jsonl(data_dir: Path, inputs: dict[str, Path], embedder: CountingEmbedder) -> None:
    run(["ingest", str(inputs["folder"]), str(inputs["pdf"]), "--data-dir", str(data_dir)], embedder)
    out = json.loads(run(["ask", "graded care profile neglect", "--json", "--k", "3", "--data-dir", str(data_dir)],
                         embedder).output)
    assert set(out) >= {"question", "found", "answer", "citations"}
    assert 1 <= len(out["citations"]) <= 3
    top = out["citations"][0]
    assert {"rank", "doc_id", "title", "doc_type", "source", "url", "section", "page", "text", "score"} <= set(top)
    assert top["rank"] == 1 and top["page"] == 2

    stdin = "\n".join([json.dumps({"question": "graded care profile", "history": []}), "neglect briefing pages",
                       json.dumps({"question": 5})]) + "\n"
    result = run(["ask", "-", "--json", "--data-dir", str(data_dir)], embedder, input=stdin)
    assert result.exit_code == 1  # the third line is not a question
    answers = [json.loads(l) for l in result.stdout.splitlines() if l.startswith("{")]
    assert [a["question"] for a in answers[:2]] == ["graded care profile", "neglect briefing pages"]
    assert "stdin line 3" in result.output


def test_ask_without_index_is_a_clear_error(data_dir: Path, embedder: CountingEmbedder) -> None:
    result = run(["ask", "anything", "--data-dir", str(data_dir)], embedder)
    assert result.exit_code == 1
    assert "no index yet" in result.output

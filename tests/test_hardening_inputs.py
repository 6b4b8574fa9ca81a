"""Bad input through `guidance ingest`: every malformed input is named with its reason,
the exit code is 1, and every good input (earlier ones and those in the same batch) is
still indexed exactly once.

The fixture set (tests/badinputs.py) is generated into tmp_path; URLs are served by a
real HTTP server on 127.0.0.1 (reached with --allow-host 127.0.0.1).
"""

from __future__ import annotations

import functools
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import ingest.crawl
from assistant.cli import cli
from tests.badinputs import BadInput, bad_files, closed_port, deep_html, good_markdown
from tests.fakes import CountingEmbedder
from tests.pdfs import BRIEFING_PAGES, make_pdf
from tests.sitetools import SiteServer

GOOD_PAGE = (b"<html><head><title>Good page</title></head><body><main><h1>Escalation procedure</h1>"
             b"<p>When a professional disagreement is not resolved, escalate it to your manager within five "
             b"working days and record the outcome.</p></main></body></html>")


def run(args: list[str], embedder: CountingEmbedder) -> Result:
    return CliRunner().invoke(cli, args, obj={"embedder": embedder})


def listed(data_dir: Path, embedder: CountingEmbedder) -> list[dict]:
    result = run(["list", "--json", "--data-dir", str(data_dir)], embedder)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def error_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error: ")]


@pytest.fixture
def site() -> Iterator[SiteServer]:
    with SiteServer() as server:
        server.put("/robots.txt", "User-agent: *\nAllow: /\n", "text/plain")
        server.put("/good/page.html", GOOD_PAGE)
        server.put("/slow/page.html", GOOD_PAGE)
        server.slow("/slow/page.html", 3.0)
        server.redirect("/loop/a.html", "/loop/b.html")
        server.redirect("/loop/b.html", "/loop/a.html")
        huge = b"<html><body><p>" + b"word " * 4_200_000 + b"</p></body></html>"  # 21 MB > 20 MB limit
        server.put("/huge/page.html", huge)
        server.put("/huge-unsized/page.html", huge)
        server.unsized("/huge-unsized/page.html")
        server.put("/chart/missing-episodes", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "image/png")
        server.put("/api/data.html", '{"not": "a page"}', "application/json")
        yield server


@pytest.fixture
def short_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI has no --timeout; the crawl's own default (15 s) would make this test slow."""
    monkeypatch.setattr(ingest.crawl, "CrawlConfig", functools.partial(ingest.crawl.CrawlConfig, timeout=0.5))


def url_cases(site: SiteServer) -> list[BadInput]:
    port = closed_port()
    return [
        BadInput("timeout", site.url("/slow/page.html"), "timed out"),
        BadInput("refused", f"http://127.0.0.1:{port}/procedures/", "Connection refused"),
        BadInput("redirect-loop", site.url("/loop/a.html"), "redirect loop"),
        BadInput("huge", site.url("/huge/page.html"), "too large"),
        BadInput("huge-unsized", site.url("/huge-unsized/page.html"), "download stopped"),
        BadInput("wrong-type-image", site.url("/chart/missing-episodes"), "not a web page or PDF"),
        BadInput("wrong-type-json", site.url("/api/data.html"), "not a web page or PDF"),
        BadInput("not-found", site.url("/gone/page.html"), "HTTP 404"),
        BadInput("metadata", "http://169.254.169.254/latest/meta-data/", "link-local or cloud metadata"),
    ]


def _named(case: BadInput, lines: list[str]) -> bool:
    """Some line names the input (or, for a refused port, its host:port) with the reason."""
    who = case.source
    if case.name == "refused":
        who = case.source.split("/procedures")[0]
    return any(who in line and case.reason in line for line in lines)


def test_bad_batch_mixed_with_good_loses_nothing(tmp_path: Path, data_dir: Path, embedder: CountingEmbedder,
                                                 site: SiteServer, short_timeouts: None) -> None:
    first = tmp_path / "first"
    first.mkdir()
    earlier = [good_markdown(first, f"earlier-{i}", topic) for i, topic in enumerate(("neglect", "bruising", "fostering"))]
    result = run(["ingest", str(first), "--data-dir", str(data_dir)], embedder)
    assert result.exit_code == 0, result.output

    bad = bad_files(tmp_path / "bad")
    urls = url_cases(site)
    # a folder holding good documents beside bad ones: each bad file named, the good ones indexed
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    in_folder = [good_markdown(mixed, "mixed-good-1", "curiosity"), good_markdown(mixed, "mixed-good-2", "escalation")]
    for name in ("zero.md", "junk.pdf", "encrypted.pdf", "scripts-only.html", "invalid-utf8.txt"):
        shutil.copy(tmp_path / "bad" / name, mixed / name)
    (mixed / "loop.md").symlink_to(mixed / "loop.md")
    folder_bad = ["zero.md", "junk.pdf", "encrypted.pdf", "scripts-only.html", "invalid-utf8.txt", "loop.md"]
    good_pdf = make_pdf(tmp_path / "good-briefing.pdf", BRIEFING_PAGES, title="Seven Minute Briefing: Neglect")
    deep = tmp_path / "deep.html"
    deep.write_bytes(deep_html())
    good = [str(good_pdf), str(mixed), str(deep), site.url("/good/page.html")]
    assert len(bad) + len(urls) + len(folder_bad) >= 30

    args = ["ingest"]
    for i, case in enumerate(bad + urls):  # good inputs interleaved with the bad ones
        args.append(case.source)
        if i % 12 == 0 and good:
            args.append(good.pop())
    args += good + ["--allow-host", "127.0.0.1", "--delay", "0", "--data-dir", str(data_dir)]
    result = run(args, embedder)

    assert result.exit_code == 1, result.output
    lines = error_lines(result)
    missing = [c.name for c in bad + urls if not _named(c, lines)]
    assert missing == [], "\n".join(lines)
    for name in folder_bad:
        assert any(str(mixed / name) in line for line in lines), name
    assert "Traceback" not in result.output

    entries = listed(data_dir, embedder)
    sources = [e["source"] for e in entries]
    assert len(sources) == len(set(sources))  # each document exactly once
    expected = {str(p) for p in earlier + in_folder} | {str(good_pdf), str(deep), site.url("/good/page.html")}
    assert set(sources) == expected
    assert not any(c.source in sources for c in bad + urls)
    by_source = {e["source"]: e for e in entries}
    assert by_source[str(deep)]["chunks"] >= 1
    assert by_source[str(good_pdf)]["title"] == "Seven Minute Briefing: Neglect"

    # a re-index re-reads the folders: the bad files fail again, nothing good is dropped
    again = run(["reindex", "--allow-host", "127.0.0.1", "--data-dir", str(data_dir)], embedder)
    assert again.exit_code == 1
    assert {e["source"] for e in listed(data_dir, embedder)} == expected


def test_every_bad_input_alone_exits_1_and_leaves_the_index_as_it_was(tmp_path: Path, data_dir: Path,
                                                                      embedder: CountingEmbedder) -> None:
    good = good_markdown(tmp_path, "kept", "neglect")
    assert run(["ingest", str(good), "--data-dir", str(data_dir)], embedder).exit_code == 0
    before = listed(data_dir, embedder)
    for case in bad_files(tmp_path / "bad"):
        result = run(["ingest", case.source, "--data-dir", str(data_dir)], embedder)
        assert result.exit_code == 1, (case, result.output)
        assert any(case.reason in line for line in error_lines(result)), (case, result.stderr)
    assert listed(data_dir, embedder) == before


def test_folder_with_symlink_loops_and_fifo_is_walked_safely(tmp_path: Path, data_dir: Path,
                                                            embedder: CountingEmbedder) -> None:
    folder = tmp_path / "docs"
    sub = folder / "sub"
    sub.mkdir(parents=True)
    good_markdown(folder, "a", "neglect")
    good_markdown(sub, "b", "fostering")
    (sub / "back-up").symlink_to(folder, target_is_directory=True)  # a directory loop: not followed
    (sub / "self.md").symlink_to(sub / "self.md")
    import os

    os.mkfifo(sub / "pipe.txt")  # reading it would block forever
    result = run(["ingest", str(folder), "--data-dir", str(data_dir)], embedder)
    assert result.exit_code == 1
    lines = error_lines(result)
    assert any(str(sub / "self.md") in l and "cannot read" in l for l in lines), lines
    assert any(str(sub / "pipe.txt") in l and "not a regular file" in l for l in lines), lines
    assert sorted(Path(e["source"]).name for e in listed(data_dir, embedder)) == ["a.md", "b.md"]


# -- crawler safety through `guidance ingest URL` (tests/test_crawl.py covers crawl() itself) --

@pytest.mark.parametrize(("url", "reason"), [
    ("file:///etc/passwd", "unsupported scheme"),
    ("ftp://127.0.0.1/procedures/", "unsupported scheme"),
    ("gopher://127.0.0.1:70/", "unsupported scheme"),
    ("http://169.254.169.254/latest/meta-data/", "link-local or cloud metadata"),
    ("http://2852039166/latest/", "link-local or cloud metadata"),  # 169.254.169.254 as one number
    ("http://[::ffff:169.254.169.254]/", "link-local or cloud metadata"),
    ("http://100.100.100.200/", "link-local or cloud metadata"),
    ("http://0x7f000001/procedures/", "private or loopback"),
    ("http://127.1/procedures/", "private or loopback"),
    ("http://[::1]/procedures/", "private or loopback"),
    ("http://0.0.0.0/procedures/", "private or loopback"),
    ("http://10.1.2.3/procedures/", "private or loopback"),
    ("http://192.168.0.10/procedures/", "private or loopback"),
    ("http://100.64.0.1/procedures/", "private or loopback"),  # carrier-grade NAT: not public
    ("http://198.18.0.1/procedures/", "private or loopback"),
])
def test_cli_refuses_unsafe_urls_without_connecting(url: str, reason: str, data_dir: Path,
                                                    embedder: CountingEmbedder,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def no_connect(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a connection was attempted for {url}")

    monkeypatch.setattr(socket, "create_connection", no_connect)
    result = run(["ingest", url, "--delay", "0", "--data-dir", str(data_dir)], embedder)
    assert result.exit_code == 1
    assert any(url in line and reason in line for line in error_lines(result)), result.stderr


def test_cli_checks_the_resolved_address_and_allow_host(site: SiteServer, data_dir: Path,
                                                        embedder: CountingEmbedder) -> None:
    by_name = site.url("/good/page.html").replace("127.0.0.1", "localhost")
    refused = run(["ingest", by_name, "--delay", "0", "--data-dir", str(data_dir)], embedder)
    assert refused.exit_code == 1
    assert any("localhost" in l and "loopback" in l and "--allow-host" in l for l in error_lines(refused))
    # allowing the *address* does not allow a different name for it, nor the reverse
    other = run(["ingest", by_name, "--allow-host", "127.0.0.2", "--delay", "0", "--data-dir", str(data_dir)], embedder)
    assert other.exit_code == 1
    assert site.log == []
    allowed = run(["ingest", by_name, "--allow-host", "localhost", "--delay", "0", "--data-dir", str(data_dir)],
                  embedder)
    assert allowed.exit_code == 0, allowed.output
    assert [e["title"] for e in listed(data_dir, embedder)] == ["Escalation procedure"]


def test_cli_page_limit_bounds_the_crawl(site: SiteServer, data_dir: Path, embedder: CountingEmbedder) -> None:
    links = "".join(f"<li><a href='p{i}.html'>Page {i}</a></li>" for i in range(20))
    site.put("/many/index.html", f"<html><body><main><h1>Index</h1><p>All the procedures of the partnership "
             f"are listed below for practitioners.</p><ul>{links}</ul></main></body></html>")
    for i in range(20):
        site.put(f"/many/p{i}.html", f"<html><body><main><h1>Procedure {i}</h1><p>Procedure number {i} says "
                 f"what to record and whom to tell about concern {i}.</p></main></body></html>")
    result = run(["ingest", site.url("/many/index.html"), "--max-pages", "4", "--allow-host", "127.0.0.1",
                  "--delay", "0", "--data-dir", str(data_dir)], embedder)
    assert result.exit_code == 0, result.output
    assert len([p for p in site.paths if p != "/robots.txt"]) == 4
    assert len(listed(data_dir, embedder)) == 4

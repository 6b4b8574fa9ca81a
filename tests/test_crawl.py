"""Crawler over a real HTTP server on 127.0.0.1: scope, robots, safety, limits, re-crawls."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.crawl import CrawlConfig, CrawlResult, canonical_url, crawl
from ingest.models import Document, LoadError
from tests.sitetools import EXPLOITATION_PDF_PAGES, SiteServer, make_pdf

SITE = Path(__file__).resolve().parent / "fixtures" / "site"
UA = CrawlConfig().user_agent
NOTICE = "Printed copies of this procedure are uncontrolled"
PAGES = (
    "/procedures/",
    "/procedures/chapters/children-missing-from-home-and-care.html",
    "/procedures/chapters/professional-curiosity.html",
    "/procedures/chapters/resolution-of-professional-disagreements.html",
    "/procedures/chapters/private-fostering.html",
    "/procedures/chapters/information-sharing.html",
    "/procedures/briefings/seven-minute-briefing-neglect.html",
    "/procedures/amendments.html",
    "/procedures/contacts.html",
)
PDF = "/documents/exploitation-briefing.pdf"


@pytest.fixture
def external() -> Iterator[SiteServer]:
    """Stands in for another host: the crawler must never contact it."""
    with SiteServer() as server:
        yield server


@pytest.fixture
def site(external: SiteServer) -> Iterator[SiteServer]:
    with SiteServer(SITE, external=external) as server:
        server.put(PDF, make_pdf(EXPLOITATION_PDF_PAGES))
        yield server


def config(**kwargs: object) -> CrawlConfig:
    base: dict[str, object] = {"delay": 0.0, "allow_hosts": frozenset({"127.0.0.1"}), "timeout": 5.0}
    base.update(kwargs)
    return CrawlConfig(**base)  # type: ignore[arg-type]


def by_source(result: CrawlResult) -> dict[str, Document]:
    return {d.source: d for d in result.documents}


def text_of(doc: Document) -> str:
    return "\n".join(s.text for s in doc.sections)


def test_full_crawl_finds_every_page_and_the_pdf(site: SiteServer) -> None:
    start = site.url("/procedures/")
    messages: list[str] = []
    result = crawl(start, config(), progress=messages.append)
    docs = by_source(result)
    assert set(docs) == {site.url(p) for p in PAGES} | {site.url(PDF)}
    assert result.complete and result.failures == ()
    for doc in result.documents:
        assert doc.url == doc.source and doc.registered_source == start
        assert doc.etag and doc.etag.startswith('"') and doc.last_modified
    assert docs[site.url(PAGES[1])].title == "Children Missing from Home and Care"
    assert docs[site.url(PAGES[1])].date == "2025-03-12"
    assert docs[site.url(PAGES[6])].doc_type == "briefing"
    fostering = text_of(docs[site.url(PAGES[4])])  # windows-1252 page, charset only in <meta>
    assert "A “family friend” or a cousin" in fostering and "£60 a week" in fostering and "Amélie" in fostering
    assert any("fetched" in m for m in messages)
    # each page fetched once although several links (menu, footer, redirect) lead to it
    fetched = [r.path for r in site.log if r.status == 200]
    assert len(fetched) == len(set(fetched))


def test_doc_type_from_config(site: SiteServer) -> None:
    result = crawl(site.url("/procedures/"), config(doc_type="procedure", max_pages=3))
    assert result.documents and all(d.doc_type == "procedure" for d in result.documents)


def test_user_agent_on_every_request_including_robots(site: SiteServer) -> None:
    crawl(site.url("/procedures/"), config())
    assert site.log[0].path == "/robots.txt"
    assert len(site.log) > 10
    assert all(r.user_agent == UA for r in site.log)


def test_robots_disallowed_page_is_never_requested(site: SiteServer) -> None:
    result = crawl(site.url("/procedures/"), config())
    assert "/procedures/internal/staff-notes.html" not in site.paths
    assert not any("staff-notes" in u for u in result.requested)
    assert not any("staff-notes" in f.source for f in result.failures)  # skipping is not a failure


def test_robots_disallowing_everything_for_our_agent(site: SiteServer) -> None:
    site.put("/robots.txt", "User-agent: GuidanceAssistant\nDisallow: /\n", "text/plain")
    result = crawl(site.url("/procedures/"), config())
    assert site.paths == ["/robots.txt"]
    assert result.documents == () and result.failures == ()


def test_missing_robots_means_allowed(site: SiteServer) -> None:
    site.remove("/robots.txt")
    result = crawl(site.url("/procedures/"), config())
    assert "/procedures/internal/staff-notes.html" in site.paths
    assert result.complete


def test_unreadable_robots_crawls_nothing_and_is_incomplete(site: SiteServer) -> None:
    site.status("/robots.txt", 503)
    result = crawl(site.url("/procedures/"), config())
    assert site.paths == ["/robots.txt"]
    assert not result.complete
    assert "robots.txt" in result.failures[0].reason


def test_crawl_delay_from_robots_is_honoured(site: SiteServer) -> None:
    site.put("/robots.txt", "User-agent: *\nCrawl-delay: 1\n", "text/plain")
    began = time.monotonic()
    crawl(site.url("/procedures/"), config(max_pages=2))
    assert time.monotonic() - began >= 1.9  # robots.txt, then two pages, 1 s apart


def test_external_hosts_are_never_contacted(site: SiteServer, external: SiteServer,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    resolved: list[str] = []
    real = socket.getaddrinfo

    def recording(host: str, *args: object, **kwargs: object) -> list:  # type: ignore[type-arg]
        resolved.append(host)
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", recording)
    result = crawl(site.url("/procedures/"), config())
    assert b"__EXTERNAL__/procedures/partner-site.html" in (SITE / "procedures/index.html").read_bytes()
    assert external.log == []  # the home page links to it, and to www.gov.uk
    assert set(resolved) == {"127.0.0.1"}  # www.gov.uk was never even looked up
    assert all(u.startswith(site.base_url + "/") for u in result.requested)
    assert not any(u.endswith(".docx") for u in result.requested)  # binary by extension: skipped


def test_binary_content_type_is_skipped_not_parsed(site: SiteServer) -> None:
    result = crawl(site.url("/procedures/"), config())
    assert "/procedures/data/missing-episodes-chart" in site.paths  # no extension: had to ask
    assert not any("missing-episodes-chart" in d.source for d in result.documents)
    assert not any("missing-episodes-chart" in f.source for f in result.failures)


def test_redirect_followed_within_host(site: SiteServer) -> None:
    site.put("/procedures/start.html", "<html><body><main><h1>Start</h1><p>See the <a href='moved.html'>moved "
             "chapter</a> for the procedure on bruising in non-mobile babies.</p></main></body></html>")
    site.redirect("/procedures/moved.html", "/procedures/chapters/bruising.html", 301)
    site.put("/procedures/chapters/bruising.html", "<html><body><main><h1>Bruising in Non-mobile Babies</h1>"
             "<p>Any bruise on a baby who is not yet crawling must be referred to the Children's Front Door.</p>"
             "</main></body></html>")
    result = crawl(site.url("/procedures/start.html"), config())
    assert site.paths[-2:] == ["/procedures/moved.html", "/procedures/chapters/bruising.html"]
    doc = by_source(result)[site.url("/procedures/chapters/bruising.html")]
    assert doc.title == "Bruising in Non-mobile Babies" and doc.url == doc.source
    assert site.url("/procedures/moved.html") not in by_source(result)
    assert result.complete


def test_redirect_to_known_page_is_not_fetched_twice(site: SiteServer) -> None:
    crawl(site.url("/procedures/"), config())
    assert "/procedures/old-missing-children.html" in site.paths
    assert site.paths.count("/procedures/chapters/children-missing-from-home-and-care.html") == 1


def test_redirect_off_site_is_a_failure_and_not_followed(site: SiteServer, external: SiteServer) -> None:
    site.put("/procedures/start.html", "<html><body><main><h1>Start</h1><p>Our <a href='away.html'>old "
             "escalation page</a> has moved to a partner website.</p></main></body></html>")
    site.redirect("/procedures/away.html", external.url("/procedures/escalation.html"), 302)
    result = crawl(site.url("/procedures/start.html"), config())
    assert external.log == []
    failure = next(f for f in result.failures if f.source.endswith("/away.html"))
    assert "outside the crawl scope" in failure.reason and external.base_url in failure.reason


def test_redirect_chain_stops_at_hop_limit_and_loops_end(site: SiteServer) -> None:
    for i in range(7):
        site.redirect(f"/procedures/r{i}.html", f"/procedures/r{i + 1}.html")
    result = crawl(site.url("/procedures/r0.html"), config())
    assert result.documents == ()
    assert "too many redirects" in result.failures[0].reason
    assert len(site.paths) == 1 + 6  # robots.txt, the first request and five hops
    site.clear_log()
    site.redirect("/procedures/a.html", "/procedures/b.html")
    site.redirect("/procedures/b.html", "/procedures/a.html")
    loop = crawl(site.url("/procedures/a.html"), config())
    assert loop.documents == () and site.paths == ["/robots.txt", "/procedures/a.html", "/procedures/b.html"]


def test_missing_pages_are_reported_gone(site: SiteServer) -> None:
    site.put("/procedures/start.html", "<html><body><main><h1>Start</h1><p>Links to a <a href='gone.html'>gone "
             "page</a> and a <a href='withdrawn.html'>withdrawn page</a> in the procedures.</p></main></body></html>")
    site.status("/procedures/withdrawn.html", 410)
    result = crawl(site.url("/procedures/start.html"), config())
    assert set(result.gone) == {site.url("/procedures/gone.html"), site.url("/procedures/withdrawn.html")}
    assert result.failures == () and result.complete
    full = crawl(site.url("/procedures/"), config())
    assert full.gone == (site.url("/procedures/chapters/children-who-self-harm.html"),)


def test_pdf_outside_prefix_loaded_with_page_numbers(site: SiteServer) -> None:
    result = crawl(site.url("/procedures/"), config())
    pdf = by_source(result)[site.url(PDF)]
    assert pdf.url == site.url(PDF) and pdf.registered_source == site.url("/procedures/")
    pages = {s.page: s.text for s in pdf.sections}
    assert set(pages) == {1, 2, 3}
    assert "county lines" in pages[1] and "unexplained" in pages[2] and "screening tool" in pages[3]


def test_pages_outside_the_path_prefix_are_not_crawled(site: SiteServer) -> None:
    site.put("/news/latest.html", "<html><body><main><h1>News</h1><p>Partnership news page outside "
             "the procedures section of the website.</p></main></body></html>")
    site.put("/procedures/start.html", "<html><body><main><h1>Start</h1><p>Read the <a href='/news/latest.html'>"
             "latest news</a> about the partnership and its work.</p></main></body></html>")
    crawl(site.url("/procedures/start.html"), config())
    assert "/news/latest.html" not in site.paths


def test_site_wide_boilerplate_removed_from_crawled_pages(site: SiteServer) -> None:
    result = crawl(site.url("/procedures/"), config())
    html_docs = [d for d in result.documents if not d.source.endswith(".pdf")]
    assert html_docs and not any(NOTICE in text_of(d) for d in html_docs)
    assert not any("cookies" in text_of(d).lower() for d in html_docs)
    contacts = by_source(result)[site.url("/procedures/contacts.html")]
    assert "within one working day" in text_of(contacts)


def test_recrawl_with_known_etags_is_not_modified(site: SiteServer) -> None:
    start = site.url("/procedures/")
    first = crawl(start, config())
    known = {d.source: (d.etag, d.last_modified) for d in first.documents}
    site.clear_log()
    second = crawl(start, config(), known=known)
    assert second.documents == ()
    assert set(second.not_modified) == set(known)
    assert second.complete
    conditional = [r for r in site.log if r.status == 304]
    assert len(conditional) == len(known)
    assert all(r.headers.get("If-None-Match") == known[site.url(r.path)][0] for r in conditional)
    assert all(r.user_agent == UA for r in site.log)


def test_recrawl_with_last_modified_only(site: SiteServer) -> None:
    first = crawl(site.url("/procedures/"), config(max_pages=2))
    known = {d.source: (None, d.last_modified) for d in first.documents}
    second = crawl(site.url("/procedures/"), config(max_pages=2), known=known)
    assert set(second.not_modified) == set(known)


def test_recrawl_reports_changed_new_and_removed_pages(site: SiteServer) -> None:
    start = site.url("/procedures/")
    first = crawl(start, config())
    known = {d.source: (d.etag, d.last_modified) for d in first.documents}
    changed = "/procedures/chapters/professional-curiosity.html"
    page = (SITE / changed.lstrip("/")).read_text(encoding="utf-8")
    site.put(changed, page.replace("Using supervision", "Reflective supervision")
             .replace('<a href="/procedures/contacts.html">Contact',
                      '<a href="/procedures/chapters/neglect.html">Neglect</a> <a href="/procedures/contacts.html">Contact'))
    site.put("/procedures/chapters/neglect.html", "<html><body><main><h1>Neglect</h1><p>Neglect is the "
             "persistent failure to meet a child's basic needs.</p></main></body></html>")
    site.remove("/procedures/contacts.html")
    second = crawl(start, config(), known=known)
    docs = by_source(second)
    assert set(docs) == {site.url(changed), site.url("/procedures/chapters/neglect.html")}
    assert ("Professional Curiosity", "Good practice", "Reflective supervision") in [
        s.heading_path for s in docs[site.url(changed)].sections]
    assert docs[site.url(changed)].etag != known[site.url(changed)][0]
    assert site.url("/procedures/contacts.html") in second.gone
    unchanged = set(known) - {site.url(changed), site.url("/procedures/contacts.html")}
    assert set(second.not_modified) == unchanged
    assert second.complete


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "only http(s)"),
        ("ftp://127.0.0.1/procedures/", "only http(s)"),
        ("javascript:alert(1)", "only http(s)"),
        ("http://169.254.169.254/latest/meta-data/", "link-local or cloud metadata"),
        ("http://[fe80::1]/procedures/", "link-local"),
        ("http:///procedures/", "no host"),
    ],
)
def test_refused_start_urls_raise(url: str, reason: str) -> None:
    allow = frozenset({"169.254.169.254", "fe80::1", "127.0.0.1"})  # allowing never unlocks metadata
    with pytest.raises(LoadError) as info:
        crawl(url, config(allow_hosts=allow))
    assert reason in info.value.reason
    assert info.value.source == url


def test_loopback_refused_without_allow_host(site: SiteServer) -> None:
    for url in (site.url("/procedures/"), site.url("/procedures/").replace("127.0.0.1", "localhost")):
        with pytest.raises(LoadError) as info:
            crawl(url, config(allow_hosts=frozenset()))
        assert "loopback" in info.value.reason and "--allow-host" in info.value.reason
    assert site.log == []


def test_resolved_address_is_checked_not_the_name(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = {"metadata.example": "169.254.169.254", "intranet.example": "10.1.2.3"}
    real = socket.getaddrinfo

    def resolver(host: str, port: object, *args: object, **kwargs: object) -> list:  # type: ignore[type-arg]
        if host in fake:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (fake[host], port))]
        return real(host, port, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    with pytest.raises(LoadError, match="link-local or cloud metadata"):
        crawl("http://metadata.example/procedures/", config(allow_hosts=frozenset({"metadata.example"})))
    with pytest.raises(LoadError, match="private or loopback"):
        crawl("https://intranet.example/procedures/", config(allow_hosts=frozenset()))


def test_byte_limit_stops_download(site: SiteServer) -> None:
    result = crawl(site.url("/procedures/"), config(max_bytes=4000))
    assert result.documents == ()
    assert "too large" in result.failures[0].reason
    assert not result.complete


def test_byte_limit_without_content_length(site: SiteServer) -> None:
    site.unsized("/procedures/chapters/children-missing-from-home-and-care.html")
    result = crawl(site.url("/procedures/"), config(max_bytes=6500))
    failure = next(f for f in result.failures if f.source.endswith("/children-missing-from-home-and-care.html"))
    assert "too large" in failure.reason and "download stopped" in failure.reason
    assert site.url("/procedures/") in by_source(result)


def test_max_pages_respected(site: SiteServer) -> None:
    result = crawl(site.url("/procedures/"), config(max_pages=3))
    assert [p for p in site.paths if p != "/robots.txt"] == list(PAGES[:1]) + list(PAGES[1:3])
    assert len(result.documents) == 3
    assert not result.complete


def test_max_depth_zero_fetches_only_the_start(site: SiteServer) -> None:
    result = crawl(site.url("/procedures/"), config(max_depth=0))
    assert site.paths == ["/robots.txt", "/procedures/"]
    assert [d.source for d in result.documents] == [site.url("/procedures/")]


def test_slow_page_times_out_and_crawl_goes_on(site: SiteServer) -> None:
    site.slow("/procedures/contacts.html", 2.0)
    result = crawl(site.url("/procedures/"), config(timeout=0.3))
    failure = next(f for f in result.failures if f.source.endswith("/contacts.html"))
    assert "timed out" in failure.reason
    assert site.url(PAGES[2]) in by_source(result)
    assert not result.complete  # a transient failure: known pages must not be dropped


def test_overall_time_limit(site: SiteServer) -> None:
    for path in PAGES[1:]:
        site.slow(path, 0.2)
    began = time.monotonic()
    result = crawl(site.url("/procedures/"), config(time_limit=0.5))
    assert time.monotonic() - began < 2.0
    assert not result.complete
    assert len(result.documents) < len(PAGES)


def test_server_error_is_a_transient_failure(site: SiteServer) -> None:
    site.status("/procedures/contacts.html", 500)
    result = crawl(site.url("/procedures/"), config())
    failure = next(f for f in result.failures if f.source.endswith("/contacts.html"))
    assert "HTTP 500" in failure.reason
    assert not result.complete
    assert len(result.documents) == len(PAGES)  # 8 pages and the PDF


def test_unparseable_page_is_a_failure_but_not_transient(site: SiteServer) -> None:
    site.put("/procedures/start.html", "<html><body><main><h1>Start</h1><p>Go to the <a href='empty.html'>empty "
             "page</a> of the procedures website.</p></main></body></html>")
    site.put("/procedures/empty.html", "<html><body><nav><a href='start.html'>Home</a></nav></body></html>")
    result = crawl(site.url("/procedures/start.html"), config())
    failure = next(f for f in result.failures if f.source.endswith("/empty.html"))
    assert failure.reason == "no readable text"
    assert result.complete


def test_canonical_url() -> None:
    assert canonical_url("HTTP://Example.ORG:80/a/./b/../c.html#top") == "http://example.org/a/c.html"
    assert canonical_url("https://example.org:443") == "https://example.org/"
    assert canonical_url("http://example.org:8080/dir/") == "http://example.org:8080/dir/"
    assert canonical_url("http://example.org/p?id=3#x") == "http://example.org/p?id=3"

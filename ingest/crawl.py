"""Crawl a procedures website politely and safely into Documents.

An administrator gives a start URL; the crawler reads that site section (same host, same
path prefix; PDFs anywhere on the host) breadth-first within page, depth, byte and time
bounds. It is a guest on public-sector servers and runs beside sensitive data, so it obeys
robots.txt and Crawl-delay, identifies itself on every request, never talks to other hosts,
refuses non-http(s) schemes and link-local/metadata addresses (checked on the resolved
address, which is then the one connected to, so DNS cannot swap it afterwards), and only
reaches loopback/private addresses for hosts the administrator allowed.

Re-indexing sends conditional requests (If-None-Match / If-Modified-Since) for pages already
indexed. A 304 tells the caller the page is unchanged; the crawler still needs that page's
links (and its blocks, for the boilerplate count), so for HTML it then fetches the body once
more unless the page is at the depth limit. Fetching happens first, parsing second, so text
repeated on most pages (site-wide notices) can be dropped from every page.
"""

from __future__ import annotations

import http.client
import ipaddress
import math
import posixpath
import socket
import ssl
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

from bs4 import BeautifulSoup

from ingest.html import decode_html, load_html, page_blocks
from ingest.models import Document, LoadError

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_HOPS = 5
_CHUNK = 65536
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_SKIP_EXTENSIONS = frozenset(
    ".jpg .jpeg .png .gif .webp .svg .ico .bmp .tif .tiff .css .js .mjs .json .xml .rss .atom "
    ".zip .gz .tgz .tar .rar .7z .doc .docx .xls .xlsx .xlsm .ppt .pptx .odt .ods .odp .rtf .csv "
    ".txt .ics .vcf .mp3 .wav .ogg .mp4 .m4v .mov .avi .wmv .webm .exe .msi .dmg .apk .woff "
    ".woff2 .ttf .eot".split()
)
_METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "192.0.0.192")
)
_BOILERPLATE_SHARE = 0.6
_BOILERPLATE_MIN_PAGES = 3


@dataclass(frozen=True)
class CrawlConfig:
    """Bounds and identity for one crawl; defaults suit a procedures site of a few hundred pages."""

    max_pages: int = 200
    max_depth: int = 5
    max_bytes: int = 20_000_000
    time_limit: float = 600.0
    delay: float = 0.2
    timeout: float = 15.0
    allow_hosts: frozenset[str] = frozenset()
    user_agent: str = "GuidanceAssistant/0.1 (+offline safeguarding assistant)"
    doc_type: str | None = None


@dataclass(frozen=True)
class CrawlResult:
    """What one crawl found; `complete` says whether unreached known URLs may be dropped."""

    documents: tuple[Document, ...]
    not_modified: tuple[str, ...]
    gone: tuple[str, ...]
    failures: tuple[LoadError, ...]
    complete: bool
    requested: tuple[str, ...]


@dataclass(frozen=True)
class _Response:
    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes


class _Transient(LoadError):
    """A failure that may go away (timeouts, 5xx, limits): the crawl is then incomplete."""


class _Disallowed(Exception):
    """A redirect led to a URL robots.txt disallows: skipped quietly, like a disallowed link."""


class _Duplicate(Exception):
    """A redirect led to a URL this crawl already has: nothing more to fetch."""


def canonical_url(url: str) -> str:
    """Normalise a URL: no fragment, lower-case scheme/host, no default port, clean path."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    path = parts.path or "/"
    clean = posixpath.normpath(path) if path not in ("", "/") else "/"
    if path.endswith("/") and not clean.endswith("/"):
        clean += "/"
    clean = clean.replace("//", "/")
    return urlunsplit((scheme, netloc, clean, parts.query, ""))


def crawl(
    start_url: str,
    config: CrawlConfig,
    known: Mapping[str, tuple[str | None, str | None]] = {},  # noqa: B006 - read-only mapping
    progress: Callable[[str], None] | None = None,
) -> CrawlResult:
    """Crawl from `start_url`; raises LoadError only when the start URL itself is refused."""
    return _Crawler(start_url, config, known, progress or (lambda _msg: None)).run()


@dataclass
class _Page:
    url: str
    body: bytes
    charset: str | None
    etag: str | None
    last_modified: str | None
    unchanged: bool


class _Crawler:
    """State of one crawl; everything it gathers ends up in the CrawlResult."""

    def __init__(self, start_url: str, config: CrawlConfig,
                 known: Mapping[str, tuple[str | None, str | None]], progress: Callable[[str], None]) -> None:
        self.start_url = start_url
        self.config = config
        self.progress = progress
        self.start = canonical_url(start_url)
        parts = urlsplit(self.start)
        if parts.scheme not in ("http", "https"):
            raise LoadError(start_url, f"refused: only http(s) URLs can be crawled, not '{parts.scheme}:'")
        if not parts.hostname:
            raise LoadError(start_url, "refused: the URL has no host")
        self.allow = frozenset(h.lower().strip("[]") for h in config.allow_hosts)
        try:
            _resolve_allowed(start_url, parts.hostname, parts.port or 80, self.allow)
        except _Transient:
            pass  # an unresolvable host is a failure of this crawl, reported in the result
        except LoadError as exc:
            raise LoadError(start_url, exc.reason) from None
        self.site = _site_key(self.start)
        self.prefix = parts.path[: parts.path.rfind("/") + 1] or "/"
        self.known = {canonical_url(u): v for u, v in known.items()}
        self.deadline = time.monotonic() + config.time_limit
        self.robots: RobotFileParser | None = None
        self.crawl_delay = 0.0
        self.requested: list[str] = []
        self.failures: list[LoadError] = []
        self.gone: list[str] = []
        self.not_modified: list[str] = []
        self.documents: list[Document] = []
        self.pages: list[_Page] = []
        self.limit_hit = False
        self.transient = False
        self.last_request = 0.0

    # ---- the crawl ---------------------------------------------------------------
    def run(self) -> CrawlResult:
        self._load_robots()
        queue: deque[tuple[str, int]] = deque([(self.start, 0)])
        seen = {self.start}
        fetched = 0
        while queue:
            if fetched >= self.config.max_pages:
                self.limit_hit = True
                self.progress(f"page limit of {self.config.max_pages} reached")
                break
            if time.monotonic() >= self.deadline:
                self.limit_hit = True
                self.progress("time limit reached")
                break
            url, depth = queue.popleft()
            if not self._robots_allow(url):
                self.progress(f"skipped (robots.txt): {url}")
                continue
            fetched += 1
            links = self._visit(url, depth, seen)
            if depth < self.config.max_depth:
                for link in links:
                    if link not in seen:
                        seen.add(link)
                        queue.append((link, depth + 1))
        self._parse_pages()
        return CrawlResult(
            documents=tuple(self.documents),
            not_modified=tuple(self.not_modified),
            gone=tuple(self.gone),
            failures=tuple(self.failures),
            complete=not (self.limit_hit or self.transient),
            requested=tuple(self.requested),
        )

    def _visit(self, url: str, depth: int, seen: set[str]) -> list[str]:
        """Fetch one URL; keep HTML for the parse pass, load PDFs now; return in-scope links."""
        validators = self.known.get(url)
        try:
            resp = self._get(url, validators, seen=seen)
            final = canonical_url(resp.url)
            if resp.status == 304:
                self.not_modified.append(final)
                self.progress(f"unchanged: {final}")
                if depth >= self.config.max_depth or _is_pdf_url(final):
                    return []
                resp = self._get(final, None)
                kind = _kind(resp)
                if resp.status != 200 or kind != "html":
                    return []
                self.pages.append(_page(resp, final, unchanged=True))
                return self._links(resp, final)
            if resp.status in (404, 410):
                self.gone.append(final)
                self.progress(f"gone ({resp.status}): {final}")
                if url == self.start:  # otherwise the run would end with nothing said
                    self.failures.append(LoadError(final, f"HTTP {resp.status}: the start page is not there"))
                return []
            if resp.status in (408, 429) or resp.status >= 500:
                raise _Transient(final, f"server error: HTTP {resp.status}")
            if resp.status != 200:
                raise LoadError(final, f"HTTP {resp.status}")
            kind = _kind(resp)
            if kind == "pdf":
                self._load_pdf(resp, final)
                return []
            if kind != "html":
                ctype = resp.headers.get("content-type", "?")
                self.progress(f"skipped (not a page: {ctype}): {final}")
                if url == self.start:
                    self.failures.append(LoadError(final, f"not a web page or PDF (content type {ctype})"))
                return []
            self.pages.append(_page(resp, final, unchanged=False))
            self.progress(f"fetched: {final}")
            return self._links(resp, final)
        except _Disallowed as exc:
            self.progress(f"skipped (robots.txt): {exc}")
        except _Duplicate as exc:
            self.progress(f"redirect to a page already crawled: {url} -> {exc}")
            if url == self.start:  # only a loop can lead the start URL back to a seen page
                self.failures.append(LoadError(url, f"redirect loop (back to {exc})"))
        except _Transient as exc:
            self.transient = True
            self.failures.append(exc)
            self.progress(f"failed: {exc}")
        except LoadError as exc:
            self.failures.append(exc)
            self.progress(f"failed: {exc}")
        return []

    def _load_pdf(self, resp: _Response, url: str) -> None:
        from ingest.pdf import load_pdf  # lazy: PDF support is only needed when a site links one

        try:
            doc = load_pdf(resp.body, source=url, url=url, doc_type=self.config.doc_type,
                           registered_source=self.start_url)
        except LoadError:
            raise
        except Exception as exc:  # a parser bug on one odd PDF must not end the crawl
            raise LoadError(url, f"could not read the PDF: {exc!r}") from exc
        self.documents.append(_with_validators(doc, resp))
        self.progress(f"fetched PDF: {url}")

    def _parse_pages(self) -> None:
        """Second pass: drop blocks repeated on most pages, then parse the changed pages."""
        counts: Counter[str] = Counter()
        for page in self.pages:
            try:
                counts.update(page_blocks(page.body, source=page.url, charset=page.charset))
            except LoadError:
                continue  # reported when the page itself is parsed below
        need = max(_BOILERPLATE_MIN_PAGES, math.ceil(_BOILERPLATE_SHARE * len(self.pages)))
        boilerplate = frozenset(block for block, n in counts.items() if n >= need)
        for page in self.pages:
            if page.unchanged:
                continue
            try:
                doc = load_html(page.body, source=page.url, url=page.url, charset=page.charset,
                                doc_type=self.config.doc_type, registered_source=self.start_url,
                                boilerplate=boilerplate)
            except LoadError as exc:
                self.failures.append(exc)
                continue
            except Exception as exc:  # a parser bug on one odd page must not end the crawl
                self.failures.append(LoadError(page.url, f"could not parse the page: {exc!r}"))
                continue
            self.documents.append(_with_validators(doc, page))

    # ---- scope ---------------------------------------------------------------------
    def _in_scope(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or _site_key(url) != self.site:
            return False
        return parts.path.startswith(self.prefix) or _is_pdf_url(url)

    def _links(self, resp: _Response, base: str) -> list[str]:
        try:
            text = decode_html(resp.body, base, _charset(resp.headers))
        except LoadError:
            return []
        soup = BeautifulSoup(text, "lxml")
        base_tag = soup.find("base", href=True)
        if base_tag is not None:
            base = urljoin(base, str(base_tag["href"]))
        links: list[str] = []
        for a in soup.find_all(["a", "area"], href=True):
            href = str(a["href"]).strip()
            if not href or href.startswith("#"):
                continue
            try:
                url = canonical_url(urljoin(base, href))
            except ValueError:
                continue
            if self._in_scope(url) and not _skipped_extension(url) and url not in links:
                links.append(url)
        return links

    # ---- robots.txt ----------------------------------------------------------------
    def _load_robots(self) -> None:
        """RFC 9309: 4xx means no rules; unreachable or 5xx means crawl nothing this time."""
        parts = urlsplit(self.start)
        robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
        parser = RobotFileParser(robots_url)
        try:
            resp = self._get(robots_url, None, robots=True)
        except _Disallowed:
            resp = _Response(robots_url, 404, {}, b"")
        except LoadError as exc:
            self._robots_unreachable(robots_url, exc.reason)
            return
        if resp.status >= 500 or resp.status in (408, 429):
            self._robots_unreachable(robots_url, f"HTTP {resp.status}")
            return
        if resp.status == 200:
            parser.parse(resp.body.decode("utf-8", errors="replace").splitlines())
        else:
            parser.parse([])
        self.robots = parser
        delay = parser.crawl_delay(self.config.user_agent)
        self.crawl_delay = float(delay) if delay else 0.0

    def _robots_unreachable(self, robots_url: str, reason: str) -> None:
        self.transient = True
        self.failures.append(LoadError(robots_url, f"robots.txt could not be read ({reason}); nothing crawled"))
        parser = RobotFileParser(robots_url)
        parser.parse(["User-agent: *", "Disallow: /"])
        self.robots = parser

    def _robots_allow(self, url: str) -> bool:
        return self.robots is None or self.robots.can_fetch(self.config.user_agent, url)

    # ---- HTTP ----------------------------------------------------------------------
    def _get(self, url: str, validators: tuple[str | None, str | None] | None,
             robots: bool = False, seen: set[str] | None = None) -> _Response:
        """GET with manual redirects (in scope only), byte and time limits.

        A redirect to a URL in `seen` (already queued or fetched) raises _Duplicate; new
        targets join `seen` so each page is fetched once however many URLs lead to it.
        """
        current = url
        for _hop in range(_MAX_HOPS + 1):
            resp = self._request(current, validators if current == url else None, read_any=robots)
            if resp.status not in _REDIRECTS:
                return resp
            location = resp.headers.get("location")
            if not location:
                raise LoadError(current, f"HTTP {resp.status} redirect without a Location")
            target = canonical_url(urljoin(current, location))
            allowed = _site_key(target) == self.site if robots else self._in_scope(target)
            if not allowed or urlsplit(target).scheme not in ("http", "https"):
                raise LoadError(url, f"redirects outside the crawl scope to {target}; not followed")
            if not robots and not self._robots_allow(target):
                raise _Disallowed(target)
            if seen is not None:
                if target in seen:
                    raise _Duplicate(target)
                seen.add(target)
            current = target
        raise LoadError(url, f"too many redirects (more than {_MAX_HOPS})")

    def _request(self, url: str, validators: tuple[str | None, str | None] | None,
                 read_any: bool = False) -> _Response:
        self._wait_turn(url)
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = _resolve_allowed(url, host, port, self.allow)
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            self.limit_hit = True
            raise _Transient(url, "crawl time limit reached")
        timeout = min(self.config.timeout, remaining)
        conn_cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        conn = conn_cls(host, port, timeout=timeout)
        conn._create_connection = _pinned(address)  # type: ignore[attr-defined]
        headers = {"User-Agent": self.config.user_agent, "Accept-Encoding": "identity", "Connection": "close",
                   "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.5"}
        if validators:
            etag, modified = validators
            if etag:
                headers["If-None-Match"] = etag
            if modified:
                headers["If-Modified-Since"] = modified
        self.requested.append(url)
        try:
            conn.request("GET", urlunsplit(("", "", parts.path or "/", parts.query, "")), headers=headers)
            raw = conn.getresponse()
            head = {k.lower(): v for k, v in raw.getheaders()}
            ctype = head.get("content-type", "").split(";")[0].strip().lower()
            skip = raw.status in _REDIRECTS or raw.status == 304 or (not read_any and not _may_be_document(ctype))
            body = b"" if skip else self._read(raw, url, head)
            return _Response(url, raw.status, head, body)
        except (TimeoutError, socket.timeout) as exc:
            raise _Transient(url, f"timed out after {timeout:g} s") from exc
        except ssl.SSLCertVerificationError as exc:
            raise _Transient(url, f"certificate verification failed: {exc.verify_message}") from exc
        except OSError as exc:  # includes ssl.SSLError (bad certificate) and refused connections
            raise _Transient(url, f"connection failed: {exc}") from exc
        except http.client.HTTPException as exc:
            raise _Transient(url, f"bad HTTP response: {exc!r}") from exc
        finally:
            conn.close()
            self.last_request = time.monotonic()

    def _read(self, raw: http.client.HTTPResponse, url: str, head: Mapping[str, str]) -> bytes:
        limit = self.config.max_bytes
        length = head.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            raise _Transient(url, f"too large: {length} bytes is over the {limit}-byte limit")
        chunks: list[bytes] = []
        size = 0
        while chunk := raw.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise _Transient(url, f"too large: over the {limit}-byte limit; download stopped")
            if time.monotonic() > self.deadline:
                self.limit_hit = True
                raise _Transient(url, "crawl time limit reached while downloading")
            chunks.append(chunk)
        return b"".join(chunks)

    def _wait_turn(self, url: str) -> None:
        """Politeness: at least `delay` (or robots Crawl-delay) between requests."""
        gap = max(self.config.delay, self.crawl_delay)
        wait = self.last_request + gap - time.monotonic()
        if wait > 0:
            if time.monotonic() + wait >= self.deadline:
                self.limit_hit = True
                raise _Transient(url, "crawl time limit reached")
            time.sleep(wait)


# ---- helpers -------------------------------------------------------------------------
def _site_key(url: str) -> str:
    """Host plus non-default port: http and https on the same host count as one site."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None or port in (80, 443):
        return host
    return f"{host}:{port}"


def _resolve_allowed(url: str, host: str, port: int, allow: frozenset[str]) -> str:
    """Resolve `host`; refuse if any address is forbidden; return the address to connect to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise _Transient(url, f"cannot resolve host '{host}': {exc}") from exc
    allowed_host = host.lower().strip("[]") in allow or f"{host.lower()}:{port}" in allow
    chosen: str | None = None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        mapped = getattr(address, "ipv4_mapped", None)
        address = mapped or address
        if address in _METADATA_ADDRESSES or address.is_link_local:
            raise LoadError(url, f"refused: {host} resolves to {address}, a link-local or cloud metadata address")
        # not is_global also catches ranges that are neither "private" nor public, such as
        # 100.64.0.0/10 (carrier-grade NAT, often a cloud's internal network) and 198.18.0.0/15
        internal = (address.is_loopback or address.is_private or address.is_reserved
                    or address.is_unspecified or address.is_multicast or not address.is_global)
        if internal and not allowed_host:
            raise LoadError(url, f"refused: {host} resolves to the private or loopback address {address}; "
                                 "use --allow-host to crawl it")
        chosen = chosen or str(info[4][0])
    if chosen is None:
        raise _Transient(url, f"cannot resolve host '{host}'")
    return chosen


def _pinned(address: str) -> Callable[..., socket.socket]:
    """Connect to the address that was checked, whatever DNS answers a second time."""
    def connect(addr: tuple[str, int], timeout: float | None = None,
                source_address: tuple[str, int] | None = None) -> socket.socket:
        return socket.create_connection((address, addr[1]), timeout, source_address)
    return connect


def _charset(headers: Mapping[str, str]) -> str | None:
    for param in headers.get("content-type", "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("'\"")
    return None


def _kind(resp: _Response) -> str:
    """'pdf', 'html' or 'other': by magic bytes, then Content-Type; binary is never HTML."""
    if resp.body.startswith(b"%PDF-"):
        return "pdf"
    ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/pdf":
        return "pdf"
    if ctype in _HTML_TYPES:
        return "html"
    if not ctype and resp.body.lstrip()[:1] == b"<" and b"\x00" not in resp.body[:1024]:
        return "html"
    return "other"


def _may_be_document(ctype: str) -> bool:
    """Whether a body with this Content-Type is worth downloading (HTML, PDF or unknown)."""
    return ctype in _HTML_TYPES or ctype in ("", "application/pdf", "application/octet-stream",
                                             "binary/octet-stream", "application/x-pdf")


def _is_pdf_url(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(".pdf")


def _skipped_extension(url: str) -> bool:
    ext = posixpath.splitext(urlsplit(url).path.lower())[1]
    return ext in _SKIP_EXTENSIONS


def _page(resp: _Response, url: str, unchanged: bool) -> _Page:
    return _Page(url, resp.body, _charset(resp.headers), resp.headers.get("etag"),
                 resp.headers.get("last-modified"), unchanged)


def _with_validators(doc: Document, src: _Response | _Page) -> Document:
    if isinstance(src, _Response):
        etag, modified = src.headers.get("etag"), src.headers.get("last-modified")
    else:
        etag, modified = src.etag, src.last_modified
    return replace(doc, etag=etag, last_modified=modified)

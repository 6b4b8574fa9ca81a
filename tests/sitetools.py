"""A real HTTP server on 127.0.0.1 serving a fixture website, for crawler tests.

The crawler is exercised over real sockets so that redirects, status codes, conditional
requests, timeouts, byte limits and robots.txt behave as they do on the web. Every request
is logged (path, User-Agent, headers) so tests can assert what was and was not requested.
Tests change the site between crawls with `put`, `remove`, `redirect`, `status`, `slow`.

Routes can also be declared in the site folder's `_server.json` (redirects, content types);
that file itself is never served. The text `__EXTERNAL__` in served pages is replaced by the
base URL of `external` (a second server standing in for another host), if one is given.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

_FIXED_MTIME = 1_741_780_800.0  # 12 March 2025: Last-Modified is stable across test runs


@dataclass(frozen=True)
class Request:
    """One request the server received."""

    path: str
    user_agent: str | None
    headers: dict[str, str]
    status: int


@dataclass
class _Body:
    data: bytes
    content_type: str
    mtime: float


class SiteServer:
    """Serve `root` (may be None for an empty site) on an ephemeral 127.0.0.1 port."""

    def __init__(self, root: Path | None = None, *, external: SiteServer | None = None) -> None:
        self.root = root
        self.external = external
        self._lock = threading.Lock()
        self._log: list[Request] = []
        self._bodies: dict[str, _Body] = {}
        self._removed: set[str] = set()
        self._redirects: dict[str, tuple[int, str]] = {}
        self._statuses: dict[str, int] = {}
        self._slow: dict[str, float] = {}
        self._unsized: set[str] = set()
        self._content_types: dict[str, str] = {}
        self._index = "index.html"
        if root is not None and (root / "_server.json").exists():
            routes = json.loads((root / "_server.json").read_text())
            self._redirects = {k: (int(v[0]), str(v[1])) for k, v in routes.get("redirects", {}).items()}
            self._content_types = dict(routes.get("content_types", {}))
            self._index = routes.get("index", self._index)
        self._httpd = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    # ---- lifecycle ---------------------------------------------------------------
    def __enter__(self) -> SiteServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    # ---- changing the site between crawls -------------------------------------------
    def put(self, path: str, data: bytes | str, content_type: str | None = None) -> None:
        """Add or replace a page (a changed page gets a new ETag and Last-Modified)."""
        body = data.encode("utf-8") if isinstance(data, str) else data
        ctype = content_type or self._content_types.get(path) or _guess_type(path)
        with self._lock:
            self._bodies[path] = _Body(body, ctype, time.time())
            self._removed.discard(path)

    def remove(self, path: str) -> None:
        """Delete a page: it answers 404 from now on."""
        with self._lock:
            self._bodies.pop(path, None)
            self._removed.add(path)

    def redirect(self, path: str, location: str, status: int = 301) -> None:
        with self._lock:
            self._redirects[path] = (status, location)

    def status(self, path: str, code: int) -> None:
        """Answer `path` with a bare status code (404, 410, 500, ...)."""
        with self._lock:
            self._statuses[path] = code

    def slow(self, path: str, seconds: float) -> None:
        """Wait before answering `path` (for timeout tests)."""
        with self._lock:
            self._slow[path] = seconds

    def unsized(self, path: str) -> None:
        """Send `path` without Content-Length (read until close), as streaming servers do."""
        with self._lock:
            self._unsized.add(path)

    # ---- what happened -------------------------------------------------------------
    @property
    def log(self) -> list[Request]:
        with self._lock:
            return list(self._log)

    @property
    def paths(self) -> list[str]:
        return [r.path for r in self.log]

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()

    # ---- serving -------------------------------------------------------------------
    def _lookup(self, path: str) -> _Body | None:
        with self._lock:
            if path in self._removed:
                return None
            if path in self._bodies:
                return self._bodies[path]
        if self.root is None or path.endswith("_server.json"):
            return None
        file = (self.root / unquote(path).lstrip("/")).resolve()
        if not file.is_relative_to(self.root.resolve()):
            return None
        if file.is_dir():
            file = file / self._index
        if not file.is_file():
            return None
        data = file.read_bytes()
        if b"__EXTERNAL__" in data and self.external is not None:
            data = data.replace(b"__EXTERNAL__", self.external.base_url.encode())
        ctype = self._content_types.get(path) or _guess_type(file.name)
        return _Body(data, ctype, _FIXED_MTIME)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet tests
                return

            def do_GET(self) -> None:  # noqa: N802 - http.server naming
                path = urlsplit(self.path).path
                with server._lock:
                    delay = server._slow.get(path, 0.0)
                    redirect = server._redirects.get(path)
                    status = server._statuses.get(path)
                if delay:
                    time.sleep(delay)
                if redirect is not None:
                    code, location = redirect
                    self._record(path, code)
                    self._send(code, b"", "text/plain", {"Location": location})
                    return
                if status is not None:
                    self._record(path, status)
                    self._send(status, b"", "text/plain")
                    return
                body = server._lookup(path)
                if body is None:
                    self._record(path, 404)
                    self._send(404, b"<html><body><h1>Page not found</h1></body></html>", "text/html")
                    return
                etag = '"' + hashlib.sha256(body.data).hexdigest()[:16] + '"'
                modified = formatdate(body.mtime, usegmt=True)
                if self._not_modified(etag, body.mtime):
                    self._record(path, 304)
                    self._send(304, b"", None, {"ETag": etag, "Last-Modified": modified})
                    return
                self._record(path, 200)
                with server._lock:
                    unsized = path in server._unsized
                self._send(200, body.data, body.content_type, {"ETag": etag, "Last-Modified": modified},
                           sized=not unsized)

            def _not_modified(self, etag: str, mtime: float) -> bool:
                match = self.headers.get("If-None-Match")
                if match is not None:
                    return etag in [t.strip() for t in match.split(",")] or match.strip() == "*"
                since = self.headers.get("If-Modified-Since")
                if since:
                    try:
                        return int(mtime) <= parsedate_to_datetime(since).timestamp()
                    except (TypeError, ValueError):
                        return False
                return False

            def _record(self, path: str, status: int) -> None:
                with server._lock:
                    server._log.append(Request(path, self.headers.get("User-Agent"),
                                               dict(self.headers.items()), status))

            def _send(self, code: int, data: bytes, ctype: str | None,
                      extra: dict[str, str] | None = None, sized: bool = True) -> None:
                try:
                    self.send_response(code)
                    if ctype:
                        self.send_header("Content-Type", ctype)
                    for key, value in (extra or {}).items():
                        self.send_header(key, value)
                    if not sized:
                        self.send_header("Connection", "close")
                        self.close_connection = True
                    elif code != 304:
                        self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if code != 304:
                        self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the crawler stopped reading (byte limit): expected

        return Handler


class _QuietServer(ThreadingHTTPServer):
    """A client closing mid-response (byte limit, skipped body) is expected, not an error."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def _guess_type(name: str) -> str:
    if name.endswith((".html", ".htm", "/")):
        return "text/html; charset=utf-8"
    if name.endswith("robots.txt"):
        return "text/plain; charset=utf-8"
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def make_pdf(pages: list[str]) -> bytes:
    """A small real PDF with one page per text (fpdf2), for crawled-PDF tests."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


EXPLOITATION_PDF_PAGES = [
    "7 Minute Briefing: Child Exploitation\n\nChild criminal exploitation happens when an individual "
    "or group takes advantage of an imbalance of power to coerce, control, manipulate or deceive a "
    "child into criminal activity, such as carrying drugs for county lines networks.",
    "Signs of exploitation\n\nWarning signs include going missing from home or school, unexplained "
    "money, new phones or clothes, older friends, and injuries the child will not explain.",
    "What to do\n\nComplete the Northbridge child exploitation screening tool and discuss it with "
    "your designated safeguarding lead. Refer to the Children's Front Door on the same day if the "
    "child is at risk of significant harm.",
]

"""Local files and folders: find them, read them safely, hand them to the right loader."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import replace
from pathlib import Path
from typing import Iterator

from ingest.models import Document, LoadError

MAX_FILE_BYTES = 25 * 1024 * 1024
SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".text": "text",
            ".html": "html", ".htm": "html", ".pdf": "pdf"}


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES


def iter_folder(folder: Path) -> Iterator[Path]:
    """Supported files below a folder, sorted, hidden entries skipped, symlinked folders not followed."""
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(root) / name
            if not name.startswith(".") and is_supported(path):
                yield path


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, or a LoadError that says why not."""
    source = str(path)
    try:
        info = path.stat()
        size = info.st_size
    except FileNotFoundError:
        raise LoadError(source, "no such file or folder") from None
    except OSError as exc:
        raise LoadError(source, f"cannot read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        # A FIFO or device would block or stream forever on read: refuse before opening it.
        raise LoadError(source, "not a regular file (a pipe, device or socket)")
    if size == 0:
        raise LoadError(source, "empty file")
    if size > limit:
        mib = 1024 * 1024  # the same megabytes as the limit is configured and shown in the app
        raise LoadError(source, f"file too large ({size / mib:.1f} MB > {limit / mib:.0f} MB limit)")
    try:
        with open(path, "rb") as fh:
            return fh.read(limit + 1)
    except OSError as exc:
        raise LoadError(source, f"cannot read ({exc.strerror or exc})") from None


# Bump when a loader's output for the same bytes changes: every file is then parsed again at the
# next re-index instead of being recognised as unchanged by its stamp.
LOADER_VERSION = 1


def file_stamp(data: bytes, doc_type: str | None, registered_source: str | None) -> str:
    """What identifies a file's load: its bytes and how it was asked for (stored as the etag)."""
    h = hashlib.sha256(data)
    h.update(f"\x00{doc_type or ''}\x00{registered_source or ''}\x00{LOADER_VERSION}".encode("utf-8"))
    return f"file-sha256:{h.hexdigest()}"


def _kind(path: Path) -> str:
    """The loader a file's extension selects, or a LoadError naming the file."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise LoadError(str(path), f"unsupported file type '{path.suffix or '(none)'}' (use .md, .txt, .html or .pdf)")
    return kind


def file_bytes(path: Path) -> bytes:
    """A supported file's bytes (the checks of `load_file` before it parses)."""
    path = Path(os.path.abspath(path))
    _kind(path)
    if path.is_dir():
        raise LoadError(str(path), "is a folder, not a file")
    return read_bytes(path)


def load_file(path: Path, doc_type: str | None = None, registered_source: str | None = None,
              data: bytes | None = None) -> Document:
    """Load one local file by its extension; `source` is its absolute path. `data`: its bytes,
    when the caller has read them already."""
    path = Path(os.path.abspath(path))
    source = str(path)
    data = file_bytes(path) if data is None else data
    kind = _kind(path)
    if kind == "markdown":
        from ingest.markdown import load_markdown as load
    elif kind == "text":
        from ingest.markdown import load_text as load
    elif kind == "html":
        from ingest.html import load_html as load
    else:
        from ingest.pdf import load_pdf as load
    doc = load(data, source=source, doc_type=doc_type, registered_source=registered_source)
    return replace(doc, etag=file_stamp(data, doc_type, registered_source))

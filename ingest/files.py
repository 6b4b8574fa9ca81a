"""Local files and folders: find them, read them safely, hand them to the right loader."""

from __future__ import annotations

import os
import stat
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


def load_file(path: Path, doc_type: str | None = None, registered_source: str | None = None) -> Document:
    """Load one local file by its extension; `source` is its absolute path."""
    path = Path(os.path.abspath(path))
    source = str(path)
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise LoadError(source, f"unsupported file type '{path.suffix or '(none)'}' (use .md, .txt, .html or .pdf)")
    if path.is_dir():
        raise LoadError(source, "is a folder, not a file")
    data = read_bytes(path)
    if kind == "markdown":
        from ingest.markdown import load_markdown

        return load_markdown(data, source=source, doc_type=doc_type, registered_source=registered_source)
    if kind == "text":
        from ingest.markdown import load_text

        return load_text(data, source=source, doc_type=doc_type, registered_source=registered_source)
    if kind == "html":
        from ingest.html import load_html

        return load_html(data, source=source, doc_type=doc_type, registered_source=registered_source)
    from ingest.pdf import load_pdf

    return load_pdf(data, source=source, doc_type=doc_type, registered_source=registered_source)

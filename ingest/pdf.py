"""PDF loading with pypdf: text per page, page numbers kept for citations (#page=N)."""

from __future__ import annotations

import io
import logging
import re
from pathlib import PurePosixPath

from ingest.doctype import infer_doc_type
from ingest.models import Document, LoadError, Section
from ingest.textblocks import split_headed_blocks

MAX_PAGES = 2000


def _title(reader: object, text_pages: list[str], source: str) -> str:
    meta = getattr(reader, "metadata", None)
    title = (getattr(meta, "title", None) or "").strip() if meta else ""
    if title and not re.fullmatch(r"(untitled|microsoft word.*|document\d*)", title, re.I):
        return title
    for page in text_pages:
        for line in page.splitlines():
            line = line.strip()
            if 3 <= len(line) <= 150 and re.search(r"[A-Za-z]{3}", line):
                return line
    name = PurePosixPath(source.split("?")[0]).name
    return re.sub(r"[_-]+", " ", name.rsplit(".", 1)[0]) or source


def load_pdf(
    data: bytes,
    *,
    source: str,
    url: str | None = None,
    doc_type: str | None = None,
    registered_source: str | None = None,
) -> Document:
    """Load a PDF; one or more sections per page, headings guessed from short title lines.

    A PDF with no extractable text (scanned images) is reported, never indexed as empty.
    """
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    if not data.startswith(b"%PDF") and b"%PDF" not in data[:1024]:
        raise LoadError(source, "not a PDF file (no %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise LoadError(source, "encrypted PDF (password required)")
            except LoadError:
                raise
            except Exception as exc:  # pypdf raises several types for unsupported crypto
                raise LoadError(source, f"encrypted PDF that cannot be opened ({exc})") from exc
        pages = reader.pages
        if len(pages) > MAX_PAGES:
            raise LoadError(source, f"too many pages ({len(pages)} > {MAX_PAGES})")
        texts = [(page.extract_text() or "") for page in pages]
        if not any(t.strip() for t in texts):
            raise LoadError(source, "PDF has no extractable text (scanned image?)")
        title = _title(reader, texts, source)  # metadata is parsed lazily: it can be corrupt too
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError, AssertionError, ZeroDivisionError) as exc:
        raise LoadError(source, f"corrupt or unreadable PDF ({type(exc).__name__}: {exc})") from exc
    except Exception as exc:  # pypdf raises others on corrupt files (NotImplementedError for a
        # mangled filter name, zlib/struct errors): one bad PDF must not end the whole run
        raise LoadError(source, f"corrupt or unsupported PDF ({type(exc).__name__}: {exc})") from exc
    sections: list[Section] = []
    path: tuple[str, ...] = (title,)
    for number, text in enumerate(texts, start=1):
        for heading, body in split_headed_blocks(text):
            if heading:
                path = (title, heading) if heading != title else (title,)
            if body.strip():
                sections.append(Section(heading_path=path, text=body.strip(), page=number))
    return Document(
        title=title,
        doc_type=doc_type or infer_doc_type(title, url or source),
        source=source,
        sections=tuple(sections),
        url=url,
        registered_source=registered_source,
    )

"""The small frozen types that flow from ingest to index to assistant.

A loader turns one input into a `Document` made of `Section`s (text under one heading
path, on one PDF page at most). The chunker turns sections into `Chunk`s, the unit that is
embedded, searched and cited. Everything is immutable so a chunk read back from the store
is indistinguishable from the one that was written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    """Text under one heading path; `page` is the 1-based PDF page or None."""

    heading_path: tuple[str, ...]
    text: str
    page: int | None = None


@dataclass(frozen=True)
class Document:
    """One loaded document, before chunking.

    `source` is what the administrator gave (absolute file path or URL); `url` is a link a
    reader can open (the page URL for web pages and crawled PDFs, None for local files).
    `registered_source` is the ingest argument this document came from (a folder or a crawl
    start URL), so `reindex` can re-read it and drop documents gone from it.
    """

    title: str
    doc_type: str
    source: str
    sections: tuple[Section, ...]
    url: str | None = None
    date: str | None = None
    publisher: str | None = None
    registered_source: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def doc_id(self) -> str:
        """Stable id derived from the source, so re-ingesting updates in place."""
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()[:16]

    @property
    def content_hash(self) -> str:
        """Hash of everything that affects the chunks and their citations."""
        h = hashlib.sha256()
        for part in (self.title, self.doc_type, self.date or "", self.url or ""):
            h.update(part.encode("utf-8") + b"\x00")
        for s in self.sections:
            h.update(("\x1f".join(s.heading_path) + f"\x00{s.page}\x00" + s.text).encode("utf-8"))
        return h.hexdigest()


@dataclass(frozen=True)
class Chunk:
    """The unit that is embedded, searched and cited."""

    chunk_id: str
    doc_id: str
    text: str
    heading_path: tuple[str, ...] = field(default_factory=tuple)
    page: int | None = None
    url: str | None = None
    ordinal: int = 0

    @property
    def text_hash(self) -> str:
        """What decides whether a chunk must be re-embedded."""
        return hashlib.sha256(self.embed_text.encode("utf-8")).hexdigest()

    @property
    def embed_text(self) -> str:
        """Heading path plus passage: headings are evidence too."""
        if self.heading_path:
            return " > ".join(self.heading_path) + "\n" + self.text
        return self.text


class LoadError(Exception):
    """An input could not be loaded; the message names the input and the reason."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason

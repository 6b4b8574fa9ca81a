"""Typed results: what retrieval returns (`Hit`) and what an answer is (`Answer`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from index.store import DocumentRecord
from ingest.models import Chunk


def passage_link(chunk: Chunk, document: DocumentRecord) -> str | None:
    """A link that opens the passage: #page=N for PDFs, a text fragment for web pages."""
    base = chunk.url or document.url
    if not base:
        return None
    base = base.split("#", 1)[0]
    if chunk.page is not None:
        return f"{base}#page={chunk.page}"
    first = next((line for line in chunk.text.splitlines() if line.strip()), "")
    words = first.lstrip("-*•◇➔ ").split()[:8]
    if not words:
        return base
    return f"{base}#:~:text={quote(' '.join(words), safe='')}"


@dataclass(frozen=True)
class Hit:
    """One retrieved passage with its document and fused score."""

    chunk: Chunk
    document: DocumentRecord
    score: float
    dense_score: float = 0.0
    bm25_score: float = 0.0

    @property
    def section(self) -> str:
        """Heading path, without a leading heading that merely repeats the title."""
        path = list(self.chunk.heading_path)
        if path and path[0].strip().lower() == self.document.title.strip().lower():
            path = path[1:]
        return " > ".join(path)

    def citation(self, rank: int | None = None) -> dict[str, object]:
        """The DESIGN.md citation object (export lines omit rank and score)."""
        out: dict[str, object] = {}
        if rank is not None:
            out["rank"] = rank
        out.update({
            "doc_id": self.document.doc_id, "title": self.document.title,
            "doc_type": self.document.doc_type, "source": self.document.source,
            "url": passage_link(self.chunk, self.document), "section": self.section,
            "page": self.chunk.page, "text": self.chunk.text,
        })
        if rank is not None:
            out["score"] = round(float(self.score), 4)
        out["date"] = self.document.date
        return out


@dataclass(frozen=True)
class Answer:
    """An extractive answer: every sentence is copied from a cited passage."""

    question: str
    found: bool
    answer: str
    hits: tuple[Hit, ...] = field(default_factory=tuple)
    resolved_question: str | None = None
    highlights: tuple[tuple[str, ...], ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, object]:
        return {
            "question": self.question, "found": self.found, "answer": self.answer,
            "citations": [h.citation(i + 1) for i, h in enumerate(self.hits)],
            "resolved_question": self.resolved_question,
        }

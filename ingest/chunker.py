"""Structure-aware chunking: split on headings, then into passages of a few sentences.

A chunk never crosses a heading, keeps its heading path and PDF page, and aims at
80-250 words: long enough to carry an answer with its context, short enough that the
citation points at the paragraph a practitioner needs. A list stays with the sentence
that introduces it. Chunks with no real words (stray bullets, link lists) are dropped.
"""

from __future__ import annotations

import re

from ingest.models import Chunk, Document, Section

TARGET_WORDS = 200
MAX_WORDS = 250
MIN_TAIL_WORDS = 50
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[A-Z0-9“\"'(\[•-])")
_WORD = re.compile(r"[A-Za-z]{2,}")


def _words(text: str) -> int:
    return len(text.split())


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph; a simple rule that holds for report prose."""
    parts = [p.strip() for p in _SENTENCE_END.split(text.strip())]
    return [p for p in parts if p]


def _blocks(text: str) -> list[str]:
    """Paragraphs and lists (blank-line separated); an intro line ending ':' joins its list."""
    raw = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    blocks: list[str] = []
    for block in raw:
        is_list = block.lstrip().startswith(("-", "*", "•", "◇", "➔")) or re.match(r"^\d+[.)]\s", block)
        if blocks and is_list and blocks[-1].rstrip().endswith(":"):
            blocks[-1] = blocks[-1] + "\n" + block
        else:
            blocks.append(block)
    return blocks


def _units(block: str) -> list[str]:
    """A block small enough stays whole; a long one splits by sentences (or lines, for lists)."""
    if _words(block) <= MAX_WORDS:
        return [block]
    lines = block.split("\n")
    pieces = lines if len(lines) > 1 else split_sentences(block)
    units: list[str] = []
    for piece in pieces:
        if _words(piece) <= MAX_WORDS:
            units.append(piece)
        else:  # one enormous sentence: fall back to word windows
            words = piece.split()
            units.extend(" ".join(words[i:i + TARGET_WORDS]) for i in range(0, len(words), TARGET_WORDS))
    return units


def _pack(units: list[str]) -> list[str]:
    """Greedy packing up to the target; a short tail is merged back if it fits."""
    chunks: list[list[str]] = []
    size = 0
    for unit in units:
        n = _words(unit)
        if chunks and size + n <= TARGET_WORDS:
            chunks[-1].append(unit)
            size += n
        else:
            chunks.append([unit])
            size = n
    if len(chunks) > 1 and sum(map(_words, chunks[-1])) < MIN_TAIL_WORDS:
        if sum(map(_words, chunks[-2])) + sum(map(_words, chunks[-1])) <= MAX_WORDS + MIN_TAIL_WORDS:
            chunks[-2].extend(chunks.pop())
    joiner = "\n\n"
    return [joiner.join(c) for c in chunks]


def is_boilerplate(text: str) -> bool:
    """True for text with too few real words to be worth finding."""
    return len(_WORD.findall(text)) < 3


def chunk_sections(sections: tuple[Section, ...] | list[Section]) -> list[tuple[Section, str]]:
    """(section, passage) pairs in reading order; adjacent same-heading sections merge first."""
    merged: list[Section] = []
    for s in sections:
        if merged and merged[-1].heading_path == s.heading_path and merged[-1].page == s.page:
            merged[-1] = Section(s.heading_path, merged[-1].text + "\n\n" + s.text, s.page)
        else:
            merged.append(s)
    out: list[tuple[Section, str]] = []
    for section in merged:
        units = [u for block in _blocks(section.text) for u in _units(block)]
        for passage in _pack(units):
            if not is_boilerplate(passage):
                out.append((section, passage))
    return out


def chunk_document(doc: Document) -> list[Chunk]:
    """Chunks of one document, numbered in reading order."""
    chunks = []
    for ordinal, (section, passage) in enumerate(chunk_sections(doc.sections)):
        chunks.append(
            Chunk(
                chunk_id=f"{doc.doc_id}:{ordinal}",
                doc_id=doc.doc_id,
                text=passage,
                heading_path=section.heading_path,
                page=section.page,
                url=doc.url,
                ordinal=ordinal,
            )
        )
    return chunks

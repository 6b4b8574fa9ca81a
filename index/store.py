"""SQLite store of one index generation: documents, chunks, sources and embeddings.

Each generation has its own database file. A build copies the current one, changes the
copy and never touches the original, so readers of the old generation are undisturbed.
Embeddings are kept by the hash of the text they embed: an unchanged chunk finds its
vector here and is never embedded again.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from ingest.models import Chunk, Document

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    source TEXT NOT NULL UNIQUE,
    url TEXT,
    date TEXT,
    publisher TEXT,
    registered_source TEXT,
    content_hash TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    chunks INTEGER NOT NULL DEFAULT 0,
    indexed_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_registered ON documents(registered_source);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY,
    chunk_id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    heading_path TEXT NOT NULL,
    page INTEGER,
    url TEXT,
    text_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, ordinal);
CREATE TABLE IF NOT EXISTS embeddings (
    text_hash TEXT PRIMARY KEY,
    vector BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS sources (
    source TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    doc_type TEXT,
    options TEXT NOT NULL DEFAULT '{}',
    added_at TEXT NOT NULL
);
"""


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class DocumentRecord:
    """A document as the index knows it (what `guidance list` shows)."""

    doc_id: str
    title: str
    doc_type: str
    source: str
    url: str | None
    date: str | None
    publisher: str | None
    registered_source: str | None
    content_hash: str
    etag: str | None
    last_modified: str | None
    chunks: int
    indexed_at: str
    updated_at: str

    def to_json(self) -> dict[str, object]:
        return {
            "doc_id": self.doc_id, "title": self.title, "doc_type": self.doc_type,
            "source": self.source, "url": self.url, "chunks": self.chunks,
            "content_hash": self.content_hash, "indexed_at": self.indexed_at,
            "date": self.date, "updated_at": self.updated_at,
            "registered_source": self.registered_source,
        }


@dataclass(frozen=True)
class SourceRecord:
    """A registered ingest argument (file, folder or crawl start URL) that reindex re-reads."""

    source: str
    kind: str
    doc_type: str | None
    options: dict[str, object]


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    """Open a generation database; read-only opens are immutable (no locks, no journal)."""
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    else:
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.executescript(SCHEMA)
    conn.row_factory = sqlite3.Row
    return conn


def row_to_chunk(row: sqlite3.Row) -> Chunk:
    return Chunk(
        chunk_id=row["chunk_id"], doc_id=row["doc_id"], text=row["text"],
        heading_path=tuple(json.loads(row["heading_path"])), page=row["page"],
        url=row["url"], ordinal=row["ordinal"],
    )


def row_to_document(row: sqlite3.Row) -> DocumentRecord:
    return DocumentRecord(**{k: row[k] for k in row.keys()})


class Store:
    """Typed access to one generation's database."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # -- reads ---------------------------------------------------------------
    def documents(self) -> list[DocumentRecord]:
        rows = self.conn.execute("SELECT * FROM documents ORDER BY title, source").fetchall()
        return [row_to_document(r) for r in rows]

    def document(self, doc_id: str) -> DocumentRecord | None:
        row = self.conn.execute("SELECT * FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return row_to_document(row) if row else None

    def document_by_source(self, source: str) -> DocumentRecord | None:
        row = self.conn.execute("SELECT * FROM documents WHERE source=?", (source,)).fetchone()
        return row_to_document(row) if row else None

    def documents_of(self, registered_source: str) -> list[DocumentRecord]:
        rows = self.conn.execute(
            "SELECT * FROM documents WHERE registered_source=? OR source=?",
            (registered_source, registered_source),
        ).fetchall()
        return [row_to_document(r) for r in rows]

    def chunks_by_ids(self, ids: Iterable[int]) -> dict[int, Chunk]:
        ids = [int(i) for i in ids]
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(f"SELECT * FROM chunks WHERE id IN ({marks})", ids).fetchall()
        return {r["id"]: row_to_chunk(r) for r in rows}

    def chunks_by_chunk_ids(self, chunk_ids: Iterable[str]) -> dict[str, Chunk]:
        ids = list(chunk_ids)
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(f"SELECT * FROM chunks WHERE chunk_id IN ({marks})", ids).fetchall()
        return {r["chunk_id"]: row_to_chunk(r) for r in rows}

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        rows = self.conn.execute("SELECT * FROM chunks WHERE doc_id=? ORDER BY ordinal", (doc_id,)).fetchall()
        return [row_to_chunk(r) for r in rows]

    def iter_chunks(self) -> Iterator[tuple[int, Chunk]]:
        for row in self.conn.execute("SELECT * FROM chunks ORDER BY id"):
            yield row["id"], row_to_chunk(row)

    def sources(self) -> list[SourceRecord]:
        rows = self.conn.execute("SELECT * FROM sources ORDER BY added_at, source").fetchall()
        return [SourceRecord(r["source"], r["kind"], r["doc_type"], json.loads(r["options"])) for r in rows]

    def counts(self) -> tuple[int, int]:
        docs = self.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        chunks = self.conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return int(docs), int(chunks)

    def known_hashes(self, hashes: Iterable[str]) -> set[str]:
        hashes = list(set(hashes))
        found: set[str] = set()
        for i in range(0, len(hashes), 500):
            part = hashes[i:i + 500]
            marks = ",".join("?" * len(part))
            found.update(r[0] for r in self.conn.execute(
                f"SELECT text_hash FROM embeddings WHERE text_hash IN ({marks})", part))
        return found

    def vectors_in_chunk_order(self, dim: int) -> tuple[np.ndarray, np.ndarray]:
        """(chunk ids, vectors) for every chunk, ordered by id: what FAISS and BM25 rows follow."""
        rows = self.conn.execute(
            "SELECT c.id, e.vector FROM chunks c JOIN embeddings e ON e.text_hash=c.text_hash ORDER BY c.id"
        ).fetchall()
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        vectors = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), dim) \
            if rows else np.zeros((0, dim), dtype=np.float32)
        return ids, vectors

    # -- writes --------------------------------------------------------------
    def upsert_document(self, doc: Document, chunks: list[Chunk], when: str) -> str:
        """Insert or replace a document and its chunks; returns 'added', 'updated' or 'unchanged'."""
        old = self.document(doc.doc_id)
        if old and old.content_hash == doc.content_hash:
            self.conn.execute(
                "UPDATE documents SET etag=?, last_modified=?, registered_source=COALESCE(?, registered_source) WHERE doc_id=?",
                (doc.etag, doc.last_modified, doc.registered_source, doc.doc_id),
            )
            return "unchanged"
        self.conn.execute("DELETE FROM chunks WHERE doc_id=?", (doc.doc_id,))
        self.conn.execute(
            """INSERT INTO documents (doc_id, title, doc_type, source, url, date, publisher,
                   registered_source, content_hash, etag, last_modified, chunks, indexed_at, updated_at)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)
               ON CONFLICT(doc_id) DO UPDATE SET title=excluded.title, doc_type=excluded.doc_type,
                   url=excluded.url, date=excluded.date, publisher=excluded.publisher,
                   registered_source=excluded.registered_source, content_hash=excluded.content_hash,
                   etag=excluded.etag, last_modified=excluded.last_modified, chunks=excluded.chunks,
                   updated_at=excluded.updated_at""",
            (doc.doc_id, doc.title, doc.doc_type, doc.source, doc.url, doc.date, doc.publisher,
             doc.registered_source, doc.content_hash, doc.etag, doc.last_modified, len(chunks), when, when),
        )
        self.conn.executemany(
            """INSERT INTO chunks (chunk_id, doc_id, ordinal, text, heading_path, page, url, text_hash)
               VALUES (?,?,?,?,?,?,?,?)""",
            [(c.chunk_id, c.doc_id, c.ordinal, c.text, json.dumps(list(c.heading_path)), c.page, c.url, c.text_hash)
             for c in chunks],
        )
        return "updated" if old else "added"

    def delete_document(self, doc_id: str) -> bool:
        self.conn.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
        return self.conn.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,)).rowcount > 0

    def register_source(self, source: str, kind: str, doc_type: str | None, options: dict[str, object]) -> None:
        self.conn.execute(
            """INSERT INTO sources (source, kind, doc_type, options, added_at) VALUES (?,?,?,?,?)
               ON CONFLICT(source) DO UPDATE SET doc_type=excluded.doc_type, options=excluded.options""",
            (source, kind, doc_type, json.dumps(options, sort_keys=True), now_iso()),
        )

    def unregister_source(self, source: str) -> None:
        self.conn.execute("DELETE FROM sources WHERE source=?", (source,))

    def missing_embeddings(self) -> list[tuple[str, str]]:
        """(text_hash, embed text) of chunks whose vector is not stored yet, one per hash."""
        rows = self.conn.execute(
            """SELECT c.text_hash, c.text, c.heading_path FROM chunks c
               LEFT JOIN embeddings e ON e.text_hash=c.text_hash
               WHERE e.text_hash IS NULL GROUP BY c.text_hash"""
        ).fetchall()
        out = []
        for r in rows:
            path = json.loads(r["heading_path"])
            chunk = Chunk(chunk_id="", doc_id="", text=r["text"], heading_path=tuple(path))
            out.append((r["text_hash"], chunk.embed_text))
        return out

    def put_embeddings(self, hashes: list[str], vectors: np.ndarray) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.conn.executemany(
            "INSERT OR REPLACE INTO embeddings (text_hash, vector) VALUES (?, ?)",
            [(h, vectors[i].tobytes()) for i, h in enumerate(hashes)],
        )

    def drop_orphan_embeddings(self) -> None:
        self.conn.execute(
            "DELETE FROM embeddings WHERE text_hash NOT IN (SELECT DISTINCT text_hash FROM chunks)")

    def drop_all_embeddings(self) -> None:
        self.conn.execute("DELETE FROM embeddings")

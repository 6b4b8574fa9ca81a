"""The one way an index changes: copy the current generation, apply changes, publish.

    with IndexWriter(data_dir, embedder) as w:
        w.upsert(document)
        w.remove(doc_id)
        report = w.commit()

Only chunks whose text hash has no stored vector are embedded, in one batched pass at
commit time. If anything fails before `commit` returns, the temporary folder is discarded
and the previous generation stays current.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from index import generations as gens
from index.bm25 import BM25, TermCounts
from index.bulk import bulk_embedder
from index.embedder import Embedder
from index.store import SCHEMA_VERSION, Store, connect, now_iso
from index.vectors import VectorIndex
from ingest.chunker import chunk_document
from ingest.models import Document

EMBED_BATCH = 256
Progress = Callable[[int, int], None]


@dataclass
class CommitReport:
    """What one commit changed; `embedded` counts chunk texts sent to the model."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    embedded: int = 0
    generation: str | None = None
    statuses: dict[str, str] = field(default_factory=dict)


def bm25_text(title: str, heading_path: list[str], text: str) -> str:
    """Title and headings count as evidence for word search too."""
    return " ".join([title, *heading_path, text])


class IndexWriter:
    """A write transaction over a data folder (holds the folder's write lock)."""

    def __init__(self, data_dir: Path, embedder: Embedder, progress: Progress | None = None,
                 ann_threshold: int | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.embedder = embedder
        self.progress = progress
        self.ann_threshold = ann_threshold
        self.report = CommitReport()
        self._dirty = False
        self._lock = None
        self._tmp: Path | None = None
        self._final: Path | None = None
        self._previous: Path | None = None  # the generation this build starts from
        self.store: Store

    def __enter__(self) -> "IndexWriter":
        self._lock = gens.write_lock(self.data_dir)
        self._lock.__enter__()
        try:
            gens.collect_garbage(self.data_dir)
            self._tmp, self._final = gens.new_build_folder(self.data_dir)
            db_path = self._tmp / "store.sqlite"
            model_changed = False
            try:
                current = gens.current_path(self.data_dir)
                src = sqlite3.connect(f"file:{current / 'store.sqlite'}?mode=ro", uri=True)
                dst = sqlite3.connect(db_path)
                src.backup(dst)
                src.close()
                dst.close()
                model_changed = gens.read_manifest(current).get("model") != self.embedder.name
                self._previous = current
            except gens.IndexMissing:
                self._dirty = True  # a first, possibly empty, index is still worth publishing
            self.store = Store(connect(db_path))
            if model_changed:
                self.store.drop_all_embeddings()
                self._dirty = True
            self.store.conn.execute("BEGIN")
        except BaseException:
            self._abort()
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._abort()

    def _abort(self) -> None:
        try:
            if getattr(self, "store", None) is not None:
                self.store.conn.close()
        finally:
            if self._tmp is not None and self._tmp.exists():
                shutil.rmtree(self._tmp, ignore_errors=True)
            if self._lock is not None:
                self._lock.__exit__(None, None, None)
                self._lock = None

    # -- changes -------------------------------------------------------------
    def upsert(self, doc: Document) -> str:
        """Add or update a document; returns 'added', 'updated' or 'unchanged'."""
        old = self.store.document(doc.doc_id)
        unchanged = old is not None and old.content_hash == doc.content_hash
        chunks = [] if unchanged else chunk_document(doc)  # the store keeps an unchanged document's chunks
        status = self.store.upsert_document(doc, chunks, now_iso())
        if status != "unchanged" or (old and (old.etag, old.last_modified) != (doc.etag, doc.last_modified)):
            self._dirty = True
        setattr(self.report, status, getattr(self.report, status) + 1)
        self.report.statuses[doc.source] = status
        return status

    def unchanged_file(self, source: str, stamp: str) -> bool:
        """True (and counted as unchanged) when the indexed document from `source` was loaded
        from exactly these bytes (its etag is the file's stamp), so it need not be parsed."""
        record = self.store.document_by_source(source)
        if record is None or record.etag != stamp:
            return False
        self.report.unchanged += 1
        self.report.statuses[source] = "unchanged"
        return True

    def remove(self, doc_id: str) -> bool:
        if self.store.delete_document(doc_id):
            self._dirty = True
            self.report.removed += 1
            return True
        return False

    def register_source(self, source: str, kind: str, doc_type: str | None = None,
                        options: dict[str, object] | None = None) -> None:
        before = {s.source: s for s in self.store.sources()}.get(source)
        self.store.register_source(source, kind, doc_type, options or {})
        after = {s.source: s for s in self.store.sources()}[source]
        if before != after:
            self._dirty = True

    def unregister_source(self, source: str) -> None:
        self.store.unregister_source(source)
        self._dirty = True

    # -- publish -------------------------------------------------------------
    def _embed_missing(self) -> None:
        missing = self.store.missing_embeddings()
        # Longest first groups similar lengths in a batch: less padding, faster encoding.
        missing.sort(key=lambda hm: len(hm[1]), reverse=True)
        total = len(missing)
        if not total:
            return
        with bulk_embedder(self.embedder) as embed:
            for start in range(0, total, EMBED_BATCH):
                part = missing[start:start + EMBED_BATCH]
                vectors = embed([text for _, text in part])
                self.store.put_embeddings([h for h, _ in part], vectors)
                self.report.embedded += len(part)
                if self.progress:
                    self.progress(min(start + EMBED_BATCH, total), total)

    def commit(self) -> CommitReport:
        """Embed what is new, build the search structures, and switch generations atomically."""
        assert self._tmp is not None and self._final is not None
        if not self._dirty:
            self._abort()
            return self.report
        self._embed_missing()
        self.store.drop_orphan_embeddings()
        self.store.conn.commit()
        ids, vectors = self.store.vectors_in_chunk_order(self.embedder.dim)
        rows = self.store.conn.execute(
            "SELECT c.id, c.text, c.heading_path, d.title FROM chunks c JOIN documents d USING(doc_id) ORDER BY c.id"
        ).fetchall()
        texts = [bm25_text(r["title"], json.loads(r["heading_path"]), r["text"]) for r in rows]
        if len(texts) != len(ids):
            raise RuntimeError("index build: chunks without embeddings; refusing to publish")
        kwargs = {"ann_threshold": self.ann_threshold} if self.ann_threshold is not None else {}
        vindex = VectorIndex.build(vectors, **kwargs)
        vindex.save(self._tmp / "vectors.faiss")
        previous = TermCounts.load(self._previous) if self._previous is not None else None
        bm25, counts = BM25.build_counted(texts, previous)
        bm25.save(self._tmp)
        counts.save(self._tmp)
        np.save(self._tmp / "ids.npy", ids, allow_pickle=False)
        docs, chunks = self.store.counts()
        if docs == 0:
            self.store.conn.execute("VACUUM")  # an emptied index should not keep the old pages
        self.store.conn.close()
        self.store = None  # type: ignore[assignment]
        manifest = {
            "schema_version": SCHEMA_VERSION, "generation": self._final.name,
            "model": self.embedder.name, "dim": self.embedder.dim,
            "documents": docs, "chunks": chunks, "vector_index": type(vindex.index).__name__,
            "created_at": now_iso(),
        }
        (self._tmp / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        gens.publish(self.data_dir, self._tmp, self._final)
        self._tmp = None
        self.report.generation = self._final.name
        self._abort()
        return self.report

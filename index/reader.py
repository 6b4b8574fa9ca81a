"""A loaded, immutable index generation: what queries run against.

Loading reads everything a query needs into memory except chunk texts, which stay in the
generation's SQLite file and are fetched for the few rows that are returned. A reader
never changes; `IndexReader.is_stale` tells its owner a newer generation was published.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import generations as gens
from index.bm25 import BM25
from index.store import DocumentRecord, SCHEMA_VERSION, Store, connect
from index.vectors import VectorIndex
from ingest.models import Chunk


class IndexUnusable(Exception):
    """The index on disk cannot be used (wrong schema or model); says what to do."""


@dataclass(frozen=True)
class RowInfo:
    chunk: Chunk
    document: DocumentRecord


class IndexReader:
    """One generation loaded for searching."""

    def __init__(self, data_dir: Path, gen: Path) -> None:
        self.data_dir = Path(data_dir)
        self.path = gen
        self.manifest = gens.read_manifest(gen)
        if self.manifest.get("schema_version") != SCHEMA_VERSION:
            raise IndexUnusable(f"{gen}: index schema {self.manifest.get('schema_version')} is not "
                              f"{SCHEMA_VERSION}; run 'guidance reindex'")
        self.store = Store(connect(gen / "store.sqlite", readonly=True))
        self.vectors = VectorIndex.load(gen / "vectors.faiss")
        self.bm25 = BM25.load(gen)
        self.ids = np.load(gen / "ids.npy", allow_pickle=False)
        self.documents = {d.doc_id: d for d in self.store.documents()}
        doc_order = list(self.documents)
        position = {d: i for i, d in enumerate(doc_order)}
        row_docs = [r[0] for r in self.store.conn.execute("SELECT doc_id FROM chunks ORDER BY id")]
        self._doc_order = doc_order
        self.row_doc = np.fromiter((position[d] for d in row_docs), dtype=np.int32, count=len(row_docs))

    @classmethod
    def open(cls, data_dir: Path) -> "IndexReader":
        return cls(Path(data_dir), gens.current_path(Path(data_dir)))

    @property
    def generation(self) -> str:
        return self.path.name

    def is_stale(self) -> bool:
        return gens.current_name(self.data_dir) != self.path.name

    def __len__(self) -> int:
        return len(self.ids)

    def allowed_rows(self, doc_types: set[str] | None = None, sources: set[str] | None = None) -> np.ndarray | None:
        """Rows whose document matches the filters; None when there is no filter."""
        if not doc_types and not sources:
            return None
        ok = np.zeros(len(self._doc_order), dtype=bool)
        for i, doc_id in enumerate(self._doc_order):
            d = self.documents[doc_id]
            if doc_types and d.doc_type not in doc_types:
                continue
            if sources and not ({d.source, d.registered_source, d.doc_id} & sources):
                continue
            ok[i] = True
        return np.flatnonzero(ok[self.row_doc]).astype(np.int64)

    def rows(self, rows: list[int]) -> list[RowInfo]:
        chunks = self.store.chunks_by_ids(int(self.ids[r]) for r in rows)
        out = []
        for r in rows:
            chunk = chunks[int(self.ids[r])]
            out.append(RowInfo(chunk, self.documents[chunk.doc_id]))
        return out

    def close(self) -> None:
        self.store.conn.close()

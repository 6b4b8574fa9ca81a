"""FAISS vector search over normalised embeddings (inner product = cosine).

Rows are positions in the generation's `ids.npy`, shared with BM25, so a filter is one row
mask for both. Exact search up to `HNSW_THRESHOLD` rows; beyond it an HNSW graph keeps
queries within budget (its recall against exact search is measured by `guidance bench`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

HNSW_THRESHOLD = 200_000
HNSW_M = 32


class VectorIndex:
    """A thin surface over FAISS: build, search, save, load."""

    def __init__(self, index: object) -> None:
        self.index = index

    @property
    def count(self) -> int:
        return int(self.index.ntotal)

    @classmethod
    def build(cls, vectors: np.ndarray, hnsw_threshold: int = HNSW_THRESHOLD) -> "VectorIndex":
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = vectors.shape[1]
        if len(vectors) > hnsw_threshold:
            index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 80
            index.hnsw.efSearch = 128
        else:
            index = faiss.IndexFlatIP(dim)
        if len(vectors):
            index.add(vectors)
        return cls(index)

    def search(self, query: np.ndarray, k: int, allowed_rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(rows, scores) best first; `allowed_rows` restricts the search to those rows."""
        import faiss

        k = min(k, self.count)
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        params = None
        if allowed_rows is not None:
            if len(allowed_rows) == 0:
                return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
            selector = faiss.IDSelectorBatch(np.ascontiguousarray(allowed_rows, dtype=np.int64))
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=256) \
                if isinstance(self.index, faiss.IndexHNSWFlat) else faiss.SearchParameters(sel=selector)
        scores, rows = self.index.search(q, k, params=params)
        keep = rows[0] >= 0
        return rows[0][keep].astype(np.int64), scores[0][keep]

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path) -> "VectorIndex":
        import faiss

        return cls(faiss.read_index(str(path)))

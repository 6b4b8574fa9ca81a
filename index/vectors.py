"""FAISS vector search over normalised embeddings (inner product = cosine).

Rows are positions in the generation's `ids.npy`, shared with BM25, so a filter is one row
mask for both. Exact search up to `ANN_THRESHOLD` rows; beyond it an inverted-file index
(IVF-Flat) keeps queries within budget. IVF was chosen over HNSW by measurement
(`guidance bench`, 100k passage-like vectors, recall@10 against exact search): HNSW
M32/efSearch 1024 reached 0.99 at 1.2 ms only with efConstruction 200 and fell to 0.62 with
cheaper settings, while IVF with 4*sqrt(n) lists probing 1/40 of them reached 0.998 at
1.4 ms (exact: 14 ms), and its candidates are scored exactly, so near-ties stay in order.
The threshold is 50k because exact search took 16 ms of a 54 ms search p95 at 100k (over the
50 ms budget) while IVF took 0.5 ms there with recall@10 1.0 against exact.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

ANN_THRESHOLD = 50_000
LISTS_PER_SQRT = 4        # nlist = 4 * sqrt(n)
PROBE_SHARE = 1 / 40      # nprobe = nlist / 40 (at least MIN_PROBES)
MIN_PROBES = 32
TRAIN_PER_LIST = 64       # k-means sample: 64 vectors per list is plenty and keeps training short


def ivf_settings(n: int) -> tuple[int, int]:
    """(lists, probes) for n vectors."""
    nlist = max(1, int(LISTS_PER_SQRT * math.sqrt(n)))
    return nlist, min(nlist, max(MIN_PROBES, int(nlist * PROBE_SHARE)))


def build_ivf(vectors: np.ndarray, seed: int = 1234) -> object:
    """An IVF-Flat index over `vectors` (trained on a sample of them), ready to search."""
    import faiss

    n, dim = vectors.shape
    nlist, nprobe = ivf_settings(n)
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    sample = vectors
    if n > TRAIN_PER_LIST * nlist:
        sample = vectors[np.random.default_rng(seed).choice(n, TRAIN_PER_LIST * nlist, replace=False)]
    index.train(np.ascontiguousarray(sample))
    index.add(vectors)
    index.nprobe = nprobe
    index.make_direct_map()  # rows can be read back (dense scores of BM25-only candidates)
    return index


class VectorIndex:
    """A thin surface over FAISS: build, search, save, load."""

    def __init__(self, index: object) -> None:
        self.index = index

    @property
    def count(self) -> int:
        return int(self.index.ntotal)

    @property
    def approximate(self) -> bool:
        return hasattr(self.index, "nprobe")

    @classmethod
    def build(cls, vectors: np.ndarray, ann_threshold: int = ANN_THRESHOLD) -> "VectorIndex":
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if len(vectors) > ann_threshold:
            return cls(build_ivf(vectors))
        index = faiss.IndexFlatIP(vectors.shape[1])
        if len(vectors):
            index.add(vectors)
        return cls(index)

    def search(self, query: np.ndarray, k: int, allowed_rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(rows, scores) best first; `allowed_rows` restricts the search to those rows.

        A filtered search over an IVF index probes every list: a filter may leave only a few
        rows, and they must all be found, not only those near the query's closest lists.
        """
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
            params = faiss.SearchParametersIVF(sel=selector, nprobe=self.index.nlist) \
                if self.approximate else faiss.SearchParameters(sel=selector)
        scores, rows = self.index.search(q, k, params=params)
        keep = rows[0] >= 0
        return rows[0][keep].astype(np.int64), scores[0][keep]

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path) -> "VectorIndex":
        import faiss

        index = faiss.read_index(str(path))
        if hasattr(index, "nprobe"):
            index.nprobe = ivf_settings(int(index.ntotal))[1]
            index.make_direct_map()
        return cls(index)

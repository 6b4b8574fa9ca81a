"""Sparse BM25: a precomputed document-term weight matrix, saved without pickle.

Scoring a query is summing a few matrix columns, so it stays fast at 100,000 chunks. The
matrix is rebuilt for every generation from the chunk texts (title and headings included),
which takes seconds and keeps the index consistent with the store by construction.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Sequence

import numpy as np
from scipy import sparse

from index.text import tokenize

K1 = 1.2
B = 0.75


class BM25:
    """BM25 (Lucene idf) over rows; `search` returns scores for every row."""

    def __init__(self, matrix: sparse.csc_matrix, vocab: dict[str, int]) -> None:
        self.matrix = matrix
        self.vocab = vocab

    @classmethod
    def build(cls, texts: Sequence[str]) -> "BM25":
        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        tfs: list[int] = []
        lengths = np.zeros(len(texts), dtype=np.float32)
        for r, text in enumerate(texts):
            counts = Counter(tokenize(text))
            lengths[r] = sum(counts.values())
            for term, tf in counts.items():
                rows.append(r)
                cols.append(vocab.setdefault(term, len(vocab)))
                tfs.append(tf)
        n = len(texts)
        row_arr = np.asarray(rows, dtype=np.int64)
        col_arr = np.asarray(cols, dtype=np.int64)
        tf_arr = np.asarray(tfs, dtype=np.float32)
        df = np.bincount(col_arr, minlength=len(vocab)).astype(np.float32)
        idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
        avg = float(lengths.mean()) if n else 1.0
        norm = K1 * (1 - B + B * lengths[row_arr] / max(avg, 1e-9))
        weights = idf[col_arr] * tf_arr * (K1 + 1) / (tf_arr + norm)
        matrix = sparse.csc_matrix((weights, (row_arr, col_arr)), shape=(n, len(vocab)), dtype=np.float32)
        return cls(matrix, vocab)

    def idf(self, term: str) -> float:
        """Inverse document frequency of a (stemmed) term; unseen terms get the maximum."""
        n = self.matrix.shape[0]
        col = self.vocab.get(term)
        df = 0 if col is None else int(self.matrix.indptr[col + 1] - self.matrix.indptr[col])
        return float(np.log1p((n - df + 0.5) / (df + 0.5)))

    def search(self, query: str, weights: dict[str, float] | None = None) -> np.ndarray:
        """Scores of every row for the query; `weights` down-weights expansion terms."""
        terms = Counter(tokenize(query))
        scores = np.zeros(self.matrix.shape[0], dtype=np.float32)
        for term, qtf in terms.items():
            col = self.vocab.get(term)
            if col is None:
                continue
            start, end = self.matrix.indptr[col], self.matrix.indptr[col + 1]
            w = (weights or {}).get(term, 1.0)
            scores[self.matrix.indices[start:end]] += w * self.matrix.data[start:end]
        return scores

    def save(self, folder: Path) -> None:
        m = self.matrix
        np.savez(folder / "bm25.npz", data=m.data, indices=m.indices, indptr=m.indptr,
                 shape=np.asarray(m.shape, dtype=np.int64))
        (folder / "bm25_vocab.json").write_text(json.dumps(self.vocab), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "BM25":
        with np.load(folder / "bm25.npz", allow_pickle=False) as z:
            matrix = sparse.csc_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
        vocab = json.loads((folder / "bm25_vocab.json").read_text(encoding="utf-8"))
        return cls(matrix, vocab)

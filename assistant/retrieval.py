"""Hybrid retrieval: dense (FAISS) and BM25 candidates fused by reciprocal rank.

The practitioner's words go to both retrievers; glossary expansions go to BM25 with a
lower weight (so "dads" also finds "fathers") and to the dense query as a short suffix.
Near-duplicate passages (reports repeat themselves) are collapsed so each citation adds
something new.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from assistant.glossary import Glossary, definitions_in
from assistant.models import Hit
from index.embedder import Embedder
from index.reader import IndexReader
from index.text import tokenize

RRF_K = 5
CANDIDATES = 100
EXPANSION_WEIGHT = 0.5
DENSE_WEIGHT = 1.0
BM25_WEIGHT = 1.3
QUERY_CACHE = 256


@dataclass(frozen=True)
class Query:
    """What retrieval runs on: the question, its expansions and their BM25 weights."""

    text: str
    expansions: tuple[str, ...] = ()

    @property
    def dense_text(self) -> str:
        return self.text if not self.expansions else f"{self.text} ({'; '.join(self.expansions)})"

    @property
    def bm25_text(self) -> str:
        return " ".join((self.text, *self.expansions))

    def bm25_weights(self) -> dict[str, float]:
        own = set(tokenize(self.text))
        return {t: EXPANSION_WEIGHT for e in self.expansions for t in tokenize(e) if t not in own}


def _jaccard(a: str, b: str) -> float:
    sa, sb = set(tokenize(a)), set(tokenize(b))
    return len(sa & sb) / max(1, len(sa | sb))


class Retriever:
    """Searches one loaded generation; owns a small cache of query embeddings."""

    def __init__(self, reader: IndexReader, embedder: Embedder, glossary: Glossary | None = None) -> None:
        self.reader = reader
        self.embedder = embedder
        if glossary is None:
            texts = (info.chunk.text for info in reader.rows(list(range(min(len(reader), 5000)))))
            glossary = Glossary(definitions_in(texts))
        self.glossary = glossary
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def plan(self, question: str) -> Query:
        return Query(question, tuple(self.glossary.expansions(question)))

    def embed_query(self, text: str) -> np.ndarray:
        vec = self._cache.get(text)
        if vec is None:
            vec = self.embedder.embed([text])[0]
            self._cache[text] = vec
            if len(self._cache) > QUERY_CACHE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(text)
        return vec

    def search(self, question: str, k: int = 5, doc_types: set[str] | None = None,
               sources: set[str] | None = None, dedupe: float = 0.8) -> list[Hit]:
        """The k best distinct passages for the question."""
        if not question.strip():
            return []
        query = self.plan(question)
        return self.search_planned(query, self.embed_query(query.dense_text), k, doc_types, sources, dedupe)

    def search_planned(self, query: Query, qvec: np.ndarray, k: int = 5, doc_types: set[str] | None = None,
                       sources: set[str] | None = None, dedupe: float = 0.8) -> list[Hit]:
        """`search` for a caller that already planned and embedded the query (and needs both)."""
        if len(self.reader) == 0:
            return []
        allowed = self.reader.allowed_rows(doc_types, sources)
        if allowed is not None and len(allowed) == 0:
            return []
        d_rows, d_scores = self.reader.vectors.search(qvec, CANDIDATES, allowed)
        bm = self.reader.bm25.search(query.bm25_text, query.bm25_weights())
        if allowed is not None:
            mask = np.full(len(bm), -1.0, dtype=np.float32)
            mask[allowed] = bm[allowed]
            bm = mask
        n = min(CANDIDATES, len(bm))
        b_rows = np.argpartition(-bm, n - 1)[:n] if n else np.zeros(0, dtype=np.int64)
        b_rows = b_rows[np.argsort(-bm[b_rows])]
        b_rows = b_rows[bm[b_rows] > 0]

        fused: dict[int, float] = {}
        for rank, row in enumerate(d_rows):
            fused[int(row)] = fused.get(int(row), 0.0) + DENSE_WEIGHT / (RRF_K + rank + 1)
        for rank, row in enumerate(b_rows):
            fused[int(row)] = fused.get(int(row), 0.0) + BM25_WEIGHT / (RRF_K + rank + 1)
        dense_of = {int(r): float(s) for r, s in zip(d_rows, d_scores)}
        order = sorted(fused, key=lambda r: -fused[r])

        hits: list[Hit] = []
        for start in range(0, len(order), 4 * k):
            batch = order[start:start + 4 * k]
            for row, info in zip(batch, self.reader.rows(batch)):
                if dedupe <= 1.0 and any(_jaccard(info.chunk.text, h.chunk.text) >= dedupe for h in hits):
                    continue
                dense = dense_of.get(row)
                if dense is None:
                    dense = float(np.dot(qvec, self.reader.vectors.index.reconstruct(row))) \
                        if hasattr(self.reader.vectors.index, "reconstruct") else 0.0
                hits.append(Hit(info.chunk, info.document, fused[row], dense, float(max(bm[row], 0.0))))
                if len(hits) >= k:
                    return hits
        return hits

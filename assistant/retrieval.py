"""Hybrid retrieval: dense (FAISS) and BM25 candidates fused by reciprocal rank.

The practitioner's words go to both retrievers; glossary expansions go to BM25 with a
lower weight (so "dads" also finds "fathers") and to the dense query as a short suffix.
Near-duplicate passages (reports repeat themselves) are collapsed so each citation adds
something new.

Pseudo-relevance feedback (Rocchio) then runs a second pass: the few best fused passages
are taken as relevant, the query vector moves towards their (rank-weighted) mean vector and
their strongest BM25 terms join the word query. A question's words rarely match all the words of the
passages that answer it; the passages the first pass is surest of supply that vocabulary
from the collection itself. The first pass's top few passages keep their places; feedback
reorders and extends what follows them. The second dense pass only rescores the candidates
(no second vector search), so it costs a few hundred dot products.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from assistant.glossary import Glossary, definitions_in
from assistant.models import Hit
from index.builder import bm25_text
from index.embedder import Embedder
from index.reader import IndexReader
from index.text import tokenize

RRF_K = 5
CANDIDATES = 100
EXPANSION_WEIGHT = 0.5
DENSE_WEIGHT = 1.0
BM25_WEIGHT = 1.3
QUERY_CACHE = 256
# Pseudo-relevance feedback (Rocchio). The best FEEDBACK_PASSAGES fused passages count as
# relevant (0 turns feedback off): the query vector moves towards their unit mean vector by
# FEEDBACK_DENSE_WEIGHT (the question itself weighs 1), and their FEEDBACK_TERMS highest
# mean BM25 weights join the word query, the strongest at FEEDBACK_TERM_WEIGHT and the rest in
# proportion. The first FEEDBACK_KEEP_TOP passages of the first pass keep their places, since
# the assistant cites only a few and letting feedback reorder them cost the practitioner set
# its first-rank precision (evidence@1 0.80 -> 0.65 with three feedback passages). Chosen on
# the odd Cranfield queries and the practitioner set; the even Cranfield queries are the
# held-out check (assistant/cranfield.py).
FEEDBACK_PASSAGES = 5
FEEDBACK_DENSE_WEIGHT = 1.0
FEEDBACK_TERMS = 40
FEEDBACK_TERM_WEIGHT = 1.0
FEEDBACK_KEEP_TOP = 3
# The i-th feedback passage weighs 1/i**FEEDBACK_DECAY (then normalised) in the mean vector and
# the term weights: the fifth passage is less surely relevant than the first. Equal weights
# (0) gave Cranfield nDCG@10 odd 0.4249 / even 0.4162; 0.5 gives 0.4297 / 0.4264 (chosen on
# odd; 1.0: 0.4278 / 0.4255), with the practitioner set unchanged (MRR 0.882, key fact 0.847).
FEEDBACK_DECAY = 0.5


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


def _rrf(*ranked: tuple[Sequence[int], float]) -> dict[int, float]:
    """Weighted reciprocal-rank fusion of (rows best first, weight) lists."""
    fused: dict[int, float] = {}
    for rows, weight in ranked:
        for rank, row in enumerate(rows):
            fused[int(row)] = fused.get(int(row), 0.0) + weight / (RRF_K + rank + 1)
    return fused


def _top_rows(scores: np.ndarray, n: int) -> np.ndarray:
    """The n best-scoring rows with a positive score, best first."""
    n = min(n, len(scores))
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    rows = np.argpartition(-scores, n - 1)[:n]
    rows = rows[np.argsort(-scores[rows], kind="stable")]
    return rows[scores[rows] > 0]


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, len(a | b))


class Retriever:
    """Searches one loaded generation; owns a small cache of query embeddings."""

    def __init__(self, reader: IndexReader, embedder: Embedder, glossary: Glossary | None = None,
                 feedback: int | None = None) -> None:
        self.reader = reader
        self.embedder = embedder
        self.feedback = FEEDBACK_PASSAGES if feedback is None else feedback
        if glossary is None:
            texts = (info.chunk.text for info in reader.rows(list(range(min(len(reader), 5000)))))
            glossary = Glossary(definitions_in(texts))
        self.glossary = glossary
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def plan(self, question: str) -> Query:
        return Query(question, tuple(self.glossary.expansions(question)))

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Vectors for the texts, those not cached embedded together in one batch: a question
        with expansions needs two vectors, and one forward pass of two costs about 7 ms where two
        passes cost 10 (measured on the practitioner questions, bf16)."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            for text, vec in zip(missing, self.embedder.embed(missing)):
                self._cache[text] = vec
        out = []
        for text in texts:
            self._cache.move_to_end(text)
            out.append(self._cache[text])
        while len(self._cache) > QUERY_CACHE:
            self._cache.popitem(last=False)
        return out

    def query_vectors(self, query: Query) -> tuple[np.ndarray, np.ndarray]:
        """The query's vector as the answer composer sees it (expanded form) and the vector to
        search with (see `search_vector`), embedded in one pass."""
        qvec = self.embed_queries([query.dense_text, query.text])[0]  # both cached for search_vector
        return qvec, self.search_vector(query, qvec)

    def search(self, question: str, k: int = 5, doc_types: set[str] | None = None,
               sources: set[str] | None = None, dedupe: float = 0.8) -> list[Hit]:
        """The k best distinct passages for the question."""
        if not question.strip():
            return []
        query = self.plan(question)
        qvec, svec = self.query_vectors(query)
        return self.search_planned(query, qvec, k, doc_types, sources, dedupe, svec)

    def search_vector(self, query: Query, qvec: np.ndarray) -> np.ndarray:
        """The vector to search with: the question's own and its expanded form's, averaged.

        Expansions put the documents' words beside the practitioner's ("dads": fathers), which
        the found check and the answer's sentence choice need. But a long expansion (the
        partnership's full name for "hsscp") pulls the search towards passages that merely name
        it; averaging keeps the question's own meaning at half weight. Measured side by side
        (MRR, expanded only -> averaged): heldout 0.780 -> 0.821, blind3 0.896 -> 0.925, blind4
        0.821 -> 0.837, blind2 unchanged, practitioner 0.881 -> 0.878.
        """
        if not query.expansions:
            return qvec
        blended = self.embed_query(query.text) + qvec
        return blended / max(float(np.linalg.norm(blended)), 1e-9)

    def search_planned(self, query: Query, qvec: np.ndarray, k: int = 5, doc_types: set[str] | None = None,
                       sources: set[str] | None = None, dedupe: float = 0.8,
                       search_vec: np.ndarray | None = None) -> list[Hit]:
        """`search` for a caller that already planned and embedded the query (and needs both).

        `qvec` is the query as the answer composer sees it: the dense scores reported on each hit
        are its cosines. `search_vec` (default `qvec`) is what the vector search and the feedback
        pass start from (see `search_vector`)."""
        if len(self.reader) == 0:
            return []
        allowed = self.reader.allowed_rows(doc_types, sources)
        if allowed is not None and len(allowed) == 0:
            return []
        svec = qvec if search_vec is None else search_vec
        d_rows, d_scores = self.reader.vectors.search(svec, CANDIDATES, allowed)
        if svec is not qvec and len(d_rows):  # report the composer's cosines, not the search vector's
            d_scores = self.reader.vectors.index.reconstruct_batch(np.asarray(d_rows, dtype=np.int64)) @ qvec
        terms = self.reader.bm25.query_terms(query.bm25_text, query.bm25_weights())
        bm = self._bm25(terms, allowed)
        b_rows = _top_rows(bm, CANDIDATES)
        fused = _rrf((d_rows, DENSE_WEIGHT), (b_rows, BM25_WEIGHT))
        dense_of = {int(r): float(s) for r, s in zip(d_rows, d_scores)}
        if self.feedback > 0 and fused:
            top = sorted(fused, key=lambda r: -fused[r])[: self.feedback]
            second, dense_of = self._feedback(top, terms, qvec, d_rows, b_rows, allowed, svec)
            lift = max(second.values())  # the kept passages stay above everything the second pass found
            fused = {**second, **{r: lift + fused[r] for r in top[:FEEDBACK_KEEP_TOP]}}
        order = sorted(fused, key=lambda r: -fused[r])

        hits: list[Hit] = []
        kept_words: list[set[str]] = []  # each kept passage's words, tokenised once
        for start in range(0, len(order), 4 * k):
            batch = order[start:start + 4 * k]
            for row, info in zip(batch, self.reader.rows(batch)):
                if dedupe <= 1.0:
                    own = set(tokenize(info.chunk.text))
                    if any(_jaccard(own, other) >= dedupe for other in kept_words):
                        continue
                    kept_words.append(own)
                dense = dense_of.get(row)
                if dense is None:
                    dense = float(np.dot(qvec, self.reader.vectors.index.reconstruct(row))) \
                        if hasattr(self.reader.vectors.index, "reconstruct") else 0.0
                hits.append(Hit(info.chunk, info.document, fused[row], dense, float(max(bm[row], 0.0))))
                if len(hits) >= k:
                    return hits
        return hits

    def _bm25(self, terms: dict[str, float], allowed: np.ndarray | None) -> np.ndarray:
        """BM25 scores of every row; rows outside `allowed` get -1."""
        bm = self.reader.bm25.score_terms(terms)
        if allowed is not None:
            mask = np.full(len(bm), -1.0, dtype=np.float32)
            mask[allowed] = bm[allowed]
            bm = mask
        return bm

    def _feedback(self, top: list[int], terms: dict[str, float], qvec: np.ndarray, d_rows: np.ndarray,
                  b_rows: np.ndarray, allowed: np.ndarray | None, svec: np.ndarray | None = None) -> tuple[dict[int, float], dict[int, float]]:
        """The second, Rocchio pass: fused scores, and the question's own cosine for every row
        scored (what the answer composer's thresholds expect, not the moved query's)."""
        index = self.reader.vectors.index
        share = 1.0 / np.arange(1, len(top) + 1) ** FEEDBACK_DECAY
        share /= share.sum()
        centroid = share @ index.reconstruct_batch(np.asarray(top, dtype=np.int64))
        moved = (qvec if svec is None else svec) + FEEDBACK_DENSE_WEIGHT * centroid / max(float(np.linalg.norm(centroid)), 1e-9)
        moved = moved / max(float(np.linalg.norm(moved)), 1e-9)

        bm25 = self.reader.bm25
        vocabulary = sorted({t for info in self.reader.rows(top) for t in
                             tokenize(bm25_text(info.document.title, list(info.chunk.heading_path), info.chunk.text))})
        mass = dict(zip(vocabulary, (share @ bm25.weights(top, vocabulary)).tolist()))
        strongest = sorted(mass, key=lambda t: -mass[t])[:FEEDBACK_TERMS]
        expanded = dict(terms)
        if strongest and mass[strongest[0]] > 0:
            scale = FEEDBACK_TERM_WEIGHT / mass[strongest[0]]
            for term in strongest:
                expanded[term] = expanded.get(term, 0.0) + scale * mass[term]
        b_rows2 = _top_rows(self._bm25(expanded, allowed), CANDIDATES)

        pool = np.unique(np.concatenate([d_rows, b_rows, b_rows2]).astype(np.int64))
        vectors = index.reconstruct_batch(pool)
        moved_scores = vectors @ moved
        d_rows2 = pool[np.argsort(-moved_scores, kind="stable")][:CANDIDATES]
        dense_of = {int(r): float(s) for r, s in zip(pool, vectors @ qvec)}
        return _rrf((d_rows2, DENSE_WEIGHT), (b_rows2, BM25_WEIGHT)), dense_of

"""The naive baselines `guidance eval` reports beside the project's retrieval.

What a quick prototype would do: concatenate each document's text, cut it into fixed
windows (1,000 characters, 200 overlap, ignoring headings and sentences), and search them
with BM25 alone or with the same embedding model alone (exact inner product). Scoring them
with the same evidence rule shows what structure-aware chunking and fusion are worth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from assistant.evaluation import EVAL_K, Question, RankScores, first_relevant_rank
from index.bm25 import BM25
from index.embedder import Embedder
from ingest.models import Document

WINDOW = 1000
OVERLAP = 200


def naive_chunks(documents: Sequence[Document], window: int = WINDOW, overlap: int = OVERLAP) -> list[str]:
    """Fixed-size character windows over each document's concatenated section texts."""
    step = window - overlap
    out: list[str] = []
    for doc in documents:
        text = "\n\n".join(s.text for s in doc.sections)
        if not text.strip():
            continue
        for start in range(0, max(1, len(text) - overlap), step):
            piece = text[start:start + window]
            if piece.strip():
                out.append(piece)
    return out


def baseline_query(q: Question) -> str:
    """A baseline has no follow-up resolution: it searches the conversation so far, joined."""
    return " ".join((*q.history[-1:], q.question))


@dataclass
class NaiveBaselines:
    """BM25-only and dense-only search over the same naive chunks."""

    chunks: list[str]
    bm25: BM25
    vectors: np.ndarray
    embedder: Embedder

    @classmethod
    def build(cls, documents: Sequence[Document], embedder: Embedder) -> "NaiveBaselines":
        chunks = naive_chunks(documents)
        vectors = embedder.embed(chunks) if chunks else np.zeros((0, embedder.dim), dtype=np.float32)
        return cls(chunks, BM25.build(chunks), vectors, embedder)

    def rank_bm25(self, query: str, k: int = EVAL_K) -> list[int]:
        scores = self.bm25.search(query)
        order = np.argsort(-scores, kind="stable")[:k]
        return [int(i) for i in order if scores[i] > 0]

    def rank_dense(self, query: str, k: int = EVAL_K) -> list[int]:
        if not len(self.chunks):
            return []
        scores = self.vectors @ self.embedder.embed([query])[0]
        return [int(i) for i in np.argsort(-scores, kind="stable")[:k]]

    def score(self, questions: Sequence[Question]) -> dict[str, RankScores]:
        """Evidence in top 1/3/5 and MRR of each baseline over the answerable questions."""
        answerable = [q for q in questions if q.answerable]
        out: dict[str, RankScores] = {}
        for name, rank in (("bm25_naive", self.rank_bm25), ("dense_naive", self.rank_dense)):
            ranks = []
            for q in answerable:
                rows = rank(baseline_query(q))
                ranks.append(first_relevant_rank([self.chunks[r] for r in rows], q.evidence))
            out[name] = RankScores.from_ranks(ranks)
        return out

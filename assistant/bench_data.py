"""Data for `guidance bench`: realistic chunk texts and large synthetic indexes.

Real passages come from the shipped corpus (its chunks) and the Cranfield abstracts. Larger
sets replicate them with small perturbations: the sentences of a passage are shuffled (one
may be dropped) and one sentence of another passage is appended, so BM25 sees realistic
term statistics and (almost) no two synthetic chunks are identical.

Embedding 100,000 texts would take over an hour on a small CPU, so a large index gets its
vectors from real embeddings instead: each synthetic passage takes its source passage's
real vector plus Gaussian noise (per dimension sigma = NOISE, cosine to the source about
0.9), renormalised. The index is still built by the ordinary IndexWriter, through a
`ReplayEmbedder` that returns those vectors for the texts it is given (and embeds with the
real model any text it does not know, such as the real corpus documents mixed in).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from index.builder import IndexWriter
from index.embedder import Embedder, normalise
from ingest.chunker import chunk_document, split_sentences
from ingest.models import Document, Section

NOISE = 0.025
SECTIONS_PER_DOC = 10
MAX_PASSAGE_WORDS = 180


@dataclass(frozen=True)
class Pool:
    """Real passages with their real embeddings (rows aligned)."""

    texts: list[str]
    vectors: np.ndarray


def perturb(text: str, rng: random.Random) -> str:
    """Shuffle a passage's sentences, sometimes dropping one: same words, new passage."""
    sentences = split_sentences(" ".join(text.split()))
    if len(sentences) > 2 and rng.random() < 0.3:
        sentences.pop(rng.randrange(len(sentences)))
    rng.shuffle(sentences)
    return " ".join(sentences)


def realistic_texts(pool_texts: Sequence[str], n: int, seed: int = 7) -> list[str]:
    """n chunk texts: the pool itself first, then perturbed replicas of it."""
    rng = random.Random(seed)
    out = list(pool_texts[:n])
    while len(out) < n:
        out.append(perturb(pool_texts[rng.randrange(len(pool_texts))], rng))
    return out


def _clip(text: str, words: int = MAX_PASSAGE_WORDS) -> str:
    parts = text.split()
    return " ".join(parts[:words])


class ReplayEmbedder:
    """Returns prepared vectors for known texts; embeds unknown ones with the real model."""

    def __init__(self, real: Embedder, vectors: dict[str, np.ndarray]) -> None:
        self.real = real
        self.name = real.name
        self.dim = real.dim
        self.vectors = vectors
        self.embedded_for_real = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        unknown = [i for i, t in enumerate(texts) if t not in self.vectors]
        for i, t in enumerate(texts):
            if t in self.vectors:
                out[i] = self.vectors[t]
        if unknown:
            out[unknown] = self.real.embed([texts[i] for i in unknown])
            self.embedded_for_real += len(unknown)
        return out


def synthetic_documents(pool: Pool, n_chunks: int, seed: int = 11) -> tuple[list[Document], dict[str, np.ndarray]]:
    """Documents of SECTIONS_PER_DOC one-chunk sections, and the vector of each chunk text."""
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    docs: list[Document] = []
    vectors: dict[str, np.ndarray] = {}
    n_docs = max(1, n_chunks // SECTIONS_PER_DOC)
    for d in range(n_docs):
        sections = []
        bases = []
        for s in range(SECTIONS_PER_DOC):
            base = rng.randrange(len(pool.texts))
            other = split_sentences(pool.texts[rng.randrange(len(pool.texts))]) or [""]
            text = _clip(perturb(pool.texts[base], rng) + " " + rng.choice(other))
            sections.append(Section((f"Part {s + 1}",), text))
            bases.append(base)
        doc = Document(title=f"Synthetic report {d + 1}", doc_type="report", source=f"synthetic:{d + 1}",
                       sections=tuple(sections))
        base_of = dict(zip((s.text for s in sections), bases))
        for chunk in chunk_document(doc):
            base = base_of.get(chunk.text, bases[0])
            noisy = pool.vectors[base] + nrng.normal(0.0, NOISE, pool.vectors.shape[1]).astype(np.float32)
            vectors[chunk.embed_text] = normalise(noisy[None, :])[0]
        docs.append(doc)
    return docs, vectors


def build_synthetic_index(data_dir: Path, pool: Pool, n_chunks: int, real: Embedder,
                          extra_documents: Sequence[Document] = (), ann_threshold: int | None = None) -> dict[str, int]:
    """Build (or reuse, if complete) an index of about n_chunks synthetic chunks plus extras, and
    read its reviews as `guidance ingest` does, so questions are timed as a user meets them."""
    from assistant.themes import prepare
    from index.generations import IndexMissing
    from index.reader import IndexReader

    try:
        reader = IndexReader.open(data_dir)
        if len(reader) >= n_chunks and reader.manifest.get("model") == real.name:
            prepare(data_dir)
            return {"chunks": len(reader), "documents": len(reader.documents), "reused": 1}
    except (IndexMissing, OSError, ValueError):
        pass
    docs, vectors = synthetic_documents(pool, n_chunks)
    replay = ReplayEmbedder(real, vectors)
    with IndexWriter(data_dir, replay, ann_threshold=ann_threshold) as w:
        for doc in (*extra_documents, *docs):
            w.upsert(doc)
        report = w.commit()
    prepare(data_dir)
    reader = IndexReader.open(data_dir)
    return {"chunks": len(reader), "documents": len(reader.documents), "reused": 0,
            "embedded_with_real_model": replay.embedded_for_real, "embedded": report.embedded}

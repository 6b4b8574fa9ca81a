"""The vector index: exact below the threshold, IVF beyond it, with measured recall."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.retrieval import Retriever
from index.builder import IndexWriter
from index.reader import IndexReader
from index.vectors import VectorIndex, ivf_settings
from tests.fakes import CountingEmbedder
from ingest.models import Document, Section


def _clustered(n: int, dim: int = 32, centres: int = 40, seed: int = 3) -> np.ndarray:
    """Passage-like vectors: many near neighbours around a few topics, unit length."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(centres, dim))
    x = base[rng.integers(0, centres, n)] + rng.normal(scale=0.4, size=(n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_small_collections_are_searched_exactly() -> None:
    index = VectorIndex.build(_clustered(500))
    assert not index.approximate


def test_ivf_recall_against_exact_search() -> None:
    x = _clustered(6000)
    queries = _clustered(50, seed=9)
    exact, ann = VectorIndex.build(x), VectorIndex.build(x, ann_threshold=0)
    assert ann.approximate
    recall = np.mean([len(set(exact.search(q, 10)[0]) & set(ann.search(q, 10)[0])) / 10 for q in queries])
    assert recall >= 0.98


def test_filtered_ivf_search_finds_every_allowed_row(tmp_path: Path) -> None:
    x = _clustered(4000)
    ann = VectorIndex.build(x, ann_threshold=0)
    allowed = np.array([5, 1700, 3999])
    rows, scores = ann.search(x[0], 10, allowed_rows=allowed)
    assert sorted(rows.tolist()) == allowed.tolist()
    assert np.allclose(sorted(scores), sorted(x[allowed] @ x[0]), atol=1e-5)


def test_ivf_survives_save_and_load_with_its_probe_count_and_row_access(tmp_path: Path) -> None:
    x = _clustered(3000)
    VectorIndex.build(x, ann_threshold=0).save(tmp_path / "v.faiss")
    loaded = VectorIndex.load(tmp_path / "v.faiss")
    assert loaded.index.nprobe == ivf_settings(3000)[1]
    assert np.allclose(loaded.index.reconstruct(17), x[17])


def test_an_index_built_beyond_the_threshold_answers_through_the_retriever(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    docs = [Document(title=f"Report {i}", doc_type="report", source=f"t:{i}",
                     sections=(Section(("Part",), f"Topic {i} concerns missing children and attendance {i}."),))
            for i in range(60)]
    with IndexWriter(tmp_path, embedder, ann_threshold=10) as w:
        for d in docs:
            w.upsert(d)
        w.commit()
    reader = IndexReader.open(tmp_path)
    assert reader.manifest["vector_index"] == "IndexIVFFlat"
    hits = Retriever(reader, embedder).search("Topic 42 missing children", k=3)
    assert hits and hits[0].document.title == "Report 42"

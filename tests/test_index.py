"""Store, incremental re-indexing and the atomic generation switch, with a counting embedder."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from index import generations as gens
from index.bm25 import BM25
from index.builder import IndexWriter, bm25_text
from index.pipeline import ingest_sources, reindex, remove_source
from index.reader import IndexReader
from assistant.retrieval import Retriever
from tests.conftest import CORPUS
from tests.fakes import CountingEmbedder


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    shutil.copytree(CORPUS, folder)
    return folder


def test_ingest_then_unchanged_reingest_embeds_nothing(data_dir: Path, corpus_copy: Path, embedder: CountingEmbedder) -> None:
    first = ingest_sources(data_dir, [str(corpus_copy)], embedder)
    assert first.counts() == {"added": 2, "updated": 0, "unchanged": 0, "removed": 0, "failed": 0}
    assert first.embedded > 20
    generation = gens.current_name(data_dir)
    embedded = embedder.texts_embedded
    again = ingest_sources(data_dir, [str(corpus_copy)], embedder)
    assert again.unchanged == 2 and again.embedded == 0
    assert embedder.texts_embedded == embedded
    assert gens.current_name(data_dir) == generation  # nothing changed: no new generation
    reader = IndexReader.open(data_dir)
    assert len(reader.documents) == 2
    assert len({d.source for d in reader.documents.values()}) == 2


def test_reindex_after_one_edit_reembeds_only_changed_chunks(data_dir: Path, corpus_copy: Path,
                                                           embedder: CountingEmbedder) -> None:
    ingest_sources(data_dir, [str(corpus_copy)], embedder)
    before = embedder.texts_embedded
    news = corpus_copy / "hsscp-newsletter-2025-26-q3.md"
    text = news.read_text(encoding="utf-8")
    news.write_text(text.replace("0 Serious Incident Notifications were received during this quarter.",
                                 "2 Serious Incident Notifications were received during this quarter."), encoding="utf-8")
    report = reindex(data_dir, embedder)
    assert report.counts() == {"added": 0, "updated": 1, "unchanged": 1, "removed": 0, "failed": 0}
    assert report.embedded == 1
    assert embedder.texts_embedded - before == 1
    reader = IndexReader.open(data_dir)
    texts = [c.text for _, c in reader.store.iter_chunks()]
    assert any("2 Serious Incident Notifications" in t for t in texts)
    assert not any("0 Serious Incident Notifications" in t for t in texts)


def test_new_and_deleted_files_in_a_folder(data_dir: Path, corpus_copy: Path, embedder: CountingEmbedder) -> None:
    ingest_sources(data_dir, [str(corpus_copy)], embedder)
    (corpus_copy / "hsscp-newsletter-2025-26-q3.md").unlink()
    (corpus_copy / "extra.md").write_text("# Private fostering\n\nNotify the local authority of private fostering "
                                          "arrangements at least six weeks before they start.\n", encoding="utf-8")
    report = reindex(data_dir, embedder)
    assert (report.added, report.removed, report.unchanged) == (1, 1, 1)
    titles = sorted(d.title for d in IndexReader.open(data_dir).documents.values())
    assert titles[0] == "Hartlepool and Stockton-on-Tees Safeguarding Children Partnership Annual Report 2020-21"
    assert "Private fostering" in titles


def test_crash_mid_build_leaves_previous_generation_loadable(data_dir: Path, corpus_copy: Path,
                                                             embedder: CountingEmbedder,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    ingest_sources(data_dir, [str(corpus_copy)], embedder)
    good = gens.current_name(data_dir)
    (corpus_copy / "extra.md").write_text("# Extra\n\nA new procedure about bruising in non-mobile babies.\n")

    def boom(texts, previous=None):
        raise RuntimeError("simulated crash while building BM25")

    monkeypatch.setattr(BM25, "build_counted", staticmethod(boom))
    with pytest.raises(RuntimeError, match="simulated crash"):
        ingest_sources(data_dir, [str(corpus_copy)], embedder)
    assert gens.current_name(data_dir) == good
    assert not [p for p in gens.generations_dir(data_dir).iterdir() if ".tmp-" in p.name]
    reader = IndexReader.open(data_dir)
    assert len(reader.documents) == 2
    hits = Retriever(reader, embedder).search("fathers overlooked", k=3)
    assert hits and "father" in hits[0].chunk.text.lower()


def test_abandoned_build_folder_is_ignored_and_cleaned(data_dir: Path, corpus_copy: Path,
                                                       embedder: CountingEmbedder) -> None:
    ingest_sources(data_dir, [str(corpus_copy)], embedder)
    # A writer killed mid-build leaves a half-written folder behind.
    stale = gens.generations_dir(data_dir) / "gen-00000099.tmp-4242"
    stale.mkdir()
    (stale / "store.sqlite").write_bytes(b"half written")
    assert IndexReader.open(data_dir).generation == "gen-00000001"
    (corpus_copy / "extra.md").write_text("# Extra\n\nA new procedure about bruising in non-mobile babies.\n")
    ingest_sources(data_dir, [str(corpus_copy)], embedder)
    assert not stale.exists()
    assert len(IndexReader.open(data_dir).documents) == 3


def test_reader_keeps_old_generation_until_it_reloads(data_dir: Path, corpus_copy: Path,
                                                      embedder: CountingEmbedder) -> None:
    ingest_sources(data_dir, [str(corpus_copy)], embedder)
    old = IndexReader.open(data_dir)
    (corpus_copy / "extra.md").write_text("# Extra\n\nA new procedure about bruising in non-mobile babies.\n")
    ingest_sources(data_dir, [str(corpus_copy)], embedder)
    assert old.is_stale()
    assert len(old.documents) == 2  # the old reader still answers from its generation
    assert Retriever(old, embedder).search("fathers", k=1)
    assert len(IndexReader.open(data_dir).documents) == 3


def test_remove_document_and_source(data_dir: Path, corpus_copy: Path, embedder: CountingEmbedder) -> None:
    ingest_sources(data_dir, [str(corpus_copy)], embedder)
    news = str(corpus_copy / "hsscp-newsletter-2025-26-q3.md")
    assert remove_source(data_dir, news, embedder).removed == 1
    assert [d.source for d in IndexReader.open(data_dir).documents.values()] == [
        str(corpus_copy / "hsscp-annual-report-2020-21.md")]
    assert remove_source(data_dir, str(corpus_copy), embedder).removed == 1
    assert IndexReader.open(data_dir).documents == {}
    assert reindex(data_dir, embedder).counts()["added"] == 0  # the folder is no longer registered


def test_only_one_writer_at_a_time(data_dir: Path, embedder: CountingEmbedder) -> None:
    import fcntl

    with IndexWriter(data_dir, embedder):
        with open(data_dir / "write.lock", "a+") as fh:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def test_filters_by_type(data_dir: Path, corpus_copy: Path, embedder: CountingEmbedder) -> None:
    ingest_sources(data_dir, [str(corpus_copy)], embedder)
    retriever = Retriever(IndexReader.open(data_dir), embedder)
    hits = retriever.search("training sessions delivered", k=5, doc_types={"newsletter"})
    assert hits and all(h.document.doc_type == "newsletter" for h in hits)
    assert retriever.search("training", k=5, doc_types={"no-such-type"}) == []


def test_bm25_weights_are_the_matrix_entries() -> None:
    texts = ["wing flow wing", "", "shock wave flow", "boundary layer flow on a wing", "layer"]
    bm = BM25.build(texts)
    dense = bm.matrix.toarray()
    terms = sorted(bm.vocab) + ["absent"]
    rows = [4, 0, 3, 1]
    got = bm.weights(rows, terms)
    assert got.shape == (4, len(terms))
    assert np.allclose(got[:, :-1], dense[rows][:, [bm.vocab[t] for t in terms[:-1]]])
    assert not got[:, -1].any() and bm.weights([], terms).shape == (0, len(terms))
    # scoring stemmed terms directly is what `search` does after tokenising
    assert np.allclose(bm.search("wing flows", {"flow": 0.5}), bm.score_terms({"wing": 1.0, "flow": 0.5}))


def test_feedback_keeps_the_first_pass_top_and_the_question_cosine(data_dir: Path, corpus_copy: Path,
                                                                    embedder: CountingEmbedder) -> None:
    from assistant import retrieval

    ingest_sources(data_dir, [str(corpus_copy)], embedder)
    reader = IndexReader.open(data_dir)
    plain = Retriever(reader, embedder, feedback=0)
    fed = Retriever(reader, embedder, glossary=plain.glossary)
    assert fed.feedback == retrieval.FEEDBACK_PASSAGES > 0
    for question in ("fathers overlooked in assessments", "how many rapid reviews", "training during lockdown"):
        before = plain.search(question, k=20, dedupe=1.01)
        after = fed.search(question, k=20, dedupe=1.01)
        keep = retrieval.FEEDBACK_KEEP_TOP
        assert [h.chunk.chunk_id for h in after[:keep]] == [h.chunk.chunk_id for h in before[:keep]]
        assert len(after) == len(before)
        # the answer composer's thresholds read the question's own cosine, not the moved query's
        cosine = {h.chunk.chunk_id: h.dense_score for h in before}
        shared = [h for h in after if h.chunk.chunk_id in cosine]
        assert shared and all(h.dense_score == pytest.approx(cosine[h.chunk.chunk_id], abs=1e-5) for h in shared)


def test_number_words_and_digits_are_the_same_term() -> None:
    from index.text import tokenize

    assert tokenize("seven minute briefings") == tokenize("7-minute briefing") == ["7", "minut", "brief"]
    assert "one" in tokenize("no one was told")  # "one" stays a word
    assert tokenize("under 18s") == tokenize("under 18") == ["18"]  # a plural number is the number


def test_reindex_tokenises_only_the_changed_document_and_bm25_is_as_if_rebuilt(
        data_dir: Path, corpus_copy: Path, embedder: CountingEmbedder, monkeypatch: pytest.MonkeyPatch) -> None:
    import index.bm25 as bm25_module
    from index.bm25 import TermCounts

    ingest_sources(data_dir, [str(corpus_copy)], embedder)
    target = corpus_copy / "hsscp-newsletter-2025-26-q3.md"
    target.write_text(target.read_text(encoding="utf-8").replace("December", "January", 1), encoding="utf-8")
    tokenised: list[str] = []
    real_tokenize = bm25_module.tokenize
    monkeypatch.setattr(bm25_module, "tokenize", lambda text: tokenised.append(text) or real_tokenize(text))
    run = ingest_sources(data_dir, [str(corpus_copy)], embedder)
    assert run.updated == 1 and run.unchanged == 1
    assert 0 < len(tokenised) <= 2  # the edited passage (and at most its neighbour), not all 64
    assert all("January" in t for t in tokenised)

    reader = IndexReader.open(data_dir)
    texts = [bm25_text(i.document.title, list(i.chunk.heading_path), i.chunk.text)
             for i in reader.rows(list(range(len(reader))))]
    fresh = BM25.build(texts)
    reused = {t: c for t, c in reader.bm25.vocab.items()}
    assert set(reused) == set(fresh.vocab)
    order = [reused[t] for t in sorted(fresh.vocab, key=fresh.vocab.__getitem__)]
    assert np.allclose(reader.bm25.matrix[:, order].toarray(), fresh.matrix.toarray())
    assert TermCounts.load(gens.current_path(data_dir)) is not None


def test_term_counts_of_another_tokeniser_version_are_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import index.bm25 as bm25_module
    from index.bm25 import TermCounts

    _, counts = BM25.build_counted(["fathers and dads", "missing children"])
    counts.save(tmp_path)
    assert TermCounts.load(tmp_path).counts(0) == counts.counts(0)
    monkeypatch.setattr(bm25_module, "TOKENIZER_VERSION", 999)
    assert TermCounts.load(tmp_path) is None
    (tmp_path / TermCounts.FILE).write_bytes(b"not an npz")
    assert TermCounts.load(tmp_path) is None


def test_reingest_does_not_parse_files_whose_bytes_are_unchanged(
        data_dir: Path, corpus_copy: Path, embedder: CountingEmbedder, monkeypatch: pytest.MonkeyPatch) -> None:
    import ingest.files as files_module
    import ingest.markdown as markdown_module

    ingest_sources(data_dir, [str(corpus_copy)], embedder)
    parsed: list[str] = []
    real = markdown_module.load_markdown
    monkeypatch.setattr(markdown_module, "load_markdown", lambda data, **kw: parsed.append(kw["source"]) or real(data, **kw))
    news = corpus_copy / "hsscp-newsletter-2025-26-q3.md"
    news.write_text(news.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    run = ingest_sources(data_dir, [str(corpus_copy)], embedder)
    assert run.updated == 1 and run.unchanged == 1
    assert parsed == [str(news)]  # the annual report was recognised by its bytes, not parsed
    parsed.clear()
    monkeypatch.setattr(files_module, "LOADER_VERSION", files_module.LOADER_VERSION + 1)
    again = ingest_sources(data_dir, [str(corpus_copy)], embedder)
    assert len(parsed) == 2 and again.unchanged == 2 and again.embedded == 0  # parsed again, same content

"""The Cranfield collection as an outside check on retrieval quality.

1,400 aeronautics abstracts, 225 queries, graded judgements (gain = 5 - code). The project's
own question sets were written beside the code; Cranfield was not, so it shows whether a
retrieval change generalises. The abstracts are indexed through the ordinary IndexWriter
(title and text as one document with one section), and the hybrid ranking of
`Retriever.search` is compared with its own BM25 and dense halves from the same index.

Embedding 1,400 abstracts takes about a minute on a small CPU, so the index is cached in a
data folder under benchmarks/.cache/ keyed by model name and rebuilt only when missing. The
cache is for the embeddings: BM25 is rebuilt from the stored passages whenever the cache is
opened (a second or so), so a change of tokeniser or BM25 constants is always measured.

Tuning protocol: retrieval constants are tuned on the odd query positions (1, 3, ..., 225)
only; the even positions are the held-out check. `python -m assistant.cranfield` prints
both halves and all 225 for the hybrid and its two halves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from assistant.evaluation import mean, ndcg_at_k, recall_at_k
from assistant.retrieval import Retriever
from index.bm25 import BM25
from index.builder import IndexWriter, bm25_text
from index.embedder import Embedder
from index.generations import IndexMissing
from index.reader import IndexReader
from ingest.models import Document, Section

REPO = Path(__file__).resolve().parent.parent
CRANFIELD_DIRS = (REPO / "benchmarks" / "cranfield", REPO.parent / "shared" / "benchmarks" / "cranfield")
CACHE = REPO / "benchmarks" / ".cache"
DEPTH = 100
SOURCE_PREFIX = "cranfield:"


@dataclass(frozen=True)
class Collection:
    """Documents (id, title, text), queries in file order, and graded judgements."""

    docs: list[tuple[str, str, str]]
    queries: list[str]
    qrels: dict[int, dict[str, float]]  # query position (1-based) -> {doc id: gain}


def find_dir() -> Path:
    for d in CRANFIELD_DIRS:
        if (d / "cran.all.1400").is_file():
            return d
    raise FileNotFoundError("Cranfield files not found in " + ", ".join(map(str, CRANFIELD_DIRS)))


def _records(text: str) -> list[dict[str, str]]:
    """Split a Cranfield file into records of {field letter: text}."""
    records: list[dict[str, str]] = []
    current: dict[str, list[str]] = {}
    key = ""
    for line in text.splitlines():
        m = re.match(r"^\.([ITABW])\b\s*(.*)$", line)
        if m:
            if m.group(1) == "I":
                if current:
                    records.append({k: " ".join(" ".join(v).split()) for k, v in current.items()})
                current = {"I": [m.group(2)]}
            key = m.group(1)
            current.setdefault(key, [])
            continue
        if key:
            current[key].append(line)
    if current:
        records.append({k: " ".join(" ".join(v).split()) for k, v in current.items()})
    return records


def load(folder: Path | None = None) -> Collection:
    folder = folder or find_dir()
    docs = [(r["I"], r.get("T", ""), r.get("W", "")) for r in
            _records((folder / "cran.all.1400").read_text(encoding="utf-8", errors="replace"))]
    queries = [r.get("W", "") for r in _records((folder / "cran.qry").read_text(encoding="utf-8", errors="replace"))]
    qrels: dict[int, dict[str, float]] = {}
    for line in (folder / "cranqrel").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        q, doc, code = int(parts[0]), parts[1], int(parts[2])
        if 1 <= code <= 4:
            qrels.setdefault(q, {})[doc] = float(5 - code)
    return Collection(docs, queries, qrels)


def as_documents(collection: Collection) -> list[Document]:
    return [Document(title=title or f"Cranfield {doc_id}", doc_type="article", source=SOURCE_PREFIX + doc_id,
                     sections=(Section((), f"{title}\n\n{text}".strip()),))
            for doc_id, title, text in collection.docs]


def cache_dir(embedder: Embedder) -> Path:
    """One cached index per model and precision: bf16 vectors are not fp32 vectors."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", embedder.name).strip("-")[-60:]
    precision = getattr(embedder, "precision", "")
    return CACHE / (f"cranfield-{slug}" + (f"-{precision}" if precision else ""))


def open_index(embedder: Embedder, collection: Collection, rebuild: bool = False,
               progress: Callable[[int, int], None] | None = None) -> IndexReader:
    """The cached Cranfield index for this model, built first if missing (or asked to)."""
    data_dir = cache_dir(embedder)
    if not rebuild:
        try:
            reader = IndexReader.open(data_dir)
            if reader.manifest.get("model") == embedder.name and len(reader.documents) == len(collection.docs):
                return _fresh_bm25(reader)
        except (IndexMissing, OSError, ValueError):
            pass
    data_dir.mkdir(parents=True, exist_ok=True)
    ignore = CACHE / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    with IndexWriter(data_dir, embedder, progress=progress) as w:
        for doc in as_documents(collection):
            w.upsert(doc)
        w.commit()
    return IndexReader.open(data_dir)


def _fresh_bm25(reader: IndexReader) -> IndexReader:
    """Replace the cached BM25 with one built now from the stored passages, exactly as
    IndexWriter builds it, so the figures follow the current index/text.py and index/bm25.py."""
    infos = reader.rows(list(range(len(reader))))
    reader.bm25 = BM25.build([bm25_text(i.document.title, list(i.chunk.heading_path), i.chunk.text) for i in infos])
    return reader


def _doc_ranking(reader: IndexReader, rows: Sequence[int], depth: int = DEPTH) -> list[str]:
    """Chunk rows to Cranfield doc ids, first occurrence wins (a long abstract has 2 chunks)."""
    out: list[str] = []
    seen: set[str] = set()
    for info in reader.rows([int(r) for r in rows]):
        doc = info.document.source.removeprefix(SOURCE_PREFIX)
        if doc not in seen:
            seen.add(doc)
            out.append(doc)
    return out[:depth]


@dataclass(frozen=True)
class RunScores:
    ndcg10: float
    recall100: float

    def to_json(self) -> dict[str, float]:
        return {"ndcg@10": round(self.ndcg10, 4), "recall@100": round(self.recall100, 4)}


def score_rankings(collection: Collection, rankings: dict[int, list[str]],
                   positions: Sequence[int] | None = None) -> RunScores:
    """nDCG@10 over all 225 queries, or the given 1-based positions (0 for a query without
    judgements), and recall@100."""
    n, r = [], []
    for q in positions or range(1, len(collection.queries) + 1):
        gains = collection.qrels.get(q, {})
        ranked = rankings.get(q, [])
        n.append(ndcg_at_k(ranked, gains, 10))
        r.append(recall_at_k(ranked, gains.keys(), DEPTH))
    return RunScores(mean(n), mean(r))


SPLITS = ("odd", "even", "all")


def split_positions(collection: Collection, split: str) -> list[int]:
    """Query positions of a split: "odd" (1, 3, ...) for tuning, "even" held out, or "all"."""
    every = range(1, len(collection.queries) + 1)
    return [q for q in every if split == "all" or (q % 2 == 1) == (split == "odd")]


def rankings(reader: IndexReader, embedder: Embedder, collection: Collection) -> dict[str, dict[int, list[str]]]:
    """Per system, each query's doc ranking: the hybrid (with its feedback pass), the hybrid
    without feedback, and the hybrid's own BM25 and dense halves on the bare query."""
    retriever = Retriever(reader, embedder)
    plain = Retriever(reader, embedder, glossary=retriever.glossary, feedback=0)
    out: dict[str, dict[int, list[str]]] = {"hybrid": {}, "hybrid_no_feedback": {}, "bm25": {}, "dense": {}}
    qvecs = embedder.embed(collection.queries)
    for q, (text, qvec) in enumerate(zip(collection.queries, qvecs), start=1):
        out["hybrid"][q] = _hits_to_docs(retriever.search(text, k=DEPTH, dedupe=1.01))
        out["hybrid_no_feedback"][q] = _hits_to_docs(plain.search(text, k=DEPTH, dedupe=1.01))
        scores = reader.bm25.search(text)
        top = np.argsort(-scores, kind="stable")[: 2 * DEPTH]
        out["bm25"][q] = _doc_ranking(reader, [int(i) for i in top if scores[i] > 0])
        rows, _ = reader.vectors.search(np.asarray(qvec, dtype=np.float32), 2 * DEPTH)
        out["dense"][q] = _doc_ranking(reader, rows)
    return out


def evaluate(reader: IndexReader, embedder: Embedder, collection: Collection,
             split: str = "all") -> dict[str, RunScores]:
    """The project's hybrid ranking against its own BM25-only and dense-only halves."""
    positions = split_positions(collection, split)
    return {name: score_rankings(collection, r, positions)
            for name, r in rankings(reader, embedder, collection).items()}


def _hits_to_docs(hits) -> list[str]:
    out: list[str] = []
    for h in hits:
        doc = h.document.source.removeprefix(SOURCE_PREFIX)
        if doc not in out:
            out.append(doc)
    return out[:DEPTH]


def dense_scores(doc_vectors: np.ndarray, doc_ids: Sequence[str], query_vectors: np.ndarray,
                 collection: Collection) -> RunScores:
    """Dense-only scores for given document vectors (one per doc): how the bench checks that
    a faster embedding path (int8) keeps retrieval quality."""
    sims = query_vectors @ doc_vectors.T
    rankings = {q + 1: [doc_ids[i] for i in np.argsort(-sims[q], kind="stable")[:DEPTH]]
                for q in range(len(query_vectors))}
    return score_rankings(collection, rankings)


def main() -> None:
    """Print nDCG@10 / recall@100 per system on the odd (tuning), even (held-out) and all queries."""
    from index.embedder import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    collection = load()
    ranked = rankings(open_index(embedder, collection), embedder, collection)
    print(f"{'system':<20}" + "".join(f"{s + ' nDCG@10':>14}{s + ' R@100':>12}" for s in SPLITS))
    for name, r in ranked.items():
        cells = [score_rankings(collection, r, split_positions(collection, s)) for s in SPLITS]
        print(f"{name:<20}" + "".join(f"{c.ndcg10:>14.4f}{c.recall100:>12.4f}" for c in cells))


if __name__ == "__main__":
    main()

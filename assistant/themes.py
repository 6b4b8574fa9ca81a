"""Learning themes across case reviews: find them, group them, answer questions about them.

`catalogue(reader)` reads every indexed chunk once (see assistant.theme_extract) and
knows every review with its passages, years and theme mentions. `group_themes` then puts
the same theme from different reviews under one label: two titles are close when their
meaning is close (the injected embedder) or they share their meaningful words; average
linkage with a threshold, so a single loose pair does not chain unrelated themes.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from assistant import reviews as rv
from assistant.models import Hit
from assistant.theme_extract import ReviewInfo, ThemeMention, scan_documents
from index.embedder import Embedder

GROUP_THRESHOLD = 0.55  # combined similarity (0..1) at or above which titles are one theme
MEANING_WEIGHT = 0.6  # share of the embedder's cosine in the combined similarity
_SMALL_WORDS = frozenset("a an and as at but by for from in into of on or re the to via vs with it".split())
_THEME_QUESTION = re.compile(
    r"\b(learning themes?|themes?|key learning|learning (?:from|points?|arising)|learn(?:ed|t|ings?)?\b|"
    r"lessons?|findings?|key messages?|what did .{1,60}?\bfind|what (?:came|come) out of|led to|lead to|result(?:ed)? in)\b",
    re.I,
)
_TYPE_WORDS = frozenset("lcspr lcsprs scr scrs sar cspr dhr review reviews rapid serious case local child "
                        "safeguarding practice the".split())


@dataclass(frozen=True)
class Review:
    """A review as the indexed documents describe it."""

    name: str
    key: str
    review_type: str | None
    years: tuple[int, ...]
    passages: tuple[Hit, ...]

    def matches(self, query: str) -> bool:
        """'Child M', 'child m lcspr', 'eve' and 'KLOE' all find their reviews."""
        want = [w for w in rv.review_key(query).split() if w not in _TYPE_WORDS]
        have = rv.review_key(self.name).split()
        if not want:
            return False
        return any(have[i:i + len(want)] == want for i in range(len(have) - len(want) + 1))


@dataclass(frozen=True)
class Theme:
    """One learning theme and every review and passage that states it."""

    label: str
    kind: str
    reviews: tuple[str, ...]
    passages: tuple[Hit, ...]
    titles: tuple[str, ...]
    points: tuple[str, ...]
    quotes: tuple[tuple[str, int], ...]  # (words copied from a passage, index into passages)
    review_kinds: tuple[tuple[str, str], ...] = ()  # (review, kind): a theme may be learnt by one, led to by another

    def to_json(self) -> dict[str, object]:
        """The DESIGN.md theme object, plus kind, the member titles and the points."""
        return {
            "theme": self.label, "reviews": list(self.reviews),
            "passages": [h.citation(i + 1) for i, h in enumerate(self.passages)],
            "kind": self.kind, "titles": list(self.titles), "points": list(self.points),
        }


@dataclass(frozen=True)
class Catalogue:
    """Everything review-related in one index generation."""

    reviews: tuple[Review, ...]
    mentions: tuple[ThemeMention, ...]

    def review(self, key: str) -> Review | None:
        return next((r for r in self.reviews if r.key == key), None)

    def find(self, query: str) -> list[Review]:
        return [r for r in self.reviews if r.matches(query)]


def catalogue(reader) -> Catalogue:
    """An IndexReader's reviews and theme mentions: saved beside its generation, or read from
    every document (then saved, so the next process need not read them again)."""
    from assistant import catalogue_file

    saved = catalogue_file.load(reader)
    if saved is not None:
        reviews, mentions = saved
        return Catalogue(tuple(Review(*fields) for fields in reviews), mentions)
    items = [(d, reader.store.chunks_of(d.doc_id)) for d in reader.documents.values()]
    built = build_catalogue(*scan_documents(items))
    catalogue_file.save(reader, built)
    return built


def prepare(data_dir: Path) -> None:
    """Build and save the current generation's catalogue after an index change, so the first
    review question is not the one that waits for it."""
    from index.generations import IndexMissing
    from index.reader import IndexReader

    try:
        reader = IndexReader.open(data_dir)
    except IndexMissing:
        return
    try:
        catalogue(reader)
    finally:
        reader.close()


def build_catalogue(infos: dict[str, ReviewInfo], mentions: Iterable[ThemeMention]) -> Catalogue:
    out = []
    for info in infos.values():
        hits = tuple(Hit(c, d, 1.0) for c, d in sorted(info.chunks.values(), key=lambda p: (p[1].title, p[0].ordinal)))
        out.append(Review(info.display, info.key, info.review_type, tuple(sorted(info.years)), hits))
    out.sort(key=lambda r: (-(max(r.years) if r.years else 0), r.name.lower()))
    return Catalogue(tuple(out), tuple(mentions))


def title_case(text: str) -> str:
    """Capitalise words except small ones; leave acronyms, '1:1' and existing capitals alone."""
    words = text.split(" ")
    out = []
    for i, w in enumerate(words):
        if w and w[0].islower() and (i == 0 or w.lower() not in _SMALL_WORDS):
            w = "-".join(p[:1].upper() + p[1:] if p else p for p in w.split("-"))
        out.append(w)
    return " ".join(out)


def _normal(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


def _overlap(a: set[str], b: set[str]) -> float:
    """Shared meaningful words: mean of containment and of overlap over the longer title."""
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return (shared / min(len(a), len(b)) + shared / max(len(a), len(b))) / 2


_RESOURCE_WORDS = re.compile(
    r"\b(?:procedures?|guidance|training|protocols?|checklists?|toolkits?|pathways?|standards|polic(?:y|ies)|"
    r"strateg(?:y|ies)|documents?|processes|process|(?:a |the )?(?:review|development) of(?: the| existing)?)\b",
    re.I)


def subject(title: str) -> str:
    """What a title is about: 'Neglect training' and 'Neglect' compare as 'Neglect'."""
    return re.sub(r"\s+", " ", _RESOURCE_WORDS.sub(" ", title)).strip(" -/,") or title


def similarity_matrix(titles: Sequence[str], embedder: Embedder | None) -> np.ndarray:
    """Combined similarity: embedder cosine (meaning) blended with shared meaningful words."""
    n = len(titles)
    subjects = [subject(t) for t in titles]
    stems = [rv.content_stems(t) for t in subjects]
    words = np.array([[_overlap(stems[i], stems[j]) for j in range(n)] for i in range(n)],
                     dtype=np.float32).reshape(n, n)  # (0, 0) when a review has no themes
    if embedder is None or n == 0:
        sim = words
    else:
        vec = np.asarray(embedder.embed(subjects), dtype=np.float32)
        cos = np.clip(vec @ vec.T, 0.0, 1.0)
        sim = MEANING_WEIGHT * cos + (1 - MEANING_WEIGHT) * words
    np.fill_diagonal(sim, 1.0)
    return sim


def cluster(sim: np.ndarray, threshold: float = GROUP_THRESHOLD) -> list[list[int]]:
    """Average-linkage agglomerative groups: merge while the closest pair of groups is close enough."""
    n = sim.shape[0]
    if n == 0:
        return []
    if n == 1:
        return [[0]]
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    dist = np.clip(1.0 - (sim + sim.T) / 2.0, 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    tree = linkage(squareform(dist, checks=False), method="average")
    labels = fcluster(tree, t=1.0 - threshold + 1e-9, criterion="distance")
    groups: dict[int, list[int]] = {}
    for i, lab in enumerate(labels):
        groups.setdefault(int(lab), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])


def group_themes(cat: Catalogue, embedder: Embedder | None = None, threshold: float = GROUP_THRESHOLD,
                 mentions: Sequence[ThemeMention] | None = None) -> list[Theme]:
    """Group theme mentions of all (or the given) reviews into labelled themes."""
    mentions = list(cat.mentions if mentions is None else mentions)
    titles = list(dict.fromkeys(_normal(m.title) for m in mentions))
    display = {}
    for m in mentions:
        display.setdefault(_normal(m.title), m.title)
    sim = similarity_matrix([display[t] for t in titles], embedder)
    index = {t: i for i, t in enumerate(titles)}
    names = {r.key: r.name for r in cat.reviews}
    themes = []
    for group in cluster(sim, threshold):
        members = [m for m in mentions if index[_normal(m.title)] in set(group)]
        themes.append(_theme(members, names, sim, index))
    kind_order = {"learning": 0, "topic": 1, "outcome": 2}
    themes.sort(key=lambda t: (kind_order.get(t.kind, 3), -len(t.reviews), -len(t.passages), t.label.lower()))
    return themes


def _theme(members: list[ThemeMention], names: dict[str, str], sim: np.ndarray, index: dict[str, int]) -> Theme:
    counts = Counter(_normal(m.title) for m in members)
    first = {}
    for m in members:
        first.setdefault(_normal(m.title), m.title)
    best = min(counts, key=lambda t: (-counts[t], len(t), t))
    label = title_case(first[best])
    kinds = {m.kind for m in members}
    kind = next(k for k in ("learning", "topic", "outcome") if k in kinds or k == "outcome")
    reviews = tuple(dict.fromkeys(names.get(m.review_key, m.review_key) for m in members))
    hits: dict[str, Hit] = {}
    quotes: list[tuple[str, int]] = []
    for m in members:
        cid = m.chunk.chunk_id
        if cid not in hits:
            score = float(sim[index[_normal(m.title)], index[best]])
            hits[cid] = Hit(m.chunk, m.document, round(score, 4))
        pos = list(hits).index(cid)
        if (m.quote, pos) not in quotes:
            quotes.append((m.quote, pos))
    points = tuple(dict.fromkeys(p for m in members for p in m.points))
    review_kinds = tuple(dict.fromkeys((names.get(m.review_key, m.review_key), m.kind) for m in members))
    return Theme(label, kind, reviews, tuple(hits.values()), tuple(first.values()), points, tuple(quotes),
                 review_kinds)


def filter_mentions(cat: Catalogue, review: str | None = None, year: int | None = None) -> list[ThemeMention]:
    """Mentions of reviews matching a name and/or a year (document date or a year stated with it)."""
    keep = {r.key for r in cat.reviews
            if (review is None or r.matches(review)) and (year is None or year in r.years)}
    return [m for m in cat.mentions if m.review_key in keep]


def learning_themes(reader, embedder: Embedder | None = None, review: str | None = None,
                    year: int | None = None, cat: Catalogue | None = None) -> list[Theme]:
    """The grouped themes of the index, optionally for one review or year."""
    cat = cat or catalogue(reader)
    return group_themes(cat, embedder, mentions=filter_mentions(cat, review, year))


def _question_reviews(question: str, cat: Catalogue) -> list[Review]:
    """Reviews a question names: any known review whose name words appear in it, in order."""
    q = " " + rv.review_key(question) + " "
    found = []
    for r in cat.reviews:
        key = " ".join(w for w in rv.review_key(r.name).split() if w not in _TYPE_WORDS or w == "child")
        short = " ".join(w for w in rv.review_key(r.name).split() if w not in _TYPE_WORDS)
        if (key and f" {key} " in q) or (short and len(short) > 2 and f" {short} " in q):
            found.append(r)
    return found


def answer_themes_question(question: str, reader, embedder: Embedder | None = None,
                           cat: Catalogue | None = None) -> list[Theme] | None:
    """Themes for questions like 'what were the learning themes from the Child M review?'.

    None when the question is not about learning themes; otherwise the themes of the
    reviews it names, or of every review when it names none ('which themes recur?'). An
    empty list means it named no review the index knows, so the caller can fall back to
    ordinary retrieval.
    """
    if not _THEME_QUESTION.search(question):
        return None
    cat = cat or catalogue(reader)
    named = _question_reviews(question, cat)
    if named:
        keys = {r.key for r in named}
        return group_themes(cat, embedder, mentions=[m for m in cat.mentions if m.review_key in keys])
    if rv.find_reviews(question):
        return []  # a review the index does not know
    if re.search(r"\bthemes?\b|\breviews\b|\brecur", question, re.I):
        return group_themes(cat, embedder)
    return None


def format_themes_answer(themes: Sequence[Theme], limit: int = 12) -> tuple[str, list[Hit]]:
    """An extractive answer: one line per theme, its title copied from the passage, with [n].

    Returns the text and the cited hits in [n] order (what Answer.hits expects).
    """
    hits: list[Hit] = []
    lines = []
    for theme in themes[:limit]:
        quote, pos = theme.quotes[0]
        hit = theme.passages[pos]
        ids = [h.chunk.chunk_id for h in hits]
        if hit.chunk.chunk_id in ids:
            n = ids.index(hit.chunk.chunk_id) + 1
        else:
            hits.append(hit)
            n = len(hits)
        lines.append(f"- {quote} [{n}]")
    return "\n".join(lines), hits

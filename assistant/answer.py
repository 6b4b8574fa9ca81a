"""Extractive answers: sentences copied from the retrieved passages, each cited.

Nothing is generated. Candidate sentences (and list items) from the best passages are
scored by meaning (embedding similarity to the question) and by the question's words,
with a nudge for numbers when the question asks for one; the best few are kept in
reading order, each followed by its citation marker. When the evidence is weak the answer
says plainly that the documents do not cover the question.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from assistant.models import Answer, Hit
from assistant.retrieval import Query
from index.embedder import Embedder
from index.text import tokenize
from ingest.chunker import split_sentences

NOT_FOUND = ("The indexed documents do not appear to cover this question. "
             "The closest passages are listed below, but they may not answer it.")
_NUMERIC_Q = re.compile(r"\b(how many|how much|number|numbers|stats?|statistics|figures?|percent|%|"
                        r"proportion|rate|count|total|when|what date|which date|how often|budget|cost)\b", re.I)
_LIST_ITEM = re.compile(r"^\s*(?:[-*•◇➔]|\d+[.)])\s+")
SENTENCE_CACHE = 2048


@dataclass(frozen=True)
class AnswerSettings:
    """Thresholds calibrated for the shipped model on the project's question sets."""

    found_dense: float = 0.45
    found_dense_low: float = 0.30
    found_coverage: float = 0.6
    max_sentences: int = 4
    passages_used: int = 3
    keep_within: float = 0.10


@dataclass(frozen=True)
class Unit:
    """A sentence or list item of a passage, in reading order."""

    hit: int
    position: int
    text: str


def passage_units(text: str) -> list[str]:
    """Sentences and list items, as they stand in the passage (only trimmed)."""
    units: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if _LIST_ITEM.match(line):
            units.append(line)
        else:
            units.extend(split_sentences(line))
    return units


def coverage(query_terms: set[str], text: str) -> float:
    """Share of the question's terms that the text contains."""
    if not query_terms:
        return 0.0
    return len(query_terms & set(tokenize(text))) / len(query_terms)


def _similar(a: str, b: str, threshold: float = 0.7) -> bool:
    sa, sb = set(tokenize(a)), set(tokenize(b))
    return len(sa & sb) / max(1, len(sa | sb)) >= threshold


class Composer:
    """Builds answers; keeps a cache of sentence embeddings across questions."""

    def __init__(self, embedder: Embedder, settings: AnswerSettings = AnswerSettings()) -> None:
        self.embedder = embedder
        self.settings = settings
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def _embed_units(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            for t, v in zip(missing, self.embedder.embed(missing)):
                self._cache[t] = v
            while len(self._cache) > SENTENCE_CACHE:
                self._cache.popitem(last=False)
        return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, self.embedder.dim))

    def is_found(self, query: Query, hits: list[Hit]) -> bool:
        """Strong meaning match, or a fair one that also contains most of the question's words."""
        if not hits:
            return False
        s = self.settings
        best = max(h.dense_score for h in hits[:3])
        terms = set(tokenize(query.text))
        cov = max(coverage(terms, " ".join((h.document.title, h.section, h.chunk.text))) for h in hits[:3])
        return best >= s.found_dense or (best >= s.found_dense_low and cov >= s.found_coverage)

    def select(self, query: Query, qvec: np.ndarray, hits: list[Hit]) -> list[Unit]:
        """The answering sentences, in citation then reading order."""
        units = [Unit(i, p, t) for i, h in enumerate(hits[: self.settings.passages_used])
                 for p, t in enumerate(passage_units(h.chunk.text))]
        units = [u for u in units if len(u.text.split()) >= 4 or re.search(r"\d", u.text)]
        if not units:
            return []
        vecs = self._embed_units([u.text for u in units])
        own = set(tokenize(query.text))
        expanded = set(tokenize(" ".join(query.expansions))) - own
        numeric = bool(_NUMERIC_Q.search(query.text))
        scores = []
        for u, v in zip(units, vecs):
            toks = set(tokenize(u.text))
            lex = (len(own & toks) + 0.5 * len(expanded & toks)) / max(1.0, len(own) + 0.5 * len(expanded))
            score = float(np.dot(qvec, v)) + 0.35 * lex - 0.04 * u.hit
            if numeric and re.search(r"\d", u.text):
                score += 0.08
            scores.append(score)
        order = np.argsort(-np.asarray(scores))
        best = scores[order[0]]
        chosen: list[Unit] = []
        for idx in order:
            if len(chosen) >= self.settings.max_sentences or scores[idx] < best - self.settings.keep_within:
                break
            if any(_similar(units[idx].text, c.text) for c in chosen):
                continue  # reports repeat themselves; say it once
            chosen.append(units[idx])
        chosen = self._with_list_items(chosen, units)
        return sorted(chosen, key=lambda u: (u.hit, u.position))

    def _with_list_items(self, chosen: list[Unit], units: list[Unit]) -> list[Unit]:
        """A chosen sentence that introduces a list brings its items (up to six) along."""
        extra: list[Unit] = []
        keys = {(u.hit, u.position) for u in chosen}
        for u in chosen:
            if u.text.rstrip().endswith(":"):
                items = [x for x in units if x.hit == u.hit and x.position > u.position]
                for x in items[:6]:
                    if not _LIST_ITEM.match(x.text):
                        break
                    if (x.hit, x.position) not in keys:
                        extra.append(x)
                        keys.add((x.hit, x.position))
        return chosen + extra

    def compose(self, question: str, query: Query, qvec: np.ndarray, hits: list[Hit]) -> Answer:
        if not self.is_found(query, hits):
            return Answer(question=question, found=False, answer=NOT_FOUND, hits=tuple(hits),
                          resolved_question=query.text, highlights=tuple(() for _ in hits))
        chosen = self.select(query, qvec, hits)
        lines: list[str] = []
        for u in chosen:
            text = u.text.strip()
            marker = f"[{u.hit + 1}]"
            if _LIST_ITEM.match(text):
                lines.append(f"{text} {marker}")
            elif lines and not _LIST_ITEM.match(lines[-1]) and not lines[-1].endswith(":"):
                lines[-1] = f"{lines[-1]} {text} {marker}"
            else:
                lines.append(f"{text} {marker}")
        highlights = tuple(tuple(u.text for u in chosen if u.hit == i) for i in range(len(hits)))
        return Answer(question=question, found=True, answer="\n".join(lines), hits=tuple(hits),
                      resolved_question=query.text, highlights=highlights)

"""The assistant a CLI run or the app holds: index + model + retriever + composer.

It loads the current index generation once and swaps to a newer one when an
administrator publishes it, without a restart and without disturbing a question that is
being answered against the old one.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from assistant.answer import PROMOTE_DEPTH, AnswerSettings, Composer
from assistant.followup import resolve, split_follow_up
from assistant.models import Answer
from assistant.retrieval import Retriever
from assistant.sentences import FILLER_STEMS
from assistant.spelling import Speller, tidy
from index.embedder import Embedder
from index.reader import IndexReader
from index.text import tokenize

MAX_QUESTION_CHARS = 2000
_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10))


# Only questions that ask for themes as such take the themes route; others retrieve passages.
_THEMES_ASKED = re.compile(
    r"\b(learning themes?|key learning|lessons learn\w*|themes (?:from|of|in|across|arising)|"
    r"what (?:did|have|can|should) (?:we|they|practitioners|professionals) learn\w*|recurring themes|"
    r"themes (?:that )?recur\w*|findings? (?:of|from)|key messages? (?:of|from)|lessons? (?:of|from)|"
    r"what did .{1,60}?\bfind|what (?:was|were) (?:found|learn\w*))\b", re.I)


_REVIEW_WORDS = re.compile(r"\b(learn\w*|lessons?|reviews?|lcsprs?|scrs?|briefings?|child [a-z]{1,4})\b", re.I)
# "What did it find about what the mum told professionals?" asks for one finding, not the list.
_ABOUT = re.compile(r"\b(?:about|regarding|on the subject of)\s+(?P<topic>[^?()]+)", re.I)


def _narrowed(question: str) -> bool:
    """True when the question asks what was found about a topic beyond the review itself."""
    m = _ABOUT.search(question)
    if not m:
        return False
    topic = re.sub(r"\b(?:case|report|incident)s?\b", " ", _REVIEW_WORDS.sub(" ", m.group("topic")), flags=re.I)
    return bool(set(tokenize(topic)) - FILLER_STEMS)


class QuestionError(ValueError):
    """The question cannot be asked as given (empty, for instance)."""


def clean_question(question: str) -> str:
    """Control characters out, whitespace folded, length bounded."""
    text = str(question).encode("utf-8", "replace").decode("utf-8")  # lone surrogates from bad bytes
    text = " ".join(text.translate(_CONTROL).split())
    if not text:
        raise QuestionError("the question is empty")
    return text[:MAX_QUESTION_CHARS]


def _clean_history(history: list[str]) -> list[str]:
    """Earlier questions, cleaned; entries with nothing left after cleaning are dropped."""
    out = []
    for h in history:
        try:
            out.append(clean_question(h))
        except QuestionError:
            continue
    return out


# A partnership's documents are a few thousand passages; on a larger index the speller learns the
# documents' spelling from this many (reading 100,000 passages took seconds on the first typo).
SPELLER_SAMPLE = 5000


class _Loaded:
    """One generation with what is derived from it; the review catalogue is built on first use."""

    def __init__(self, reader: IndexReader, retriever: Retriever) -> None:
        self.reader = reader
        self.retriever = retriever
        self._catalogue = None
        self._speller: Speller | None = None
        self._lock = threading.Lock()

    def speller(self) -> Speller:
        """The words of this generation's passages (the first SPELLER_SAMPLE of them, as for the
        glossary's definitions), read on the first question with a word the index does not know."""
        with self._lock:
            if self._speller is None:
                infos = self.reader.rows(list(range(min(len(self.reader), SPELLER_SAMPLE))))
                self._speller = Speller(f"{i.document.title} {' '.join(i.chunk.heading_path)} {i.chunk.text}" for i in infos)
            return self._speller

    def knows(self, word: str) -> bool:
        """The index has the word (as BM25 stems it)."""
        vocab = self.reader.bm25.vocab
        return all(t in vocab for t in tokenize(word))

    def catalogue(self):
        from assistant.themes import catalogue

        with self._lock:
            if self._catalogue is None:
                self._catalogue = catalogue(self.reader)
            return self._catalogue


class Assistant:
    """Answers questions against the current generation of one data folder."""

    def __init__(self, data_dir: Path, embedder: Embedder, settings: AnswerSettings = AnswerSettings()) -> None:
        self.data_dir = Path(data_dir)
        self.embedder = embedder
        self.composer = Composer(embedder, settings)
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None

    def _current(self) -> _Loaded:
        with self._lock:
            if self._loaded is None or self._loaded.reader.is_stale():
                reader = IndexReader.open(self.data_dir)
                retriever = Retriever(reader, self.embedder)
                if self._loaded is not None:
                    retriever._cache = self._loaded.retriever._cache  # query vectors do not depend on the index
                self._loaded = _Loaded(reader, retriever)
            return self._loaded

    @property
    def reader(self) -> IndexReader:
        return self._current().reader

    def ask(self, question: str, history: list[str] | None = None, k: int = 5,
            doc_types: set[str] | None = None, sources: set[str] | None = None) -> Answer:
        """Answer a question (a follow-up is resolved against `history` first)."""
        text = clean_question(question)
        loaded = self._current()

        def spelt(t: str) -> str:
            return tidy(t, loaded.knows, loaded.speller)

        resolved = resolve(spelt(text), [spelt(h) for h in _clean_history(history or [])])
        themed = self._themes_answer(text, resolved, loaded)
        if themed is not None:
            return themed
        query = loaded.retriever.plan(resolved)
        qvec, svec = loaded.retriever.query_vectors(query)
        k = max(1, k)
        candidates = loaded.retriever.search_planned(query, qvec, k=max(k, PROMOTE_DEPTH), doc_types=doc_types,
                                                     sources=sources, search_vec=svec)
        hits = self.composer.rerank(qvec, candidates[:k], question=split_follow_up(query.text)[0],
                                    idf=loaded.reader.bm25.idf)
        hits = self.composer.promote(query, hits, candidates[k:], loaded.reader.bm25.vocab)
        answer = self.composer.compose(text, query, qvec, hits, idf=loaded.reader.bm25.idf,
                                       vocab=loaded.reader.bm25.vocab)
        return answer

    def _themes_answer(self, question: str, resolved: str, loaded: _Loaded) -> Answer | None:
        """'What were the learning themes from the Child M review?' is answered with the theme list."""
        from assistant.themes import answer_themes_question, format_themes_answer

        if not (_THEMES_ASKED.search(resolved) and _REVIEW_WORDS.search(resolved)) \
                or _narrowed(split_follow_up(resolved)[0]):
            return None
        themes = answer_themes_question(resolved, loaded.reader, self.embedder, cat=loaded.catalogue())
        if not themes:
            return None
        # "Learning themes" means what the reviews taught; what they led to is asked differently.
        learning = [t for t in themes if t.kind == "learning"]
        if not re.search(r"\b(led to|lead to|came out|outcomes?|result\w*)\b", resolved, re.I):
            if not learning:
                return None  # asked what a review taught, and only what it led to is known: search instead
            themes = learning
        text, hits = format_themes_answer(themes)
        highlights = tuple(tuple(line.rsplit(" [", 1)[0].lstrip("- ").strip() for line in text.splitlines()
                                 if line.endswith(f"[{i + 1}]")) for i in range(len(hits)))
        return Answer(question=question, found=True, answer=text, hits=tuple(hits),
                      resolved_question=resolved, highlights=highlights)

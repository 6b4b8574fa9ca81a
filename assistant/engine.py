"""The assistant a CLI run or the app holds: index + model + retriever + composer.

It loads the current index generation once and swaps to a newer one when an
administrator publishes it, without a restart and without disturbing a question that is
being answered against the old one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from assistant.answer import AnswerSettings, Composer
from assistant.followup import resolve
from assistant.models import Answer
from assistant.retrieval import Retriever
from index.embedder import Embedder
from index.reader import IndexReader

MAX_QUESTION_CHARS = 2000
_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10))


class QuestionError(ValueError):
    """The question cannot be asked as given (empty, for instance)."""


def clean_question(question: str) -> str:
    """Control characters out, whitespace folded, length bounded."""
    text = " ".join(str(question).translate(_CONTROL).split())
    if not text:
        raise QuestionError("the question is empty")
    return text[:MAX_QUESTION_CHARS]


@dataclass(frozen=True)
class _Loaded:
    reader: IndexReader
    retriever: Retriever


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
        resolved = resolve(text, [clean_question(h) for h in (history or []) if str(h).strip()])
        loaded = self._current()
        hits = loaded.retriever.search(resolved, k=max(1, k), doc_types=doc_types, sources=sources)
        query = loaded.retriever.plan(resolved)
        qvec = loaded.retriever.embed_query(query.dense_text)
        answer = self.composer.compose(text, query, qvec, hits)
        return answer

"""Operational state that is not part of an index generation: feedback, runs, admin log.

It lives in `<data_dir>/state.sqlite`, outside the generation folders, because it must
survive every re-index: a practitioner's thumbs-down on an answer is evidence about the
index, not part of it. WAL mode lets the app read it while an admin action writes.
Connections are short-lived (one per call), so the Streamlit threads never share one.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping, Sequence

from index.store import now_iso

STATE_FILE = "state.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer_json TEXT NOT NULL,
    citations_json TEXT NOT NULL,
    score INTEGER NOT NULL,
    comment TEXT
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    finished_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    counts_json TEXT NOT NULL,
    failures_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS admin_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Feedback:
    """One thumbs up (score 1) or down (score -1) on an answer, with what was shown."""

    id: int
    created_at: str
    question: str
    answer: dict[str, object]
    citations: list[dict[str, object]]
    score: int
    comment: str | None


@dataclass(frozen=True)
class Run:
    """One ingest, re-index or removal: its counts and each failure with its reason."""

    id: int
    finished_at: str
    kind: str
    counts: dict[str, int]
    failures: list[dict[str, str]]


@dataclass(frozen=True)
class AdminAction:
    id: int
    at: str
    action: str
    detail: str


class StateStore:
    """Typed access to `state.sqlite` in one data folder."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / STATE_FILE

    @contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=10)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(SCHEMA)
            conn.row_factory = sqlite3.Row
            with conn:  # one transaction, committed on success
                yield conn

    # -- feedback ------------------------------------------------------------
    def record_feedback(self, question: str, answer_json: Mapping[str, object] | str,
                        citations_json: Sequence[object] | str, score: int,
                        comment: str | None = None) -> int:
        """Store a rating with the question, the answer and the citations it was given for."""
        if score not in (1, -1):
            raise ValueError("score must be 1 (helpful) or -1 (not helpful)")
        answer = answer_json if isinstance(answer_json, str) else json.dumps(answer_json, ensure_ascii=False)
        cites = citations_json if isinstance(citations_json, str) else json.dumps(list(citations_json), ensure_ascii=False)
        with self._conn() as conn:
            cur = conn.execute(
                "INSERT INTO feedback (created_at, question, answer_json, citations_json, score, comment)"
                " VALUES (?, ?, ?, ?, ?, ?)", (now_iso(), question, answer, cites, int(score), comment))
            return int(cur.lastrowid or 0)

    def list_feedback(self, limit: int = 500) -> list[Feedback]:
        """Newest first."""
        with self._conn() as conn:
            rows = conn.execute("SELECT * FROM feedback ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [Feedback(r["id"], r["created_at"], r["question"], json.loads(r["answer_json"]),
                         json.loads(r["citations_json"]), r["score"], r["comment"]) for r in rows]

    # -- runs ----------------------------------------------------------------
    def record_run(self, kind: str, counts: Mapping[str, int], failures: Sequence[tuple[str, str]]) -> int:
        """Remember a run's counts and failures (source, reason) so the admin page can show them."""
        fails = [{"source": str(s), "reason": str(r)} for s, r in failures]
        with self._conn() as conn:
            cur = conn.execute(
                "INSERT INTO runs (finished_at, kind, counts_json, failures_json) VALUES (?, ?, ?, ?)",
                (now_iso(), kind, json.dumps(dict(counts)), json.dumps(fails, ensure_ascii=False)))
            return int(cur.lastrowid or 0)

    def last_run(self) -> Run | None:
        runs = self.list_runs(limit=1)
        return runs[0] if runs else None

    def list_runs(self, limit: int = 20) -> list[Run]:
        with self._conn() as conn:
            rows = conn.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [Run(r["id"], r["finished_at"], r["kind"], json.loads(r["counts_json"]),
                    json.loads(r["failures_json"])) for r in rows]

    # -- admin log -----------------------------------------------------------
    def log_admin_action(self, action: str, detail: str = "") -> int:
        with self._conn() as conn:
            cur = conn.execute("INSERT INTO admin_log (at, action, detail) VALUES (?, ?, ?)",
                               (now_iso(), action, detail))
            return int(cur.lastrowid or 0)

    def list_admin_actions(self, limit: int = 200) -> list[AdminAction]:
        """Newest first."""
        with self._conn() as conn:
            rows = conn.execute("SELECT * FROM admin_log ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [AdminAction(r["id"], r["at"], r["action"], r["detail"]) for r in rows]

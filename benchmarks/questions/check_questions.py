#!/usr/bin/env python3
"""Check every question set over the shipped corpus (or the files named) against it.

Every evidence string must occur, case-insensitively and after removing `**` markers and
collapsing whitespace, inside one body block of a corpus/*.md file: a paragraph or a single
list item, table row or quote line (front matter and heading lines excluded). Every key fact must occur in a section (text between headings)
that contains one of the question's evidence strings. Prints each problem and exits 1 if
there is any. Usage: python3 benchmarks/questions/check_questions.py [FILE.jsonl ...]
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "corpus"
FRONT = re.compile(r"\A---[ \t]*\n.*?\n---[ \t]*\n", re.S)
HEADING = re.compile(r"^#{1,6}\s")
BLOCK_START = re.compile(r"^\s*(?:[-*+]\s|\d+[.)]\s|\||>)")
KINDS = {"everyday", "terse", "precise", "followup", "unanswerable"}
MIN_QUESTIONS, MIN_FOLLOWUPS, MIN_UNANSWERABLE = 70, 10, 12


def norm(text: str) -> str:
    text = text.replace("**", "").replace("\\*", "*")
    return re.sub(r"\s+", " ", text).strip().lower()


def load_sections() -> list[tuple[str, list[str]]]:
    """(document name, normalised body blocks) for each heading-delimited section."""
    sections: list[tuple[str, list[str]]] = []
    for path in sorted(CORPUS.glob("*.md")):
        body = FRONT.sub("", path.read_text(encoding="utf-8"), count=1)
        blocks: list[str] = []
        buf: list[str] = []

        def end_block() -> None:
            if buf:
                blocks.append(norm(" ".join(buf)))
                buf.clear()

        for line in body.splitlines() + ["# end"]:
            if HEADING.match(line):
                end_block()
                if blocks:
                    sections.append((path.name, blocks))
                blocks = []
            elif not line.strip():
                end_block()
            else:
                if BLOCK_START.match(line):
                    end_block()
                buf.append(line)
    return sections


def check_record(rec: dict, sections, seen_ids: set[str]) -> list[str]:
    problems: list[str] = []
    qid = rec.get("id", "?")
    for key, typ in (("id", str), ("question", str), ("history", list), ("answerable", bool),
                     ("evidence", list), ("key_facts", list)):
        if not isinstance(rec.get(key), typ):
            problems.append(f"{qid}: field {key!r} missing or not {typ.__name__}")
    if problems:
        return problems
    if qid in seen_ids:
        problems.append(f"{qid}: duplicate id")
    seen_ids.add(qid)
    if not rec["question"].strip():
        problems.append(f"{qid}: empty question")
    if not all(isinstance(h, str) and h.strip() for h in rec["history"]):
        problems.append(f"{qid}: history must hold non-empty strings")
    if "kind" in rec and rec["kind"] not in KINDS:
        problems.append(f"{qid}: unknown kind {rec['kind']!r}")
    if not rec["answerable"]:
        if rec["evidence"] or rec["key_facts"]:
            problems.append(f"{qid}: unanswerable question must have empty evidence and key_facts")
        return problems
    if not rec["evidence"]:
        problems.append(f"{qid}: answerable question without evidence")
    if not rec["key_facts"]:
        problems.append(f"{qid}: answerable question without key_facts")
    matched_sections = []
    for ev in rec["evidence"]:
        if not isinstance(ev, str):
            problems.append(f"{qid}: evidence {ev!r} is not a string")
            continue
        if "**" in ev:
            problems.append(f"{qid}: evidence {ev!r} spans Markdown emphasis")
        n = norm(ev)
        if not 20 <= len(n) <= 80:
            problems.append(f"{qid}: evidence {ev!r} is {len(n)} characters (want 20-80)")
        hits = [s for s in sections if any(n in line for line in s[1])]
        if not hits:
            problems.append(f"{qid}: evidence not found in any corpus body block: {ev!r}")
        matched_sections.extend(hits)
    for fact in rec["key_facts"]:
        if not isinstance(fact, str) or not fact.strip():
            problems.append(f"{qid}: key fact {fact!r} is empty or not a string")
            continue
        if matched_sections and not any(norm(fact) in " ".join(s[1]) for s in matched_sections):
            problems.append(f"{qid}: key fact {fact!r} not in any section holding its evidence")
    return problems


def main(argv: list[str]) -> int:
    # site.jsonl is over the crawler fixture site, not corpus/: it is checked by its own tests.
    files = [Path(a) for a in argv] or sorted(p for p in HERE.glob("*.jsonl") if p.name != "site.jsonl")
    sections = load_sections()
    if not sections:
        print(f"no corpus found under {CORPUS}")
        return 1
    problems: list[str] = []
    for path in files:
        records = []
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                problems.append(f"{path.name}:{lineno}: invalid JSON ({exc})")
        seen: set[str] = set()
        for rec in records:
            problems.extend(f"{path.name}: {p}" for p in check_record(rec, sections, seen))
        followups = sum(1 for r in records if r.get("history"))
        unanswerable = sum(1 for r in records if r.get("answerable") is False)
        if len(records) < MIN_QUESTIONS:
            problems.append(f"{path.name}: {len(records)} questions (want at least {MIN_QUESTIONS})")
        if followups < MIN_FOLLOWUPS:
            problems.append(f"{path.name}: {followups} follow-ups (want at least {MIN_FOLLOWUPS})")
        if unanswerable < MIN_UNANSWERABLE:
            problems.append(f"{path.name}: {unanswerable} unanswerable (want at least {MIN_UNANSWERABLE})")
        kinds: dict[str, int] = {}
        for r in records:
            kinds[r.get("kind", "-")] = kinds.get(r.get("kind", "-"), 0) + 1
        print(f"{path.name}: {len(records)} questions, {followups} follow-ups, "
              f"{unanswerable} unanswerable; kinds {dict(sorted(kinds.items()))}")
    for p in problems:
        print(p)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

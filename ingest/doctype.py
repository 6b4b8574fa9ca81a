"""Infer a document type from its title and location when nobody declared one.

Practitioners filter by type ("only procedures"), so a crawled page or a dropped-in file
needs a sensible type even without front matter. The rules are ordered: the first that
matches wins, most specific first.
"""

from __future__ import annotations

import re

DOC_TYPES: tuple[str, ...] = (
    "procedure",
    "briefing",
    "case-review",
    "newsletter",
    "annual-report",
    "report",
    "guidance",
    "document",
)

_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("briefing", re.compile(r"7[\s_-]*minute|seven[\s_-]*minute|briefing", re.I)),
    ("case-review", re.compile(r"\b(lcspr|scr|serious[\s_-]*case|practice[\s_-]*review|rapid[\s_-]*review)\b", re.I)),
    ("newsletter", re.compile(r"newsletter|bulletin", re.I)),
    ("annual-report", re.compile(r"annual[\s_-]*report", re.I)),
    ("procedure", re.compile(r"procedure|protocol|chapter|/p_|pathway", re.I)),
    ("guidance", re.compile(r"guidance|guide|toolkit|checklist", re.I)),
    ("report", re.compile(r"report|audit|review", re.I)),
)


def infer_doc_type(title: str, location: str = "") -> str:
    """Return the first matching type for the title, then the path or URL, else 'document'."""
    for text in (title, location):
        for doc_type, pattern in _RULES:
            if text and pattern.search(text):
                return doc_type
    return "document"

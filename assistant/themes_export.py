"""Theme tables and passages as CSV and Markdown, for a trainer's training pack.

Plain functions over `Theme` objects, shared by the CLI and the app page, so exports are
tested without Streamlit. Document text is escaped for Markdown: a passage can never
inject links, HTML or formatting into the pack.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Sequence

from assistant.themes import Review, Theme

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|>~])")


def escape_md(text: str) -> str:
    """Markdown-safe text: special characters backslash-escaped, HTML brackets as entities."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def theme_rows(themes: Sequence[Theme]) -> list[dict[str, object]]:
    """One row per theme: what the counts table shows."""
    return [{"theme": t.label, "kind": t.kind, "reviews": len(t.reviews), "review_names": "; ".join(t.reviews),
             "passages": len(t.passages)} for t in themes]


def passage_rows(themes: Sequence[Theme]) -> list[dict[str, object]]:
    """One row per cited passage of each theme."""
    rows = []
    for t in themes:
        for c in (h.citation(i + 1) for i, h in enumerate(t.passages)):
            rows.append({"theme": t.label, "rank": c["rank"], "document": c["title"], "section": c["section"],
                         "page": c["page"] or "", "url": c["url"] or "", "source": c["source"], "text": c["text"]})
    return rows


def review_matrix(themes: Sequence[Theme]) -> tuple[list[str], list[list[int]]]:
    """Themes by reviews: the review names (columns) and per theme a 0/1 row."""
    names = list(dict.fromkeys(r for t in themes for r in t.reviews))
    return names, [[int(n in t.reviews) for n in names] for t in themes]


def to_csv(rows: Sequence[dict[str, object]]) -> str:
    """CSV text with a header; formula-looking cells are quoted so spreadsheets do not run them."""
    if not rows:
        return ""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("'" + v if isinstance(v, str) and v[:1] in "=+-@" else v) for k, v in row.items()})
    return buf.getvalue()


def to_markdown(themes: Sequence[Theme], title: str = "Learning themes from case reviews") -> str:
    """A training-pack Markdown file: the counts table, then each theme's passages cited."""
    lines = [f"# {escape_md(title)}", "", "| Theme | Reviews | Named reviews |", "|---|---:|---|"]
    for t in themes:
        lines.append(f"| {escape_md(t.label)} | {len(t.reviews)} | {escape_md('; '.join(t.reviews))} |")
    for t in themes:
        lines += ["", f"## {escape_md(t.label)}", "", f"Reviews: {escape_md('; '.join(t.reviews))}", ""]
        for i, h in enumerate(t.passages, start=1):
            c = h.citation(i)
            where = " > ".join(p for p in (str(c["title"]), str(c["section"])) if p)
            page = f", page {c['page']}" if c["page"] else ""
            quoted = "\n".join("> " + escape_md(line) if line.strip() else ">" for line in str(c["text"]).splitlines())
            lines += [f"[{i}] {escape_md(where)}{page}", "", quoted, ""]
    return "\n".join(lines).rstrip() + "\n"


def review_rows(reviews: Sequence[Review], themes: Sequence[Theme]) -> list[dict[str, object]]:
    """One row per review: its years, its themes and what it led to."""
    rows = []
    for r in reviews:
        learned = [t.label for t in themes if any(n == r.name and k != "outcome" for n, k in t.review_kinds)]
        led_to = [t.label for t in themes if (r.name, "outcome") in t.review_kinds and t.label not in learned]
        rows.append({"review": r.name, "type": r.review_type or "", "years": ", ".join(map(str, r.years)),
                     "themes": "; ".join(learned), "led_to": "; ".join(led_to), "passages": len(r.passages)})
    return rows

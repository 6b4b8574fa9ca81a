"""Pure text helpers for the app: escaping document text, highlighting, Markdown export.

Kept free of Streamlit so they can be unit-tested directly. Document text is never
trusted: it is HTML-escaped before any markup (the <mark> around an answering sentence)
is added, and Markdown-escaped where it is shown through st.markdown.
"""

from __future__ import annotations

import html
import re
from typing import Iterable, Mapping, Sequence

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~>$-])")
_BULLET = re.compile(r"^(\s*)([-*•]|\d+[.)])\s+")
_MARKER = re.compile(r"\\\[(\d+)\\\]")


def md_escape(text: str) -> str:
    """Text shown literally by st.markdown: no links, images, HTML or emphasis from it."""
    return _MD_SPECIAL.sub(r"\\\1", text)


# A web address the documents give ("<https://www.teescpp.org.uk/>", "www.x.gov.uk"), with only
# characters that cannot end a code span.
_WEB_ADDRESS = re.compile(r"<?((?:https?://|www\.)[A-Za-z0-9._~:/?#@!$&*+,;=%-]+)>?")


def escape_keeping_addresses(text: str) -> str:
    """md_escape, except that a web address is shown as code: escaped, Markdown's autolinks would
    still link it with the escapes inside ("...org.uk/\\>"); as code it reads and copies cleanly
    and, like the rest of a document's text, is not a live link (the citation's link is)."""
    out: list[str] = []
    pos = 0
    for m in _WEB_ADDRESS.finditer(text):
        address = m.group(1).rstrip(".,;:!?")
        out.append(md_escape(text[pos:m.start()]) + f"`{address}`" + md_escape(m.group(1)[len(address):]))
        pos = m.end()
    return "".join(out) + md_escape(text[pos:])


def answer_markdown(answer: str) -> str:
    """An answer's text as safe Markdown: list items stay a list, a remark the document quotes a
    quote, citation markers bold, web addresses as code."""
    out: list[str] = []
    for line in answer.splitlines():
        if not line.strip():
            continue
        m = _BULLET.match(line)
        if m:
            out.append(f"- {escape_keeping_addresses(line[m.end():])}")
        elif line.lstrip().startswith(">"):  # a remark the document quotes ("> It gave great insight"): a quote
            if out:
                out.append("")
            out.extend((f"> {escape_keeping_addresses(line.lstrip()[1:].strip())}", ""))
        else:
            if out:
                out.append("")
            out.append(escape_keeping_addresses(line.strip()))
            out.append("")
    return _MARKER.sub(r"**[\1]**", "\n".join(out).strip())


def _pattern(sentence: str) -> re.Pattern[str] | None:
    words = html.escape(_BULLET.sub("", sentence.strip(), count=1)).split()
    if not words:
        return None
    return re.compile(r"\s+".join(re.escape(w) for w in words))


def highlight_html(passage: str, sentences: Iterable[str]) -> str:
    """The passage HTML-escaped, answering sentences wrapped in <mark>, line breaks kept.

    Returned on one line (<br> for newlines) so Markdown never re-parses any of it.
    """
    escaped = html.escape(passage)
    spans: list[tuple[int, int]] = []
    for sentence in sentences:
        pattern = _pattern(sentence)
        m = pattern.search(escaped) if pattern else None
        if m and not any(s < m.end() and m.start() < e for s, e in spans):
            spans.append((m.start(), m.end()))
    out, pos = [], 0
    for start, end in sorted(spans):
        out.append(escaped[pos:start])
        out.append(f"<mark>{escaped[start:end]}</mark>")
        pos = end
    out.append(escaped[pos:])
    body = "".join(out).strip()
    return re.sub(r"\s*\n\s*", "<br>", body)


def citation_meta(cite: Mapping[str, object]) -> list[str]:
    """The facts under a source card's title: type, section, page, date."""
    parts = [str(cite.get("doc_type") or "document").replace("-", " ")]
    if cite.get("section"):
        parts.append(f"Section: {cite['section']}")
    if cite.get("page"):
        parts.append(f"Page {cite['page']}")
    if cite.get("date"):
        parts.append(f"Dated {cite['date']}")
    return parts


def conversation_markdown(messages: Sequence[Mapping[str, object]]) -> str:
    """The conversation as a Markdown file, each answer followed by its numbered sources."""
    out = ["# Guidance Assistant conversation", ""]
    for msg in messages:
        if msg["role"] == "user":
            out += [f"## Q: {msg['content']}", ""]
            continue
        data = msg["answer"]
        if not data.get("found"):
            out += ["> Not covered by the indexed documents.", ""]
        out += [str(data.get("answer", "")), ""]
        cites = data.get("citations") or []
        if cites:
            out += ["Sources:" if data.get("found") else "Closest passages:", ""]
        for c in cites:
            where = c.get("url") or c.get("source")
            meta = ", ".join(citation_meta(c))
            out.append(f"{c['rank']}. {c['title']} ({meta}) <{where}>")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def safe_filename(name: str, default: str = "upload") -> str:
    """A bare, safe file name: no folders, no traversal, no leading dots, bounded length."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^A-Za-z0-9._ -]", "_", base).strip(" .")
    base = re.sub(r"\.{2,}", ".", base)
    if not base:
        base = default
    stem, dot, ext = base.rpartition(".")
    if dot and len(ext) <= 8:
        return f"{stem[:120]}.{ext}" if stem else f"{default}.{ext}"
    return base[:128]


def when(stamp: str | None) -> str:
    """An ISO timestamp as people read it: '2026-01-15 09:30 UTC'."""
    if not stamp:
        return "never"
    text = stamp.replace("T", " ")
    if text.endswith("+00:00"):
        text = text[:-6]
        return f"{text[:16]} UTC"
    return text[:16]

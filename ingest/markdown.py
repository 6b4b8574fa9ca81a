"""Markdown and plain-text loading: front matter for metadata, headings for sections."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ingest.doctype import infer_doc_type
from ingest.models import Document, LoadError, Section
from ingest.textblocks import split_headed_blocks

_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n", re.S)
_ATX = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_DEAD_LINK = re.compile(r"\[([^\]]+)\]\((?:#|\s*)\)")
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+|mailto:[^)\s]+)\)")
_HTML_TAG = re.compile(r"</?(?:b|i|em|strong|br|span|u|sup|sub)\s*/?>", re.I)


def clean_inline(text: str) -> str:
    """Drop link targets that point nowhere and stray inline HTML; keep readable text."""
    text = _DEAD_LINK.sub(r"\1", text)
    text = _LINK.sub(lambda m: m.group(1) if m.group(1) == m.group(2) else f"{m.group(1)} ({m.group(2)})", text)
    text = _HTML_TAG.sub("", text)
    text = text.replace("\\*", "*").replace("\\_", "_")
    return text


def _strip_emphasis(text: str) -> str:
    return re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)


def parse_front_matter(text: str, source: str) -> tuple[dict[str, object], str]:
    """Split YAML front matter from the body; bad YAML is an error naming the file."""
    m = _FRONT.match(text)
    if not m:
        return {}, text
    try:
        meta = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError as exc:
        raise LoadError(source, f"invalid front matter ({exc.__class__.__name__})") from exc
    if not isinstance(meta, dict):
        raise LoadError(source, "front matter is not a mapping of keys to values")
    return meta, text[m.end():]


def markdown_sections(body: str, title: str) -> tuple[list[Section], str | None]:
    """Sections by ATX heading; the first level-1 heading is returned as a title candidate."""
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    buf: list[str] = []
    first_h1: str | None = None
    in_code = False

    def path() -> tuple[str, ...]:
        return tuple(h for _, h in stack)

    def flush() -> None:
        text = "\n".join(buf).strip()
        buf.clear()
        if text:
            sections.append(Section(heading_path=path(), text=_strip_emphasis(clean_inline(text))))

    for line in body.splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
        m = None if in_code else _ATX.match(line)
        if m:
            flush()
            level = len(m.group(1))
            heading = _strip_emphasis(clean_inline(m.group(2))).strip()
            if level == 1 and first_h1 is None:
                first_h1 = heading
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, heading))
        else:
            buf.append(line)
    flush()
    return sections, first_h1


def decode_text(data: bytes, source: str) -> str:
    """UTF-8 (with BOM) first, then a detected legacy encoding; binary junk is refused."""
    if b"\x00" in data[:8192]:
        raise LoadError(source, "binary data, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise LoadError(source, "undecodable text (not UTF-8 and no known encoding fits)")
    text = str(best)
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > max(5, len(text) // 100):
        raise LoadError(source, "binary data, not text")
    return text


def load_markdown(
    data: bytes,
    *,
    source: str,
    doc_type: str | None = None,
    registered_source: str | None = None,
) -> Document:
    """Load Markdown (or plain text when it has no headings)."""
    text = decode_text(data, source).replace("\r\n", "\n")
    meta, body = parse_front_matter(text, source)
    fallback = Path(source).stem.replace("-", " ").replace("_", " ")
    sections, h1 = markdown_sections(body, fallback)
    title = str(meta.get("title") or h1 or fallback).strip()
    if not any(s.text.strip() for s in sections):
        raise LoadError(source, "no readable text")
    date = meta.get("date")
    return Document(
        title=title,
        doc_type=str(doc_type or meta.get("doc_type") or infer_doc_type(title, source)),
        source=source,
        sections=tuple(sections),
        url=str(meta["url"]) if meta.get("url") else None,
        date=str(date) if date else None,
        publisher=str(meta["publisher"]) if meta.get("publisher") else None,
        registered_source=registered_source,
    )


def load_text(
    data: bytes,
    *,
    source: str,
    doc_type: str | None = None,
    registered_source: str | None = None,
) -> Document:
    """Plain text: headings guessed from short title-like lines."""
    text = decode_text(data, source)
    title = Path(source).stem.replace("-", " ").replace("_", " ")
    sections: list[Section] = []
    path: tuple[str, ...] = ()
    for heading, body in split_headed_blocks(text):
        if heading:
            path = (heading,)
        if body.strip():
            sections.append(Section(heading_path=path, text=body.strip()))
    if not sections:
        raise LoadError(source, "no readable text")
    if sections[0].heading_path and len(sections[0].heading_path[0]) > 8:
        title = sections[0].heading_path[0]
    return Document(
        title=title,
        doc_type=doc_type or infer_doc_type(title, source),
        source=source,
        sections=tuple(sections),
        registered_source=registered_source,
    )

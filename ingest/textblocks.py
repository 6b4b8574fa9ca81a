"""Heading detection for text that lost its markup (PDF pages, plain text files).

A line counts as a heading when it is short, has no closing full stop, starts with a
capital or digit, and is followed by body text. This is deliberately conservative: a
missed heading only costs context, a false one splits a paragraph.
"""

from __future__ import annotations

import re

_HEADING = re.compile(r"^(?:\d+(?:\.\d+)*\.?\s+)?[A-Z0-9][^\n]{1,80}$")


def _is_heading(line: str, next_line: str | None) -> bool:
    s = line.strip()
    if not s or len(s) > 80 or len(s.split()) > 12:
        return False
    if s.endswith((".", ",", ";", ":")) and not s.isupper():
        return False
    if s.startswith(("-", "*", "•", "–")):
        return False
    if not _HEADING.match(s):
        return False
    if next_line is None or not next_line.strip():
        return s.isupper() or s.istitle()
    return True


def _looks_titled(line: str) -> bool:
    """Most words capitalised: how a heading looks when no blank line sets it apart."""
    words = [w for w in re.findall(r"[A-Za-z][\w'-]*", line) if len(w) > 3]
    return bool(words) and sum(w[0].isupper() for w in words) >= max(1, 0.6 * len(words))


def split_headed_blocks(text: str) -> list[tuple[str | None, str]]:
    """Split text into (heading or None, body) blocks in reading order."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[tuple[str | None, list[str]]] = [(None, [])]
    for i, line in enumerate(lines):
        nxt = next((l for l in lines[i + 1:] if l.strip()), None)
        prev = lines[i - 1].strip() if i else ""
        boundary = not prev or (prev.endswith((".", "!", "?", ":")) and _looks_titled(line))
        if boundary and _is_heading(line, nxt) and nxt is not None:
            blocks.append((line.strip(), []))
        else:
            blocks[-1][1].append(line)
    out = []
    for heading, body in blocks:
        joined = "\n".join(body).strip()
        if heading or joined:
            out.append((heading, joined))
    return out

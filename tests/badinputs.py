"""Malformed inputs generated at test time, each with the reason the loader must give.

Nothing is checked in: every case is written into a temporary folder when a test asks, so
the fixture set can be large (a 50 MB sparse file, a 3000-page PDF) without weighing on
the repository. `BadInput.reason` is a substring the error message must contain, so a
test asserts the *right* reason is given, not merely that something failed.
"""

from __future__ import annotations

import io
import os
import random
import socket
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfWriter

from tests.pdfs import BRIEFING_PAGES, make_blank_pdf, make_pdf


@dataclass(frozen=True)
class BadInput:
    """One input that must fail: what to pass on the command line and why it fails."""

    name: str
    source: str
    reason: str


def good_markdown(folder: Path, name: str, topic: str) -> Path:
    """A small valid document whose text names `topic` (so it can be found again)."""
    path = folder / f"{name}.md"
    path.write_text(f"# {topic.title()} procedure\n\nPractitioners follow the {topic} procedure and record "
                    f"every {topic} concern the same day, then tell the designated safeguarding lead.\n",
                    encoding="utf-8")
    return path


def _valid_pdf_bytes(tmp: Path) -> bytes:
    return make_pdf(tmp / "_valid.pdf", BRIEFING_PAGES, title="Valid briefing").read_bytes()


def blank_pdf_bytes(pages: int) -> bytes:
    """Thousands of empty pages, quickly (pypdf shares one page object layout)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=72, height=72)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _junk(seed: int, size: int = 4096) -> bytes:
    return random.Random(seed).randbytes(size)


def sparse_file(path: Path, size: int) -> Path:
    """A file of `size` bytes written in no time: a hole, then a line of text."""
    with open(path, "wb") as fh:
        fh.truncate(size - 32)
        fh.seek(size - 32)
        fh.write(b"# tail\n\nsome text at the end.\n".ljust(32, b" "))
    return path


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bad_files(folder: Path, running_as_root: bool | None = None) -> list[BadInput]:
    """Write every malformed local input into `folder`; returns them with their reasons."""
    folder.mkdir(parents=True, exist_ok=True)
    root = os.geteuid() == 0 if running_as_root is None else running_as_root
    valid_pdf = _valid_pdf_bytes(folder)
    (folder / "_valid.pdf").unlink()
    cases: list[BadInput] = []

    def write(name: str, data: bytes, reason: str) -> None:
        (folder / name).write_bytes(data)
        cases.append(BadInput(name, str(folder / name), reason))

    # PDFs
    write("truncated.pdf", valid_pdf[: len(valid_pdf) // 3], "PDF")
    write("corrupt.pdf", b"%PDF-1.7\n" + _junk(1, 8000), "PDF")
    write("header-only.pdf", b"%PDF-1.4\n%%EOF\n", "PDF")
    enc = make_pdf(folder / "encrypted.pdf", BRIEFING_PAGES, title="Secret", user_password="s3cret")
    cases.append(BadInput("encrypted.pdf", str(enc), "encrypted PDF"))
    write("thousands-of-pages.pdf", blank_pdf_bytes(3000), "too many pages")
    blank = make_blank_pdf(folder / "scanned.pdf", pages=3)
    cases.append(BadInput("scanned.pdf", str(blank), "no extractable text"))
    write("html-named.pdf", b"<html><body><p>Not a PDF at all, just a web page.</p></body></html>", "not a PDF")
    # zero-byte files of every type
    for ext in ("md", "txt", "html", "pdf"):
        write(f"zero.{ext}", b"", "empty file")
    # binary junk named as documents
    write("junk.html", _junk(2), "binary data")
    write("junk.md", _junk(3), "binary data")
    write("junk.txt", b"\x00\x01\x02" + _junk(4), "binary data")
    write("junk.pdf", _junk(5), "not a PDF")
    write("pdf-named.html", valid_pdf, "not HTML (the data is a PDF)")
    write("elf-named.md", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64 + _junk(6, 2000), "binary data")
    # encodings and empty content
    write("invalid-utf8.md", bytes(range(0x80, 0x100)) * 40, "undecodable text")
    write("invalid-utf8.txt", bytes(range(0x80, 0x100)) * 40, "undecodable text")
    write("whitespace.md", b"   \n\n\t  \n", "no readable text")
    write("front-matter-only.md", b"---\ntitle: Nothing here\n---\n", "no readable text")
    write("bad-front-matter.md", b"---\ntitle: [unclosed\n  : : :\n---\n\n# Body\n\nText.\n", "invalid front matter")
    write("scripts-only.html", b"<html><head><style>p{color:red}</style><script>var x = 1;</script></head>"
          b"<body><script>document.write('hello world from a script')</script><style>.a{}</style></body></html>",
          "no readable text")
    write("empty-body.html", b"<html><head><title>Only a title</title></head><body></body></html>",
          "no readable text")
    # too big (sparse: exceeds the 25 MB limit without writing 50 MB)
    big = sparse_file(folder / "huge.txt", 50 * 1024 * 1024)
    cases.append(BadInput("huge.txt", str(big), "file too large"))
    big_md = sparse_file(folder / "huge.md", 26 * 1024 * 1024)
    cases.append(BadInput("huge.md", str(big_md), "file too large"))
    # file-system oddities
    loop = folder / "loop.md"
    loop.symlink_to(loop)
    cases.append(BadInput("loop.md", str(loop), "cannot read"))
    pair_a, pair_b = folder / "pair-a.md", folder / "pair-b.md"
    pair_a.symlink_to(pair_b)
    pair_b.symlink_to(pair_a)
    cases.append(BadInput("pair-a.md", str(pair_a), "cannot read"))
    dangling = folder / "dangling.md"
    dangling.symlink_to(folder / "no-such-target.md")
    cases.append(BadInput("dangling.md", str(dangling), "no such file"))
    if root:
        # chmod 000 does not stop root; a FIFO is a file the loader must not block on
        fifo = folder / "fifo.md"
        os.mkfifo(fifo)
        cases.append(BadInput("fifo.md", str(fifo), "not a regular file"))
    else:
        locked = folder / "unreadable.md"
        locked.write_text("# Locked\n\nThis file cannot be read by anyone.\n")
        locked.chmod(0)
        cases.append(BadInput("unreadable.md", str(locked), "cannot read"))
    cases.append(BadInput("missing.md", str(folder / "does-not-exist.md"), "no such file or folder"))
    cases.append(BadInput("missing-folder", str(folder / "no-such-folder"), "no such file or folder"))
    write("notes.docx", b"PK\x03\x04" + _junk(7, 500), "unsupported file type")
    # refused schemes (they never reach the network)
    cases.append(BadInput("ftp", "ftp://127.0.0.1/procedures/", "unsupported scheme"))
    cases.append(BadInput("file-url", "file:///etc/passwd", "unsupported scheme"))
    return cases


def deep_html(levels: int = 100_000) -> bytes:
    """Deeply nested divs around one real paragraph (a parser-recursion trap)."""
    return (b"<html><body>" + b"<div>" * levels
            + b"<p>Deeply nested guidance: record every concern about a child the same day.</p>"
            + b"</div>" * levels + b"</body></html>")

"""Generation folders and the atomic pointer that says which one is current.

Layout of a data folder:
    CURRENT                    name of the live generation (replaced atomically)
    generations/gen-00000007/  store.sqlite, vectors.faiss, bm25.npz, ids.npy, manifest.json
    state.sqlite               feedback and run log (not generational)
    write.lock                 held by the one writer at a time

A build writes into `gen-N.tmp-PID`, fsyncs, renames it to `gen-N`, then replaces CURRENT.
A crash before the last step leaves CURRENT on the previous, complete generation.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

KEEP_GENERATIONS = 3
POINTER = "CURRENT"


class IndexMissing(Exception):
    """No index has been built in this data folder yet."""


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Temporary file in the same folder, fsync, then os.replace: never half-written."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def generations_dir(data_dir: Path) -> Path:
    return data_dir / "generations"


def current_name(data_dir: Path) -> str | None:
    try:
        name = (data_dir / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def current_path(data_dir: Path) -> Path:
    name = current_name(data_dir)
    if name is None:
        raise IndexMissing(f"{data_dir}: no index yet (run 'guidance ingest' first)")
    path = generations_dir(data_dir) / name
    if not (path / "manifest.json").is_file():
        raise IndexMissing(f"{path}: current generation is missing its manifest")
    return path


def read_manifest(gen: Path) -> dict[str, object]:
    return json.loads((gen / "manifest.json").read_text(encoding="utf-8"))


@contextmanager
def write_lock(data_dir: Path) -> Iterator[None]:
    """One writer at a time per data folder; readers never take it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "write.lock", "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def next_number(data_dir: Path) -> int:
    numbers = [0]
    for p in generations_dir(data_dir).glob("gen-*"):
        head = p.name[4:].split(".", 1)[0]
        if head.isdigit():
            numbers.append(int(head))
    return max(numbers) + 1


def new_build_folder(data_dir: Path) -> tuple[Path, Path]:
    """(temporary folder to build in, final folder name) for the next generation."""
    n = next_number(data_dir)
    final = generations_dir(data_dir) / f"gen-{n:08d}"
    tmp = generations_dir(data_dir) / f"gen-{n:08d}.tmp-{os.getpid()}"
    tmp.mkdir(parents=True)
    return tmp, final


def publish(data_dir: Path, tmp: Path, final: Path) -> None:
    """Make a fully written build folder the current generation."""
    for f in tmp.iterdir():
        with open(f, "rb") as fh:
            os.fsync(fh.fileno())
    fsync_dir(tmp)
    os.rename(tmp, final)
    fsync_dir(final.parent)
    write_atomic(data_dir / POINTER, final.name.encode("utf-8"))


def collect_garbage(data_dir: Path, keep: int = KEEP_GENERATIONS) -> None:
    """Remove abandoned build folders and all but the newest `keep` generations (writer only)."""
    root = generations_dir(data_dir)
    if not root.is_dir():
        return
    current = current_name(data_dir)
    done = sorted(p for p in root.glob("gen-*") if ".tmp-" not in p.name)
    for p in root.glob("gen-*.tmp-*"):
        shutil.rmtree(p, ignore_errors=True)
    for p in done[:-keep] if keep else done:
        if p.name != current:
            shutil.rmtree(p, ignore_errors=True)

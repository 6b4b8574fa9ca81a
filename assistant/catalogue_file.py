"""The review catalogue saved beside the index generation it was read from.

Reading every passage for reviews and themes takes seconds on a large index (3.5 s at 100,000
passages), and it used to happen on the first review question of every process. A generation
never changes once published, so its catalogue is saved in the generation's folder the first
time it is built (normally right after `guidance ingest` / `reindex` / `remove`, see
`themes.prepare`) and loaded from there afterwards: only passage ids are saved, and the passages
are read back from the generation's own store.

The file records a fingerprint of the code that reads reviews out of passages, so a changed
reader is never served a catalogue the old code made; such a file is simply built again.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from assistant.models import Hit
from assistant.theme_extract import ThemeMention
from index.generations import write_atomic
from ingest.models import Chunk

FILE_NAME = "review-catalogue.json"
FORMAT = 1
_READER_MODULES = ("theme_extract.py", "reviews.py", "themes.py", "catalogue_file.py")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the modules whose code decides what the catalogue holds."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha1(str(FORMAT).encode())
    for name in _READER_MODULES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def path_for(reader) -> Path:
    return Path(reader.path) / FILE_NAME


def save(reader, catalogue) -> bool:
    """Write the catalogue beside the reader's generation; False when the folder is not writable
    (a read-only data folder still answers, it just builds the catalogue per process)."""
    data = {
        "fingerprint": code_fingerprint(),
        "generation": reader.generation,
        "reviews": [{"name": r.name, "key": r.key, "type": r.review_type, "years": list(r.years),
                     "passages": [h.chunk.chunk_id for h in r.passages]} for r in catalogue.reviews],
        "mentions": [{"review": m.review_key, "title": m.title, "quote": m.quote, "kind": m.kind,
                      "passage": m.chunk.chunk_id, "points": list(m.points)} for m in catalogue.mentions],
    }
    try:
        write_atomic(path_for(reader), json.dumps(data, ensure_ascii=False).encode("utf-8"))
    except OSError:
        return False
    return True


SavedReview = tuple[str, str, "str | None", tuple[int, ...], tuple[Hit, ...]]  # name, key, type, years, passages


def load(reader) -> tuple[list[SavedReview], tuple[ThemeMention, ...]] | None:
    """The saved catalogue of the reader's generation, as its reviews' fields and its mentions (the
    themes module makes the catalogue of them), or None when there is none, it was made by other
    code or it does not fit the store (then it is built again)."""
    try:
        data = json.loads(path_for(reader).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("fingerprint") != code_fingerprint() \
            or data.get("generation") != reader.generation:
        return None
    wanted = {c for r in data["reviews"] for c in r["passages"]} | {m["passage"] for m in data["mentions"]}
    chunks = _chunks(reader, wanted)
    if len(chunks) != len(wanted):
        return None

    def hit(chunk_id: str) -> Hit:
        chunk = chunks[chunk_id]
        return Hit(chunk, reader.documents[chunk.doc_id], 1.0)

    reviews = [(r["name"], r["key"], r["type"], tuple(r["years"]), tuple(hit(c) for c in r["passages"]))
               for r in data["reviews"]]
    mentions = tuple(ThemeMention(m["review"], m["title"], m["quote"], m["kind"], chunks[m["passage"]],
                                  reader.documents[chunks[m["passage"]].doc_id], tuple(m["points"]))
                     for m in data["mentions"])
    return reviews, mentions


def _chunks(reader, chunk_ids: set[str]) -> dict[str, Chunk]:
    found: dict[str, Chunk] = {}
    ids = sorted(chunk_ids)
    for start in range(0, len(ids), 500):  # SQLite's limit on bound parameters
        found.update(reader.store.chunks_by_chunk_ids(ids[start:start + 500]))
    return {k: c for k, c in found.items() if c.doc_id in reader.documents}

"""Administration operations: ingest sources, re-index registered ones, remove documents.

These are the library calls behind `guidance ingest|reindex|remove` and the app's admin
page. Every input is tried; each failure is collected with its reason and the good inputs
are still indexed (the run report says which was which).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from index.builder import IndexWriter
from index.embedder import Embedder
from ingest.files import file_bytes, file_stamp, iter_folder, load_file
from ingest.models import Document, LoadError

Progress = Callable[[str, int, int], None]


@dataclass
class RunReport:
    """Counts of one run plus every failure with its reason."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    embedded: int = 0
    failed: list[LoadError] = field(default_factory=list)
    generation: str | None = None

    def counts(self) -> dict[str, int]:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "removed": self.removed, "failed": len(self.failed)}


@dataclass(frozen=True)
class CrawlOptions:
    max_pages: int = 200
    max_depth: int = 5
    allow_hosts: tuple[str, ...] = ()
    delay: float = 0.2


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def _scheme_refused(source: str) -> bool:
    return "://" in source and not is_url(source)


def _ingest_path(w: IndexWriter, source: str, doc_type: str | None, report: RunReport,
                 progress: Progress | None) -> None:
    path = Path(os.path.abspath(source))
    if not path.exists() and not path.is_symlink():
        raise LoadError(source, "no such file or folder")
    if path.is_dir():
        registered = str(path)
        w.register_source(registered, "folder", doc_type)
        files = list(iter_folder(path))
        seen: set[str] = set()
        failed: set[str] = set()
        for i, f in enumerate(files):
            if progress:
                progress("loading", i, len(files))
            try:
                doc = _load_changed(w, f, doc_type, registered)
            except LoadError as exc:
                report.failed.append(exc)
                failed.add(str(f))
                continue
            seen.add(str(f))
            if doc is not None:
                w.upsert(doc)
        for record in w.store.documents_of(registered):
            gone = record.source not in seen and record.source not in failed
            if record.registered_source == registered and gone and not Path(record.source).exists():
                w.remove(record.doc_id)
        return
    doc = _load_changed(w, path, doc_type, str(path))  # a file that cannot be loaded is not registered
    w.register_source(str(path), "file", doc_type)
    if doc is not None:
        w.upsert(doc)


def _load_changed(w: IndexWriter, path: Path, doc_type: str | None, registered: str) -> Document | None:
    """The loaded file, or None when the index holds it from the same bytes asked for the same
    way (counted as unchanged, not parsed again)."""
    data = file_bytes(path)
    if w.unchanged_file(str(path), file_stamp(data, doc_type, registered)):
        return None
    return load_file(path, doc_type=doc_type, registered_source=registered, data=data)


def _ingest_url(w: IndexWriter, url: str, doc_type: str | None, options: CrawlOptions,
                report: RunReport, progress: Progress | None) -> None:
    from ingest.crawl import CrawlConfig, canonical_url, crawl

    known = {d.source: (d.etag, d.last_modified) for d in w.store.documents_of(url)}
    config = CrawlConfig(max_pages=options.max_pages, max_depth=options.max_depth,
                         allow_hosts=frozenset(options.allow_hosts), delay=options.delay, doc_type=doc_type)
    fetched = [0]

    def on_page(page_url: str) -> None:
        fetched[0] += 1
        if progress:
            progress("crawling", fetched[0], options.max_pages)

    result = crawl(url, config, known=known, progress=on_page)
    w.register_source(url, "url", doc_type, {"max_pages": options.max_pages, "max_depth": options.max_depth})
    report.failed.extend(result.failures)
    # A page that failed this time is kept as it was: only what was checked may be dropped.
    reached = {d.source for d in result.documents} | set(result.not_modified) | {f.source for f in result.failures}
    for doc in result.documents:
        w.upsert(doc)
    gone = set(result.gone)
    start_gone = canonical_url(url) in gone
    for record in w.store.documents_of(url):
        unlinked = result.complete and not start_gone and record.source not in reached
        if record.source in gone or unlinked:
            w.remove(record.doc_id)


def _add_counts(report: RunReport, w: IndexWriter) -> None:
    r = w.report
    report.added, report.updated, report.unchanged = r.added, r.updated, r.unchanged
    report.removed, report.embedded, report.generation = r.removed, r.embedded, r.generation


def ingest_sources(data_dir: Path, sources: Iterable[str], embedder: Embedder, *,
                   doc_type: str | None = None, crawl: CrawlOptions = CrawlOptions(),
                   progress: Progress | None = None) -> RunReport:
    """Add or update the documents of each source, then publish one new generation."""
    report = RunReport()
    embed_progress = (lambda done, total: progress("embedding", done, total)) if progress else None
    with IndexWriter(Path(data_dir), embedder, progress=embed_progress) as w:
        for source in sources:
            try:
                if _scheme_refused(source):
                    raise LoadError(source, "unsupported scheme (only http and https URLs, files and folders)")
                if is_url(source):
                    _ingest_url(w, source, doc_type, crawl, report, progress)
                else:
                    _ingest_path(w, source, doc_type, report, progress)
            except LoadError as exc:
                report.failed.append(exc)
        w.commit()
        _add_counts(report, w)
    return report


def reindex(data_dir: Path, embedder: Embedder, *, allow_hosts: tuple[str, ...] = (),
            progress: Progress | None = None) -> RunReport:
    """Re-read every registered source: update changed, add new, drop what is gone."""
    report = RunReport()
    embed_progress = (lambda done, total: progress("embedding", done, total)) if progress else None
    with IndexWriter(Path(data_dir), embedder, progress=embed_progress) as w:
        for src in w.store.sources():
            try:
                if src.kind == "url":
                    opts = CrawlOptions(max_pages=int(src.options.get("max_pages", 200)),
                                        max_depth=int(src.options.get("max_depth", 5)),
                                        allow_hosts=allow_hosts)
                    _ingest_url(w, src.source, src.doc_type, opts, report, progress)
                elif src.kind == "file" and not Path(src.source).exists():
                    for record in w.store.documents_of(src.source):
                        w.remove(record.doc_id)
                    w.unregister_source(src.source)
                elif src.kind == "folder" and not Path(src.source).is_dir():
                    for record in w.store.documents_of(src.source):
                        if record.registered_source == src.source:
                            w.remove(record.doc_id)
                    w.unregister_source(src.source)
                else:
                    _ingest_path(w, src.source, src.doc_type, report, progress)
            except LoadError as exc:
                report.failed.append(exc)
        w.commit()
        _add_counts(report, w)
    return report


def remove_source(data_dir: Path, source: str, embedder: Embedder) -> RunReport:
    """Remove a document (by doc id or source) or every document of a registered source."""
    report = RunReport()
    candidates = {source}
    if not is_url(source):
        candidates.add(os.path.abspath(source))
    with IndexWriter(Path(data_dir), embedder) as w:
        docs = {d.doc_id: d for c in candidates for d in w.store.documents_of(c)}
        for c in candidates:
            if (d := w.store.document(c)) is not None:
                docs[d.doc_id] = d
        registered = {s.source for s in w.store.sources()} & candidates
        if not docs and not registered:
            raise LoadError(source, "not in the index (see 'guidance list')")
        for doc_id in docs:
            w.remove(doc_id)
        for s in registered:
            w.unregister_source(s)
        # A document removed on its own must not come back with its folder on reindex,
        # but it does if still there: removal of a single file from a folder source is
        # undone by the next reindex, which is what "re-read every registered source" means.
        w.commit()
        _add_counts(report, w)
    return report

"""The bench's system-level measures: incremental re-index, peak memory and cold start.

Memory and cold start are measured in subprocesses, so the figures are those of a fresh
process serving the index (not of the bench process, which holds several models and indexes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from assistant import cranfield
from assistant.eval_run import CORPUS
from index.embedder import SentenceTransformerEmbedder
from index.pipeline import ingest_sources
from ingest.chunker import chunk_document
from ingest.files import load_file


# -- incremental re-index ---------------------------------------------------------------
def incremental(emb: SentenceTransformerEmbedder, collection: cranfield.Collection, per_doc: int,
                work: Path) -> dict[str, object]:
    """200 Markdown files, full build, then one file changed and the folder ingested again."""
    folder = work / "docs200"
    folder.mkdir()
    docs = collection.docs
    for d in range(200):
        parts = [f"# Technical note {d + 1}"]
        for j in range(per_doc):
            _, title, text = docs[(d * per_doc + j) % len(docs)]
            parts.append(f"## {title[:80] or 'Abstract'}\n\n{text}")
        (folder / f"note-{d + 1:03d}.md").write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    data = work / "data200"
    t0 = time.perf_counter()
    full = ingest_sources(data, [str(folder)], emb)
    t_full = time.perf_counter() - t0
    changed = folder / "note-007.md"
    before = {c.text_hash for c in chunk_document(load_file(changed))}
    changed.write_text(changed.read_text(encoding="utf-8").replace(" .", " (revised) .", 1), encoding="utf-8")
    after = {c.text_hash for c in chunk_document(load_file(changed))}
    t0 = time.perf_counter()
    inc = ingest_sources(data, [str(folder)], emb)
    t_inc = time.perf_counter() - t0
    return {"documents": 200, "chunks": full.embedded, "full_s": round(t_full, 2), "incremental_s": round(t_inc, 2),
            "share": round(t_inc / t_full, 4), "re_embedded": inc.embedded, "changed_chunks": len(after - before),
            "counts": inc.counts()}


# -- subprocess measures ----------------------------------------------------------------
_RSS_SCRIPT = """
import json, resource, sys, time
t0 = time.perf_counter()
from assistant.engine import Assistant
from index.embedder import SentenceTransformerEmbedder
a = Assistant(sys.argv[1], SentenceTransformerEmbedder())
qs = json.loads(sys.argv[2])
for q in qs:
    a.ask(q)
# VmHWM, not ru_maxrss: ru_maxrss keeps the forking parent's size across exec on Linux.
hwm = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0])
print(json.dumps({"maxrss_mb": hwm / 1024,
                  "chunks": len(a.reader), "questions": len(qs), "wall_s": time.perf_counter() - t0}))
"""


def _env() -> dict[str, str]:
    return dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")


def peak_rss(data_dir: Path, questions: list[str]) -> dict[str, object]:
    proc = subprocess.run([sys.executable, "-c", _RSS_SCRIPT, str(data_dir), json.dumps(questions[:20])],
                          capture_output=True, text=True, env=_env(), timeout=600)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip()[-500:]}
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return {k: round(v, 1) if isinstance(v, float) else v for k, v in out.items()}


def cold_start(emb: SentenceTransformerEmbedder, question: str, work: Path) -> dict[str, object]:
    """`guidance ask` wall time on a freshly built index of the shipped corpus, model load included."""
    data = work / "corpus-index"
    ingest_sources(data, [str(CORPUS)], emb)
    exe = Path(sys.executable).with_name("guidance")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "assistant"]
    times = []
    for _ in range(2):
        t0 = time.perf_counter()
        proc = subprocess.run([*cmd, "ask", question, "--data-dir", str(data)], capture_output=True,
                              text=True, env=_env(), timeout=300)
        times.append(round(time.perf_counter() - t0, 2))
        if proc.returncode != 0:
            return {"error": proc.stderr.strip()[-500:], "runs_s": times}
    return {"runs_s": times, "first_s": times[0], "command": " ".join(["guidance", "ask", repr(question)])}

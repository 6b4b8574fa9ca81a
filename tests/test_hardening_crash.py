"""Crash safety: `reindex` SIGKILLed at random moments never leaves an unusable index.

Most kills hit tests/reindex_driver.py, which calls `index.pipeline.reindex` (the library
call behind `guidance reindex`) with the fake embedder, so 20+ runs stay fast. Between
runs documents are edited, added and deleted, so every run has work to do. After each
kill the index must load, answer, and list each document exactly once: either the
documents as they were before the run (no switch happened) or as they are now (the new
generation was published). A few kills also hit the real `guidance reindex` command.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from assistant.engine import Assistant
from index import generations as gens
from index.reader import IndexReader
from index.pipeline import ingest_sources
from ingest.files import load_file
from tests.conftest import CORPUS, ROOT
from tests.fakes import CountingEmbedder

KILLS = 22
WORDS = ("child parent neglect record refer strategy meeting police health school lead concern plan "
         "review bruising fostering missing escalate curiosity supervision visit home").split()


def write_doc(folder: Path, n: int, rng: random.Random, version: int = 0) -> Path:
    """A document of a dozen sections (about a dozen chunks), different for each version."""
    parts = []
    for j in range(12):
        words = " ".join(rng.choice(WORDS) for _ in range(110))
        parts.append(f"## Part {j}\n\n{words} version {version}.")
    path = folder / f"doc-{n:03d}.md"
    path.write_text(f"# Procedure {n}\n\n" + "\n\n".join(parts) + "\n", encoding="utf-8")
    return path


def sources_now(folder: Path) -> set[str]:
    return {str(p) for p in folder.glob("*.md")}


def start_driver(data_dir: Path, slow: float = 0.0) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "tests.reindex_driver", str(data_dir)] + (["--slow", str(slow)] if slow else [])
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))


def check_index(data_dir: Path, expected: set[str], folder: Path, fresh: bool) -> None:
    """Loads, answers, lists each expected document once; a fresh generation matches the files."""
    reader = IndexReader.open(data_dir)
    sources = [d.source for d in reader.documents.values()]
    assert len(sources) == len(set(sources))
    assert set(sources) == expected
    assert len(reader) == sum(d.chunks for d in reader.documents.values())
    if fresh:
        for d in reader.documents.values():
            assert d.content_hash == load_file(Path(d.source), registered_source=str(folder)).content_hash
    answer = Assistant(data_dir, CountingEmbedder()).ask("strategy meeting police neglect")
    assert answer.hits and all(h.document.source in expected for h in answer.hits)
    listed = CliRunner().invoke(cli, ["list", "--json", "--data-dir", str(data_dir)], obj={"embedder": CountingEmbedder()})
    assert listed.exit_code == 0, listed.output
    listed_sources = [e["source"] for e in json.loads(listed.stdout)]
    assert sorted(listed_sources) == sorted(expected)


def change_documents(folder: Path, rng: random.Random, round_no: int, next_id: list[int]) -> None:
    """Edit some documents, delete one, add two: the next run has embedding and removal to do."""
    existing = sorted(folder.glob("*.md"))
    for path in rng.sample(existing, k=min(8, len(existing))):
        write_doc(folder, int(path.stem.split("-")[1]), rng, version=round_no)
    rng.choice(sorted(folder.glob("*.md"))).unlink()
    for _ in range(2):
        write_doc(folder, next_id[0], rng, version=round_no)
        next_id[0] += 1


def run_driver_to_end(data_dir: Path) -> float:
    """Seconds from the driver's "started" (imports done) to its exit."""
    proc = start_driver(data_dir)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "started"
    began = time.monotonic()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return time.monotonic() - began


def test_reindex_killed_at_random_moments(tmp_path: Path, data_dir: Path) -> None:
    rng = random.Random(20240508)
    folder = tmp_path / "docs"
    folder.mkdir()
    next_id = [0]
    for _ in range(40):
        write_doc(folder, next_id[0], rng)
        next_id[0] += 1
    ingest_sources(data_dir, [str(folder)], CountingEmbedder())
    # how long one whole run takes here: kills are spread over that span (and a bit past it)
    change_documents(folder, rng, 0, next_id)
    span = run_driver_to_end(data_dir)
    check_index(data_dir, sources_now(folder), folder, fresh=True)

    outcomes = {"switched": 0, "kept": 0, "mid_build": 0}
    for round_no in range(1, KILLS + 1):
        before_gen = gens.current_name(data_dir)
        before = {d.source for d in IndexReader.open(data_dir).documents.values()}
        change_documents(folder, rng, round_no, next_id)
        proc = start_driver(data_dir)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "started"
        time.sleep(rng.uniform(0.0, span * 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        switched = gens.current_name(data_dir) != before_gen
        if proc.returncode == -signal.SIGKILL and any(".tmp-" in p.name for p in gens.generations_dir(data_dir).iterdir()):
            outcomes["mid_build"] += 1
        outcomes["switched" if switched else "kept"] += 1
        check_index(data_dir, sources_now(folder) if switched else before, folder, fresh=switched)

    assert outcomes["mid_build"] >= 1, outcomes  # some kills really landed inside a build
    # the next complete run cleans up whatever the kills left and publishes the files as they are
    run_driver_to_end(data_dir)
    check_index(data_dir, sources_now(folder), folder, fresh=True)
    left = [p.name for p in gens.generations_dir(data_dir).iterdir()]
    assert not [n for n in left if ".tmp-" in n], left
    assert len(left) <= gens.KEEP_GENERATIONS + 1


@pytest.mark.model
def test_real_guidance_reindex_killed(tmp_path: Path, data_dir: Path) -> None:
    """The real entry point: the model load dominates, so kills land in it or in the build."""
    rng = random.Random(7)
    folder = tmp_path / "corpus"
    folder.mkdir()
    for p in CORPUS.glob("*.md"):
        (folder / p.name).write_bytes(p.read_bytes())
    # built with the fake model: the real command must re-embed everything (work to do)
    ingest_sources(data_dir, [str(folder)], CountingEmbedder())
    expected = sources_now(folder)
    env = dict(os.environ, GUIDANCE_DATA_DIR=str(data_dir), HF_HUB_OFFLINE="1")
    for round_no in range(4):
        extra = folder / f"extra-{round_no}.md"
        extra.write_text(f"# Extra {round_no}\n\nA procedure about bruising in non-mobile babies, round {round_no}.\n")
        before_gen = gens.current_name(data_dir)
        before = {d.source for d in IndexReader.open(data_dir).documents.values()}
        proc = subprocess.Popen([sys.executable, "-m", "assistant", "reindex", "--data-dir", str(data_dir)],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5, 9.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        switched = gens.current_name(data_dir) != before_gen
        expected = sources_now(folder) if switched else before
        reader = IndexReader.open(data_dir)
        sources = [d.source for d in reader.documents.values()]
        assert sorted(sources) == sorted(expected) and len(sources) == len(set(sources))
        listed = subprocess.run([sys.executable, "-m", "assistant", "list", "--json", "--data-dir", str(data_dir)],
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert listed.returncode == 0, listed.stderr
        assert sorted(e["source"] for e in json.loads(listed.stdout)) == sorted(expected)
    if reader.manifest["model"] == CountingEmbedder.name:
        answer = Assistant(data_dir, CountingEmbedder()).ask("bruising in non-mobile babies")
    else:
        from index.embedder import SentenceTransformerEmbedder

        answer = Assistant(data_dir, SentenceTransformerEmbedder()).ask("bruising in non-mobile babies")
    assert answer.hits and all(h.document.source in expected for h in answer.hits)

"""Queries from several threads and processes while re-indexing: no errors, and once a new
generation is switched in, every later query sees it.

The writer publishes a generation that adds a document about a new, unique word, then
announces that round (in memory for threads, in a file for processes). A reader that has
seen the announcement asks about that word and must get the new document first: the
switch happened before the announcement, so an Assistant that kept answering from the
old generation would fail. Several generations are published, so old ones are also
garbage-collected while readers may still hold them.
"""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

from assistant.engine import Assistant
from index import generations as gens
from index.pipeline import ingest_sources, reindex
from tests.fakes import CountingEmbedder

MARKERS = ("aardwolf", "bandicoot", "capybara", "dugong", "echidna", "fossa", "gharial", "hoatzin")
READERS = 3
PROCESSES = 2


def marker_doc(folder: Path, i: int) -> Path:
    word = MARKERS[i]
    path = folder / f"marker-{i}.md"
    path.write_text(f"# Note {i}\n\nThe {word} protocol: when a {word} concern arises, record it and tell the "
                    f"{word} lead the same day.\n", encoding="utf-8")
    return path


def seed_folder(folder: Path) -> None:
    folder.mkdir()
    for n in range(30):
        (folder / f"base-{n:02d}.md").write_text(
            f"# Procedure {n}\n\n" + "\n\n".join(
                f"## Step {j}\n\nPractitioners record concerns about neglect and share them with the lead "
                f"professional {n} {j}; strategy meetings follow within two days." for j in range(6)) + "\n",
            encoding="utf-8")


def check_answer(assistant: Assistant, round_no: int, folder: Path) -> str | None:
    """None if the answer for the announced round is right, else what was wrong."""
    if round_no < 0:
        answer = assistant.ask("strategy meetings neglect")
        return None if answer.hits else "no hits"
    answer = assistant.ask(f"what is the {MARKERS[round_no]} protocol?")
    want = str(folder / f"marker-{round_no}.md")
    if not answer.hits or answer.hits[0].document.source != want:
        got = answer.hits[0].document.source if answer.hits else None
        return f"round {round_no}: expected {want} first, got {got}"
    return None


def _process_reader(data_dir: str, folder: str, announce: str, stop: str, out: "multiprocessing.Queue[tuple]") -> None:
    """A separate process asking questions until told to stop (spawned: fresh interpreter)."""
    assistant = Assistant(Path(data_dir), CountingEmbedder())
    asked, errors, seen_rounds = 0, [], set()
    while True:
        stopping = Path(stop).exists()
        text = Path(announce).read_text() if Path(announce).exists() else "-1"
        round_no = int(text or "-1")
        try:
            problem = check_answer(assistant, round_no, Path(folder))
        except Exception as exc:  # any exception is what this test looks for
            problem = f"{type(exc).__name__}: {exc}"
        asked += 1
        seen_rounds.add(round_no)
        if problem:
            errors.append(problem)
        if stopping:
            break
    out.put((asked, errors, sorted(seen_rounds)))


def test_queries_during_reindex_from_threads_and_processes(tmp_path: Path, data_dir: Path) -> None:
    folder = tmp_path / "docs"
    seed_folder(folder)
    ingest_sources(data_dir, [str(folder)], CountingEmbedder())
    announce, stop = tmp_path / "announced", tmp_path / "stop"

    ctx = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue[tuple] = ctx.Queue()
    procs = [ctx.Process(target=_process_reader, args=(str(data_dir), str(folder), str(announce), str(stop), out))
             for _ in range(PROCESSES)]
    for p in procs:
        p.start()

    announced = [-1]
    done = threading.Event()
    results: list[tuple[int, list[str], set[int]]] = []
    lock = threading.Lock()
    shared = Assistant(data_dir, CountingEmbedder())  # one Assistant shared by threads, as in the app

    def thread_reader(own: bool) -> None:
        assistant = Assistant(data_dir, CountingEmbedder()) if own else shared
        asked, errors, rounds = 0, [], set()
        while True:
            stopping = done.is_set()
            round_no = announced[0]
            try:
                problem = check_answer(assistant, round_no, folder)
            except Exception as exc:  # any exception is what this test looks for
                problem = f"{type(exc).__name__}: {exc}"
            asked += 1
            rounds.add(round_no)
            if problem:
                errors.append(problem)
            if stopping:
                break
        with lock:
            results.append((asked, errors, rounds))

    threads = [threading.Thread(target=thread_reader, args=(i == 0,)) for i in range(READERS)]
    for t in threads:
        t.start()
    for round_no in range(len(MARKERS)):
        marker_doc(folder, round_no)
        # edit a base document too, so each generation also re-embeds and replaces chunks
        base = folder / f"base-{round_no:02d}.md"
        base.write_text(base.read_text(encoding="utf-8") + f"\nRevised in round {round_no}.\n", encoding="utf-8")
        report = reindex(data_dir, CountingEmbedder())
        assert report.added == 1 and report.updated == 1 and not report.failed
        assert gens.current_name(data_dir) == report.generation  # switched before it is announced
        announced[0] = round_no
        tmp = announce.with_suffix(".tmp")
        tmp.write_text(str(round_no))
        tmp.replace(announce)
    # let every reader ask at least once more about the last round, then stop
    done.set()
    stop.touch()
    for t in threads:
        t.join(timeout=120)
    collected = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0

    assert len(results) == READERS
    for asked, errors, rounds in results + [(a, e, set(r)) for a, e, r in collected]:
        assert errors == [], errors[:5]
        assert asked > 1
        assert len(MARKERS) - 1 in rounds  # every reader saw the last generation
    # old generations were garbage-collected while readers were running
    left = sorted(p.name for p in gens.generations_dir(data_dir).glob("gen-*"))
    assert "gen-00000001" not in left and len(left) <= gens.KEEP_GENERATIONS + 1, left

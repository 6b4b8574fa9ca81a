"""Embedding many texts at once (an ingest): one single-threaded worker process per core.

On a small CPU the encoder's matrix products are too small to keep two threads busy: each
layer's operations wait on each other. Two processes of one thread, each taking whole batches,
measured about 1.2x one process of two threads on the same texts (2 cores, bf16). The workers
are forked from the process that already holds the model, so starting them costs a few
milliseconds and no second load.

Used only from the main thread of a process (the CLI, the benchmark): forking a process whose
other threads may hold locks (a web server's) is not safe, so there the texts are embedded
in-process as usual. Models that do not run on the native encoder are embedded in-process too.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Callable, Iterator, Sequence

import numpy as np

from index.embedder import Embedder, LazyEmbedder, SentenceTransformerEmbedder

BULK_MIN_TEXTS = 64  # fewer than this: not worth the round trips to the workers
PART = 32  # at most this many texts per task; consecutive parts of the longest-first order have similar lengths

_worker_encoder = None  # set in each worker process by _init_worker; never in the parent


def _init_worker(encoder) -> None:
    import torch

    global _worker_encoder
    torch.set_num_threads(1)
    _worker_encoder = encoder


def _encode_part(args: tuple[list[str], int]) -> np.ndarray:
    texts, batch_size = args
    return _worker_encoder.encode(texts, batch_size)


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _native_model(embedder: Embedder) -> SentenceTransformerEmbedder | None:
    model = embedder.model() if isinstance(embedder, LazyEmbedder) else embedder
    if isinstance(model, SentenceTransformerEmbedder) and model.backend == "native":
        return model
    return None


@contextmanager
def bulk_embedder(embedder: Embedder, workers: int | None = None) -> Iterator[Callable[[Sequence[str]], np.ndarray]]:
    """An embed function for many texts: rows in input order, as `embedder.embed` gives them."""
    workers = usable_cpus() if workers is None else workers
    model = _native_model(embedder) if workers >= 2 else None
    if model is None or threading.current_thread() is not threading.main_thread() \
            or "fork" not in multiprocessing.get_all_start_methods():
        yield embedder.embed
        return
    pools: list[ProcessPoolExecutor] = []  # started on the first call that is worth it

    def embed(texts: Sequence[str]) -> np.ndarray:
        if len(texts) < BULK_MIN_TEXTS:
            return model.embed(texts)  # one changed passage: no workers to start
        if not pools:
            pools.append(ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                             initializer=_init_worker, initargs=(model.encoder,)))
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        size = max(1, min(PART, -(-len(texts) // (4 * workers))))  # at least 4 parts per worker: even finish
        parts = [order[i:i + size] for i in range(0, len(order), size)]
        out = np.zeros((len(texts), model.dim), dtype=np.float32)
        tasks = [([texts[i] for i in part], model.batch_size) for part in parts]
        for part, vectors in zip(parts, pools[0].map(_encode_part, tasks)):
            out[part] = vectors
        return out

    try:
        yield embed
    finally:
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=True)

"""Run `index.pipeline.reindex` (the library call behind `guidance reindex`) with the fake embedder.

The crash-safety test starts this as a subprocess and SIGKILLs it at random moments; it
uses the counting fake so each run is fast and deterministic. `--slow SECONDS` sleeps
that long per embedding batch, standing in for the model so a kill lands mid-build.
Prints "started" once imports are done so the test times kills from the real start.

    python -m tests.reindex_driver DATA_DIR [--slow 0.05]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from index.pipeline import reindex
from tests.fakes import CountingEmbedder


class SlowEmbedder(CountingEmbedder):
    """The fake embedder, with a pause per batch like a real model's compute time."""

    def __init__(self, pause: float) -> None:
        super().__init__()
        self.pause = pause

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        time.sleep(self.pause)
        return super().embed(texts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--slow", type=float, default=0.0)
    args = parser.parse_args(argv)
    embedder = SlowEmbedder(args.slow) if args.slow else CountingEmbedder()
    print("started", flush=True)
    report = reindex(args.data_dir, embedder)
    print("done", report.counts(), report.generation, flush=True)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())

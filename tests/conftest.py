"""Shared fixtures: every test gets its own data folder and a counting fake embedder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes import CountingEmbedder

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "data"
    monkeypatch.setenv("GUIDANCE_DATA_DIR", str(d))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return d


@pytest.fixture
def embedder() -> CountingEmbedder:
    return CountingEmbedder()

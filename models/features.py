"""Sparse n-gram features beside the dense embedding.

Word and character TF-IDF n-grams catch what an English sentence encoder misses: other languages, misspellings,
transcription noise, product codes. Each block is L2-normalised per row, like the dense embedding, so one weight per
block sets their balance.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class SparseConfig:
    """Which n-grams to count. `char_ngrams=None` or `word_ngrams=None` switches that block off."""

    word_ngrams: tuple[int, int] | None = (1, 2)
    char_ngrams: tuple[int, int] | None = (2, 5)
    max_features: int = 200_000
    min_df: int = 2
    lowercase: bool = True

    def __post_init__(self) -> None:
        if self.word_ngrams is None and self.char_ngrams is None:
            raise ValueError("at least one of word_ngrams and char_ngrams is needed")
        for name in ("word_ngrams", "char_ngrams"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, tuple(int(v) for v in value))
                if not 1 <= value[0] <= value[1]:
                    raise ValueError(f"{name} must be (low, high) with 1 <= low <= high, not {value}")

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return asdict(self)


class SparseTextFeatures:
    """TF-IDF word and character n-grams, fitted on training texts only."""

    def __init__(self, config: SparseConfig | None = None) -> None:
        self.config = config or SparseConfig()
        self.vectorizers: list = []

    def _build(self) -> list:
        from sklearn.feature_extraction.text import TfidfVectorizer

        c = self.config
        common = dict(
            sublinear_tf=True, min_df=c.min_df, lowercase=c.lowercase, max_features=c.max_features, dtype=np.float32
        )
        built = []
        if c.word_ngrams is not None:
            built.append(TfidfVectorizer(analyzer="word", ngram_range=c.word_ngrams, token_pattern=r"(?u)\b\w+\b", **common))
        if c.char_ngrams is not None:
            built.append(TfidfVectorizer(analyzer="char_wb", ngram_range=c.char_ngrams, **common))
        return built

    def fit(self, texts: list[str]) -> "SparseTextFeatures":
        """Learn vocabularies and IDF weights from `texts`."""
        self.vectorizers = [v.fit(texts) for v in self._build()]
        return self

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        """(n, n_features) CSR matrix; each block is L2-normalised, blocks are scaled by 1/sqrt(n_blocks)."""
        if not self.vectorizers:
            raise RuntimeError("SparseTextFeatures.transform called before fit")
        blocks = [v.transform(texts) for v in self.vectorizers]
        scale = 1.0 / np.sqrt(len(blocks))
        return (sparse.hstack(blocks, format="csr") * scale).astype(np.float32)

    def fit_transform(self, texts: list[str]) -> sparse.csr_matrix:
        """`fit` then `transform` on the same texts."""
        return self.fit(texts).transform(texts)

    @property
    def n_features(self) -> int:
        """Total columns over all blocks."""
        return int(sum(len(v.vocabulary_) for v in self.vectorizers))

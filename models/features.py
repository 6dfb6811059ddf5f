"""Sparse n-gram features beside the dense embedding.

Word and character TF-IDF n-grams catch what an English sentence encoder misses: other languages, misspellings,
transcription noise, product codes. Each block is L2-normalised per row, like the dense embedding, so one weight per
block sets their balance.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class SparseConfig:
    """Which n-grams to count. `char_ngrams=None` or `word_ngrams=None` switches that block off."""

    word_ngrams: tuple[int, int] | None = (1, 2)
    char_ngrams: tuple[int, int] | None = (2, 5)
    max_features: int = 100_000  # per block
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
        self._compiled: tuple | None = None  # analyzers, vocabularies and IDF ready for `transform`

    def _build(self, vocabularies: list[list[str]] | None = None) -> list:
        """Unfitted vectorizers, or (with `vocabularies`) ones fixed to stored terms."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        c = self.config
        specs = []
        if c.word_ngrams is not None:
            specs.append(dict(analyzer="word", ngram_range=c.word_ngrams, token_pattern=r"(?u)\b\w+\b"))
        if c.char_ngrams is not None:
            specs.append(dict(analyzer="char_wb", ngram_range=c.char_ngrams))
        built = []
        for i, spec in enumerate(specs):
            if vocabularies is None:
                fit_params = dict(min_df=c.min_df, max_features=c.max_features)
            else:
                fit_params = dict(vocabulary={term: j for j, term in enumerate(vocabularies[i])})
            built.append(TfidfVectorizer(sublinear_tf=True, lowercase=c.lowercase, dtype=np.float32, **spec, **fit_params))
        return built

    def fit(self, texts: list[str]) -> "SparseTextFeatures":
        """Learn vocabularies and IDF weights from `texts`."""
        self.vectorizers = [v.fit(texts) for v in self._build()]
        self._compiled = None
        return self

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        """(n, n_features) CSR matrix; each block is L2-normalised, blocks are scaled by 1/sqrt(n_blocks).

        Same numbers as the fitted TfidfVectorizers' own `transform` (sublinear tf x idf, L2 per block), computed
        directly: sklearn's input validation costs ~1 ms per call, more than the counting, on single contacts.
        """
        if not self.vectorizers:
            raise RuntimeError("SparseTextFeatures.transform called before fit")
        if self._compiled is None:
            offsets = np.cumsum([0] + [len(v.vocabulary_) for v in self.vectorizers])
            self._compiled = (
                [(v.build_analyzer(), v.vocabulary_, int(offsets[b])) for b, v in enumerate(self.vectorizers)],
                np.concatenate([v.idf_ for v in self.vectorizers]).astype(np.float32),
                int(offsets[-1]),
            )
        blocks, idf, width = self._compiled
        cols: list[int] = []
        counts: list[int] = []
        groups: list[int] = []  # (row, block) id of each entry, for the per-block norm
        row_ends = np.zeros(len(texts) + 1, dtype=np.int64)
        for row, doc in enumerate(texts):
            for b, (analyze, vocabulary, offset) in enumerate(blocks):
                found: dict[int, int] = {}
                for term in analyze(doc):
                    j = vocabulary.get(term)
                    if j is not None:
                        found[j] = found.get(j, 0) + 1
                cols.extend(j + offset for j in found)
                counts.extend(found.values())
                groups.extend([row * len(blocks) + b] * len(found))
            row_ends[row + 1] = len(cols)
        col_idx = np.asarray(cols, dtype=np.int64)
        data = (np.log(np.asarray(counts, dtype=np.float32)) + 1.0) * idf[col_idx]
        group_idx = np.asarray(groups, dtype=np.int64)
        norms = np.sqrt(np.bincount(group_idx, weights=data * data, minlength=len(texts) * len(blocks)))
        data = (data / norms[group_idx] / np.sqrt(len(blocks))).astype(np.float32)
        return sparse.csr_matrix((data, col_idx, row_ends), shape=(len(texts), width))

    def fit_transform(self, texts: list[str]) -> sparse.csr_matrix:
        """`fit` then `transform` on the same texts."""
        return self.fit(texts).transform(texts)

    def save(self, directory: str | Path) -> None:
        """Write the terms (`ngrams.json`) and IDF weights (`ngrams_idf.npz`): plain data, nothing unpickled."""
        directory = Path(directory)
        terms = [sorted(v.vocabulary_, key=v.vocabulary_.__getitem__) for v in self.vectorizers]
        (directory / "ngrams.json").write_text(json.dumps({"config": self.config.to_dict(), "terms": terms}))
        np.savez(directory / "ngrams_idf.npz", *[v.idf_.astype(np.float32) for v in self.vectorizers])

    @classmethod
    def load(cls, directory: str | Path) -> "SparseTextFeatures":
        """Rebuild fitted features from `save` output."""
        directory = Path(directory)
        stored = json.loads((directory / "ngrams.json").read_text())
        features = cls(SparseConfig(**stored["config"]))
        features.vectorizers = features._build(stored["terms"])
        with np.load(directory / "ngrams_idf.npz") as idf:
            for i, vectorizer in enumerate(features.vectorizers):
                vectorizer.idf_ = idf[f"arr_{i}"]
        return features

    @property
    def n_features(self) -> int:
        """Total columns over all blocks."""
        return int(sum(len(v.vocabulary_) for v in self.vectorizers))

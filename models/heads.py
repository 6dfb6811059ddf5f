"""Heads on top of the shared encoder: claim type, sentiment, complexity.

Every head has the same contract: `fit(embeddings, texts, labels)`, `predict_proba(embeddings, texts)`, `labels`,
`save(directory)`, `Head.load(directory)`. A head is a linear model over the dense sentence embedding, optionally
concatenated with sparse TF-IDF n-grams, with probabilities calibrated by a temperature fitted on out-of-fold logits
(or on a held-out set through `calibrate`). Weights, n-gram terms and IDF are stored as plain arrays and JSON:
loading never unpickles code.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import ClassVar, Sequence

import numpy as np
from scipy import sparse

from claimtriage.data.schema import OUT_OF_SCOPE
from claimtriage.models.calibration import TemperatureScaler
from claimtriage.models.features import SparseConfig, SparseTextFeatures

FORMAT_VERSION = 2  # 2: n-gram vocabularies as JSON + arrays instead of skops
CLASSIFIERS = ("logreg", "svm")


@dataclass(frozen=True)
class HeadConfig:
    """How a head is trained. `sparse=None`: dense embedding only."""

    C: float = 10.0
    sparse: SparseConfig | None = None
    dense_weight: float = 1.0
    sparse_weight: float = 1.0
    #: None, "balanced", or a power p of the balanced weights (n / (k * count)) ** p: 0.5 trades a little accuracy
    #: for much better recall on rare classes
    class_weight: str | float | None = None
    #: 0 (the default, as in training configs): `fit` leaves the temperature at 1 and the trainer calibrates on the
    #: validation role with `calibrate`; >= 2: `fit` also calibrates out-of-fold on the training data
    calibration_folds: int = 0
    multi_label: bool = False
    threshold: float = 0.5  # multi-label decision threshold
    max_iter: int = 3000
    seed: int = 0
    #: "logreg": logistic regression; "svm": a linear SVM (LinearSVC, squared hinge) whose margins the temperature
    #: turns into calibrated probabilities, like the logits of the regression
    classifier: str = "logreg"

    def __post_init__(self) -> None:
        if isinstance(self.sparse, dict):
            object.__setattr__(self, "sparse", SparseConfig(**self.sparse))
        if self.C <= 0 or self.dense_weight < 0 or self.sparse_weight < 0:
            raise ValueError("C must be > 0 and block weights >= 0")
        if not (self.class_weight in (None, "balanced") or isinstance(self.class_weight, (int, float))):
            raise ValueError(f"class_weight must be None, 'balanced' or a power, not {self.class_weight!r}")
        if self.calibration_folds == 1 or self.calibration_folds < 0:
            raise ValueError("calibration_folds must be 0 (off) or >= 2")
        if self.classifier not in CLASSIFIERS:
            raise ValueError(f"classifier must be one of {CLASSIFIERS}, not {self.classifier!r}")


class Head:
    """A calibrated linear classifier over dense (+ optional sparse) features. Subclasses fix the label set."""

    kind: ClassVar[str] = "head"
    fixed_labels: ClassVar[tuple[str, ...] | None] = None
    _registry: ClassVar[dict[str, type["Head"]]] = {}

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        Head._registry[cls.kind] = cls

    def __init__(self, config: HeadConfig | None = None) -> None:
        self.config = config or HeadConfig()
        self.labels: list[str] = list(self.fixed_labels or [])
        self.sparse_features: SparseTextFeatures | None = None
        self.coef: np.ndarray | None = None  # (n_labels, n_features): dense block first, then n-grams
        self.intercept: np.ndarray | None = None  # (n_labels,)
        self.scaler = TemperatureScaler(multi_label=self.config.multi_label)
        self._blocks: tuple[np.ndarray, np.ndarray | None] | None = None  # contiguous (features, labels) views

    # ---- features -----------------------------------------------------------------------------------------
    def features(self, embeddings: np.ndarray, texts: Sequence[str] | None):
        """The matrix the linear model reads: the weighted embedding, then the weighted n-gram block if any."""
        dense = np.asarray(embeddings, dtype=np.float32) * self.config.dense_weight
        if self.sparse_features is None:
            return dense
        if texts is None:
            raise ValueError("this head uses n-gram features: pass the texts")
        ngrams = self.sparse_features.transform(list(texts)) * self.config.sparse_weight
        return sparse.hstack([sparse.csr_matrix(dense), ngrams], format="csr")

    def _targets(self, labels: Sequence) -> np.ndarray:
        if self.config.multi_label:
            sets = [set([lab] if isinstance(lab, str) else lab) for lab in labels]
            if not self.labels:
                self.labels = sorted(set().union(*sets))
            index = {lab: i for i, lab in enumerate(self.labels)}
            y = np.zeros((len(sets), len(self.labels)), dtype=np.int64)
            for row, labs in enumerate(sets):
                y[row, [index[lab] for lab in labs if lab in index]] = 1
            return y
        if not self.labels:
            self.labels = sorted(set(labels))
        index = {lab: i for i, lab in enumerate(self.labels)}
        unknown = sorted(set(labels) - index.keys())
        if unknown:
            raise ValueError(f"labels outside {self.labels}: {unknown[:5]}")
        return np.asarray([index[lab] for lab in labels], dtype=np.int64)

    # ---- training -----------------------------------------------------------------------------------------
    def _fit_linear(self, X, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Fit logistic regression(s); return (coef, intercept) with one row per label."""
        from sklearn.linear_model import LogisticRegression

        c = self.config
        class_weight = c.class_weight
        if isinstance(class_weight, (int, float)) and not c.multi_label:
            classes, counts = np.unique(y, return_counts=True)
            balanced = len(y) / (len(classes) * counts)
            class_weight = {int(k): float(w) ** class_weight for k, w in zip(classes, balanced)}
        elif isinstance(class_weight, (int, float)):  # multi-label: each binary problem balances itself
            class_weight = "balanced" if class_weight > 0 else None

        def model():
            if c.classifier == "svm":
                from sklearn.svm import LinearSVC

                return LinearSVC(C=c.C, max_iter=c.max_iter, class_weight=class_weight, random_state=c.seed)
            return LogisticRegression(C=c.C, max_iter=c.max_iter, class_weight=class_weight, random_state=c.seed)

        if not c.multi_label:
            present = np.unique(y)
            fitted = model().fit(X, y)
            coef = np.zeros((len(self.labels), X.shape[1]), dtype=np.float32)
            intercept = np.full(len(self.labels), -1e4, dtype=np.float32)  # a class absent from this fold: never
            if len(present) == 2:  # sklearn keeps a single row for two classes
                coef[present[1]], intercept[present[1]] = fitted.coef_[0], fitted.intercept_[0]
                coef[present[0]], intercept[present[0]] = 0.0, 0.0
            else:
                coef[present], intercept[present] = fitted.coef_, fitted.intercept_
            return coef, intercept
        coef = np.zeros((y.shape[1], X.shape[1]), dtype=np.float32)
        intercept = np.full(y.shape[1], -1e4, dtype=np.float32)
        for j in range(y.shape[1]):
            if 0 < y[:, j].sum() < len(y):
                fitted = model().fit(X, y[:, j])
                coef[j], intercept[j] = fitted.coef_[0], fitted.intercept_[0]
        return coef, intercept

    def fit(self, embeddings: np.ndarray, texts: Sequence[str] | None, labels: Sequence, *,
            ngrams: SparseTextFeatures | None = None, features=None) -> "Head":
        """Train on `embeddings` (n, d), their `texts` (needed with n-grams) and `labels` (strings or label sets).

        Model selection fits many heads on the same rows, so it may pass `ngrams` already fitted on these `texts`
        (with this head's `sparse` config) and `features`, the matrix `features(embeddings, texts)` gives."""
        from sklearn.model_selection import KFold, StratifiedKFold

        c = self.config
        y = self._targets(labels)
        if c.sparse is not None:
            self.sparse_features = ngrams if ngrams is not None else SparseTextFeatures(c.sparse).fit(list(texts))
        X = features if features is not None else self.features(embeddings, texts)
        if c.calibration_folds:
            logits = np.zeros(y.shape if c.multi_label else (len(y), len(self.labels)), dtype=np.float64)
            # stratify when every class has a member in each fold; rare classes fall back to plain folds
            stratify = not c.multi_label and np.bincount(y)[np.unique(y)].min() >= c.calibration_folds
            splitter = (StratifiedKFold if stratify else KFold)(c.calibration_folds, shuffle=True, random_state=c.seed)
            for train_idx, held_idx in splitter.split(X, y if stratify else None):
                coef, intercept = self._fit_linear(X[train_idx], y[train_idx])
                logits[held_idx] = X[held_idx] @ coef.T + intercept
            self.scaler.fit(logits, y)
        self.coef, self.intercept = self._fit_linear(X, y)
        self._blocks = None
        return self

    def calibrate(self, embeddings: np.ndarray, texts: Sequence[str] | None, labels: Sequence) -> "Head":
        """Refit the temperature on a held-out set the head was not trained on."""
        self.scaler.fit(self.logits(embeddings, texts), self._targets(labels))
        return self

    # ---- inference ----------------------------------------------------------------------------------------
    def logits(self, embeddings: np.ndarray, texts: Sequence[str] | None = None) -> np.ndarray:
        """Uncalibrated scores, (n, n_labels)."""
        if self.coef is None:
            raise RuntimeError(f"{type(self).__name__} is not fitted")
        if self._blocks is None:
            # transposed once: multiplying by coef.T would copy the whole matrix on every call
            dim = np.asarray(embeddings).shape[1]
            ngram_block = np.ascontiguousarray(self.coef[:, dim:].T) if self.sparse_features is not None else None
            self._blocks = (np.ascontiguousarray(self.coef[:, :dim].T), ngram_block)
        dense_w, ngram_w = self._blocks
        out = (np.asarray(embeddings, dtype=np.float32) * self.config.dense_weight) @ dense_w + self.intercept
        if ngram_w is not None:
            if texts is None:
                raise ValueError("this head uses n-gram features: pass the texts")
            out += (self.sparse_features.transform(list(texts)) @ ngram_w) * self.config.sparse_weight
        return np.asarray(out, dtype=np.float64)

    def predict_proba(self, embeddings: np.ndarray, texts: Sequence[str] | None = None) -> np.ndarray:
        """Calibrated probabilities, (n, n_labels) in the order of `labels` (independent ones if multi-label)."""
        return self.scaler.transform(self.logits(embeddings, texts))

    @property
    def out_of_scope_index(self) -> int | None:
        """The column of the `out_of_scope` label when the head was trained with examples of it (contacts about none
        of the claim types), else None. A contact whose top label it is, is out of scope whatever the gate says."""
        if self.config.multi_label or OUT_OF_SCOPE not in self.labels:
            return None
        return self.labels.index(OUT_OF_SCOPE)

    def said_out_of_scope(self, probs: np.ndarray) -> np.ndarray:
        """True where `out_of_scope` is the top label of `probs` (all False without that label)."""
        index = self.out_of_scope_index
        if index is None:
            return np.zeros(len(probs), dtype=bool)
        return np.asarray(probs).argmax(axis=1) == index

    def predict(self, embeddings: np.ndarray, texts: Sequence[str] | None = None) -> list:
        """The most probable label per row; for multi-label, the list of labels over the threshold."""
        probs = self.predict_proba(embeddings, texts)
        if self.config.multi_label:
            return [[self.labels[j] for j in np.flatnonzero(row >= self.config.threshold)] for row in probs]
        return [self.labels[i] for i in probs.argmax(axis=1)]

    # ---- persistence --------------------------------------------------------------------------------------
    def save(self, directory: str | Path) -> Path:
        """Write head.json, weights.npz and (with n-grams) ngrams.json + ngrams_idf.npz into `directory`."""
        if self.coef is None:
            raise RuntimeError("cannot save an unfitted head")
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        meta = {
            "format_version": FORMAT_VERSION,
            "kind": self.kind,
            "labels": self.labels,
            "temperature": self.scaler.temperature,
            "config": asdict(self.config),
        }
        (directory / "head.json").write_text(json.dumps(meta, indent=2))
        np.savez(directory / "weights.npz", coef=self.coef, intercept=self.intercept)
        if self.sparse_features is not None:
            self.sparse_features.save(directory)
        return directory

    @classmethod
    def load(cls, directory: str | Path) -> "Head":
        """Load any head saved by `save`; the stored kind picks the class."""
        directory = Path(directory)
        meta = json.loads((directory / "head.json").read_text())
        if meta.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"{directory}: head format {meta.get('format_version')}, expected {FORMAT_VERSION}")
        head_cls = Head._registry[meta["kind"]]
        head = head_cls(HeadConfig(**meta["config"]))
        head.labels = list(meta["labels"])
        head.scaler.temperature = float(meta["temperature"])
        with np.load(directory / "weights.npz") as weights:
            head.coef, head.intercept = weights["coef"], weights["intercept"]
        if head.config.sparse is not None:
            head.sparse_features = SparseTextFeatures.load(directory)
        return head


class ClaimHead(Head):
    """Claim type: multi-class, or multi-label (`HeadConfig(multi_label=True)`) for contacts with several requests."""

    kind = "claim"


class SentimentHead(Head):
    """Customer sentiment: negative / neutral / positive."""

    kind = "sentiment"
    fixed_labels = ("negative", "neutral", "positive")

    def score(self, embeddings: np.ndarray, texts: Sequence[str] | None = None) -> np.ndarray:
        """Polarity in [-1, 1]: P(positive) - P(negative)."""
        return self.score_from_proba(self.predict_proba(embeddings, texts))

    @staticmethod
    def score_from_proba(probs: np.ndarray) -> np.ndarray:
        """Polarity from probabilities already computed."""
        return probs[:, 2] - probs[:, 0]


class ComplexityHead(Head):
    """Claim complexity: low / medium / high."""

    kind = "complexity"
    fixed_labels = ("low", "medium", "high")
    level_values: ClassVar[np.ndarray] = np.array([0.0, 0.5, 1.0])

    def score(self, embeddings: np.ndarray, texts: Sequence[str] | None = None) -> np.ndarray:
        """Expected complexity in [0, 1] (low = 0, medium = 0.5, high = 1)."""
        return self.score_from_proba(self.predict_proba(embeddings, texts))

    def score_from_proba(self, probs: np.ndarray) -> np.ndarray:
        """Expected complexity from probabilities already computed."""
        return probs @ self.level_values

"""Out-of-scope gate: a request unlike anything the claim head was trained on is not given a confident wrong class.

The in-scope score of a contact is its mean cosine to the `k` nearest training examples plus the claim head's
calibrated top probability. A softmax alone is confidently wrong on unseen kinds of request; nearness to real
training examples is what tells "never seen" apart (measured on bitext with held-out intents, see RESULTS.md).
The threshold is chosen on held-out in-scope contacts so that a set share of them (`accept_rate`) is accepted.
The reference bank keeps at most `per_label` examples per claim label, so memory and latency stay bounded.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

FORMAT_VERSION = 1


class OutOfScopeDetector:
    def __init__(self, *, k: int = 5, accept_rate: float = 0.97, per_label: int = 400, seed: int = 0) -> None:
        if not 0.5 < accept_rate < 1.0:
            raise ValueError("accept_rate must be in (0.5, 1)")
        self.k, self.accept_rate, self.per_label, self.seed = k, accept_rate, per_label, seed
        self.bank: np.ndarray | None = None
        self.threshold: float | None = None

    def fit_bank(self, embeddings: np.ndarray, labels: Sequence) -> OutOfScopeDetector:
        """Keep up to `per_label` training embeddings per label as the reference of what is in scope."""
        rng = np.random.default_rng(self.seed)
        keys = np.asarray([lab if isinstance(lab, str) else "|".join(sorted(lab)) for lab in labels])
        keep: list[int] = []
        for label in np.unique(keys):
            rows = np.flatnonzero(keys == label)
            keep.extend(rng.choice(rows, size=min(len(rows), self.per_label), replace=False).tolist())
        self.bank = np.asarray(embeddings[np.sort(keep)], dtype=np.float32)
        return self

    def scores(self, embeddings: np.ndarray, claim_probs: np.ndarray) -> np.ndarray:
        """In-scope score: mean cosine to the k nearest bank examples + top calibrated probability."""
        if self.bank is None:
            raise RuntimeError("the out-of-scope detector has no reference bank: call fit_bank first")
        sims = np.asarray(embeddings, dtype=np.float32) @ self.bank.T
        k = min(self.k, sims.shape[1])
        nearest = np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:].mean(axis=1)
        return nearest + claim_probs.max(axis=1)

    def fit_threshold(self, embeddings: np.ndarray, claim_probs: np.ndarray) -> OutOfScopeDetector:
        """Accept `accept_rate` of these held-out in-scope contacts (never the training ones: they are in the bank)."""
        self.threshold = float(np.quantile(self.scores(embeddings, claim_probs), 1.0 - self.accept_rate))
        return self

    def reject(self, embeddings: np.ndarray, claim_probs: np.ndarray) -> np.ndarray:
        """True where the contact is out of scope."""
        if self.threshold is None:
            raise RuntimeError("the out-of-scope detector has no threshold: call fit_threshold first")
        return self.scores(embeddings, claim_probs) < self.threshold

    def save(self, directory: str | Path) -> Path:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        meta = {"format_version": FORMAT_VERSION, "k": self.k, "accept_rate": self.accept_rate,
                "per_label": self.per_label, "seed": self.seed, "threshold": self.threshold}
        (directory / "oos.json").write_text(json.dumps(meta, indent=2))
        np.save(directory / "bank.npy", self.bank.astype(np.float16))
        return directory

    @classmethod
    def load(cls, directory: str | Path) -> OutOfScopeDetector:
        directory = Path(directory)
        meta = json.loads((directory / "oos.json").read_text())
        if meta.pop("format_version") != FORMAT_VERSION:
            raise ValueError(f"{directory}: unknown out-of-scope format")
        threshold = meta.pop("threshold")
        detector = cls(**meta)
        detector.bank = np.load(directory / "bank.npy").astype(np.float32)
        detector.threshold = threshold
        return detector

"""Out-of-scope gate: a request unlike anything the claim head was trained on is not given a confident wrong class.

The in-scope score of a contact is its mean cosine to the `k` nearest training examples plus the claim head's
calibrated top probability. A softmax alone is confidently wrong on unseen kinds of request; nearness to real
training examples is what tells "never seen" apart (measured on bitext with held-out intents, see RESULTS.md).
The threshold is chosen on held-out in-scope contacts so that a set share of them (`accept_rate`) is accepted.
The reference bank keeps at most `per_label` examples per claim label, so memory and latency stay bounded.

`method="logit_margin"` scores instead by log p_max - mean_j log p_j, which for a softmax head is the top logit
minus the mean logit (the temperature only rescales it). With a dense + n-gram claim head it needs no bank and,
on bitext with 6 of 27 intents held out (5 random draws, accept_rate 0.97), caught 94% of unseen-intent requests
(worst draw 83%) against 81% (worst 42%) for kNN + top probability, at the same in-scope accuracy (0.97).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

FORMAT_VERSION = 1


METHODS = ("knn_prob", "logit_margin")


class OutOfScopeDetector:
    def __init__(self, *, k: int = 5, accept_rate: float | None = 0.97, per_label: int = 400, seed: int = 0,
                 method: str = "knn_prob") -> None:
        # None: the threshold is set from outside (training.selection.gate_threshold: at most a set in-scope cost)
        if accept_rate is not None and not 0.5 < accept_rate < 1.0:
            raise ValueError("accept_rate must be in (0.5, 1)")
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, not {method!r}")
        self.k, self.accept_rate, self.per_label, self.seed = k, accept_rate, per_label, seed
        self.method = method
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
        """In-scope score: mean cosine to the k nearest bank examples + top calibrated probability (knn_prob), or
        log p_max - mean log p (logit_margin). Higher is more in scope."""
        if self.method == "logit_margin":
            log_p = np.log(np.clip(np.asarray(claim_probs, dtype=np.float64), 1e-300, None))
            return log_p.max(axis=1) - log_p.mean(axis=1)
        if self.bank is None:
            raise RuntimeError("the out-of-scope detector has no reference bank: call fit_bank first")
        sims = np.asarray(embeddings, dtype=np.float32) @ self.bank.T
        k = min(self.k, sims.shape[1])
        nearest = np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:].mean(axis=1)
        return nearest + claim_probs.max(axis=1)

    def fit_threshold(self, embeddings: np.ndarray, claim_probs: np.ndarray) -> OutOfScopeDetector:
        """Accept `accept_rate` of these held-out in-scope contacts (never the training ones: they are in the bank)."""
        if self.accept_rate is None:
            raise ValueError("no accept_rate: set `threshold` directly")
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
                "per_label": self.per_label, "seed": self.seed, "threshold": self.threshold, "method": self.method}
        (directory / "oos.json").write_text(json.dumps(meta, indent=2))
        if self.bank is not None:
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
        bank = directory / "bank.npy"
        detector.bank = np.load(bank).astype(np.float32) if bank.is_file() else None
        detector.threshold = threshold
        return detector

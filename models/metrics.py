"""Metrics for the heads: classification quality, calibration, out-of-scope detection, rank correlation, per slice."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from claimtriage.data.schema import OUT_OF_SCOPE
from claimtriage.models.calibration import expected_calibration_error



def classification_metrics(y_true: Sequence[str], y_pred: Sequence[str], probs: np.ndarray | None = None,
                           labels: Sequence[str] | None = None) -> dict[str, Any]:
    """Accuracy, macro-F1 (over the labels present in y_true) and, with probabilities, ECE."""
    from sklearn.metrics import accuracy_score, f1_score

    present = sorted(set(y_true))
    out: dict[str, Any] = {
        "n": len(y_true),
        "accuracy": float(accuracy_score(y_true, y_pred)) if len(y_true) else float("nan"),
        "macro_f1": float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)) if present else float("nan"),
    }
    if probs is not None and labels is not None and len(y_true):
        index = {label: i for i, label in enumerate(labels)}
        known = [i for i, y in enumerate(y_true) if y in index]
        if known:
            y_idx = np.asarray([index[y_true[i]] for i in known])
            out["ece"] = float(expected_calibration_error(probs[known], y_idx))
    return out


def multilabel_metrics(y_true: Sequence[Sequence[str]], y_pred: Sequence[Sequence[str]], labels: Sequence[str]) -> dict[str, Any]:
    """Exact-match accuracy and micro/macro F1 over label sets."""
    from sklearn.metrics import f1_score
    from sklearn.preprocessing import MultiLabelBinarizer

    binarizer = MultiLabelBinarizer(classes=list(labels))
    truth, pred = binarizer.fit_transform(y_true), binarizer.transform(y_pred)
    return {
        "n": len(y_true),
        "accuracy": float(np.mean([set(t) == set(p) for t, p in zip(y_true, y_pred, strict=True)])),
        "micro_f1": float(f1_score(truth, pred, average="micro", zero_division=0)),
        "macro_f1": float(f1_score(truth, pred, average="macro", zero_division=0)),
    }


def out_of_scope_metrics(y_true: Sequence[str], y_pred: Sequence[str], known: set[str]) -> dict[str, float]:
    """Rows whose true label is not in `known` should be predicted out-of-scope; the rest classified right.

    `in_scope_accuracy` counts an in-scope row right only when it was accepted and given its label, so a detector
    that rejects too much pays for it here.
    """
    truly_out = np.asarray([y not in known for y in y_true])
    said_out = np.asarray([p == OUT_OF_SCOPE for p in y_pred])
    correct = np.asarray([p == y for p, y in zip(y_pred, y_true, strict=True)])
    n_out, n_said = int(truly_out.sum()), int(said_out.sum())
    return {
        "n_in_scope": int((~truly_out).sum()),
        "n_out_of_scope": n_out,
        "in_scope_accuracy": float(correct[~truly_out].mean()) if (~truly_out).any() else float("nan"),
        "oos_recall": float((truly_out & said_out).sum() / n_out) if n_out else float("nan"),
        "oos_precision": float((truly_out & said_out).sum() / n_said) if n_said else float("nan"),
    }


def gated_metrics(y_true: Sequence[str], y_pred: Sequence[str], rejected: Sequence[bool] | np.ndarray,
                  known: set[str]) -> dict[str, float | int]:
    """What the out-of-scope gate does to every evaluated row, with `y_pred` the head's label before the gate.

    A row is in scope when its true label is one the head was trained on (`known`): only rows whose label the head
    never saw are out of scope, so a rejected row of a trained label is a missed contact, never a caught one.

    - `coverage`: share of all rows the gate accepts; `selective_accuracy`: right among the accepted rows (an
      accepted row of an unseen label is wrong);
    - `in_scope_coverage` and `in_scope_accuracy`: over the in-scope rows, accepted, and accepted with the right
      label (a gate that rejects too much pays here);
    - `oos_recall` (unseen-label rows rejected) and `oos_precision` (rejected rows that are unseen-label rows), only
      when some rows are out of scope.
    """
    rejected = np.asarray(rejected, dtype=bool)
    accepted = ~rejected
    in_scope = np.asarray([y in known for y in y_true], dtype=bool)
    correct = np.asarray([p == y for p, y in zip(y_pred, y_true, strict=True)], dtype=bool)

    def share(hits: np.ndarray, of: np.ndarray) -> float:
        return float(hits.sum() / of.sum()) if of.any() else float("nan")

    out: dict[str, float | int] = {
        "n_in_scope": int(in_scope.sum()),
        "n_out_of_scope": int((~in_scope).sum()),
        "coverage": float(accepted.mean()) if len(accepted) else float("nan"),
        "selective_accuracy": share(correct & accepted, accepted),
        "in_scope_coverage": share(accepted & in_scope, in_scope),
        "in_scope_accuracy": share(correct & accepted & in_scope, in_scope),
    }
    if (~in_scope).any():
        out["oos_recall"] = share(rejected & ~in_scope, ~in_scope)
        out["oos_precision"] = share(rejected & ~in_scope, rejected)
    return out


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(x, y).statistic)


def paired_comparison(y_true: Sequence, ours: Sequence, theirs: Sequence) -> dict[str, Any]:
    """Two models on the same rows (McNemar's exact test): how many rows only ours gets right, how many only theirs,
    and the two-sided p-value of so uneven a split if both were equally good (1.0 when they never disagree)."""
    from scipy.stats import binomtest

    ours_only = sum(o == t != h for t, o, h in zip(y_true, ours, theirs, strict=True))
    theirs_only = sum(h == t != o for t, o, h in zip(y_true, ours, theirs, strict=True))
    n = ours_only + theirs_only
    p_value = binomtest(ours_only, n, 0.5).pvalue if n else 1.0
    return {"ours_only": ours_only, "theirs_only": theirs_only, "p_value": round(float(p_value), 4)}


def per_slice(slices: dict[str, list[int]], y_true: Sequence, y_pred: Sequence) -> dict[str, dict[str, float]]:
    """Accuracy and macro-F1 within each slice."""
    out = {}
    for name, rows in slices.items():
        truth, pred = [y_true[i] for i in rows], [y_pred[i] for i in rows]
        out[name] = {k: v for k, v in classification_metrics(truth, pred).items() if k in ("n", "accuracy", "macro_f1")}
    return out


def plot_confusion(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str], path: Path, title: str) -> Path:
    """A row-normalised confusion matrix as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    size = max(6, 0.35 * len(labels))
    fig, ax = plt.subplots(figsize=(size, size))
    ConfusionMatrixDisplay.from_predictions(y_true, y_pred, labels=list(labels), normalize="true", ax=ax,
                                            xticks_rotation=90, include_values=len(labels) <= 15, colorbar=False)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def plot_calibration(probs: np.ndarray, y_idx: np.ndarray, path: Path, title: str, n_bins: int = 10) -> Path:
    """Reliability diagram of the top-class confidence."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    confidence = probs.max(axis=1)
    hit = probs.argmax(axis=1) == y_idx
    edges = np.linspace(0, 1, n_bins + 1)
    which = np.clip(np.digitize(confidence, edges) - 1, 0, n_bins - 1)
    centres, accuracy = [], []
    for b in range(n_bins):
        mask = which == b
        if mask.any():
            centres.append(confidence[mask].mean())
            accuracy.append(hit[mask].mean())
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect")
    ax.plot(centres, accuracy, "o-", label="model")
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def json_ready(value: Any) -> Any:
    """NaN (an undefined metric, e.g. accuracy over no rows) becomes null so the JSON stays valid."""
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, float) and value != value:
        return None
    return value

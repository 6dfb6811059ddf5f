"""Score one trained head on held-out examples: overall, per slice, calibration, out-of-scope, and plots.

A row is out of scope only when its true label is not one the head was trained on. With the gate off:
`accuracy`, `macro_f1` and `ece` over the in-scope rows (what promotion compares), `accuracy_all_rows` over every
row (an unseen-label row is wrong), and `unseen_labels` / `n_unseen_label_rows` when there are any. With the claim head's
out-of-scope gate on (`models.metrics.gated_metrics`): `coverage`, `selective_accuracy`, `in_scope_coverage`,
`in_scope_accuracy`, and `oos_recall` / `oos_precision` when the eval rows hold labels unseen in training.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from claimtriage.models.metrics import (
    OUT_OF_SCOPE,
    classification_metrics,
    gated_metrics,
    multilabel_metrics,
    per_slice,
    plot_calibration,
    plot_confusion,
    spearman,
)
from claimtriage.data.slices import slice_masks
from claimtriage.models.heads import Head
from claimtriage.models.oos import OutOfScopeDetector
from claimtriage.training.labels import Examples, derived_complexity


def _true_scores(name: str, examples: Examples) -> list[float | None]:
    """The continuous truth a score head is compared with, where the data has it."""
    if name == "sentiment":
        return [c.labels.sentiment_score if c.labels else None for c in examples.contacts]
    if name == "complexity":
        return [(derived_complexity(c) or (None, None))[1] for c in examples.contacts]
    return []


def evaluate_head(name: str, head: Head, examples: Examples, embeddings: np.ndarray, *,
                  oos: OutOfScopeDetector | None = None, plot_dir: Path | None = None) -> tuple[dict[str, Any], list[Path]]:
    """Metrics of `head` on `examples` (never seen in training or model selection) and the plots written."""
    if not len(examples):
        return {"n_eval": 0}, []
    texts, truth = examples.texts, examples.labels
    probs = head.predict_proba(embeddings, texts)
    if head.config.multi_label:
        predicted = head.predict(embeddings, texts)
        return {"n_eval": len(truth), **multilabel_metrics(truth, predicted, head.labels)}, []
    predicted = [head.labels[i] for i in probs.argmax(axis=1)]
    known = set(head.labels) - {OUT_OF_SCOPE}  # rows labelled out_of_scope are out of scope, learnt or not
    in_scope = [i for i, y in enumerate(truth) if y in known]
    pick = lambda seq: [seq[i] for i in in_scope]  # noqa: E731 - a local shorthand
    metrics: dict[str, Any] = {"n_eval": len(truth)}
    metrics.update({k: v for k, v in classification_metrics(pick(truth), pick(predicted), probs[in_scope], head.labels).items()
                    if k != "n"})
    metrics["accuracy_all_rows"] = float(np.mean([p == y for p, y in zip(predicted, truth, strict=True)]))
    unseen = Counter(y for y in truth if y not in known)
    if unseen:  # names as a list: MLflow metric keys cannot hold every label a user writes
        metrics["unseen_labels"] = sorted(unseen)
        metrics["n_unseen_label_rows"] = sum(unseen.values())
    if oos is not None or head.out_of_scope_index is not None:
        rejected = head.said_out_of_scope(probs)
        if oos is not None:
            rejected |= oos.reject(embeddings, probs)
        metrics["rejected_share"] = float(rejected.mean())
        metrics.update(gated_metrics(truth, predicted, rejected, known))
    if name in ("sentiment", "complexity"):
        scores = head.score_from_proba(probs)
        pairs = [(s, t) for s, t in zip(scores, _true_scores(name, examples), strict=True) if t is not None]
        if len(pairs) >= 10:
            metrics["spearman_score"] = spearman([p[0] for p in pairs], [p[1] for p in pairs])
    slices = slice_masks([examples.contacts[i] for i in in_scope], pick(texts))
    metrics["slices"] = per_slice(slices, pick(truth), pick(predicted))
    plots: list[Path] = []
    if plot_dir is not None and in_scope:
        plot_dir.mkdir(parents=True, exist_ok=True)
        if len(head.labels) <= 40:
            plots.append(plot_confusion(pick(truth), pick(predicted), head.labels, plot_dir / f"{name}_confusion.png",
                                        f"{name}: confusion (row-normalised)"))
        index = {label: i for i, label in enumerate(head.labels)}
        y_idx = np.asarray([index[y] for y in pick(truth)])
        plots.append(plot_calibration(probs[in_scope], y_idx, plot_dir / f"{name}_calibration.png",
                                      f"{name}: reliability (ECE {metrics.get('ece', float('nan')):.3f})"))
    return metrics, plots

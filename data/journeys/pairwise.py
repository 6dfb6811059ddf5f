"""Pairwise clustering metrics: of all pairs of items put together, how many belong together (precision), and of
all pairs that belong together, how many were put together (recall). Used for customers and claims."""

from __future__ import annotations

from collections import defaultdict
from typing import Hashable, Mapping


def _n_pairs(size: int) -> int:
    return size * (size - 1) // 2


def pairwise_scores(predicted: Mapping[str, Hashable | None], truth: Mapping[str, Hashable]) -> dict[str, float]:
    """Pairwise precision, recall and F1 of `predicted` groups against `truth` over the items of `truth`.

    An item predicted as None (not linked) is a group of its own. Counts via contingency, not by listing pairs."""
    joint: dict[tuple, int] = defaultdict(int)
    pred_sizes: dict[Hashable, int] = defaultdict(int)
    true_sizes: dict[Hashable, int] = defaultdict(int)
    for item, true_group in truth.items():
        pred_group = predicted.get(item)
        pred_key = pred_group if pred_group is not None else ("__single__", item)
        joint[(pred_key, true_group)] += 1
        pred_sizes[pred_key] += 1
        true_sizes[true_group] += 1
    together = sum(_n_pairs(n) for n in joint.values())
    predicted_pairs = sum(_n_pairs(n) for n in pred_sizes.values())
    true_pairs = sum(_n_pairs(n) for n in true_sizes.values())
    precision = together / predicted_pairs if predicted_pairs else 1.0
    recall = together / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "predicted_pairs": predicted_pairs,
            "true_pairs": true_pairs, "items": len(truth)}

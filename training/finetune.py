"""Fine-tune the shared encoder before the heads are fitted: `finetune_encoder(encoder, data, config)`.

Only the TRAIN role of each chosen head reaches it (validation calibrates and sets the out-of-scope gate, test
scores), and labels a head keeps unseen never do. Two methods, both multi-task over the chosen heads, whose batches
are interleaved so the shared encoder does not forget one head's task while it learns another's:

- `contrastive` (SetFit's recipe): pairs of training texts, target 1 when they share a label and 0 otherwise,
  through sentence-transformers' `CosineSimilarityLoss`;
- `full`: a linear layer per head over the pooled sentence embedding, cross-entropy (binary cross-entropy for a
  multi-label head), trained together with the encoder and dropped afterwards.

A plain PyTorch loop around sentence-transformers' model and loss: `SentenceTransformerTrainer` would add the
`accelerate` dependency and checkpoint / model-card machinery that a bounded CPU run does not need. The heads are
then fitted on the new embeddings exactly as with a frozen encoder.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from claimtriage.models.encoder import Encoder
from claimtriage.models.packaged_encoders import PackagedEncoder
from claimtriage.training.config import FinetuneConfig
from claimtriage.training.dataset import HeadData

log = logging.getLogger(__name__)

#: `full`: the pooled embedding is unit-norm, so it is scaled (as in a cosine-softmax classifier) before the linear
#: layer; unscaled, the logits stay near zero (measured on xlmt: the loss was still ln 3 after 36 steps)
LOGIT_SCALE = 20.0


@dataclass(frozen=True)
class TrainTexts:
    """One head's texts and labels drawn for fine-tuning (labels as hashable keys: a tuple for a multi-label set)."""

    head: str
    texts: list[str]
    labels: list


def _key(label: Any) -> Any:
    return tuple(sorted(label)) if isinstance(label, list | tuple | set) else label


def training_texts(head: str, data: HeadData, *, unseen: list[str], max_examples: int | None,
                   rng: np.random.Generator) -> TrainTexts:
    """Up to `max_examples` labelled texts of the head's TRAIN role, none of them carrying an unseen label."""
    unseen_set = set(unseen)
    rows = [i for i, label in enumerate(data.train.labels)
            if label is not None and not (set(label) if isinstance(label, list | tuple) else {label}) & unseen_set]
    if max_examples is not None and len(rows) > max_examples:
        rows = sorted(rng.choice(rows, size=max_examples, replace=False).tolist())
    return TrainTexts(head, [data.train.texts[i] for i in rows], [_key(data.train.labels[i]) for i in rows])


def build_pairs(examples: TrainTexts, *, per_example: int, max_pairs: int | None,
                rng: np.random.Generator) -> list[tuple[str, str, float]]:
    """SetFit's pair generation: for each example, `per_example` rounds of one similar pair (same label, another
    text) and one dissimilar pair (another label); shuffled and capped at `max_pairs`."""
    by_label: dict[Any, list[int]] = defaultdict(list)
    for i, label in enumerate(examples.labels):
        by_label[label].append(i)
    n = len(examples.texts)
    pairs: list[tuple[str, str, float]] = []
    for _ in range(per_example):
        for i, label in enumerate(examples.labels):
            same = by_label[label]
            if len(same) > 1:
                j = same[int(rng.integers(len(same) - 1))]
                j = same[-1] if j == i else j  # draw among the others: i is replaced by the last one
                pairs.append((examples.texts[i], examples.texts[j], 1.0))
            if len(by_label) > 1:
                j = int(rng.integers(n))
                while examples.labels[j] == label:
                    j = int(rng.integers(n))
                pairs.append((examples.texts[i], examples.texts[j], 0.0))
    order = rng.permutation(len(pairs))
    if max_pairs is not None:
        order = order[:max_pairs]
    return [pairs[i] for i in order]


def _interleave(batches: dict[str, list], rng: np.random.Generator) -> list[tuple[str, Any]]:
    """All heads' batches in one random order (each head in proportion to its size)."""
    tagged = [(head, batch) for head, items in batches.items() for batch in items]
    return [tagged[i] for i in rng.permutation(len(tagged))]


def _chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class _Contrastive:
    """SetFit's objective: the cosine of a pair's embeddings pulled to 1 for the same label, to 0 otherwise."""

    def __init__(self, model, drawn: dict[str, TrainTexts], config: FinetuneConfig, rng: np.random.Generator) -> None:
        from sentence_transformers.sentence_transformer.losses import CosineSimilarityLoss

        self.model, self.batch_size = model, config.batch_size
        self.pairs = {name: build_pairs(d, per_example=config.pairs_per_example, max_pairs=config.max_pairs, rng=rng)
                      for name, d in drawn.items()}
        self.loss_fn = CosineSimilarityLoss(model)
        self.param_groups = [{"params": list(model.parameters()), "lr": config.learning_rate}]
        self.counts = {"pairs": {name: len(p) for name, p in self.pairs.items()}}

    def batches(self, rng: np.random.Generator) -> list[tuple[str, Any]]:
        return _interleave({name: _chunks([p[i] for i in rng.permutation(len(p))], self.batch_size)
                            for name, p in self.pairs.items()}, rng)

    def loss(self, head: str, batch: list[tuple[str, str, float]]):
        import torch

        left, right, target = zip(*batch)
        return self.loss_fn([self.model.preprocess(list(left)), self.model.preprocess(list(right))],
                            torch.tensor(target, dtype=torch.float32))


class _Classify:
    """Supervised: a linear layer per head over the (scaled) pooled embedding; cross-entropy, or binary
    cross-entropy per label for a multi-label head."""

    def __init__(self, model, drawn: dict[str, TrainTexts], config: FinetuneConfig, rng: np.random.Generator) -> None:
        import torch

        self.model, self.drawn, self.batch_size = model, drawn, config.batch_size
        self.multi = {name: any(isinstance(label, tuple) for label in d.labels) for name, d in drawn.items()}
        self.index: dict[str, dict[Any, int]] = {}
        self.layers = torch.nn.ModuleDict()
        for name, d in drawn.items():
            names = sorted({x for label in d.labels for x in (label if self.multi[name] else (label,))}, key=str)
            self.index[name] = {label: i for i, label in enumerate(names)}
            self.layers[name] = torch.nn.Linear(model.get_embedding_dimension(), len(names))
        self.param_groups = [{"params": list(model.parameters()), "lr": config.learning_rate},
                             {"params": list(self.layers.parameters()), "lr": config.head_learning_rate}]
        self.counts: dict[str, Any] = {}

    def batches(self, rng: np.random.Generator) -> list[tuple[str, Any]]:
        return _interleave({name: _chunks(rng.permutation(len(d.texts)).tolist(), self.batch_size)
                            for name, d in self.drawn.items()}, rng)

    def loss(self, head: str, rows: list[int]):
        import torch

        d, index = self.drawn[head], self.index[head]
        pooled = self.model(self.model.preprocess([d.texts[i] for i in rows]))["sentence_embedding"]
        logits = self.layers[head](pooled * LOGIT_SCALE)
        if not self.multi[head]:
            return torch.nn.functional.cross_entropy(logits, torch.tensor([index[d.labels[i]] for i in rows]))
        target = torch.zeros_like(logits)
        for r, i in enumerate(rows):
            for label in d.labels[i] if isinstance(d.labels[i], tuple) else (d.labels[i],):
                target[r, index[label]] = 1.0
        return torch.nn.functional.binary_cross_entropy_with_logits(logits, target)


def _run(task, config: FinetuneConfig, rng: np.random.Generator) -> list[float]:
    """AdamW with linear warm-up and decay, gradients clipped at 1; returns the loss of every step."""
    import torch
    from tqdm import tqdm
    from transformers import get_linear_schedule_with_warmup

    first = task.batches(rng)
    total = len(first) * config.epochs
    params = [p for group in task.param_groups for p in group["params"]]
    optimizer = torch.optim.AdamW(task.param_groups, weight_decay=0.01)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(config.warmup_ratio * total), max(total, 1))
    losses: list[float] = []
    with tqdm(total=total, desc=f"fine-tune ({config.method})", unit="step") as progress:
        for epoch in range(config.epochs):
            for head, batch in first if epoch == 0 else task.batches(rng):
                loss = task.loss(head, batch)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(params, 1.0)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad(set_to_none=True)
                losses.append(float(loss.detach()))
                progress.update(1)
                if len(losses) % 10 == 0:
                    progress.set_postfix(loss=f"{np.mean(losses[-50:]):.4f}")
    return losses


def finetune_encoder(encoder: Encoder, data: dict[str, HeadData], config: FinetuneConfig, *, seed: int,
                     unseen: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """Fine-tune `encoder` in place on the train role of `config.heads`; returns what to record (loss, seconds).
    An encoder that cannot be trained (a packaged one) raises `NotFineTunable` before anything is drawn."""
    import torch

    if isinstance(encoder, PackagedEncoder):
        with encoder.trainable(config.max_seq_length):  # raises NotFineTunable, naming the encoder
            pass

    started = time.perf_counter()
    seed = config.seed if config.seed is not None else seed
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    unseen = unseen or {}
    drawn = {name: training_texts(name, data[name], unseen=unseen.get(name, []),
                                  max_examples=config.examples_for(name), rng=rng) for name in config.heads}
    for name, d in drawn.items():
        if len(set(d.labels)) < 2:
            raise ValueError(f"finetune: head {name!r} has fewer than two labels in its train role to learn from")
    with encoder.trainable(config.max_seq_length) as model:
        task = (_Contrastive if config.method == "contrastive" else _Classify)(model, drawn, config, rng)
        losses = _run(task, config, rng)
    per_epoch = len(losses) // config.epochs
    report = {"method": config.method, "heads": list(config.heads),
              "examples": {name: len(d.texts) for name, d in drawn.items()}, **task.counts, "steps": len(losses),
              # the mean over the last fifth of the last epoch, and over the first ten steps
              "train_loss": float(np.mean(losses[-max(1, per_epoch // 5):])), "first_loss": float(np.mean(losses[:10])),
              "seconds": round(time.perf_counter() - started, 2)}
    log.info("finetune.done method=%s heads=%s steps=%d loss=%.4f seconds=%.1f", config.method, ",".join(config.heads),
             report["steps"], report["train_loss"], report["seconds"])
    return report

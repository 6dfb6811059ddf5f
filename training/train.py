"""`train(config)`: optionally fine-tune the encoder on the heads' train role (`training.finetune`), encode each
head's data once, fit the heads, calibrate and set the out-of-scope gate on the
validation role, score the untouched test role, save the model and (optionally) track it in MLflow.

Everything is written into a hidden folder beside `output_dir` and moved into place only when training succeeded,
so a run that fails (bad data, an interrupted fit) leaves nothing half-written where a reader would find it.
`metrics.json` repeats the main head's figures at the top level (the claim head, else the only head).
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from claimtriage.data.paths import workspace_dir
from claimtriage.models.embedding_cache import EmbeddingCache
from claimtriage.models.encoder import Encoder
from claimtriage.models.heads import HeadConfig
from claimtriage.models.metrics import OUT_OF_SCOPE
from claimtriage.models.oos import OutOfScopeDetector
from claimtriage.models.triage_model import HEAD_CLASSES, TriageModel
from claimtriage.training.config import TrainConfig
from claimtriage.training.dataset import HeadData, SourceCache, head_data, hold_out_across_heads
from claimtriage.training.encoder_selection import AUTO, choose_encoder
from claimtriage.training.head_metrics import evaluate_head
from claimtriage.training.selection import Rows, gate_report, gate_threshold, select_head, select_oos_method
from claimtriage.models.metrics import json_ready

log = logging.getLogger(__name__)


@dataclass
class TrainResult:
    model: TriageModel
    model_dir: Path
    metrics: dict[str, Any]
    run_id: str | None = None
    model_version: str | None = None
    plots: list[Path] = field(default_factory=list)
    #: each head's train / validation / test examples, for evaluations that need the held-out contacts
    data: dict[str, HeadData] = field(default_factory=dict)
    #: the config as trained: with `encoder.name: auto`, the encoder chosen in its place
    config: TrainConfig | None = None


def git_commit() -> str | None:
    """The project's commit, recorded with every run; None outside a git checkout."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                             cwd=Path(__file__).resolve().parents[1])
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _encode(encoder: Encoder, texts: list[str], batch_size: int, cache: bool) -> np.ndarray:
    """The vectors of `texts`, from the workspace's embedding cache where `cache` allows."""
    show = len(texts) > 500
    if cache:
        store = EmbeddingCache(workspace_dir() / ".cache" / "embeddings.sqlite")
        return store.encode(encoder, texts, batch_size=batch_size, show_progress=show)
    return encoder.encode(texts, batch_size=batch_size, show_progress=show)


def _encode_once(encoder: Encoder, data: dict[str, HeadData], batch_size: int, cache: bool):
    """Encode every distinct text of every head and role once; return a lookup from texts to their vectors."""
    distinct = list(dict.fromkeys(t for d in data.values() for role in (d.train, d.validation, d.test) for t in role.texts))
    log.info("training.encoding distinct_texts=%d", len(distinct))
    matrix = _encode(encoder, distinct, batch_size, cache)
    row = {text: i for i, text in enumerate(distinct)}

    def lookup(texts: list[str]) -> np.ndarray:
        return matrix[[row[t] for t in texts]] if texts else np.zeros((0, matrix.shape[1]), dtype=np.float32)

    return lookup


def _sources(head_cfg, contacts, cache: SourceCache) -> list[str]:
    """Which configured source each contact came from (`source` or `source:split`), for per-source gate figures."""
    origin = {}
    for source in head_cfg.sources:
        for contact in cache.load(source):
            origin.setdefault(id(contact), source.source + (f":{source.split}" if source.split else ""))
    return [origin.get(id(c), "other") for c in contacts]


def _fit_gate(head, head_cfg, config: TrainConfig, train_rows: Rows, validation: Rows, val_rows: list[int],
              selected: dict[str, Any]) -> tuple[OutOfScopeDetector | None, dict[str, Any]]:
    """The claim head's out-of-scope gate: the method (chosen on pseudo-unseen labels unless the config names one),
    then the threshold every source allows on the validation role, with per-source acceptance (see
    `training.selection`)."""
    if not val_rows:
        return None, {}
    rate = head_cfg.oos_accept_rate if isinstance(head_cfg.oos_accept_rate, float) else None
    gate: dict[str, Any] = {"rule": f"accept_rate {rate}" if rate is not None else
                            f"in-scope accuracy cost <= {config.selection.oos_max_cost} per source"}
    method = head_cfg.oos_method
    if config.selection.enabled and "oos_method" not in head_cfg.model_fields_set:
        chosen, gate["method_selection"] = select_oos_method(head, config.selection, config.seed, train_rows,
                                                             validation, rate)
        method = chosen or method
    gate["method"] = method
    oos = OutOfScopeDetector(accept_rate=rate, seed=config.seed, method=method)
    if method == "knn_prob":
        oos.fit_bank(train_rows.embeddings, train_rows.labels)
    emb = validation.embeddings[val_rows]
    probs = head.predict_proba(emb, [validation.texts[i] for i in val_rows])
    truth = [validation.labels[i] for i in val_rows]
    correct = np.asarray([head.labels[j] == t for j, t in zip(probs.argmax(axis=1), truth)])
    sources = [validation.sources[i] for i in val_rows]
    scores = oos.scores(emb, probs)
    threshold = gate_threshold(scores, sources, correct, accept_rate=rate, max_cost=config.selection.oos_max_cost)
    oos.threshold = threshold if np.isfinite(threshold) else float(scores.min()) - 1.0  # nothing right to keep
    gate["threshold"] = oos.threshold
    gate["validation"] = gate_report(scores < oos.threshold, sources, correct)
    return oos, gate


#: the top-level figures of metrics.json, copied from the main head when it has them
SUMMARY_KEYS = ("accuracy", "macro_f1", "n_train", "n_eval", "accuracy_all_rows", "coverage", "selective_accuracy",
                "in_scope_accuracy", "oos_recall", "oos_precision", "n_labels_trained")


def _move_into_place(staging: Path, out: Path) -> None:
    """Move what `staging` holds into `out`: the whole folder when `out` is new, else entry by entry (an entry of
    the same name is replaced; anything else already in `out` stays)."""
    if not out.exists():
        os.replace(staging, out)
        return
    for entry in sorted(staging.iterdir()):
        target = out / entry.name
        old = None
        if target.exists():
            old = out / f".{entry.name}.old-{uuid.uuid4().hex[:8]}"
            os.replace(target, old)
        os.replace(entry, target)
        if old is not None:
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    staging.rmdir()


def train(config: TrainConfig, *, output_dir: str | Path | None = None, track: bool = True) -> TrainResult:
    """Train every head of `config`; write the model and metrics.json under `output_dir` (only once all went well)."""
    out = Path(output_dir or config.output_dir / config.name)
    target = out.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.partial-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        result = _train(config, staging)
        _move_into_place(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    result.model_dir = out / result.model_dir.relative_to(staging)
    result.plots = [out / plot.relative_to(staging) for plot in result.plots]
    if track:
        from claimtriage.training.tracking import log_training

        result.run_id, result.model_version = log_training(result.config or config, result, result.data)
    log.info("training.done name=%s seconds=%.1f", config.name, result.metrics["train_seconds"])
    return result


def _train(config: TrainConfig, out: Path) -> TrainResult:
    """The training itself, writing into `out` (the staging folder)."""
    random.seed(config.seed)
    np.random.seed(config.seed)
    started = time.perf_counter()
    heads, views, data, metrics = {}, {}, {}, {"heads": {}}
    oos = None
    plots: list[Path] = []
    cache = SourceCache()
    for name, head_cfg in config.heads.items():  # the data first: a bad file fails before the encoder loads
        data[name] = head_data(head_cfg, config.split, config.seed, cache)
    if config.encoder.name == AUTO:  # the encoder the validation role prefers among the candidates
        chosen, metrics["encoder_selection"] = choose_encoder(
            config, data, lambda enc, texts: _encode(enc, texts, config.encoder.batch_size, config.encoder.cache))
        config = config.model_copy(update={"encoder": config.encoder.model_copy(update={"name": chosen})})
    encoder = Encoder.load(config.encoder.name, dtype=config.encoder.dtype, max_seq_length=config.encoder.max_seq_length,
                           max_chunks=config.encoder.max_chunks)
    held_out = hold_out_across_heads(data)
    if held_out:
        metrics["held_out_across_heads"] = held_out
    finetuned = None
    if config.finetune is not None:
        from claimtriage.training.finetune import finetune_encoder

        finetuned = finetune_encoder(encoder, {name: data[name] for name in config.finetune.heads}, config.finetune,
                                     seed=config.seed,
                                     unseen={name: config.heads[name].unseen_labels for name in config.finetune.heads})
        metrics["finetune"] = finetuned
    vectors = _encode_once(encoder, data, config.encoder.batch_size, config.encoder.cache)
    for name, head_cfg in config.heads.items():
        t0 = time.perf_counter()
        split_data = data[name]
        emb = {role: vectors(getattr(split_data, role).texts) for role in ("train", "validation", "test")}
        train_rows = Rows(emb["train"], split_data.train.texts, split_data.train.labels,
                          _sources(head_cfg, split_data.train.contacts, cache) if config.selection.across_sources else [])
        val_rows_all = Rows(emb["validation"], split_data.validation.texts, split_data.validation.labels,
                            _sources(head_cfg, split_data.validation.contacts, cache))
        head, selected = select_head(HEAD_CLASSES[name], head_cfg, config.selection, config.seed, train_rows, val_rows_all)
        known = set(head.labels)
        val_rows = [i for i, lab in enumerate(split_data.validation.labels)
                    if (lab in known if isinstance(lab, str) else set(lab) <= known)]
        if val_rows:
            head.calibrate(emb["validation"][val_rows], [split_data.validation.texts[i] for i in val_rows],
                           [split_data.validation.labels[i] for i in val_rows])
        if name == "claim" and head_cfg.oos_accept_rate is not None and not head.config.multi_label:
            # the threshold is set on claims only: examples of out-of-scope contacts are what the gate must turn away
            in_scope_rows = [i for i in val_rows if split_data.validation.labels[i] != OUT_OF_SCOPE]
            oos, gate = _fit_gate(head, head_cfg, config, train_rows, val_rows_all, in_scope_rows, selected)
            if oos is None:  # every label too rare to hold one out: no held-out in-scope rows to set the threshold on
                log.warning("training.no_oos_gate head=%s: no validation examples of trained labels", name)
                metrics.setdefault("warnings", []).append(
                    f"{name}: no validation examples of trained labels, so no out-of-scope gate; add examples")
            else:
                selected["gate"] = gate
        heads[name], views[name] = head, head_cfg.text
        head_metrics, head_plots = evaluate_head(name, head, split_data.test, emb["test"], oos=oos if name == "claim" else None,
                                                 plot_dir=out / "plots")
        head_metrics.update(split_data.sizes(), train_seconds=round(time.perf_counter() - t0, 2))
        if not head.config.multi_label:
            head_metrics["n_labels_trained"] = len(set(split_data.train.labels))
        head_metrics["selection"] = selected
        metrics["heads"][name] = head_metrics
        if split_data.warnings:
            metrics.setdefault("warnings", []).extend(f"{name}: {note}" for note in split_data.warnings)
        plots += head_plots
    info = {
        "name": config.name,
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "encoder": config.encoder.name,
        "encoder_dtype": encoder.dtype,
        "encoder_package": getattr(encoder, "package", None),
        "labels": {name: head.labels for name, head in heads.items()},
        "encoder_finetuned": finetuned is not None,
    }
    if finetuned is not None:
        info["finetune"] = {**config.finetune.model_dump(mode="json"), "weights_digest": encoder.weights_digest}
    model = TriageModel(encoder, heads, views=views, oos=oos, info=info)
    model_dir = model.save(out / "model")
    main = "claim" if "claim" in metrics["heads"] else next(iter(metrics["heads"]))
    metrics["head"] = main
    metrics.update({key: metrics["heads"][main][key] for key in SUMMARY_KEYS if key in metrics["heads"][main]})
    metrics["train_seconds"] = round(time.perf_counter() - started, 2)
    metrics["encoder_dtype"] = encoder.dtype
    metrics = json_ready(metrics)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    return TrainResult(model=model, model_dir=model_dir, metrics=metrics, plots=plots, data=data, config=config)

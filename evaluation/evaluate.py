"""Score a trained model (a local folder or a registry URI such as models:/claimtriage@champion) on any labelled
source: every head the model has and the source labels, overall and per slice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from claimtriage.data.mapping import ColumnMapping
from claimtriage.data.sources import load_source
from claimtriage.training.head_metrics import evaluate_head
from claimtriage.models.triage_model import TriageModel
from claimtriage.training.labels import build_examples

#: which label of a contact each head is scored against
HEAD_LABELS = {"claim": "claim", "sentiment": "derived_sentiment", "complexity": "derived"}


def evaluate_model(model: TriageModel, source: str, *, split: str | None = None,
                   mapping: ColumnMapping | None = None, plot_dir: Path | None = None) -> dict[str, Any]:
    """Metrics per head on the labelled contacts of `source`; heads the source has no labels for are skipped."""
    result = load_source(source, mapping=mapping, split=split)
    report: dict[str, Any] = {"source": source, "split": split, "n_contacts": len(result.contacts),
                              "model": model.info.get("name"), "heads": {}}
    if result.errors or result.excluded:
        report["skipped_rows"] = result.error_report()
    cache: dict[int, Any] = {}
    for name, head in model.heads.items():
        label = "claims" if head.config.multi_label else HEAD_LABELS[name]
        examples = build_examples(result.contacts, label=label, view=model.views[name], cache=cache)
        if not len(examples):
            report["heads"][name] = {"n_eval": 0, "note": f"the source has no {label} labels"}
            continue
        embeddings = model.encoder.encode(examples.texts, show_progress=len(examples) > 2000)
        metrics, _ = evaluate_head(name, head, examples, embeddings, oos=model.oos if name == "claim" else None,
                                   plot_dir=plot_dir)
        report["heads"][name] = metrics
    return report

"""`claimtriage evaluate --suite quality`: train the reference configs and measure every quality target on data
never seen in training or model selection; write `evaluation/quality.json` and `evaluation/RESULTS.md`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from claimtriage.data.paths import PROJECT_ROOT
from claimtriage.evaluation.results import update_section
from claimtriage.models.metrics import json_ready, spearman

CONFIGS = PROJECT_ROOT / "training" / "configs"
EVALUATION = PROJECT_ROOT / "evaluation"
COMMAND = "claimtriage evaluate --suite quality"


@dataclass
class Figure:
    target: str
    measured: float | None
    threshold: float
    higher_is_better: bool = True
    detail: str = ""

    @property
    def met(self) -> bool:
        if self.measured is None:
            return False
        return self.measured >= self.threshold if self.higher_is_better else self.measured <= self.threshold


def _stc3_correlations(result) -> dict[str, float]:
    """On the held-out STC-3 threads of the complexity head: complexity from the first customer turn against the
    annotators' mean "not accomplished" (-A), and sentiment over all customer turns against mean satisfaction S."""
    from claimtriage.data.normalise import normalise
    from claimtriage.models.triage_model import view_text

    test = result.data["complexity"].test
    threads = [c for c in test.contacts if c.metadata.get("source") == "stc3_helpdesk_dq"]
    normalised = [normalise(c) for c in threads]
    model = result.model
    out: dict[str, float] = {"n_threads": float(len(threads))}
    first = [view_text(n, "first_customer_turn") for n in normalised]
    complexity = model.heads["complexity"].score(model.encoder.encode(first), first)
    out["complexity_vs_not_accomplished"] = spearman(complexity, [-float(c.labels.signals["A"]) for c in threads])
    if "sentiment" in model.heads:
        whole = [n.text for n in normalised]
        sentiment = model.heads["sentiment"].score(model.encoder.encode(whole), whole)
        out["sentiment_vs_satisfaction"] = spearman(sentiment, [float(c.labels.signals["S"]) for c in threads])
    return out


def _train(name: str, track: bool):
    from claimtriage.training.config import load_config
    from claimtriage.training.train import train

    config = load_config(CONFIGS / f"{name}.yaml")
    return train(config, output_dir=PROJECT_ROOT / "artifacts" / "quality" / name, track=track)


def run_quality(*, track: bool = True, echo: Callable[[str], None] = print) -> dict[str, Any]:
    """Train the three configs, measure, write the JSON and the Markdown; returns the report."""
    started = time.perf_counter()
    timings: dict[str, float] = {}
    figures: list[Figure] = []

    t0 = time.perf_counter()
    reference = _train("reference", track)
    timings["reference"] = round(time.perf_counter() - t0, 1)
    echo(f"reference trained in {timings['reference']} s")
    heads = reference.metrics["heads"]
    figures.append(Figure("bitext claim intent accuracy", heads["claim"].get("accuracy"), 0.985,
                          detail=f"n_test={heads['claim'].get('n_eval')}"))
    slices = heads["sentiment"].get("slices", {})
    # issue 14's targets for the reference config (the BYO CLI's are 0.66 / 0.68, measured by the byo suite)
    for code, name, threshold in (("it", "Italian", 0.68), ("en", "English", 0.70)):
        figures.append(Figure(f"xlmt_sentiment validation macro-F1, {name}",
                              slices.get(f"language:{code}", {}).get("macro_f1"), threshold,
                              detail=f"n={slices.get(f'language:{code}', {}).get('n')}"))
    stc3 = _stc3_correlations(reference)
    figures.append(Figure("stc3 Spearman: complexity (first customer turn) vs mean not-accomplished (-A)",
                          stc3["complexity_vs_not_accomplished"], 0.45, detail=f"n_threads={int(stc3['n_threads'])}"))
    figures.append(Figure("stc3 Spearman: sentiment (all customer turns) vs mean satisfaction S",
                          stc3.get("sentiment_vs_satisfaction"), 0.72, detail=f"n_threads={int(stc3['n_threads'])}"))

    t0 = time.perf_counter()
    cfpb = _train("cfpb_products", track)
    timings["cfpb_products"] = round(time.perf_counter() - t0, 1)
    claim = cfpb.metrics["heads"]["claim"]
    figures.append(Figure("cfpb product from narrative: accuracy", claim.get("accuracy"), 0.82, detail=f"n_test={claim.get('n_eval')}"))
    figures.append(Figure("cfpb product from narrative: macro-F1 (products with >= 20 examples)", claim.get("macro_f1"), 0.50))
    long_slice = claim.get("slices", {}).get("long_text", {})

    t0 = time.perf_counter()
    oos = _train("bitext_oos", track)
    timings["bitext_oos"] = round(time.perf_counter() - t0, 1)
    gate = oos.metrics["heads"]["claim"]
    figures.append(Figure("out-of-scope recall (6 bitext intents unseen)", gate.get("oos_recall"), 0.85,
                          detail=f"precision {gate.get('oos_precision', float('nan')):.3f}, n_out={gate.get('n_out_of_scope')}"))
    figures.append(Figure("in-scope accuracy with the out-of-scope gate on", gate.get("in_scope_accuracy"), 0.95,
                          detail=f"n_in={gate.get('n_in_scope')}"))
    report = {
        "command": COMMAND,
        "seconds": round(time.perf_counter() - started, 1),
        "train_seconds": timings,
        "encoder_dtype": reference.model.encoder.dtype,
        "figures": [{"target": f.target, "measured": f.measured, "threshold": f.threshold, "met": f.met, "detail": f.detail}
                    for f in figures],
        "extra": {"stc3": stc3, "cfpb_long_text_slice": long_slice,
                  "reference_ece": {n: h.get("ece") for n, h in heads.items()}},
    }
    report = json_ready(report)
    (EVALUATION / "quality.json").write_text(json.dumps(report, indent=2))
    write_results_md(report)
    return report


def _fmt(value: Any) -> str:
    return "n/a" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def write_results_md(report: dict[str, Any], path: Path | None = None) -> Path:
    """The quality section of RESULTS.md, regenerated from quality.json (other sections are kept)."""
    path = path or EVALUATION / "RESULTS.md"
    rows = ["| target | threshold | measured | status | detail |", "|---|---:|---:|---|---|"]
    for f in report["figures"]:
        status = "met" if f["met"] else "**FALLS SHORT**"
        rows.append(f"| {f['target']} | {f['threshold']} | {_fmt(f['measured'])} | {status} | {f['detail']} |")
    section = "\n".join([
        "## Model quality (held-out data, never used in training or model selection)",
        "",
        f"Reproduce: `{report['command']}` (trains `training/configs/reference.yaml`, `cfpb_products.yaml` and "
        f"`bitext_oos.yaml`; {report['seconds']:.0f} s in all on this machine, encoder in {report['encoder_dtype']}). "
        "Figures below are copied from `evaluation/quality.json` by that command.",
        "",
        *rows,
        "",
        f"Training seconds per config: {report['train_seconds']}. Expected calibration error of the reference heads: "
        f"{ {k: _fmt(v) for k, v in report['extra']['reference_ece'].items()} }.",
    ])
    return update_section("quality", section, path)

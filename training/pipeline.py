"""The main job on the embedded default: demo corpus -> train -> register -> promote -> score sample contacts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from data.paths import PROJECT_ROOT

DEMO_CONFIG = PROJECT_ROOT / "training" / "configs" / "demo.yaml"


def run_demo(out: Path, *, seed: int = 0, n_contacts: int = 5000, echo=print) -> dict[str, Any]:
    """Run the whole demo; `echo` receives progress lines. Returns the figures it printed."""
    from data.demo import write_demo
    from data.io import read_contacts
    from data.summary import summarise
    from training.config import load_config
    from training.promote import promote
    from training.train import train

    folder = write_demo(out, n_contacts=n_contacts, seed=seed)
    contacts = read_contacts(folder, strict=True).contacts
    summary = summarise(contacts)
    echo(f"1/4 demo corpus: {summary['n_contacts']} contacts in {folder} (channels {summary['channels']}, "
         f"languages {summary['languages']})")
    config = load_config(DEMO_CONFIG)
    for head in config.heads.values():
        for source in head.sources:
            source.source = str(folder)
    result = train(config)
    heads = result.metrics["heads"]
    echo(f"2/4 trained in {result.metrics['train_seconds']:.0f} s: " + ", ".join(
        f"{name} accuracy {m.get('accuracy', float('nan')):.3f} macro-F1 {m.get('macro_f1', float('nan')):.3f}"
        for name, m in heads.items()))
    echo(f"    MLflow run {result.run_id}, registered version {result.model_version} as 'candidate'")
    decision = promote(config.tracking.registered_model)
    echo(f"3/4 promotion: {'promoted to champion' if decision.promoted else 'not promoted'} ({decision.reason})")
    sample = _one_per_channel(contacts)
    echo("4/4 triage of sample contacts (one per channel):")
    for contact, scores in zip(sample, result.model.predict(sample), strict=True):
        echo(f"    {contact.channel.value:9s} {scores.language}  claim={scores.claim} ({scores.claim_confidence:.2f})"
             f"  sentiment={scores.sentiment} ({scores.sentiment_score:+.2f})"
             f"  complexity={scores.complexity} ({scores.complexity_score:.2f})")
    return {"summary": summary, "metrics": result.metrics, "promoted": decision.promoted}


def _one_per_channel(contacts):
    seen: dict[str, Any] = {}
    for contact in reversed(contacts):  # the latest contacts: mostly in the test share of the split
        seen.setdefault(contact.channel.value, contact)
    return list(seen.values())

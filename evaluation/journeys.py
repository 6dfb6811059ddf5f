"""`claimtriage evaluate --suite journeys`: replay the demo corpus (or any source with `labels.true_customer` /
`labels.true_claim`) through the model and a fresh journey store; pairwise precision/recall/F1 of customers and of
claims against the ground truth, from the store's final assignments (after every merge). Writes
`evaluation/journeys.json` and its section of `evaluation/RESULTS.md`.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable

from claimtriage.data.journeys.pairwise import pairwise_scores
from claimtriage.data.paths import PROJECT_ROOT
from claimtriage.data.sources import load_source
from claimtriage.evaluation.results import update_section
from claimtriage.models.metrics import json_ready
from claimtriage.serving.engine import TriageEngine
from claimtriage.serving.replay import fresh_engine, replay

EVAL_DIR = PROJECT_ROOT / "evaluation"
TARGETS = {"identity_precision": 0.99, "identity_recall": 0.95, "claim_f1": 0.90}


def labelled_contacts(data: str | None, limit: int | None):
    if data is None:
        from claimtriage.data.demo import generate_demo

        contacts = generate_demo(5000, seed=0)  # the embedded default: the same corpus `claimtriage demo` writes
    else:
        contacts = load_source(data).contacts
    return sorted(contacts, key=lambda c: (c.timestamp, c.id))[:limit]


def run_journeys(engine: TriageEngine, data: str | None = None, *, limit: int | None = None,
                 echo: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    contacts = labelled_contacts(data, limit)
    truth_customer = {c.id: c.labels.true_customer for c in contacts if c.labels and c.labels.true_customer}
    truth_claim = {c.id: c.labels.true_claim for c in contacts if c.labels and c.labels.true_claim}
    if not truth_customer:
        raise ValueError(f"{data}: no contact carries labels.true_customer; the journeys suite needs ground truth")
    echo(f"journeys: replaying {len(contacts)} contacts")
    replayer = fresh_engine(engine)
    t0 = time.perf_counter()
    cases = replay(replayer, contacts)
    seconds = time.perf_counter() - t0
    final = {cid: (customer, claim) for cid, customer, claim in replayer.store.assignments()}
    identity = pairwise_scores({k: v[0] for k, v in final.items()}, truth_customer)
    claims = pairwise_scores({k: v[1] for k, v in final.items()}, truth_claim)
    statuses = Counter(c.journey.status for c in cases)
    report = {
        "data": data or "demo (generated, 5000 contacts, seed 0)", "n_contacts": len(contacts),
        "model": engine.model_version, "replay_seconds": round(seconds, 1),
        "identity": identity, "claims": claims,
        "journey_status": dict(statuses), "candidate_merges": len(replayer.store.candidate_merges()),
        "repeat_contact_share": sum(c.journey.repeat_contact for c in cases) / len(cases),
        "targets": dict(TARGETS),
    }
    report["meets"] = {"identity_precision": identity["precision"] >= TARGETS["identity_precision"],
                       "identity_recall": identity["recall"] >= TARGETS["identity_recall"],
                       "claim_f1": claims["f1"] >= TARGETS["claim_f1"]}
    return report


def write_report(name: str, report: dict[str, Any], markdown: Callable[[dict[str, Any]], str]) -> Path:
    """`evaluation/NAME.json` and the NAME section of RESULTS.md."""
    path = EVAL_DIR / f"{name}.json"
    path.write_text(json.dumps(json_ready(report), indent=2) + "\n")
    update_section(name, markdown(report))
    return path


def markdown(r: dict[str, Any]) -> str:
    tick = lambda ok: "✓" if ok else "✗"  # noqa: E731
    i, c = r["identity"], r["claims"]
    return "\n".join([
        "## Journeys (`claimtriage evaluate --suite journeys`)", "",
        f"Data: {r['data']}; model {r['model']}; replay {r['replay_seconds']} s.",
        "Claim linking as in the policy file: weights, reopen window and threshold fitted by `claimtriage "
        "fit-linking` on the demo corpus generated with seed 1 (grid in `evaluation/policy/linking.json`), so "
        "seed 0 here is unseen by the fit.", "",
        "| measure | value | target |", "|---|---|---|",
        f"| identity pairwise precision | {i['precision']:.4f} | ≥ 0.99 {tick(r['meets']['identity_precision'])} |",
        f"| identity pairwise recall | {i['recall']:.4f} | ≥ 0.95 {tick(r['meets']['identity_recall'])} |",
        f"| claim-link pairwise precision | {c['precision']:.4f} | |",
        f"| claim-link pairwise recall | {c['recall']:.4f} | |",
        f"| claim-link pairwise F1 | {c['f1']:.4f} | ≥ 0.90 {tick(r['meets']['claim_f1'])} |",
        f"| recorded candidate merges | {r['candidate_merges']} | |",
        f"| contacts without identifier | {r['journey_status'].get('no_identifier', 0)} | |", ""])

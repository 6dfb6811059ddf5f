"""`claimtriage fit-linking`: the claim-linking weights, time windows and threshold, fitted on labelled journeys.

1. Score the contacts once (model heads and embeddings).
2. Oracle replay: walk the contacts in time order with the *true* claims built up by the store's own rules
   (`linking.open_claim` and `linking.extend_claim`: centroid, last contact, last outcome, references); for every
   contact, each live true claim of its true customer is a candidate, labelled 1 when it is the contact's own claim.
   The features are `link_features`, the same numbers the store scores at run time.
3. Fit a logistic regression per pair of time windows (a claim without contacts for longer than the inactivity
   window, or resolved longer ago than the reopen window, is closed and cannot be joined, so the windows change the
   candidates), then replay the contacts through the real journey store for each pair of windows and threshold and
   keep the one with the best claim pairwise F1.
4. Replay once more with the chosen linking and fit `type_from_claim_below`: below which confidence of its own top
   type a contact that joined an existing claim answers with the claim's type (`linking.type_from_claim`), by the
   claim-type accuracy of those contacts.

The weights go into the `linking` section of the policy file. Fit on one corpus and check on another: the default
data is the demo corpus generated with seed 1, while `claimtriage evaluate --suite journeys` measures seed 0.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

import numpy as np

from claimtriage.data.deployment import Deployment, demo_deployment

from claimtriage.data.journeys.linking import (FEATURES, TOPIC_THREAD_CHANNELS, LinkingConfig, OpenClaim,
                                               extend_claim, is_stale, link_features, open_claim, type_from_claim)
from claimtriage.data.journeys.store import ContactRecord
from claimtriage.data.paths import PROJECT_ROOT, workspace_dir
from claimtriage.data.schema import Contact
from claimtriage.data.journeys.pairwise import pairwise_scores

OUT_DIR = PROJECT_ROOT / "evaluation" / "policy"
#: (inactivity_days, reopen_days) pairs tried: a claim silent for a month can come back with the next monthly or
#: bimonthly bill, so the inactivity window is fitted too rather than set by hand
WINDOWS = ((30.0, 14.0), (30.0, 30.0), (60.0, 14.0), (60.0, 30.0), (60.0, 60.0), (90.0, 30.0), (90.0, 60.0))
THRESHOLDS = (-0.5, 0.0, 0.5, 1.0, 1.5)
#: `type_from_claim_below` values tried (0: a contact always keeps its own type; 1: a joining contact takes the
#: claim's type unless it is certain of its own)
TYPE_FROM_CLAIM = (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def fit_type_from_claim(truth: Sequence[str | None], own: Sequence[tuple[str | None, float | None]],
                        joined: Sequence[tuple[str | None, bool]], grid: Sequence[float] = TYPE_FROM_CLAIM
                        ) -> tuple[float | None, dict[str, Any]]:
    """The `type_from_claim_below` with the best claim-type accuracy over the contacts that joined an existing
    claim (ties: the lower value, which overrides fewer contacts), and the figures per value; None when no contact
    joined a claim. In time order per contact: its true type, its own (type or None when out of scope, confidence)
    and the (claim id, opened a new claim) the replay gave it. A claim's type is its first in-scope contact's own
    type, as the store keeps it."""
    claim_type: dict[str, str] = {}
    rows = []
    for true, (label, confidence), (claim_id, new_claim) in zip(truth, own, joined, strict=True):
        if claim_id is None:
            continue
        if not new_claim and claim_id in claim_type and true is not None:
            rows.append((true, label, confidence, claim_type[claim_id]))
        if claim_id not in claim_type and label is not None:
            claim_type[claim_id] = label
    if not rows:
        return None, {"n_joined": 0}
    accuracy = {below: sum((type_from_claim(label, confidence, kind, joined=True, below=below) or label) == true
                           for true, label, confidence, kind in rows) / len(rows) for below in grid}
    best = max(grid, key=lambda below: (accuracy[below], -below))
    return best, {"n_joined": len(rows), "accuracy": {str(k): round(v, 4) for k, v in accuracy.items()},
                  "chosen": best}


def oracle_pairs(contacts: Sequence[Contact], records: Sequence[ContactRecord],
                 config: LinkingConfig) -> tuple[np.ndarray, np.ndarray]:
    """(features, labels) of every (contact, live true claim of its true customer) pair, in time order."""
    claims: dict[str, dict[str, OpenClaim]] = {}  # true customer -> true claim -> its state, as the store keeps it
    closed: set[str] = set()
    rows, labels = [], []
    for contact, record in zip(contacts, records, strict=True):
        customer, own = contact.labels.true_customer, contact.labels.true_claim
        incoming = record.incoming()
        mine = claims.setdefault(customer, {})
        for claim_id, claim in list(mine.items()):  # the store closes stale claims for good
            if claim_id not in closed and is_stale(claim, incoming.timestamp, config):
                closed.add(claim_id)
        live = [claim for claim_id, claim in mine.items() if claim_id not in closed]
        same_thread = incoming.thread_id and incoming.channel in TOPIC_THREAD_CHANNELS and any(
            incoming.thread_id in c.threads for c in live)
        if not same_thread:  # a shared email or social thread links without a score
            for claim in live:
                features = link_features(incoming, claim, len(live))
                rows.append([features[name] for name in FEATURES])
                labels.append(int(claim.id == own))
        if own in closed:  # the contact's claim was closed by time: at run time it opens a new one
            closed.discard(own)
            mine.pop(own)
        mine[own] = extend_claim(mine[own], incoming) if own in mine else open_claim(own, incoming)
    return np.asarray(rows, dtype=float).reshape(-1, len(FEATURES)), np.asarray(labels, dtype=int)


def fit_weights(x: np.ndarray, y: np.ndarray, base: LinkingConfig) -> LinkingConfig:
    """A logistic regression over the pairs; its intercept is the bias."""
    from sklearn.linear_model import LogisticRegression

    if len(set(y.tolist())) < 2:
        raise ValueError("the labelled journeys have no contact that could continue an earlier claim, or none that "
                         "opens a new one; linking cannot be fitted on them")
    model = LogisticRegression(C=1.0, max_iter=2000).fit(x, y)
    weights = {name: round(float(w), 3) for name, w in zip(FEATURES, model.coef_[0])}
    return replace(base, bias=round(float(model.intercept_[0]), 3), **weights)


def fit_linking(contacts: Sequence[Contact], decide: Callable[[LinkingConfig], dict[str, str | None]],
                records: Sequence[ContactRecord], *, base: LinkingConfig = LinkingConfig(),
                windows: Sequence[tuple[float, float]] = WINDOWS, thresholds: Sequence[float] = THRESHOLDS,
                echo: Callable[[str], None] = lambda _: None) -> tuple[LinkingConfig, list[dict[str, Any]]]:
    """The best configuration by claim pairwise F1 of `decide(config)` (contact id -> predicted claim, from a replay
    through the journey store), and every configuration tried."""
    truth = {c.id: c.labels.true_claim for c in contacts}
    tried, best, best_f1 = [], base, -math.inf
    for inactivity, reopen in windows:
        window = replace(base, inactivity_days=inactivity, reopen_days=reopen)
        x, y = oracle_pairs(contacts, records, window)
        fitted = fit_weights(x, y, window)
        for threshold in thresholds:
            config = replace(fitted, threshold=threshold)
            scores = pairwise_scores(decide(config), truth)
            tried.append({"inactivity_days": inactivity, "reopen_days": reopen, "threshold": threshold,
                          "pairs": int(len(y)), **{k: round(scores[k], 4) for k in ("precision", "recall", "f1")}})
            echo(f"inactive {inactivity:g} d, reopen {reopen:g} d, threshold {threshold:+.1f}: claim F1 "
                 f"{scores['f1']:.4f} (P {scores['precision']:.3f}, R {scores['recall']:.3f})")
            if scores["f1"] > best_f1:
                best, best_f1 = config, scores["f1"]
    return best, tried


def run_fit_linking(data: str | None = None, *, model: str = "models:/claimtriage@champion",
                    policy_path: str | Path | None = None, out_policy: str | Path | None = None,
                    limit: int | None = None, out_dir: Path = OUT_DIR, deployment: Deployment | None = None,
                    echo: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Fit linking on labelled journeys (default: the demo corpus, seed 1, with the demo brands' deployment
    settings) and write it into the policy file."""
    from claimtriage.data.normalise import normalise
    from claimtriage.data.sources import load_source
    from claimtriage.serving.replay import fresh_engine
    from claimtriage.serving.engine import TriageEngine, contact_record
    from claimtriage.serving.policy import DEFAULT_POLICY, load_policy, save_policy

    if data is None:
        from claimtriage.data.demo import generate_demo

        contacts, data_name = generate_demo(5000, seed=1), "demo (generated, 5000 contacts, seed 1)"
    else:
        contacts, data_name = load_source(data).contacts, data
    contacts = [c for c in sorted(contacts, key=lambda c: (c.timestamp, c.id))
                if c.labels and c.labels.true_customer and c.labels.true_claim][:limit]
    if not contacts:
        raise ValueError(f"{data_name}: no contact carries labels.true_customer and labels.true_claim")
    policy_path = Path(policy_path) if policy_path else DEFAULT_POLICY
    policy = load_policy(policy_path)
    if deployment is None:
        deployment = demo_deployment() if data is None else Deployment.generic()
    engine = TriageEngine.load(model, policy_path=str(policy_path), with_store=False, deployment=deployment)
    echo(f"fit-linking: scoring {len(contacts)} contacts")
    normalised = [normalise(c) for c in contacts]
    scores = engine.model.score_normalised(normalised)
    records = [contact_record(c, s, n) for c, s, n in zip(contacts, scores, normalised)]

    def run(config: LinkingConfig) -> tuple[dict[str, str | None], list]:
        replayer = fresh_engine(engine, policy.model_copy(update={"linking": vars(config)}))
        answers = [replayer.decide(contact, scored, norm) for contact, scored, norm in zip(contacts, scores, normalised)]
        assigned = {cid: claim for cid, _, claim in replayer.store.assignments()}
        replayer.store.close()
        return assigned, answers

    def decide(config: LinkingConfig) -> dict[str, str | None]:
        return run(config)[0]

    base = policy.linking_config()
    before = pairwise_scores(decide(base), {c.id: c.labels.true_claim for c in contacts})
    best, tried = fit_linking(contacts, decide, records, base=base, echo=echo)
    chosen = next(t for t in tried if (t["inactivity_days"], t["reopen_days"], t["threshold"])
                  == (best.inactivity_days, best.reopen_days, best.threshold))
    _, answers = run(best)
    below, type_fit = fit_type_from_claim(
        [c.labels.claim for c in contacts], [(None if s.out_of_scope else s.claim, s.claim_confidence) for s in scores],
        [(a.journey.claim_id, a.journey.new_claim) for a in answers])
    if below is not None:
        best = replace(best, type_from_claim_below=below)
        echo(f"fit-linking: {type_fit['n_joined']} contacts joined an earlier claim; claim-type accuracy "
             f"{type_fit['accuracy']['0.0']:.4f} on their own words, {type_fit['accuracy'][str(below)]:.4f} taking the "
             f"claim's type under confidence {below:g}")
    linking = {k: v for k, v in vars(best).items()}
    fitted = policy.model_copy(update={"linking": linking})
    out_policy = Path(out_policy) if out_policy else workspace_dir() / "policy.yaml"
    save_policy(fitted, out_policy)
    summary = {"data": data_name, "model": engine.model_version, "n_contacts": len(contacts),
               "before": {k: round(before[k], 4) for k in ("precision", "recall", "f1")},
               "chosen": chosen, "type_from_claim": type_fit, "linking": linking, "tried": tried,
               "policy_file": str(out_policy)}
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "linking.json").write_text(json.dumps(summary, indent=2) + "\n")
    echo(f"fit-linking: claim F1 {before['f1']:.4f} -> {chosen['f1']:.4f} on {data_name}; written to {out_policy}")
    return summary

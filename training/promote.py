"""Move the `champion` alias to the `candidate` only when it is at least as good on the same evaluation data.

"At least as good": every head score the champion recorded (macro-F1 and accuracy per head on its test role) is
matched or beaten by the candidate, and both were evaluated on the same test contacts (same `eval_fingerprint`).
`force=True` promotes anyway; the override and its reason are recorded as tags on the model version.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone

from claimtriage.models.registry import connect
from claimtriage.training.tracking import CANDIDATE, CHAMPION

log = logging.getLogger(__name__)


@dataclass
class PromotionDecision:
    promoted: bool
    reason: str
    candidate: str | None
    champion_before: str | None
    worse: dict[str, tuple[float, float]] = field(default_factory=dict)


def _version_by_alias(client, name: str, alias: str):
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version_by_alias(name, alias)
    except MlflowException:
        return None


def promote(registered_model: str = "claimtriage", *, tracking_uri: str | None = None, force: bool = False,
            reason: str | None = None) -> PromotionDecision:
    """Compare candidate and champion, and move `champion` when the rule (or `force`) allows."""
    from mlflow import MlflowClient

    if force and not reason:
        raise ValueError("an override needs a reason (--reason): it is recorded on the model version")
    connect(tracking_uri)
    client = MlflowClient()
    candidate = _version_by_alias(client, registered_model, CANDIDATE)
    if candidate is None:
        raise LookupError(f"registered model {registered_model!r} has no {CANDIDATE!r} version: train one first")
    champion = _version_by_alias(client, registered_model, CHAMPION)
    before = champion.version if champion else None
    if champion is not None and champion.version == candidate.version:
        return PromotionDecision(False, "the candidate is already the champion", candidate.version, before)
    worse: dict[str, tuple[float, float]] = {}
    if champion is None:
        verdict = "no champion yet"
    elif champion.tags.get("eval_fingerprint") != candidate.tags.get("eval_fingerprint"):
        verdict = "evaluated on different test data, so not comparable"
        if not force:
            return PromotionDecision(False, verdict + ": train both with the same config and data, or --force", candidate.version, before)
    else:
        cand_scores = json.loads(candidate.tags.get("metrics", "{}"))
        for key, old in json.loads(champion.tags.get("metrics", "{}")).items():
            new = cand_scores.get(key)
            if new is None or new < old:
                worse[key] = (old, new if new is not None else float("nan"))
        verdict = "at least as good on every head" if not worse else f"worse on {sorted(worse)}"
        if worse and not force:
            return PromotionDecision(False, verdict, candidate.version, before, worse)
    client.set_registered_model_alias(registered_model, CHAMPION, candidate.version)
    tags = {"promoted_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "promoted_over": before or "none", "promotion_rule": verdict, "promotion_override": str(bool(force)).lower()}
    if force:
        tags["promotion_override_reason"] = reason
    for key, value in tags.items():
        client.set_model_version_tag(registered_model, candidate.version, key, value)
    log.info("promotion.done model=%s version=%s over=%s override=%s", registered_model, candidate.version, before, force)
    return PromotionDecision(True, verdict + (" (override)" if force else ""), candidate.version, before, worse)

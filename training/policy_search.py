"""Routing on replayed contacts (`claimtriage.serving.replay`): how many contacts the policy automates and how many
it misroutes, and the search for the thresholds that automate the most at a target misroute rate.

Definitions (used by `tune-policy`, `evaluate --suite routing` and RESULTS.md):
- automated: routed to the bot.
- needed a person: the contact's outcome says no bot settled it (`outcome.resolved_by` is `agent` or `unresolved`).
- out of scope: a contact whose labelled claim type is not one the model knows.
- misrouted: routed to the bot and (needed a person or out of scope).
- misroute rate: misrouted contacts / all contacts; `bot_error_rate`: misrouted / automated (how often the bot gets
  a contact it should not have).
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any, Sequence

import numpy as np

from claimtriage.serving.policy import PolicyConfig, Thresholds, human_reasons
from claimtriage.serving.replay import RoutingCase

THRESHOLD_CODES = frozenset({"LOW_CLAIM_CONFIDENCE", "HIGH_COMPLEXITY", "NEGATIVE_SENTIMENT"})


def holdout(group: str) -> bool:
    """Half of the customers (by a stable hash) are held out from threshold tuning."""
    return hashlib.sha1(group.encode()).digest()[0] % 2 == 1


def hard_reasons(cases: Sequence[RoutingCase], policy: PolicyConfig) -> list[frozenset[str]]:
    """Per case, the reason codes that send it to a person whatever the thresholds (every rule but the three
    thresholds): an empty set means the thresholds decide."""
    relaxed = policy.model_copy(update={"thresholds": Thresholds(min_claim_confidence=0.0, max_complexity_score=1.0,
                                                                 min_sentiment_score=-1.0)})
    return [frozenset({r.code for r in human_reasons(c.x, c.journey, relaxed)} - THRESHOLD_CODES) for c in cases]


def automation_ceiling(cases: Sequence[RoutingCase], policy: PolicyConfig) -> dict[str, Any]:
    """How much the thresholds could automate at most: the share of contacts no hard rule sends to a person, the
    share of those a bot settled in the data, and each rule's share of all contacts (a contact may meet several)."""
    reasons = hard_reasons(cases, policy)
    n = max(len(cases), 1)
    free = [c for c, r in zip(cases, reasons) if not r]
    counts: dict[str, int] = {}
    for codes in reasons:
        for code in codes:
            counts[code] = counts.get(code, 0) + 1
    return {"free_share": len(free) / n,
            "free_and_bot_settled_share": sum(not (c.needs_person or c.out_of_scope) for c in free) / n,
            "rule_shares": {k: round(v / n, 4) for k, v in sorted(counts.items(), key=lambda kv: -kv[1])}}


def _arrays(cases: Sequence[RoutingCase], policy: PolicyConfig) -> dict[str, np.ndarray]:
    """Per case: whether a hard rule (anything but the three thresholds) sends it to a person, and its scores."""
    hard = np.array([bool(codes) for codes in hard_reasons(cases, policy)])
    return {
        "hard": hard,
        "confidence": np.array([c.x.claim_confidence or 0.0 for c in cases]),
        "complexity": np.array([c.x.complexity_score if c.x.complexity_score is not None else 0.0 for c in cases]),
        "sentiment": np.array([c.x.sentiment_score if c.x.sentiment_score is not None else 0.0 for c in cases]),
        "wrong_for_bot": np.array([bool(c.needs_person) or c.out_of_scope for c in cases]),
    }


def rates(bot: np.ndarray, wrong_for_bot: np.ndarray) -> dict[str, float]:
    n = len(bot)
    misrouted = int((bot & wrong_for_bot).sum())
    automated = int(bot.sum())
    return {"n": n, "automated": automated, "automation_rate": automated / n if n else 0.0,
            "misrouted": misrouted, "misroute_rate": misrouted / n if n else 0.0,
            "bot_error_rate": misrouted / automated if automated else 0.0}


def measure(cases: Sequence[RoutingCase]) -> dict[str, Any]:
    """Automation and misroute of the routes the engine gave, overall and per channel."""
    labelled = [c for c in cases if c.needs_person is not None or c.out_of_scope]
    bot = np.array([c.target == "bot" for c in labelled])
    wrong = np.array([bool(c.needs_person) or c.out_of_scope for c in labelled])
    out = {"overall": rates(bot, wrong), "per_channel": {}}
    for channel in sorted({c.channel for c in labelled}):
        mask = np.array([c.channel == channel for c in labelled])
        out["per_channel"][channel] = rates(bot[mask], wrong[mask])
    out["bot_settled_share"] = float((~wrong).mean()) if len(wrong) else 0.0
    return out


GRID = {
    "min_claim_confidence": np.round(np.linspace(0.30, 0.99, 24), 3),
    "max_complexity_score": np.round(np.linspace(0.10, 1.00, 19), 3),
    "min_sentiment_score": np.round(np.linspace(-1.0, 0.5, 16), 3),
}


def sweep(cases: Sequence[RoutingCase], policy: PolicyConfig,
          guard: Sequence[RoutingCase] = ()) -> list[dict[str, float]]:
    """Automation and misroute for every threshold combination of GRID (vectorised). `guard`: out-of-scope contacts
    that belong with a person; each row counts how many of them the thresholds would send to the bot, and their
    share."""
    a = _arrays(cases, policy)
    g = _arrays(guard, policy) if guard else None
    rows = []
    free = ~a["hard"]
    for c in GRID["min_claim_confidence"]:
        by_conf = free & (a["confidence"] >= c)
        for k in GRID["max_complexity_score"]:
            by_cplx = by_conf & (a["complexity"] <= k)
            for s in GRID["min_sentiment_score"]:
                bot = by_cplx & (a["sentiment"] >= s)
                r = rates(bot, a["wrong_for_bot"])
                row = {"min_claim_confidence": float(c), "max_complexity_score": float(k),
                       "min_sentiment_score": float(s), **r}
                if g is not None:
                    row["guard_to_bot"] = int((~g["hard"] & (g["confidence"] >= c) & (g["complexity"] <= k)
                                               & (g["sentiment"] >= s)).sum())
                    row["guard_to_bot_rate"] = row["guard_to_bot"] / len(guard)
                rows.append(row)
    return rows


def frontier(rows: list[dict[str, float]]) -> list[dict[str, float]]:
    """The automation-versus-misroute curve: for each misroute level, the most automation any thresholds reach."""
    best: list[dict[str, float]] = []
    for row in sorted(rows, key=lambda r: (r["misroute_rate"], -r["automation_rate"])):
        if not best or row["automation_rate"] > best[-1]["automation_rate"]:
            best.append(row)
    return best


def misroute_upper(misrouted: int, n: int, confidence: float) -> float:
    """One-sided Clopper-Pearson upper bound of the misroute rate behind `misrouted` of `n` contacts: the true rate
    is under it with probability `confidence` (exact binomial, so it holds at small counts too)."""
    from scipy.stats import beta

    if n <= 0:
        return 1.0
    if misrouted >= n:
        return 1.0
    return float(beta.ppf(confidence, misrouted + 1, n - misrouted))


def choose(rows: list[dict[str, float]], target_misroute: float,
           max_guard_rate: float | None = None, confidence: float | None = None) -> dict[str, float] | None:
    """The thresholds with the most automation at or under the target misroute rate and with at most
    `max_guard_rate` of the guard (out-of-scope) contacts sent to the bot (ties: fewer misroutes, then the stricter
    confidence). `max_guard_rate` None: the target misroute rate, the share of wrong bot routes allowed for any
    contact; 0: none of them. `confidence` (e.g. 0.9): the misroute rate's upper bound at that confidence
    (`misroute_upper`), not the rate measured, must be at or under the target, so that the target still holds on
    new customers: the most automated of thousands of threshold combinations is also the luckiest on the tuning half
    (the chosen row gets `misroute_upper`)."""
    limit = target_misroute if max_guard_rate is None else max_guard_rate
    ok = [r for r in rows if r["misroute_rate"] <= target_misroute and r.get("guard_to_bot_rate", 0.0) <= limit]
    if confidence:
        ok = [dict(r, misroute_upper=misroute_upper(int(r["misrouted"]), int(r["n"]), confidence)) for r in ok]
        ok = [r for r in ok if r["misroute_upper"] <= target_misroute]
    if not ok:
        return None
    return max(ok, key=lambda r: (r["automation_rate"], -r["misroute_rate"], r["min_claim_confidence"]))


def apply_thresholds(cases: Sequence[RoutingCase], policy: PolicyConfig, thresholds: dict[str, float]) -> dict[str, Any]:
    """`measure` as if the policy had these thresholds (no replay needed: journeys do not depend on thresholds)."""
    a = _arrays(cases, policy)
    bot = (~a["hard"] & (a["confidence"] >= thresholds["min_claim_confidence"])
           & (a["complexity"] <= thresholds["max_complexity_score"])
           & (a["sentiment"] >= thresholds["min_sentiment_score"]))
    relabelled = [dataclasses.replace(c, target="bot" if b else "human") for c, b in zip(cases, bot)]
    return measure(relabelled)

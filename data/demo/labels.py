"""Labels and outcome of a contact, derived from its plan and from what was actually written.

Sentiment follows the tone the text was written in; complexity follows the claim type, a second issue, how many
times the customer already came back, how long the message is, transfers and whether the claim ever got solved.
A small share of labels is deliberately off by one step (annotators disagree; a frustrated but polite message
reads neutral to some), so models face realistic noise rather than a lookup table.
"""

from __future__ import annotations

import random

from claimtriage.data.demo.catalog import BASE_COMPLEXITY, CONFUSABLE
from claimtriage.data.demo.journeys import ContactPlan
from claimtriage.data.schema import Outcome

NOMINAL_SENTIMENT = {"angry": "negative", "frustrated": "negative", "calm": "neutral", "thankful": "positive"}
SENTIMENT_FLIP = 0.08
CLAIM_FLIP = 0.03
COMPLEXITY_CUTS = (0.3, 0.58)


def claim_label(rng: random.Random, plan: ContactPlan) -> str:
    """The claim type, occasionally the confusable neighbour an annotator would pick."""
    claim = plan.claim.claim
    return rng.choice(CONFUSABLE[claim]) if rng.random() < CLAIM_FLIP else claim


def sentiment(rng: random.Random, plan: ContactPlan) -> tuple[str, float]:
    """Label and score in [-1, 1] that agree with each other and, mostly, with the tone of the text."""
    label = NOMINAL_SENTIMENT[plan.tone]
    if plan.tone != "angry" and rng.random() < SENTIMENT_FLIP:
        # the borderline cases annotators disagree on: frustrated-but-polite, a curt calm request, faint thanks
        label = {"frustrated": "neutral", "thankful": "neutral"}.get(plan.tone, "negative" if plan.step else "positive")
    if label == "negative":
        low, high = (-1.0, -0.6) if plan.tone == "angry" else (-0.75, -0.3)
    elif label == "positive":
        low, high = (0.45, 0.95) if plan.tone == "thankful" else (0.3, 0.6)
    else:
        low, high = {"frustrated": (-0.3, 0.0), "thankful": (0.05, 0.3)}.get(plan.tone, (-0.15, 0.2))
    return label, round(rng.uniform(low, high), 3)  # the ranges meet at ±0.3, so rounding keeps label and score


def complexity(rng: random.Random, plan: ContactPlan, *, chars: int, transfers: int,
               multi_issue: bool) -> tuple[str, float]:
    """Label and score in [0, 1]: claim difficulty plus what made this contact harder or easier."""
    score = BASE_COMPLEXITY[plan.claim.claim] - 0.1 * plan.claim.subtype.bot_rate
    score += 0.12 * multi_issue + 0.05 * min(plan.step, 4) + 0.05 * transfers
    score += 0.06 if chars > 700 else -0.04 if chars < 60 else 0.0
    score += 0.1 if plan.claim.path == "unresolved" else -0.08 if plan.resolved_by == "bot" else 0.0
    score = round(min(1.0, max(0.0, score + rng.gauss(0, 0.06))), 3)
    label = "low" if score < COMPLEXITY_CUTS[0] else "medium" if score < COMPLEXITY_CUTS[1] else "high"
    return label, score


_BOT_TIME = {"phone": (60, 200), "chat": (40, 240), "whatsapp": (60, 600), "sms": (20, 150), "messaging": (30, 300),
             "email": (5, 60), "web_form": (5, 60)}
_AGENT_TIME = {"phone": (180, 900), "chat": (300, 1200), "whatsapp": (600, 3000), "sms": (120, 600),
               "messaging": (300, 2400), "email": (240, 900), "web_form": (240, 900), "social": (180, 900),
               "review": (120, 480)}
_WASTED_TIME = {"phone": (60, 1200), "chat": (60, 500)}


def outcome(rng: random.Random, plan: ContactPlan, *, transfers: int, complexity_score: float) -> Outcome:
    """Who settled the contact, how long it took, how many contacts the claim needed, transfers."""
    if plan.resolved_by == "bot":
        low, high = _BOT_TIME[plan.channel]
    elif plan.resolved_by == "agent":
        low, high = _AGENT_TIME[plan.channel]
        high += 600 * complexity_score + 240 * transfers
    else:
        low, high = _WASTED_TIME.get(plan.channel, (0, 120))
    resolved = plan.claim.path != "unresolved"
    return Outcome(resolved_by=plan.resolved_by, handle_time_s=float(round(rng.uniform(low, high))),
                   contacts_to_resolution=plan.claim.n_contacts if resolved else None, transfers=transfers)

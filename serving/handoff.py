"""The hand-off summary an agent reads before picking up a contact: the claim's history across channels, what the
bot tried, how sentiment moved, why it reached a person, and the customer's latest words. Built only from redacted
text (stored contacts are redacted; the current one comes from normalisation)."""

from __future__ import annotations

from claimtriage.data.journeys.store import JourneyState
from claimtriage.data.normalise import NormalisedContact
from claimtriage.models.triage_model import ContactScores
from claimtriage.serving.answer import RouteAnswer
from claimtriage.serving.policy import JourneyFeatures

EXCERPT_CHARS = 280


def _excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _sentiment(score: float | None) -> str:
    return "?" if score is None else f"{score:+.2f}"


def handoff_summary(current: NormalisedContact, scores: ContactScores, state: JourneyState, route: RouteAnswer,
                    features: JourneyFeatures, *, from_claim: bool = False) -> str:
    claim = "out of scope" if scores.out_of_scope else (scores.claim or "unknown")
    confidence = f"confidence {scores.claim_confidence or 0:.2f}"
    if from_claim:  # the contact's own words pointed elsewhere, weakly
        own = scores.claim_top_k[0][0] if scores.claim_top_k else "unknown"
        confidence = f"the claim's type; this message alone: {own}, {confidence}"
    lines = [f"Claim: {claim} ({confidence}); sentiment {scores.sentiment} "
             f"({_sentiment(scores.sentiment_score)}); complexity {scores.complexity}; language {scores.language}."]
    lines.append("Why a person: " + " ".join(r.message for r in route.reasons if r.code != "BOT_ELIGIBLE"))
    if not state.linked:
        lines.append("No journey: " + {"no_identifier": "the contact carries no customer identifier.",
                                       "store_unavailable": "the journey store was unavailable."}.get(
            state.status, state.status))
    elif state.prior:
        path = " -> ".join(f"{p.channel} ({p.timestamp:%d %b})" for p in state.prior) + f" -> {current.channel.value} (now)"
        lines.append(f"History: contact {len(state.prior) + 1} on this claim, open since {features.open_since} "
                     f"({features.days_open:.0f} days): {path}.")
        tried = [p for p in state.prior if p.route_target == "bot" or p.bot_tried]
        if tried:
            outcome = "settled it" if all(p.resolved_by == "bot" for p in tried) else "did not settle it"
            lines.append(f"Bot: tried {len(tried)} time(s) ({', '.join(p.channel for p in tried)}) and {outcome}.")
        moods = [p.sentiment_score for p in state.prior] + [scores.sentiment_score]
        if any(m is not None for m in moods):
            lines.append("Sentiment: " + " -> ".join(_sentiment(m) for m in moods) + ".")
        for p in state.prior[-3:]:
            lines.append(f"Earlier ({p.channel}, {p.timestamp:%d %b}): {_excerpt(p.redacted_text, 200)}")
    else:
        lines.append("History: first contact on this claim.")
    for other, reason in state.candidate_reasons:
        lines.append(f"Possible same person as customer {other}, not merged (for review): {reason}. If you confirm "
                     f"it, merge the two (POST /journeys/merge).")
    lines.append(f"Latest ({current.channel.value}): {_excerpt(current.text)}")
    return "\n".join(lines)

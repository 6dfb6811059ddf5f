"""Claim linking: does a new contact continue one of the customer's open claims, or open a new one?

A pure function of the contact and the open claims, so the store, the batch replay and the tests share it. Evidence,
strongest first: the same email or social thread; a reference to an earlier contact ("as I wrote in my email", "vi
ho già scritto"); the same predicted claim type; how similar the text is to what the claim was about; how recent the
claim's last contact is. Claims close on a resolution outcome or after `inactivity_days` without contacts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

#: threads that follow one topic (an email reply chain, a social thread); messaging threads follow a phone number
TOPIC_THREAD_CHANNELS = frozenset({"email", "social", "web_form"})

REFERENCE = re.compile(
    r"\b(as i (?:wrote|said|mentioned|explained)|i (?:already|have already) (?:wrote|written|called|contacted|sent|"
    r"reported|explained)|(?:my|the) (?:previous|last|earlier) (?:email|message|call|ticket|complaint|request)|"
    r"again|still (?:not|no|waiting|nothing)|second time|third time|(?:once|yet) again|follow(?:ing)?[- ]up|"
    r"ticket (?:number|n\.?|#)|reference number|"
    r"come (?:vi )?(?:ho )?(?:già )?(?:scritto|detto|spiegato|segnalato)|(?:vi )?ho già (?:scritto|chiamato|"
    r"segnalato|contattato|inviato|spiegato)|già segnalat[oa]|di nuovo|ancora (?:non|nessun|niente|senza|in attesa)|"
    r"(?:seconda|terza) volta|ennesima volta|sollecit\w*|(?:la )?(?:mia )?(?:precedente|ultima) (?:mail|email|"
    r"segnalazione|chiamata|richiesta|telefonata)|numero (?:di )?(?:ticket|pratica)|riferimento (?:alla|al)|"
    r"(?:vi )?riscrivo|richiamo)\b",
    re.IGNORECASE,
)


def refers_back(text: str) -> bool:
    """Whether the customer's words point at an earlier contact about the same problem."""
    return bool(REFERENCE.search(text))


@dataclass(frozen=True)
class LinkingConfig:
    """Weights and limits of the linking score; the defaults were chosen on the demo corpus (`evaluate --suite
    journeys` reports the F1 they reach)."""

    #: a claim with no contact for this long is closed and never joined again
    inactivity_days: float = 30.0
    #: a claim whose last contact was resolved (by a bot or an agent) stays joinable this long (a thank-you, a
    #: "it happened again"); after that the claim is closed
    reopen_days: float = 3.0
    same_type: float = 0.45
    similarity: float = 0.9
    reference: float = 0.35
    recency: float = 0.15
    threshold: float = 0.8


@dataclass
class OpenClaim:
    """What linking needs of an open claim."""

    id: str
    claim_type: str | None
    opened_at: datetime
    last_contact_at: datetime
    centroid: np.ndarray | None
    threads: frozenset[str] = field(default_factory=frozenset)
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class Incoming:
    """What linking needs of the new contact."""

    channel: str
    timestamp: datetime
    claim_type: str | None
    embedding: np.ndarray | None
    thread_id: str | None = None
    refers_back: bool = False


@dataclass(frozen=True)
class LinkDecision:
    claim_id: str | None  # None: open a new claim
    score: float
    evidence: tuple[str, ...] = ()


def _days(a: datetime, b: datetime) -> float:
    return (a - b).total_seconds() / 86400.0


def is_stale(claim: OpenClaim, now: datetime, config: LinkingConfig) -> bool:
    """Closed by time: too long without contacts, or resolved and not reopened within `reopen_days`."""
    if _days(now, claim.last_contact_at) > config.inactivity_days:
        return True
    return claim.resolved_at is not None and _days(now, claim.resolved_at) > config.reopen_days


def choose_claim(incoming: Incoming, claims: list[OpenClaim], config: LinkingConfig) -> LinkDecision:
    """The open claim this contact continues, or a new claim (claim_id None)."""
    best = LinkDecision(claim_id=None, score=0.0)
    for claim in claims:
        if is_stale(claim, incoming.timestamp, config):
            continue
        if incoming.thread_id and incoming.channel in TOPIC_THREAD_CHANNELS and incoming.thread_id in claim.threads:
            return LinkDecision(claim.id, 10.0, ("same_thread",))
        evidence: list[str] = []
        score = 0.0
        if incoming.claim_type is not None and incoming.claim_type == claim.claim_type:
            score += config.same_type
            evidence.append("same_claim_type")
        if incoming.embedding is not None and claim.centroid is not None:
            sim = float(np.dot(incoming.embedding, claim.centroid) / (np.linalg.norm(claim.centroid) or 1.0))
            score += config.similarity * max(sim, 0.0)
            evidence.append(f"similarity={sim:.2f}")
        if incoming.refers_back:
            score += config.reference
            evidence.append("refers_back")
        gap = max(_days(incoming.timestamp, claim.last_contact_at), 0.0)
        score += config.recency * max(0.0, 1.0 - gap / config.inactivity_days)
        if score > best.score:
            best = LinkDecision(claim.id, score, tuple(evidence))
    if best.claim_id is not None and best.score >= config.threshold:
        return best
    return LinkDecision(None, best.score, best.evidence)

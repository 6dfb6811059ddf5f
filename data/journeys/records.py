"""The values the journey store takes and gives: a contact to store (`ContactRecord`), an earlier contact of a claim
(`PriorContact`) and a contact's place in its customer's journey (`JourneyState`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np

from claimtriage.data.journeys.linking import Incoming, LinkDecision


def utc(value: datetime | None) -> datetime | None:
    """A naive time as UTC (SQLite gives times back without a zone)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


@dataclass(frozen=True)
class ContactRecord:
    """What the store keeps of one contact: no raw customer text, only the redacted one."""

    id: str
    channel: str
    timestamp: datetime
    language: str | None
    claim_type: str | None  # the predicted claim type (None when out of scope)
    scores: dict[str, Any]
    redacted_text: str
    embedding: np.ndarray | None = None
    thread_id: str | None = None
    refers_back: bool = False
    claim_probabilities: dict[str, float] = field(default_factory=dict)
    references: frozenset[str] = frozenset()
    bot_tried: bool = False  # a bot took part in this contact (bot turns) ...
    resolved_by: str | None = None  # ... and who settled it, when the contact says (replays of history)

    def incoming(self) -> Incoming:
        """What claim linking reads of this contact."""
        return Incoming(channel=self.channel, timestamp=utc(self.timestamp), claim_type=self.claim_type,
                        embedding=self.embedding, thread_id=self.thread_id, refers_back=self.refers_back,
                        claim_probabilities=self.claim_probabilities, references=self.references,
                        resolved_by=self.resolved_by)


@dataclass
class PriorContact:
    id: str
    channel: str
    timestamp: datetime
    claim_type: str | None
    sentiment_score: float | None
    route_target: str | None
    bot_tried: bool
    resolved_by: str | None
    redacted_text: str


@dataclass
class JourneyState:
    """A contact's place in its customer's journey, as stored (after this contact)."""

    status: str  # linked | new_customer | no_identifier | store_unavailable
    customer_key: str | None = None
    claim_id: str | None = None
    new_claim: bool = False
    claim_type: str | None = None
    opened_at: datetime | None = None
    prior: list[PriorContact] = field(default_factory=list)  # earlier contacts of this claim, oldest first
    open_claims: int = 0  # the customer's open claims, this one included
    candidate_merges: int = 0
    link: LinkDecision | None = None
    already_stored: bool = False  # the contact id was stored before (a retry): nothing was written

    @property
    def linked(self) -> bool:
        return self.customer_key is not None

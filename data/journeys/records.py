"""The values the journey store takes and gives: a contact to store (`ContactRecord`), an earlier contact of a claim
(`PriorContact`) and a contact's place in its customer's journey (`JourneyState`); the content hash that makes a
contact id idempotent (`content_hash`) and the error a reused id raises (`DuplicateContact`)."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import numpy as np

from claimtriage.data.journeys.linking import Incoming, LinkDecision

if TYPE_CHECKING:
    from claimtriage.data.schema import Contact


def utc(value: datetime | None) -> datetime | None:
    """The same instant in UTC: a naive time is taken as UTC (SQLite gives times back without a zone), an aware one
    is converted (SQLite keeps no offset: 09:00+05:30 written as it is would read back as 09:00Z; PostgreSQL gives
    times back in the session's zone). Every time the store writes or reads goes through here."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    if value.utcoffset():
        return value.astimezone(timezone.utc)
    return value if value.tzinfo is timezone.utc else value.replace(tzinfo=timezone.utc)


class DuplicateContact(ValueError):
    """A contact id already stored with different content: ids are idempotent keys, so the second contact is refused
    (HTTP 409) rather than answered with the first one's journey."""

    def __init__(self, contact_id: str) -> None:
        self.contact_id = contact_id
        self.field = "id"
        super().__init__(f"id: contact {contact_id} was already stored with different content")


def _norm(text: str | None) -> str:
    """Unicode NFC, whitespace runs as one space, no edge space: a retry that reflowed the text is the same text."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def content_hash(contact: Contact) -> str:
    """sha-256 of the contact as submitted: channel, time (the instant, in UTC), customer identifiers and every text
    (subject, body, turns, attachment transcripts), each normalised (`_norm`). Two submissions of one contact hash
    the same; a different contact reusing its id does not. Labels, outcome, metadata and the language hint are not
    content."""
    ts = contact.timestamp
    customer = {k: _norm(v) if isinstance(v, str) else {a: _norm(b) for a, b in sorted(v.items())}
                for k, v in sorted(contact.customer.model_dump(exclude_none=True, exclude_defaults=True).items())}
    canonical = {
        "channel": contact.channel.value,
        "timestamp": (ts.astimezone(timezone.utc) if ts.tzinfo else ts).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "customer": customer,
        "subject": _norm(contact.subject),
        "body": _norm(contact.body),
        "turns": [[t.speaker.value, _norm(t.text)] for t in contact.turns or ()],
        "attachments": [[a.kind.value, _norm(a.transcript)] for a in contact.attachments],
    }
    payload = json.dumps(canonical, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


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
    content_hash: str | None = None  # `content_hash` of the contact; None: not checked (history imports, tests)

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
    #: why each candidate merge of this contact was recorded (other customer key, reason): never merged silently
    candidate_reasons: list[tuple[str, str]] = field(default_factory=list)
    link: LinkDecision | None = None
    already_stored: bool = False  # the contact id was stored before (a retry): nothing was written

    @property
    def linked(self) -> bool:
        return self.customer_key is not None

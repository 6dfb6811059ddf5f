"""The one Contact schema every channel maps into, and its parts.

A Contact is what a contact centre receives: an email, a call transcript, a chat, a WhatsApp thread, a social post,
a review or a web form. Validation errors name the field and the reason (see `describe_validation_error`).

A contact's `timestamp` must fall in a sanity window (`timestamp_problem`): not before 2000-01-01 and not more than
one day ahead of now, both settable by environment variables (`CLAIMTRIAGE_MIN_TIMESTAMP`, an ISO date or time;
`CLAIMTRIAGE_MAX_FUTURE_DAYS`, days). It is a validator of the schema itself, so the API answers 422 naming
`timestamp`, a batch scoring run lists the row in its rejects, and a training file names the line; environment
variables (read when a contact is validated) because a Contact is validated in many places (FastAPI, file readers,
the pyfunc) that share no settings object. The journey store checks the same window again: a contact dated 9999
would otherwise keep its claim open forever.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator


class Channel(StrEnum):
    email = "email"
    phone = "phone"
    chat = "chat"
    whatsapp = "whatsapp"
    sms = "sms"
    messaging = "messaging"
    social = "social"
    review = "review"
    web_form = "web_form"


#: channels whose content is a conversation (turns), as opposed to one written body
CONVERSATIONAL_CHANNELS = frozenset({Channel.phone, Channel.chat, Channel.whatsapp, Channel.sms, Channel.messaging})

SENTIMENTS = ("negative", "neutral", "positive")
COMPLEXITIES = ("low", "medium", "high")
#: the claim label of a contact about none of the claim types: what the out-of-scope gate answers, and the label of
#: training examples of such contacts (a claim head trained with it learns what to turn away)
OUT_OF_SCOPE = "out_of_scope"


class Speaker(StrEnum):
    customer = "customer"
    agent = "agent"
    bot = "bot"
    system = "system"


class AttachmentKind(StrEnum):
    voice_note = "voice_note"
    image = "image"
    video = "video"
    file = "file"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _aware(value: datetime | None) -> datetime | None:
    """Naive timestamps are taken as UTC so that every stored time is comparable."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


MAX_FUTURE_DAYS_ENV = "CLAIMTRIAGE_MAX_FUTURE_DAYS"
MIN_TIMESTAMP_ENV = "CLAIMTRIAGE_MIN_TIMESTAMP"
DEFAULT_MAX_FUTURE_DAYS = 1.0
DEFAULT_MIN_TIMESTAMP = datetime(2000, 1, 1, tzinfo=timezone.utc)


@lru_cache(maxsize=16)
def _window(max_future_days: str | None, min_timestamp: str | None) -> tuple[datetime, float]:
    """(earliest time, most days ahead of now) from the environment's raw values; a bad value names its variable."""
    days = DEFAULT_MAX_FUTURE_DAYS
    if max_future_days not in (None, ""):
        try:
            days = float(max_future_days)
        except ValueError:
            days = float("nan")
        if not 0 <= days <= 36_500:
            raise ValueError(f"{MAX_FUTURE_DAYS_ENV}={max_future_days!r}: give a number of days from 0 to 36500")
    earliest = DEFAULT_MIN_TIMESTAMP
    if min_timestamp not in (None, ""):
        try:
            earliest = _aware(datetime.fromisoformat(min_timestamp))
        except ValueError:
            raise ValueError(f"{MIN_TIMESTAMP_ENV}={min_timestamp!r}: give an ISO date or time") from None
    return earliest, days


def timestamp_problem(value: datetime, now: datetime | None = None) -> str | None:
    """Why `value` is not a sane contact time, or None: before the earliest time accepted (default 2000-01-01,
    `CLAIMTRIAGE_MIN_TIMESTAMP`) or more than the allowed skew ahead of `now` (default 1 day,
    `CLAIMTRIAGE_MAX_FUTURE_DAYS`)."""
    earliest, days = _window(os.environ.get(MAX_FUTURE_DAYS_ENV), os.environ.get(MIN_TIMESTAMP_ENV))
    value = _aware(value)
    if value < earliest:
        return f"{value.isoformat()} is before {earliest.isoformat()}, the earliest contact time accepted"
    latest = (now or datetime.now(timezone.utc)) + timedelta(days=days)
    if value > latest:
        return (f"{value.isoformat()} is more than {days:g} day{'' if days == 1 else 's'} in the future "
                f"(clock skew allowed: {MAX_FUTURE_DAYS_ENV})")
    return None


def _sane_time(value: datetime) -> datetime:
    """A contact's time: naive taken as UTC, and inside the sanity window (`timestamp_problem`)."""
    value = _aware(value)
    if problem := timestamp_problem(value):
        raise ValueError(problem)
    return value


class CustomerIdentifiers(_Strict):
    """Whatever the channel tells us about who wrote. Any subset, possibly none."""

    customer_id: str | None = None
    email: str | None = None
    phone: str | None = None
    social_handle: str | None = None
    #: a display or signature name: weak evidence, never enough to merge customers on its own
    name: str | None = None
    #: other identifiers (contract number, POD/PDR code, ...)
    other: dict[str, str] = Field(default_factory=dict)

    @field_validator("email")
    @classmethod
    def _looks_like_email(cls, value: str | None) -> str | None:
        if value is not None and (value.count("@") != 1 or value.startswith("@") or value.endswith("@")):
            raise ValueError(f"not an email address: {value!r}")
        return value

    def is_empty(self) -> bool:
        return not any((self.customer_id, self.email, self.phone, self.social_handle, self.other))


class Turn(_Strict):
    speaker: Speaker
    text: str = Field(min_length=1)
    time: datetime | None = None

    _aware_time = field_validator("time")(_aware)


class Attachment(_Strict):
    kind: AttachmentKind
    name: str | None = None
    #: a transcript of a voice note or an OCR of an image, when the channel provides one
    transcript: str | None = None


class Labels(_Strict):
    """Training and evaluation labels; all optional."""

    claim: str | None = None
    #: every claim label when a contact carries several at once (multi-label sets such as nlupp)
    claims: list[str] = Field(default_factory=list)
    sentiment: Literal["negative", "neutral", "positive"] | None = None
    sentiment_score: float | None = Field(default=None, ge=-1.0, le=1.0)
    complexity: Literal["low", "medium", "high"] | None = None
    complexity_score: float | None = Field(default=None, ge=0.0, le=1.0)
    #: ground truth of the demo corpus: the real person and the real claim behind the contact
    true_customer: str | None = None
    true_claim: str | None = None
    #: set-specific signals (e.g. STC-3 mean A/S/E scores, CFPB issue), numeric or text
    signals: dict[str, float | str] = Field(default_factory=dict)


class Outcome(_Strict):
    resolved_by: Literal["bot", "agent", "unresolved"] | None = None
    handle_time_s: float | None = Field(default=None, ge=0)
    contacts_to_resolution: int | None = Field(default=None, ge=1)
    transfers: int | None = Field(default=None, ge=0)
    #: a company's reply category where the source has one (e.g. CFPB "Closed with monetary relief")
    company_response: str | None = None
    disputed: bool | None = None


class Contact(_Strict):
    """One inbound contact on any channel: a body text (email, review, form, post) or turns (call, chat, messaging).

    Rules across fields, checked on every contact (a contact that breaks one is rejected, naming the rule):
    give either body or turns, not both; a contact without a non-blank body and without turns needs an attachment
    with a transcript; rating is only for channel `review`.
    """

    id: str = Field(min_length=1, max_length=200)
    customer: CustomerIdentifiers = Field(default_factory=CustomerIdentifiers)
    channel: Channel
    timestamp: datetime
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}$", description="ISO 639-1/3 code; detected when absent")
    subject: str | None = None
    body: str | None = Field(default=None, description="the written text (email, review, form, post). Either body or "
                             "turns, not both; a blank body counts as none")
    turns: list[Turn] | None = Field(default=None, description="the conversation in order (call, chat, messaging). "
                                     "Either body or turns, not both")
    attachments: list[Attachment] = Field(default_factory=list, description="voice notes, images, files; one with a "
                                          "transcript is enough content for a contact without body or turns")
    rating: float | None = Field(default=None, ge=0, le=5, description="star rating from 0 to 5; only for channel "
                                 "`review` (any other channel with a rating is rejected)")
    #: the source system's conversation or thread id (email thread, chat session): the unit splits keep together
    thread_id: str | None = None
    labels: Labels | None = None
    outcome: Outcome | None = None
    #: provenance (source set, original row) and anything else the source carries; never used as a feature
    metadata: dict[str, str] = Field(default_factory=dict)

    _aware_timestamp = field_validator("timestamp")(_sane_time)

    @model_validator(mode="after")
    def _has_content(self) -> Contact:
        has_body = bool(self.body and self.body.strip())
        has_turns = bool(self.turns)
        if has_body and has_turns:
            raise ValueError("give either body or turns, not both")
        if not has_body and not has_turns:
            voice = any(a.transcript for a in self.attachments)
            if not voice:
                raise ValueError("empty contact: needs a non-empty body, at least one turn, or a transcribed attachment")
        if self.rating is not None and self.channel is not Channel.review:
            raise ValueError(f"rating is only for reviews, not channel {self.channel.value!r}")
        return self

    @property
    def is_conversation(self) -> bool:
        return bool(self.turns)

    def customer_turns(self) -> list[str]:
        """The customer's own turns, or the body as a single turn."""
        if self.turns:
            return [t.text for t in self.turns if t.speaker is Speaker.customer]
        return [self.body] if self.body else []


def describe_validation_error(error: ValidationError, *, prefix: str = "") -> str:
    """One line per problem, each naming the field path and the reason: `turns.0.speaker: Input should be ...`."""
    lines = []
    for item in error.errors():
        path = ".".join(str(p) for p in item["loc"]) or "contact"
        lines.append(f"{prefix}{path}: {item['msg']}")
    return "; ".join(lines)

"""The triage answer: what the routing layer receives for every contact (the contract of DESIGN.md).

Field names here are the public schema of `/triage`; add fields, never rename or remove them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TopK(_Answer):
    label: str
    p: float


class ClaimAnswer(_Answer):
    label: str | None = Field(description="the claim type; null when the model abstains (out of scope)")
    confidence: float | None = Field(description="calibrated probability of `label` (with `from_claim`: of the "
                                     "contact's own top type, `top_k[0]`)")
    top_k: list[TopK] = Field(default_factory=list)
    out_of_scope: bool = Field(description="true when the contact is about nothing the model was trained on")
    from_claim: bool = Field(False, description="true when `label` is the type of the claim this contact continues: "
                             "its own words said too little (`confidence` and `top_k`, the contact's own, under the "
                             "policy's linking.type_from_claim_below)")


class ScoreAnswer(_Answer):
    label: str | None
    score: float | None = Field(description="sentiment in [-1, 1] (negative to positive); complexity in [0, 1]")


class Reason(_Answer):
    code: str = Field(description="a stable machine-readable code, e.g. REPEAT_CONTACT_OPEN_CLAIM")
    message: str = Field(description="one sentence an agent or a supervisor can read")


class RouteAnswer(_Answer):
    target: Literal["bot", "human"]
    queue: str = Field(description="the human queue (by claim type or skill), or 'bot'")
    priority: int = Field(ge=1, le=5, description="1 = most urgent")
    reasons: list[Reason] = Field(default_factory=list)


class JourneyAnswer(_Answer):
    linked: bool = Field(description="false when the contact could not be linked to a customer (no identifier, "
                                     "store unavailable); the reason is then in `status`")
    status: str = Field(description="linked | new_customer | no_identifier | store_unavailable")
    customer_key: str | None = None
    claim_id: str | None = None
    new_claim: bool = False
    prior_contacts: int = Field(0, description="earlier contacts on this claim")
    channels_used: list[str] = Field(default_factory=list, description="channels of this claim in time order")
    open_since: datetime | None = None
    days_open: float = 0.0
    repeat_contact: bool = False
    bot_failed_before: bool = False
    sentiment_trend: float | None = Field(None, description="change of sentiment score since the claim opened")
    suppress_marketing: bool = Field(False, description="true while the customer has an open claim")
    candidate_merges: int = Field(0, description="conflicting identifiers recorded for review, never merged silently")


class TriageAnswer(_Answer):
    contact_id: str
    claim: ClaimAnswer
    sentiment: ScoreAnswer
    complexity: ScoreAnswer
    language: str
    route: RouteAnswer
    journey: JourneyAnswer
    handoff: str | None = Field(None, description="PII-redacted summary for the agent; null when routed to the bot")
    model_version: str

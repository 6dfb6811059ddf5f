"""Replay labelled contacts through the request path (normalise -> score -> journey -> route) with a throw-away
in-memory journey store, in time order, keeping what the policy read. The one replay engine: policy tuning,
claim-linking fits, the journeys and routing suites and the segmentation report all replay through here."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Sequence

from claimtriage.data.journeys.store import JourneyStore
from claimtriage.data.schema import OUT_OF_SCOPE, Contact
from claimtriage.serving.engine import TriageEngine
from claimtriage.serving.policy import JourneyFeatures, PolicyConfig, RoutingInput


@dataclass
class RoutingCase:
    """One replayed contact: what the policy read, where it went, and what the labels say."""

    contact_id: str
    channel: str
    x: RoutingInput
    journey: JourneyFeatures
    target: str
    needs_person: bool | None  # None when the contact carries no outcome
    out_of_scope: bool  # ground truth: the labelled claim type is unknown to the model
    group: str  # the unit that keeps a customer on one side of the tune / hold-out split
    signals: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: the claim type the contact's own words gave (None: out of scope); `x.claim` is what was answered, the type of
    #: the claim it joined when its own words said too little (`ClaimAnswer.from_claim`)
    own_claim: str | None = None


def customer_group(contact: Contact) -> str:
    """The true customer where the data says, else the thread or the contact itself."""
    labels = contact.labels
    return (labels.true_customer if labels and labels.true_customer else None) or contact.thread_id or contact.id


def fresh_engine(engine: TriageEngine, policy: PolicyConfig | None = None) -> TriageEngine:
    """The same model with an empty in-memory journey store (replays never touch the real store)."""
    policy = policy or engine.policy
    store = JourneyStore.open(":memory:", linking=policy.linking_config())
    return TriageEngine(engine.model, store=store, policy=policy, model_version=engine.model_version,
                        deployment=engine.deployment)


def replay(engine: TriageEngine, contacts: Sequence[Contact], batch_size: int = 256) -> list[RoutingCase]:
    """Triage contacts in time order through `engine` (give it a fresh store) and keep what routing needs."""
    known = set(engine.model.heads["claim"].labels) - {OUT_OF_SCOPE} if "claim" in engine.model.heads else set()
    ordered = sorted(contacts, key=lambda c: (c.timestamp, c.id))
    cases: list[RoutingCase] = []
    for contact, answer, x, features in engine.triage_with_inputs(ordered, batch_size):
        resolved = contact.outcome.resolved_by if contact.outcome else None
        label = contact.labels.claim if contact.labels else None
        cases.append(RoutingCase(
            contact_id=contact.id, channel=contact.channel.value, x=x, journey=features,
            target=answer.route.target, needs_person=None if resolved is None else resolved != "bot",
            out_of_scope=label is not None and bool(known) and label not in known, group=customer_group(contact),
            signals=dict(contact.labels.signals) if contact.labels else {},
            own_claim=None if answer.claim.out_of_scope or not answer.claim.top_k else answer.claim.top_k[0].label))
    return cases

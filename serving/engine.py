"""The triage engine: a contact in, the triage answer out (DESIGN.md's data flow, minus HTTP).

Two halves: the model scores contacts (`model.score_normalised`: pure CPU, batchable); `decide` links a scored
contact to its journey, routes it and stores it (I/O, thread-safe). The BentoML service batches the model across
requests and runs `decide` off the event loop; batch jobs, segmentation and the evaluation suites call `triage`.

`decide`, straight down: normalise -> in one store transaction: link (customer, claim, earlier contacts) -> journey
features -> route (the pure policy) -> save the contact with its route -> answer. A store failure rolls the whole
contact back and it is routed without a journey.

Contact ids are idempotent: a contact sent again (the same id and the same content, `content_hash`) is answered with
the journey it was stored with and written once; the same id with different content raises `DuplicateContact`
(the API answers 409), never the first contact's journey.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Sequence

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field

from claimtriage.data.deployment import Deployment
from claimtriage.data.journeys.identity import TextIdentifiers, contact_keys
from claimtriage.data.journeys.linking import reference_tokens, refers_back, type_from_claim
from claimtriage.data.journeys.records import DuplicateContact, content_hash
from claimtriage.data.journeys.store import ContactRecord, JourneyState, JourneyStore, StoreError
from claimtriage.data.normalise import NormalisedContact, normalise
from claimtriage.data.schema import Contact, Speaker
from claimtriage.models.registry import load_model, model_version
from claimtriage.models.triage_model import ContactScores, TriageModel
from claimtriage.serving.answer import ClaimAnswer, JourneyAnswer, RouteAnswer, ScoreAnswer, TopK, TriageAnswer
from claimtriage.serving.handoff import handoff_summary
from claimtriage.serving.policy import JourneyFeatures, PolicyConfig, RoutingInput, load_policy, route
from claimtriage.serving.signals import text_signals

__all__ = ["DuplicateContact", "Feedback", "TriageEngine", "contact_record", "export_feedback", "journey_features",
           "route_row"]

logger = logging.getLogger(__name__)

#: stored text is redacted and cut to this length (enough for a hand-off and a retraining example)
STORED_TEXT_CHARS = 4000


class Feedback(BaseModel):
    """An agent's correction of one triaged contact: stored as labelled data for the next retraining."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    contact_id: str = Field(min_length=1, max_length=200)
    claim: str | None = Field(None, max_length=120, description="the right claim type")
    complexity: str | None = Field(None, pattern="^(low|medium|high)$")
    sentiment: str | None = Field(None, pattern="^(negative|neutral|positive)$")
    route_outcome: str | None = Field(None, pattern="^(resolved_by_bot|resolved_by_agent|bot_failed|misrouted)$",
                                      description="what happened after routing")
    agent: str | None = Field(None, max_length=120)
    note: str | None = Field(None, max_length=2000, description="free text; redacted before it is stored")


class MergeRequest(BaseModel):
    """A person confirmed that two customer records are one customer (a candidate merge reviewed)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    keep: str = Field(min_length=1, max_length=40, description="the customer key that stays")
    absorb: str = Field(min_length=1, max_length=40, description="the customer key whose identifiers, claims and "
                                                                 "contacts move to `keep`")
    reason: str = Field(min_length=1, max_length=500, description="who confirmed it and how; redacted before it is "
                                                                  "stored")


def customer_texts(contact: Contact) -> list[str]:
    """The raw words of the customer (for identifiers written in them); never stored or logged."""
    texts = [contact.subject or "", contact.body or ""]
    texts += [t.text for t in contact.turns or () if t.speaker == Speaker.customer]
    return [t for t in texts if t]


def _all_texts(contact: Contact) -> list[str]:
    """Every text of the contact, agents' included (an agent gives the case number the customer quotes later)."""
    return [contact.subject or "", contact.body or ""] + [t.text for t in contact.turns or ()]


def contact_record(contact: Contact, scores: ContactScores, normalised: NormalisedContact) -> ContactRecord:
    """What the journey store keeps of a scored contact (redacted text, scores, what claim linking reads)."""
    return ContactRecord(
        id=contact.id, channel=contact.channel.value, timestamp=contact.timestamp, language=scores.language,
        claim_type=None if scores.out_of_scope else scores.claim,
        scores={k: v for k, v in scores.as_dict().items() if k not in ("contact_id", "claim_top_k", "claim_labels")},
        redacted_text=normalised.text[:STORED_TEXT_CHARS], embedding=scores.embedding, thread_id=contact.thread_id,
        refers_back=refers_back(normalised.text),
        claim_probabilities=dict(scores.claim_top_k),
        references=reference_tokens(_all_texts(contact)),
        bot_tried=any(t.speaker == Speaker.bot for t in contact.turns or ()),
        resolved_by=contact.outcome.resolved_by if contact.outcome else None,
        content_hash=content_hash(contact))


class TriageEngine:
    """Model + journey store + routing policy."""

    def __init__(self, model: TriageModel, *, store: JourneyStore | None = None, policy: PolicyConfig | None = None,
                 model_version: str = "local", store_url: str | None = None,
                 deployment: Deployment | None = None) -> None:
        self.model = model
        self.deployment = deployment or Deployment.generic()
        self.policy = (policy or load_policy()).with_deployment(self.deployment)
        self.store = store
        self.store_url = store_url
        self.model_version = model_version
        self._text_ids = TextIdentifiers.from_deployment(self.deployment)
        self._store_error: str | None = None

    @classmethod
    def load(cls, model: str = "models:/claimtriage@champion", *, store_url: str | None = None,
             policy_path: str | None = None, dtype: str = "auto", tracking_uri: str | None = None,
             with_store: bool = True, runtime: str = "auto", deployment: Deployment | None = None) -> TriageEngine:
        triage_model = load_model(model, tracking_uri=tracking_uri, dtype=dtype, runtime=runtime)
        policy = load_policy(policy_path)
        engine = cls(triage_model, policy=policy, model_version=model_version(model, triage_model),
                     store_url=store_url, deployment=deployment)
        if with_store:
            engine.connect_store()
        return engine

    def connect_store(self) -> bool:
        """(Re)open the journey store; on failure the engine keeps triaging without journeys."""
        try:
            self.store = JourneyStore.open(self.store_url, linking=self.policy.linking_config())
            self._store_error = None
            return True
        except (StoreError, sa.exc.SQLAlchemyError) as err:
            self.store, self._store_error = None, str(err)
            logger.error("journey store unavailable: %s", err)
            return False

    # ---- decide ----------------------------------------------------------------------------------------------
    def decide(self, contact: Contact, scores: ContactScores, normalised: NormalisedContact | None = None) -> TriageAnswer:
        """Journey linking, routing and hand-off for a scored contact. A store failure never raises: the contact is
        triaged without a journey and the answer says why. A contact id already stored with other content raises
        `DuplicateContact` (nothing is written)."""
        return self.decide_with_inputs(contact, scores, normalised)[0]

    def decide_with_inputs(self, contact: Contact, scores: ContactScores, normalised: NormalisedContact | None = None
                           ) -> tuple[TriageAnswer, RoutingInput, JourneyFeatures]:
        """`decide`, also returning what the policy read (for tuning and evaluating the policy)."""
        normalised = normalised or normalise(contact)
        x = RoutingInput(channel=contact.channel.value, language=scores.language, claim=scores.claim,
                         claim_confidence=scores.claim_confidence, out_of_scope=scores.out_of_scope,
                         sentiment=scores.sentiment, sentiment_score=scores.sentiment_score,
                         complexity=scores.complexity, complexity_score=scores.complexity_score,
                         rating=contact.rating, signals=text_signals(normalised.text))
        original, original_x, from_claim = scores, x, False
        if self.store is None:
            state, features, decision = self._without_journey(contact, scores, x)
        else:
            record = contact_record(contact, scores, normalised)
            keys = contact_keys(contact.customer, customer_texts(contact), self._text_ids)
            try:
                with self.store.transaction() as tx:  # identity, claim, contact row and route: all or nothing
                    state = tx.link(record, keys)
                    inherited = type_from_claim(
                        None if scores.out_of_scope else scores.claim, scores.claim_confidence, state.claim_type,
                        joined=state.claim_id is not None and not state.new_claim,
                        below=self.policy.linking_config().type_from_claim_below)
                    if inherited is not None:  # the claim's type: the route, the hand-off and the stored row read it
                        scores = dataclasses.replace(scores, claim=inherited)
                        x = dataclasses.replace(x, claim=inherited)
                        record = dataclasses.replace(record, claim_type=inherited)
                        from_claim = True
                    features = journey_features(state, contact, scores)
                    decision = route(x, features, self.policy)
                    tx.save(record, state, route_row(decision))
            except (sa.exc.SQLAlchemyError, StoreError) as err:  # rolled back: nothing of this contact is stored
                self._store_error = f"{type(err).__name__}: {err.orig if hasattr(err, 'orig') else err}"
                logger.error("journey store write failed for contact %s: %s", contact.id, self._store_error)
                scores, x, from_claim = original, original_x, False  # nothing stored: triaged on its own words
                state, features, decision = self._without_journey(contact, scores, x)
        journey = JourneyAnswer(
            linked=state.linked, status=state.status, customer_key=state.customer_key, claim_id=state.claim_id,
            new_claim=state.new_claim, prior_contacts=features.prior_contacts, channels_used=list(features.channels_used),
            open_since=state.opened_at, days_open=features.days_open, repeat_contact=features.repeat_contact,
            bot_failed_before=features.bot_failed_before, sentiment_trend=features.sentiment_trend,
            suppress_marketing=state.open_claims > 0, candidate_merges=state.candidate_merges)
        handoff = None
        if decision.target == "human":
            handoff = handoff_summary(normalised, scores, state, decision, features, from_claim=from_claim)
        return self._answer(scores, decision, journey, handoff, from_claim=from_claim), x, features

    def _without_journey(self, contact: Contact, scores: ContactScores, x: RoutingInput
                         ) -> tuple[JourneyState, JourneyFeatures, RouteAnswer]:
        """No store, or it failed: the contact is routed on its own."""
        state = JourneyState(status="store_unavailable")
        features = journey_features(state, contact, scores)
        return state, features, route(x, features, self.policy)

    def _answer(self, s: ContactScores, r: RouteAnswer, journey: JourneyAnswer, handoff: str | None, *,
                from_claim: bool = False) -> TriageAnswer:
        return TriageAnswer(
            contact_id=s.contact_id,
            claim=ClaimAnswer(label=None if s.out_of_scope else s.claim, confidence=s.claim_confidence,
                              top_k=[TopK(label=label, p=p) for label, p in s.claim_top_k], out_of_scope=s.out_of_scope,
                              from_claim=from_claim),
            sentiment=ScoreAnswer(label=s.sentiment, score=s.sentiment_score),
            complexity=ScoreAnswer(label=s.complexity, score=s.complexity_score),
            language=s.language, route=r, journey=journey, handoff=handoff, model_version=self.model_version)

    def triage(self, contacts: Sequence[Contact], batch_size: int = 64) -> list[TriageAnswer]:
        """Score then decide, in the given order (give contacts in time order for journeys to build up)."""
        return [answer for _, answer, _, _ in self.triage_with_inputs(contacts, batch_size)]

    def triage_with_inputs(self, contacts: Sequence[Contact], batch_size: int = 64
                           ) -> Iterator[tuple[Contact, TriageAnswer, RoutingInput, JourneyFeatures]]:
        """`triage`, one contact at a time, with what the policy read (for tuning and evaluating the policy)."""
        for start in range(0, len(contacts), batch_size):
            chunk = contacts[start:start + batch_size]
            normalised = [normalise(c) for c in chunk]
            scores = self.model.score_normalised(normalised)
            for contact, scored, norm in zip(chunk, scores, normalised):
                yield (contact, *self.decide_with_inputs(contact, scored, norm))

    # ---- reads, feedback, health ---------------------------------------------------------------------------
    def journey(self, customer_key: str) -> dict | None:
        if self.store is None:
            raise StoreError(self._store_error or "no journey store")
        return self.store.journey(customer_key)

    def merge_customers(self, request: MergeRequest) -> dict:
        if self.store is None:
            raise StoreError(self._store_error or "no journey store")
        return self.store.merge_customers(request.keep, request.absorb, reason=request.reason)

    def record_feedback(self, fb: Feedback) -> dict:
        if self.store is None:
            raise StoreError(self._store_error or "no journey store")
        from claimtriage.data.redact import redact

        values = fb.model_dump(exclude={"contact_id"}, exclude_none=True)
        if "note" in values:
            values["note"] = redact(values["note"], notes=True).text  # "Cliente Giulia Bianchi": a name
        # a claim type the model does not know yet is accepted: teaching it is what retraining is for
        return self.store.add_feedback(fb.contact_id, **values)

    def export_feedback(self, path: str | Path) -> int:
        if self.store is None:
            raise StoreError(self._store_error or "no journey store")
        return export_feedback(self.store, path)

    def readiness(self) -> dict[str, Any]:
        if self.store is None and self._store_error is not None:
            self.connect_store()  # the outage may be over
        store_ok = self.store is not None and self.store.ping()
        return {"model": self.model is not None, "store": store_ok, "model_version": self.model_version,
                "store_error": None if store_ok else (self._store_error or "store unreachable")}


def export_feedback(store: JourneyStore, path: str | Path) -> int:
    """Write the corrected contacts as a training file (JSON lines of Contacts with labels): redacted text as the
    body, the agents' labels, the latest correction of each contact winning. Returns the number of contacts."""
    latest: dict[str, dict] = {}
    for row in store.labelled_feedback():
        merged = latest.setdefault(row["contact_id"], dict(row))
        for key in ("claim", "complexity", "sentiment", "route_outcome"):
            if row.get(key) is not None:
                merged[key] = row[key]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as out:
        for contact_id, row in latest.items():
            labels = {k: row[k] for k in ("claim", "complexity", "sentiment") if row.get(k) is not None}
            outcome = {"bot_failed": "unresolved", "resolved_by_bot": "bot", "resolved_by_agent": "agent"}.get(
                row.get("route_outcome") or "")
            contact = {"id": contact_id, "channel": row["channel"],
                       "timestamp": _iso(row["timestamp"]), "language": row["language"],
                       "body": row["redacted_text"] or "(empty)", "labels": labels}
            if outcome:
                contact["outcome"] = {"resolved_by": outcome}
            Contact.model_validate(contact)
            out.write(json.dumps(contact, ensure_ascii=False) + "\n")
            n += 1
    return n


def _iso(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.isoformat()


def route_row(decision: RouteAnswer) -> dict[str, Any]:
    """What the store keeps of a route, on the contact's row."""
    return {"target": decision.target, "queue": decision.queue, "priority": decision.priority,
            "reasons": [reason.code for reason in decision.reasons]}


def journey_features(state: JourneyState, contact: Contact, scores: ContactScores) -> JourneyFeatures:
    """What the policy reads of the journey: prior contacts on this claim, channels, days open, sentiment trend,
    repeat contact, and whether a bot already tried and failed."""
    if not state.linked:
        return JourneyFeatures(status=state.status, channels_used=(contact.channel.value,))
    prior = state.prior
    ts = contact.timestamp if contact.timestamp.tzinfo else contact.timestamp.replace(tzinfo=timezone.utc)
    opened = state.opened_at or ts
    first_sentiment = next((p.sentiment_score for p in prior if p.sentiment_score is not None), None)
    trend = None
    if first_sentiment is not None and scores.sentiment_score is not None:
        trend = round(scores.sentiment_score - first_sentiment, 4)
    bot_failed = any((p.route_target == "bot" or p.bot_tried) and p.resolved_by != "bot" for p in prior)
    return JourneyFeatures(
        linked=True, status=state.status, prior_contacts=len(prior), repeat_contact=len(prior) > 0,
        bot_failed_before=bot_failed, days_open=round(max((ts - opened).total_seconds(), 0.0) / 86400, 2),
        open_since=opened.date().isoformat(), sentiment_trend=trend,
        channels_used=tuple(p.channel for p in prior) + (contact.channel.value,))

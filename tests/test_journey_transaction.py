"""The journey store's write path: the pure claim state (`open_claim`, `extend_claim`) that the store writes and
fit-linking replays, and `JourneyStore.transaction()` (link, then save: all or nothing), on SQLite and PostgreSQL;
then the engine's request path on top of it, with scores made by hand (no trained model)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
import sqlalchemy as sa

from claimtriage.data.journeys.identity import identity_keys
from claimtriage.data.journeys.linking import Incoming, OpenClaim, extend_claim, open_claim, stored_vector
from claimtriage.data.journeys.store import ContactRecord, JourneyStore
from claimtriage.data.journeys.tables import claims
from claimtriage.data.journeys.writes import JourneyTransaction
from claimtriage.data.schema import CustomerIdentifiers

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)


def _incoming(days: float = 0, vec=None, **kw) -> Incoming:
    base = dict(channel="email", timestamp=T0 + timedelta(days=days), claim_type="billing_dispute", embedding=vec)
    return Incoming(**{**base, **kw})


# ---- the claim's state after a contact: pure -------------------------------------------------------------------
@pytest.mark.unit
def test_a_new_claim_keeps_the_contact_as_the_store_does():
    v = np.array([0.123456789, -0.5, 0.25, 1 / 3], np.float32)
    claim = open_claim("k1", _incoming(vec=v, thread_id="mail-1", references=frozenset({"r1"}), resolved_by="agent"))
    assert claim.centroid.dtype == np.float32 and np.array_equal(claim.centroid, stored_vector(v))
    assert claim.centroid.tolist() == np.float32([0.12346, -0.5, 0.25, 0.33333]).tolist()  # 5 decimals, as stored
    assert np.array_equal(claim.last_embedding, claim.centroid)
    assert claim.opened_at == claim.last_contact_at == claim.resolved_at == T0
    assert claim.threads == {"mail-1"} and claim.references == {"r1"} and claim.n_contacts == 1
    assert (claim.claim_type, claim.last_channel, claim.last_outcome) == ("billing_dispute", "email", "agent")
    assert open_claim("k2", _incoming()).centroid is None and open_claim("k2", _incoming()).resolved_at is None


@pytest.mark.unit
def test_extending_a_claim_averages_adds_up_and_takes_the_newcomers_last_fields():
    a, b = np.array([1, 0, 0, 0], np.float32), np.array([0, 1, 0, 0], np.float32)
    claim = open_claim("k1", _incoming(vec=a, claim_type=None, thread_id="t1", references=frozenset({"r1"}),
                                       resolved_by="bot"))
    claim = extend_claim(claim, _incoming(days=1, vec=b, channel="phone", thread_id="t2",
                                          references=frozenset({"r2"}), resolved_by="unresolved"))
    assert claim.n_contacts == 2 and claim.centroid.tolist() == [0.5, 0.5, 0, 0]
    assert claim.claim_type == "billing_dispute"  # filled in: the claim had none
    assert claim.threads == {"t1", "t2"} and claim.references == {"r1", "r2"}
    assert (claim.last_channel, claim.last_outcome, claim.resolved_at) == ("phone", "unresolved", None)
    assert np.array_equal(claim.last_embedding, b) and claim.last_contact_at == T0 + timedelta(days=1)
    third = extend_claim(claim, _incoming(days=2, vec=a, claim_type="refund"))
    assert third.n_contacts == 3 and third.centroid.tolist() == np.float32([0.66667, 0.33333, 0, 0]).tolist()
    assert third.claim_type == "billing_dispute"  # a claim's type is never overwritten


@pytest.mark.unit
def test_extending_without_an_embedding_or_out_of_order_keeps_what_the_claim_knew():
    v = np.ones(4, np.float32) / 2
    claim = open_claim("k1", _incoming(days=3, vec=v, resolved_by="agent"))
    later = extend_claim(claim, _incoming(days=1, resolved_by="agent"))  # an earlier contact, replayed late
    assert later.last_contact_at == T0 + timedelta(days=3)  # never moves back
    assert later.resolved_at == T0 + timedelta(days=1)  # this contact resolved it
    assert np.array_equal(later.centroid, claim.centroid) and np.array_equal(later.last_embedding, claim.last_embedding)
    assert later.n_contacts == 2 and claim.n_contacts == 1  # the input is not changed
    empty = OpenClaim(id="k2", claim_type=None, opened_at=T0, last_contact_at=T0, centroid=None)
    assert np.array_equal(extend_claim(empty, _incoming(vec=v)).centroid, v)


# ---- the store: link, then save --------------------------------------------------------------------------------
@pytest.fixture(params=[pytest.param("sqlite", marks=pytest.mark.unit),
                        pytest.param("postgresql", marks=pytest.mark.service)])
def store(request, tmp_path):
    """An empty store: SQLite in the test's folder, or a fresh database of the test's own on the PostgreSQL server
    (conftest `pg_url`; skipped without CLAIMTRIAGE_TEST_PG_URL)."""
    url = f"sqlite:///{tmp_path / 'journeys.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    store = JourneyStore.open(url)
    yield store
    store.close()


def _record(cid: str, days: float = 0, vec=None, **kw) -> ContactRecord:
    return ContactRecord(id=cid, channel=kw.pop("channel", "email"), timestamp=T0 + timedelta(days=days),
                         language="it", claim_type=kw.pop("claim_type", "billing_dispute"), scores={},
                         redacted_text=kw.pop("text", f"text of {cid}"), embedding=vec, **kw)


def _keys(email: str = "anna@libero.it", **kw):
    return identity_keys(CustomerIdentifiers(email=email, **kw))


def test_link_then_save_stores_the_contact_with_its_route(store):
    with store.transaction() as tx:
        assert isinstance(tx, JourneyTransaction)
        state = tx.link(_record("c1"), _keys())
        assert state.status == "new_customer" and state.new_claim and state.open_claims == 1
        tx.save(_record("c1"), state, {"target": "bot", "reasons": []})
    contacts = store.journey(state.customer_key)["claims"][0]["contacts"]
    assert [(c["id"], c["route"]) for c in contacts] == [("c1", {"target": "bot", "reasons": []})]


def test_a_failure_between_link_and_save_leaves_nothing_stored(store):
    with pytest.raises(RuntimeError, match="routing crashed"), store.transaction() as tx:
        tx.link(_record("c1"), _keys(phone="3331112222"))
        raise RuntimeError("routing crashed")
    assert set(store.counts().values()) == {0}  # no customer, identifier, claim or contact


def test_a_store_error_inside_the_transaction_rolls_back_the_whole_contact(store):
    store.record(_record("c1"), _keys())
    before = store.counts()
    with pytest.raises(sa.exc.IntegrityError), store.transaction() as tx:
        bad = _record("c2", days=1, text=None, claim_type="refund")  # the contact row cannot be written
        tx.save(bad, tx.link(bad, _keys(phone="3331112222")))
    assert store.counts() == before


def test_a_contact_linked_but_never_saved_is_not_committed(store):
    with pytest.raises(RuntimeError, match="linked but not saved"), store.transaction() as tx:
        tx.link(_record("c1"), _keys())
    assert set(store.counts().values()) == {0}


def test_saving_what_was_not_linked_here_is_refused(store):
    state = store.record(_record("c1"), _keys())
    with pytest.raises(ValueError, match="link it first"), store.transaction() as tx:
        tx.save(_record("c2"), state)
    assert store.counts()["contacts"] == 1


def test_the_same_id_twice_returns_the_stored_state_and_writes_nothing(store):
    v = np.ones(4, np.float32) / 2
    with store.transaction() as tx:
        first = tx.link(_record("c1", vec=v), _keys())
        tx.save(_record("c1", vec=v), first, {"target": "human"})
    before = store.counts()
    with store.transaction() as tx:
        again = tx.link(_record("c1", vec=v), _keys(phone="3331112222"))  # a retry, even with more identifiers
        tx.save(_record("c1", vec=v), again, {"target": "bot"})
    assert again.already_stored and not first.already_stored
    assert (again.customer_key, again.claim_id, again.prior) == (first.customer_key, first.claim_id, [])
    assert store.counts() == before
    assert store.journey(first.customer_key)["claims"][0]["contacts"][0]["route"] == {"target": "human"}


def test_the_stored_claim_is_the_pure_claim_state(store):
    """What fit-linking replays in memory (`open_claim`, `extend_claim`) is what the store keeps, to the bit."""
    rng = np.random.default_rng(0)
    vecs = [v / np.linalg.norm(v) for v in rng.normal(size=(4, 8)).astype(np.float32)]
    records = [_record("c1", vec=vecs[0], thread_id="m1", references=frozenset({"r1"})),
               _record("c2", days=1, vec=vecs[1], thread_id="m1", channel="email", resolved_by="agent"),
               _record("c3", days=2, thread_id="m1", references=frozenset({"r2"})),
               _record("c4", days=3, vec=vecs[2], thread_id="m1", resolved_by="unresolved")]
    expected = None
    for record in records:
        state = store.record(record, _keys())
        assert state.claim_id is not None and (expected is None or state.claim_id == expected.id)
        incoming = record.incoming()
        expected = open_claim(state.claim_id, incoming) if expected is None else extend_claim(expected, incoming)
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(claims).where(claims.c.id == expected.id)).mappings().one()
    assert row["centroid"] == np.asarray(expected.centroid, dtype=float).round(5).tolist()
    assert np.array_equal(np.asarray(row["centroid"], np.float32), expected.centroid)
    assert np.array_equal(np.asarray(row["last_embedding"], np.float32), expected.last_embedding)
    assert row["n_contacts"] == expected.n_contacts == 4
    assert (row["threads"], row["references"]) == (sorted(expected.threads), sorted(expected.references))
    assert (row["last_channel"], row["last_outcome"], row["claim_type"]) == (
        expected.last_channel, expected.last_outcome, expected.claim_type)
    assert row["resolved_at"] is expected.resolved_at is None
    assert row["last_contact_at"].replace(tzinfo=timezone.utc) == expected.last_contact_at


# ---- the engine's request path on top ----------------------------------------------------------------------------
def _scored(contact_id: str):
    from claimtriage.models.triage_model import ContactScores

    return ContactScores(contact_id=contact_id, language="it", claim="billing_dispute", claim_confidence=0.9,
                         claim_top_k=[("billing_dispute", 0.9)], sentiment="neutral", sentiment_score=0.0,
                         complexity="low", complexity_score=0.1, embedding=np.ones(4, np.float32) / 2)


def _contact(cid: str, days: float = 0):
    from claimtriage.data.schema import Contact

    return Contact.model_validate({"id": cid, "channel": "email", "timestamp": T0 + timedelta(days=days),
                                   "customer": {"email": "anna@libero.it"}, "body": "La bolletta di marzo è sbagliata"})


def _engine(store):
    from claimtriage.serving.engine import TriageEngine
    from claimtriage.serving.policy import load_policy

    return TriageEngine(None, store=store, policy=load_policy(), model_version="test")  # decide needs no model


def test_the_engine_stores_each_contact_with_the_route_it_answered(store):
    engine = _engine(store)
    first = engine.decide(_contact("e1"), _scored("e1"))
    second = engine.decide(_contact("e2", days=1), _scored("e2"))
    retry = engine.decide(_contact("e2", days=1), _scored("e2"))
    assert second.journey.claim_id == first.journey.claim_id and second.journey.repeat_contact
    stored = store.journey(first.journey.customer_key)["claims"][0]["contacts"]
    assert [c["route"]["target"] for c in stored] == [first.route.target, second.route.target]
    assert stored[1]["route"]["reasons"] == [r.code for r in second.route.reasons]
    assert retry.journey.claim_id == second.journey.claim_id and retry.route == second.route
    assert store.counts()["contacts"] == 2


def test_a_store_failure_while_saving_rolls_back_and_routes_without_a_journey(store, monkeypatch):
    engine = _engine(store)

    def fail(self, record, state, route=None):
        raise sa.exc.OperationalError("INSERT INTO contacts", {}, Exception("disk I/O error"))

    monkeypatch.setattr(JourneyTransaction, "save", fail)
    answer = engine.decide(_contact("e1"), _scored("e1"))
    assert answer.journey.status == "store_unavailable" and not answer.journey.linked
    assert "NO_JOURNEY" in {r.code for r in answer.route.reasons}
    assert set(store.counts().values()) == {0}  # the customer and claim that link wrote are gone too
    monkeypatch.undo()  # the outage is over: the next contact gets its journey again
    assert engine.decide(_contact("e2"), _scored("e2")).journey.status == "new_customer"


def test_a_follow_up_that_says_little_answers_with_the_type_of_the_claim_it_joins(store):
    """A contact that joins an existing claim and is unsure of its own type ("any news?") answers with the claim's
    type (linking.type_from_claim_below); the route, the hand-off and the stored row read it, and the answer says
    so. One sure of another type keeps its own; a failed write answers on the contact's own words."""
    from dataclasses import replace

    engine = _engine(store)
    first = engine.decide(_contact("t1"), _scored("t1"))  # billing_dispute at 0.9 opens the claim
    vague = replace(_scored("t2"), claim="information_request", claim_confidence=0.45,
                    claim_top_k=[("information_request", 0.45), ("billing_dispute", 0.4)])
    follow = engine.decide(_contact("t2", days=1), vague)
    assert follow.journey.claim_id == first.journey.claim_id and not follow.journey.new_claim
    assert (follow.claim.label, follow.claim.from_claim, follow.claim.confidence) == ("billing_dispute", True, 0.45)
    assert follow.claim.top_k[0].label == "information_request"  # the contact's own probabilities, unchanged
    assert "Claim: billing_dispute (the claim's type; this message alone: information_request, confidence 0.45)" in (
        follow.handoff or "")
    stored = store.journey(first.journey.customer_key)["claims"][0]["contacts"]
    assert [c["claim_type"] for c in stored] == ["billing_dispute", "billing_dispute"]
    assert not first.claim.from_claim  # the contact that opened the claim has only its own words
    sure = replace(_scored("t3"), claim="information_request", claim_confidence=0.95,
                   claim_top_k=[("information_request", 0.95), ("billing_dispute", 0.03)])
    answer = engine.decide(_contact("t3", days=2), sure)
    assert (answer.claim.label, answer.claim.from_claim) == ("information_request", False)
    never = _engine(store)
    never.policy = never.policy.model_copy(update={"linking": {**never.policy.linking, "type_from_claim_below": 0.0}})
    kept = never.decide(_contact("t4", days=3), replace(vague, contact_id="t4"))
    assert (kept.claim.label, kept.claim.from_claim) == ("information_request", False)


def test_a_store_failure_after_taking_the_claims_type_answers_on_the_contacts_own_words(store, monkeypatch):
    from dataclasses import replace

    engine = _engine(store)
    engine.decide(_contact("f1"), _scored("f1"))

    def fail(self, record, state, route=None):
        assert record.claim_type == "billing_dispute"  # the row it would have stored carries the claim's type
        raise sa.exc.OperationalError("INSERT INTO contacts", {}, Exception("disk I/O error"))

    monkeypatch.setattr(JourneyTransaction, "save", fail)
    vague = replace(_scored("f2"), claim="information_request", claim_confidence=0.45,
                    claim_top_k=[("information_request", 0.45), ("billing_dispute", 0.4)])
    answer = engine.decide(_contact("f2", days=1), vague)
    assert answer.journey.status == "store_unavailable"
    assert (answer.claim.label, answer.claim.from_claim) == ("information_request", False)


# ---- issue 15: contact ids are idempotent, bodies may carry NUL, notes name no one -------------------------------
def _contact_with(cid: str, body: str, email: str, timestamp=None):
    from claimtriage.data.schema import Contact

    return Contact.model_validate({"id": cid, "channel": "email", "timestamp": timestamp or T0,
                                   "customer": {"email": email}, "body": body})


def test_the_same_id_with_other_content_is_refused_not_answered_with_the_first_journey(store):
    from claimtriage.serving.engine import DuplicateContact

    engine = _engine(store)
    first = engine.decide(_contact_with("dup-1", "La bolletta di marzo è sbagliata", "anna@libero.it"), _scored("dup-1"))
    before = store.counts()
    with pytest.raises(DuplicateContact, match="^id: contact dup-1 was already stored with different content$"):
        engine.decide(_contact_with("dup-1", "Vorrei disdire il contratto", "marco@libero.it"), _scored("dup-1"))
    assert store.counts() == before  # no customer, identifier or claim of the second contact
    # the same contact sent again (its time with another offset, its text reflowed) is a retry: the stored journey
    retry = _contact_with("dup-1", "La bolletta  di marzo\nè sbagliata", "anna@libero.it",
                          timestamp=T0.astimezone(timezone(timedelta(hours=2))))
    again = engine.decide(retry, _scored("dup-1"))
    assert (again.journey.customer_key, again.journey.claim_id) == (first.journey.customer_key, first.journey.claim_id)
    assert store.counts() == before


def test_contacts_of_one_batch_reusing_an_id_are_refused_in_order(store):
    # the service decides a batch's contacts one by one, in order: the second with the same id meets the first
    from claimtriage.serving.engine import DuplicateContact

    engine = _engine(store)
    batch = [_contact_with("b-1", "La bolletta è sbagliata", "anna@libero.it"),
             _contact_with("b-1", "Il modem non funziona", "luca@libero.it")]
    engine.decide(batch[0], _scored("b-1"))
    with pytest.raises(DuplicateContact):
        engine.decide(batch[1], _scored("b-1"))
    assert store.counts()["customers"] == 1


@pytest.mark.unit
def test_the_api_answers_a_duplicate_contact_with_409(monkeypatch):
    import asyncio
    import json

    from claimtriage.serving import app
    from claimtriage.serving.engine import DuplicateContact

    class Service:  # as TriageService.triage_contacts: whatever decide raises comes wrapped in StoreUnavailable
        def __init__(self, error):
            self.error = error

        async def triage_contacts(self, contacts):
            raise self.error

    wrapped = app.StoreUnavailable("routing or the journey store failed on this request")
    wrapped.__cause__ = DuplicateContact("dup-1")
    for error in (DuplicateContact("dup-1"), wrapped):
        monkeypatch.setattr(app, "_service", lambda error=error: Service(error))
        response = asyncio.run(app._triage([_contact("dup-1")]))
        assert response.status_code == 409
        body = json.loads(response.body)
        assert body == {"error": "duplicate_contact", "fields": ["id"],
                        "message": "id: contact dup-1 was already stored with different content"}
    monkeypatch.setattr(app, "_service", lambda: Service(app.StoreUnavailable("the store is down")))
    assert asyncio.run(app._triage([_contact("x")])).status_code == 503


def test_a_nul_in_the_body_is_stored_and_answered(store):
    engine = _engine(store)
    answer = engine.decide(_contact_with("nul-1", "La bolletta\x00 di marzo è sbagliata", "anna@libero.it"),
                           _scored("nul-1"))
    assert answer.journey.status == "new_customer"  # not store_unavailable (PostgreSQL refuses NUL in text)
    stored = store.journey(answer.journey.customer_key)["claims"][0]["contacts"][0]["text"]
    assert "\x00" not in stored and "La bolletta\ufffd di marzo" in stored


def test_a_feedback_note_naming_the_customer_is_stored_redacted(store):
    from claimtriage.serving.engine import Feedback

    engine = _engine(store)
    engine.decide(_contact("e1"), _scored("e1"))
    for note in ("Customer Giulia Bianchi called back, bill still wrong", "Cliente Giulia Bianchi richiama domani"):
        engine.record_feedback(Feedback(contact_id="e1", note=note))
    notes = [row["note"] for row in store.labelled_feedback()]
    assert notes == ["Customer [PERSON] called back, bill still wrong", "Cliente [PERSON] richiama domani"]

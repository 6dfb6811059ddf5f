"""Journeys: identifier normalisation, identity rules (with property tests), claim linking, and the store on SQLite
and PostgreSQL (same tests), including atomicity and a crash during writes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from claimtriage.data.deployment import demo_deployment
from claimtriage.data.journeys.identity import (IdentityKeys, TextIdentifiers, contact_keys, written_keys,
                                                identity_keys,
                                                normalise_email, normalise_phone, partition, Partition)
from claimtriage.data.journeys.spoken import dictated
from claimtriage.data.journeys.linking import Incoming, LinkingConfig, OpenClaim, choose_claim, refers_back
from claimtriage.data.journeys.store import (SCHEMA_VERSION, ContactRecord, DuplicateContact, JourneyState,
                                            JourneyStore, SchemaVersionError, StoreError, metadata, schema_info)
from claimtriage.data.schema import CustomerIdentifiers
from claimtriage.data.journeys.pairwise import pairwise_scores

pytestmark = pytest.mark.unit  # the store's tests run on PostgreSQL too, in tests/test_journeys_postgresql.py

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)


# ---- normalisation ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw, expected", [
    ("Mario.Rossi@Gmail.com", "mariorossi@gmail.com"),
    ("mario.rossi+bollette@gmail.com", "mariorossi@gmail.com"),
    ("mariorossi@googlemail.com", "mariorossi@gmail.com"),
    ("Mario.Rossi@libero.it", "mario.rossi@libero.it"),  # dots matter outside Gmail
    ("anna+casa@outlook.it", "anna@outlook.it"),
    ("anna+casa@libero.it", "anna+casa@libero.it"),  # no sub-addressing there
    ("not-an-email", None),
])
def test_emails_normalise_where_the_provider_ignores_the_difference(raw, expected):
    assert normalise_email(raw) == expected


@pytest.mark.parametrize("raw", ["+39 340 123 4567", "3401234567", "0039-340-123-4567", "393401234567",
                                 "(+39) 340.123.4567", "340/1234567", "+393401234567"])
def test_italian_mobiles_in_every_spelling_become_one_e164(raw):
    assert normalise_phone(raw) == "+393401234567"


def test_uk_numbers_and_garbage():
    assert normalise_phone("+44 7700 900123") == "+447700900123"
    assert normalise_phone("0044 7700 900123") == "+447700900123"
    assert normalise_phone("12") is None


def test_keys_cover_every_strong_identifier_and_ignore_names():
    keys = identity_keys(CustomerIdentifiers(customer_id="lmn-4821937", email="A.B@gmail.com", phone="340 1234567",
                                             social_handle="@Mario_R", name="Mario Rossi", other={"pod": "it001e 1234"}))
    assert keys.customer_id == "cid:LMN4821937"
    assert keys.strong == {"cid:LMN4821937", "email:ab@gmail.com", "phone:+393401234567", "handle:mario_r",
                           "other:pod:IT001E1234"}
    assert identity_keys(CustomerIdentifiers(name="Mario Rossi")).empty


DEMO_TEXT_IDS = TextIdentifiers.from_deployment(demo_deployment())


def test_identifiers_written_in_the_text_are_found_but_not_the_companys_own():
    found = written_keys(["Scrivete pure a assistenza@lumina-et.it o a me: mario.rossi@libero.it, "
                          "cell 340 123 4567, codice cliente lmn 4821937"], DEMO_TEXT_IDS)
    assert found == {"email:mario.rossi@libero.it", "phone:+393401234567", "cid:LMN4821937"}
    assert not written_keys(["invoice 2024-0175360 dated 17/01/2024"], DEMO_TEXT_IDS)
    assert not written_keys(["invoice 2024-0175360 dated 17/01/2024"], TextIdentifiers())



@pytest.mark.parametrize("said, expected", [
    ("o elle due zero quattro otto uno uno sette", "OL2048117"),  # Italian letter names and digit words
    ("oh el seven to nine zero three five one", "OL7290351"),  # English, "to" written for a two between digits
    ("OL quattro uno nove tre cinque sei sette", "OL 4193567"),  # the letters written, the digits said
    ("il mio numero è tre quattro sette, uno due tre, quattro cinque sei sette", "il mio numero è 3471234567"),
    ("il codice cliente e uno due tre quattro cinque sei", "il codice cliente e 123456"),  # "e" is "and" here
    ("fattura FT-2025-0183342 di 412,60 euro", "fattura FT-2025-0183342 di 412,60 euro"),  # written stays written
    ("scrivetemi a mario punto rossi chiocciola gmail punto com", "scrivetemi a mario.rossi@gmail.com"),
    ("my email is john dot smith at outlook dot co dot uk", "my email is john.smith@outlook.co.uk"),
    ("contact anna_b [at] libero [dot] it please", "contact anna_b@libero.it please"),
    ("I will be at home at five, dot", "I will be at home at 5, dot"),  # no domain, no address
    ("Details at lumina-et.it", "Details at lumina-et.it"),  # a website, not details@
])
def test_dictated_numbers_and_spelled_letters_are_read_as_written(said, expected):
    assert dictated(said) == expected


def test_a_customer_code_and_a_phone_number_dictated_on_a_call_are_found():
    config = TextIdentifiers(customer_id_pattern=r"(?i)\bOL[-\s]?\d{7}\b")
    call = ["Buongiorno, sono Parisi. Il codice è o elle due zero quattro otto uno uno sette.",
            "Mi richiamate al tre quattro sette, uno due tre, quattro cinque sei sette?"]
    assert written_keys(call, config) == {"cid:OL2048117", "phone:+393471234567"}
    assert written_keys(["la mail è giulia punto ferraresi chiocciola gmail punto com"], config) == {
        "email:giuliaferraresi@gmail.com"}  # as the channel's own address normalises (Gmail ignores dots)
    # what is written as written wins: the code typed in the first message, not a number said in the second
    assert written_keys(["codice OL-1111111", "o elle due zero quattro otto uno uno sette"], config) == {
        "cid:OL1111111"}
    # a wife calling from her phone with her husband's code joins his customer, as a typed code does
    part = Partition()
    part.add_all([("a", _contact_keys(["Codice cliente OL-2048117"], email="giulia@gmail.com", config=config)),
                  ("b", _contact_keys(call[:1], phone="3409998887", config=config))])
    assert len(set(part.result.values())) == 1 and not part.conflicts

# ---- identity rules --------------------------------------------------------------------------------------------
def _k(**ids) -> IdentityKeys:
    return identity_keys(CustomerIdentifiers(**ids))


def test_shared_strong_identifier_joins_and_name_alone_never_does():
    got = partition([("a", _k(email="x@libero.it", name="Anna Bianchi")), ("b", _k(email="X@Libero.it")),
                     ("c", _k(phone="3331112222", name="Anna Bianchi")), ("d", _k(name="Anna Bianchi"))])
    assert got["a"] == got["b"] and got["c"] != got["a"] and got["d"] is None


def test_an_explicit_customer_id_wins_and_a_conflict_is_not_merged():
    got = partition([("a", _k(customer_id="LMN1", email="fam@libero.it")),
                     ("b", _k(customer_id="LMN2", email="fam@libero.it")),
                     ("c", _k(customer_id="LMN2"))])
    assert got["a"] != got["b"] and got["b"] == got["c"]


def test_a_bridge_contact_merges_customers_without_ids():
    got = partition([("a", _k(email="e@libero.it")), ("b", _k(phone="3331112222")),
                     ("c", _k(email="e@libero.it", phone="+39 333 111 2222"))])
    assert got["a"] == got["b"] == got["c"]


_emails = st.sampled_from([f"p{i}@libero.it" for i in range(6)])
_phones = st.sampled_from([f"33311122{i:02d}" for i in range(6)])
_contact = st.fixed_dictionaries({}, optional={"email": _emails, "phone": _phones,
                                               "name": st.sampled_from(["Anna Bianchi", "Mario Rossi"])})


def _groups(result: dict[str, str | None]) -> set[frozenset[str]]:
    by: dict[str, set[str]] = {}
    for item, group in result.items():
        if group is not None:
            by.setdefault(group, set()).add(item)
    return {frozenset(v) for v in by.values()}


@settings(max_examples=60, deadline=None)
@given(st.lists(_contact, min_size=1, max_size=12), st.randoms(use_true_random=False))
def test_merging_is_order_independent_without_customer_ids(contacts, rnd):
    items = [(f"c{i}", _k(**ids)) for i, ids in enumerate(contacts)]
    shuffled = items[:]
    rnd.shuffle(shuffled)
    assert _groups(partition(items)) == _groups(partition(shuffled))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["LMN1", "LMN2", "LMN3"]), _contact), min_size=1, max_size=12),
       st.randoms(use_true_random=False))
def test_different_customer_ids_never_merge_in_any_order(contacts, rnd):
    items = [(f"c{i}", _k(customer_id=cid, **ids)) for i, (cid, ids) in enumerate(contacts)]
    rnd.shuffle(items)
    got = partition(items)
    cid_of = {f"c{i}": cid for i, (cid, _) in enumerate(contacts)}
    for a in got:
        for b in got:
            if got[a] == got[b]:
                assert cid_of[a] == cid_of[b]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["Anna Bianchi", "Mario Rossi", "anna bianchi"]), min_size=2, max_size=8))
def test_weak_evidence_alone_never_merges(names):
    got = partition([(f"c{i}", _k(name=n)) for i, n in enumerate(names)])
    assert all(v is None for v in got.values())


def test_identity_on_the_demo_ground_truth_never_merges_strangers(corpus_contacts):
    """Pairwise precision 1.0 against the demo's true customers; recall stays at the level of joining by the
    channels' identifiers plus customer codes (identifiers written in the text no longer join known customers)."""
    from claimtriage.serving.engine import customer_texts

    got = partition((c.id, contact_keys(c.customer, customer_texts(c), DEMO_TEXT_IDS)) for c in corpus_contacts)
    scores = pairwise_scores(got, {c.id: c.labels.true_customer for c in corpus_contacts})
    assert scores["precision"] == 1.0 and scores["recall"] >= 0.75, scores


# ---- identifiers written in the text: never merge strangers (issue 13's two repros, then properties) ----------
ONDALUCE = TextIdentifiers(customer_id_pattern=r"(?i)\bOL[-\s]?\d{7}\b", own_domains=("ondaluce.example",),
                           own_addresses=("assistenza@ondaluce.example",), own_phones=("800 913 913",),
                           own_handles=("@OndaluceIT",))


def _contact_keys(texts=(), config=ONDALUCE, **ids) -> IdentityKeys:
    return contact_keys(CustomerIdentifiers(**ids), list(texts), config)


def test_repro_company_addresses_quoted_in_replies_never_join_customers():
    quoted = ("Grazie.\n\nIl giorno 3 mar 2025, Ondaluce <assistenza@ondaluce.example> ha scritto:\n> Gentile cliente, "
              "ci chiami al numero verde 800 913 913")
    items = [(f"c{i}", _contact_keys([quoted], email=f"person{i}@libero.it")) for i in range(4)]
    assert len({partition(items)[c] for c, _ in items}) == 4
    # the same with generic rules (no deployment file): the address is written, never a join key
    generic = [(f"c{i}", _contact_keys([quoted], config=TextIdentifiers(), email=f"person{i}@libero.it"))
               for i in range(4)]
    assert len({partition(generic)[c] for c, _ in generic}) == 4
    assert all(not k.strong & {"email:assistenza@ondaluce.example"} for _, k in items)


def test_repro_an_email_written_in_a_message_never_takes_another_customers_history():
    victim = ("v", _contact_keys(email="victim@example.com"))
    writer_first = ("w1", _contact_keys(phone="+39 347 111 2233"))
    writer = ("w2", _contact_keys(["Please also cc victim@example.com on all replies"], phone="+39 347 111 2233"))
    part = Partition()
    part.add_all([victim, writer_first, writer])
    assert part.result["w2"] == part.result["w1"] != part.result["v"]
    assert [(c, reason) for c, _, _, reason in part.conflicts] == [
        ("w2", "the customer wrote an email address that belongs to another customer")]


def test_a_channel_identifier_another_customer_wrote_earlier_is_a_candidate_merge_never_a_join():
    """"My new number is ...", then a message from that number: shown for review, not merged (the number may be a
    relative's, or a stranger's given by mistake)."""
    part = Partition()
    part.add_all([("a", _contact_keys(["il mio nuovo numero è 333 770 2154"], email="daniel@outlook.com")),
                  ("b", _contact_keys(phone="3337702154")),
                  ("c", _contact_keys(phone="3337702154"))])
    assert part.result["a"] != part.result["b"] == part.result["c"]
    assert part.conflicts == [("b", part.result["b"], part.result["a"],
                               "another customer wrote a phone number of this contact's channel in an earlier message")]
    # a number written by two unrelated customers is nobody's evidence (a shared or company number)
    shared = Partition()
    shared.add_all([("a", _contact_keys(["chiamate il 02 1234 5678"], email="a@libero.it")),
                    ("b", _contact_keys(["chiamate il 02 1234 5678"], email="b@libero.it")),
                    ("c", _contact_keys(phone="0212345678"))])
    assert not shared.conflicts and len(set(shared.result.values())) == 3


def test_a_written_customer_code_places_a_contact_whose_own_identifiers_are_new():
    part = Partition()
    part.add_all([("a", _contact_keys(["Codice cliente OL-2048117"], email="giulia@gmail.com")),
                  ("b", _contact_keys(["sono la moglie, il codice è OL 2048117"], phone="3401234567")),
                  ("c", _contact_keys(phone="3401234567")),
                  ("d", _contact_keys(customer_id="OL2048117"))])
    assert len(set(part.result.values())) == 1 and not part.conflicts


def test_a_contact_without_own_identifiers_joins_the_one_customer_its_text_names():
    got = partition([("a", _contact_keys(email="anna@libero.it")),
                     ("b", _contact_keys(["scrivetemi a anna@libero.it"])),
                     ("c", _contact_keys(["nessun identificativo"]))])
    assert got["a"] == got["b"] and got["c"] is None


def test_an_identifier_written_by_several_customers_stops_joining():
    shared = "chiamate pure il 02 1234 5678"
    items = [("a", _contact_keys(phone="0212345678")), ("b", _contact_keys([shared], email="b@libero.it")),
             ("c", _contact_keys([shared], email="c@libero.it")), ("d", _contact_keys([shared]))]
    got = partition(items)
    assert got["d"] is None


_written = st.lists(st.sampled_from([f"mail p{i}@libero.it" for i in range(4)] + [f"tel 33311122{i:02d}" for i in range(4)]
                                    + [f"codice OL-{i:07d}" for i in range(3)]), max_size=3)
_own = st.fixed_dictionaries({}, optional={"email": _emails, "phone": _phones})


def test_a_code_written_beside_someone_elses_phone_does_not_become_that_customers():
    """Found by the property below: an identifier-less contact writes a known phone and an unknown code; the code
    must not attach to the phone's customer, or a later contact with that code would join a stranger."""
    got = partition([("c0", _contact_keys(phone="3331112202")),
                     ("c1", _contact_keys(["tel 3331112202", "codice OL-0000000"])),
                     ("c2", _contact_keys(["codice OL-0000000"], email="p0@libero.it"))])
    assert got["c0"] == got["c1"] != got["c2"]


_written_contact_details = st.lists(st.sampled_from([f"mail p{i}@libero.it" for i in range(4)]
                                                   + [f"tel 33311122{i:02d}" for i in range(4)]), max_size=3)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(_own, _written_contact_details), min_size=1, max_size=12))
def test_written_emails_and_phones_never_join_contacts_that_have_their_own(contacts):
    """Among contacts with channel identifiers, the partition is the same with or without the emails and phones
    written in the text. (With customer codes written too, which customer first holds a code can depend on the
    order of evidence; that codes never pull a known contact away is the next property.)"""
    with_text = [(f"c{i}", _contact_keys(texts, **ids)) for i, (ids, texts) in enumerate(contacts)]
    codes_only = [(f"c{i}", _contact_keys([], **ids)) for i, (ids, texts) in enumerate(contacts)]
    a, b = partition(with_text), partition(codes_only)
    own = [c for c, k in with_text if k.strong]
    for x in own:
        for y in own:
            assert (a[x] == a[y]) == (b[x] == b[y])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(_own, _written), min_size=1, max_size=12))
def test_a_known_identifier_always_keeps_its_customer(contacts):
    """No written identifier moves a contact away from the customer that already holds its channel identifiers
    (when they all belong to one customer; a bridge between two customers with different ids is the channel's)."""
    items = [(f"c{i}", _contact_keys(texts, **ids)) for i, (ids, texts) in enumerate(contacts)]
    part = Partition()
    seen: dict[str, str] = {}
    for contact_id, keys in items:
        earlier = {seen[k] for k in keys.strong if k in seen}
        holders = {part.result[c] for c in earlier}
        part.add(contact_id, keys)
        if len(holders) == 1:
            assert all(part.result[contact_id] == part.result[other] for other in earlier)
        for k in keys.strong:
            seen.setdefault(k, contact_id)


# ---- claim linking ---------------------------------------------------------------------------------------------
def _claim(cid="k1", ctype="billing_dispute", days_ago=1.0, centroid=None, threads=()) -> OpenClaim:
    return OpenClaim(id=cid, claim_type=ctype, opened_at=T0 - timedelta(days=days_ago + 1),
                     last_contact_at=T0 - timedelta(days=days_ago), centroid=centroid, threads=frozenset(threads))


def _incoming(**kw) -> Incoming:
    base = dict(channel="phone", timestamp=T0, claim_type="billing_dispute", embedding=None)
    return Incoming(**{**base, **kw})


def test_same_type_similar_and_recent_joins_the_open_claim():
    v = np.ones(4, dtype=np.float32) / 2
    assert choose_claim(_incoming(embedding=v), [_claim(centroid=v)], LinkingConfig()).claim_id == "k1"


def test_another_problem_opens_a_new_claim():
    v, w = np.array([1, 0, 0, 0], np.float32), np.array([0, 1, 0, 0], np.float32)
    decision = choose_claim(_incoming(claim_type="technical_fault", embedding=w), [_claim(centroid=v)], LinkingConfig())
    assert decision.claim_id is None


def test_the_same_email_thread_joins_whatever_the_text():
    decision = choose_claim(_incoming(channel="email", claim_type="refund", thread_id="mail-1"),
                            [_claim(threads={"mail-1"})], LinkingConfig())
    assert decision.claim_id == "k1" and decision.evidence == ("same_thread",)


def test_an_inactive_claim_is_never_joined():
    v = np.ones(4, dtype=np.float32) / 2
    assert choose_claim(_incoming(embedding=v), [_claim(days_ago=45, centroid=v)], LinkingConfig()).claim_id is None


def test_a_contact_confidently_about_another_type_scores_lower_than_an_unsure_follow_up():
    """"Still nothing!" (no claim type stands out) may continue a billing claim; a contact the heads place firmly on
    another type is another claim, even when the text looks alike."""
    from claimtriage.data.journeys.linking import link_features, link_score

    v = np.ones(4, dtype=np.float32) / 2
    unsure = _incoming(embedding=v, claim_type=None, claim_probabilities={"refund": 0.3, "technical_fault": 0.25})
    other = _incoming(embedding=v, claim_type="technical_fault", claim_probabilities={"technical_fault": 0.97})
    assert link_features(other, _claim(centroid=v), 1)["other_type_confidence"] == pytest.approx(0.97)
    config = LinkingConfig()
    assert link_score(unsure, _claim(centroid=v), 1, config)[0] > link_score(other, _claim(centroid=v), 1, config)[0]
    assert choose_claim(other, [_claim(centroid=v)], config).claim_id is None


def test_a_claim_an_agent_resolved_can_be_reopened_within_the_window_only():
    v = np.ones(4, dtype=np.float32) / 2
    config = LinkingConfig(reopen_days=14)
    resolved = lambda days: OpenClaim(id="k1", claim_type="billing_dispute", opened_at=T0 - timedelta(days=days + 2),
                                      last_contact_at=T0 - timedelta(days=days), centroid=v, last_embedding=v,
                                      resolved_at=T0 - timedelta(days=days), last_outcome="agent")
    assert choose_claim(_incoming(embedding=v), [resolved(10)], config).claim_id == "k1"
    assert choose_claim(_incoming(embedding=v), [resolved(20)], config).claim_id is None


def test_references_to_earlier_contacts_are_recognised():
    assert refers_back("Come vi ho già scritto la settimana scorsa, la bolletta è sbagliata")
    assert refers_back("As I wrote in my previous email, I am still waiting")
    assert not refers_back("Vorrei sapere gli orari dei negozi")


# ---- the store, on SQLite here; every test that takes `store_url` runs again on PostgreSQL, in a fresh database of
# its own (tests/test_journeys_postgresql.py) ---------------------------------------------------------------------
@pytest.fixture()
def store_url(tmp_path):
    return f"sqlite:///{tmp_path / 'journeys.db'}"


def _record(cid: str, days: float = 0, claim_type="billing_dispute", vec=None, **kw) -> ContactRecord:
    return ContactRecord(id=cid, channel=kw.pop("channel", "email"), timestamp=T0 + timedelta(days=days),
                         language="it", claim_type=claim_type, scores={"sentiment_score": kw.pop("sentiment", 0.0)},
                         redacted_text=f"text of {cid}", embedding=vec, **kw)


def _record_routed(store: JourneyStore, record: ContactRecord, keys: IdentityKeys, route: dict) -> JourneyState:
    with store.transaction() as tx:
        state = tx.link(record, keys)
        tx.save(record, state, route)
    return state


def test_store_links_customers_and_claims_and_reads_journeys(store_url):
    store = JourneyStore.open(store_url)
    v = np.array([0, 1, 0, 0], np.float32)
    a = _record_routed(store, _record("c1", vec=v), _k(email="anna@libero.it"), {"target": "bot"})
    b = store.record(_record("c2", days=1, vec=v, channel="phone"), _k(phone="3331112222", email="anna@libero.it"))
    c = store.record(_record("c3", days=2, claim_type="technical_fault", vec=np.array([1, 0, 0, 0], np.float32)),
                     _k(phone="+39 333 111 2222"))
    assert a.status == "new_customer" and b.status == c.status == "linked"
    assert a.customer_key == b.customer_key == c.customer_key
    assert b.claim_id == a.claim_id and [p.id for p in b.prior] == ["c1"] and b.prior[0].route_target == "bot"
    assert c.claim_id != a.claim_id and c.new_claim and c.open_claims == 2
    journey = store.journey(a.customer_key)
    assert journey["open_claims"] == 2 and sum(len(x["contacts"]) for x in journey["claims"]) == 3
    assert store.journey("cust-unknown") is None
    store.close()


def test_store_keeps_conflicts_apart_and_records_them(store_url):
    store = JourneyStore.open(store_url)
    a = store.record(_record("c1"), _k(customer_id="LMN1", email="fam@libero.it"))
    b = store.record(_record("c2", days=1), _k(customer_id="LMN2", email="fam@libero.it"))
    assert a.customer_key != b.customer_key and b.candidate_merges == 1
    assert len(store.candidate_merges()) == 1
    store.close()


def test_no_identifier_is_stored_without_a_journey(store_url):
    store = JourneyStore.open(store_url)
    state = store.record(_record("c1"), _k(name="Anna"))
    assert state.status == "no_identifier" and not state.linked
    assert store.counts()["contacts"] == 1 and store.counts()["customers"] == 0
    store.close()


def test_a_retried_contact_is_not_written_twice(store_url):
    store = JourneyStore.open(store_url)
    store.record(_record("c1"), _k(email="a@libero.it"))
    again = store.record(_record("c1"), _k(email="a@libero.it"))
    assert again.already_stored and store.counts()["contacts"] == 1
    store.close()


def test_a_reused_contact_id_with_other_content_is_refused(store_url):
    store = JourneyStore.open(store_url)
    first = store.record(_record("dup-1", content_hash="a" * 64), _k(email="anna@libero.it"))
    again = store.record(_record("dup-1", content_hash="a" * 64), _k(email="anna@libero.it"))  # a retry
    assert again.already_stored and (again.customer_key, again.claim_id) == (first.customer_key, first.claim_id)
    before = store.counts()
    with pytest.raises(DuplicateContact, match="^id: contact dup-1 was already stored with different content$"):
        store.record(_record("dup-1", days=1, content_hash="b" * 64), _k(email="marco@libero.it"))
    assert store.counts() == before  # nothing of the second contact: no customer, identifier or claim
    # a contact stored without a hash (before schema version 2) cannot be told apart: a retry, as before
    store.record(_record("old-1"), _k(email="anna@libero.it"))
    assert store.record(_record("old-1", content_hash="c" * 64), _k(email="anna@libero.it")).already_stored
    store.close()


def test_times_with_an_offset_are_stored_as_the_same_instant(store_url):
    ist = timezone(timedelta(hours=5, minutes=30))
    store = JourneyStore.open(store_url)
    a = store.record(replace(_record("c1"), timestamp=datetime(2024, 5, 1, 9, 0, tzinfo=ist)), _k(email="a@libero.it"))
    b = store.record(replace(_record("c2"), timestamp=datetime(2024, 5, 1, 4, 0, tzinfo=timezone.utc)),
                     _k(email="a@libero.it"))
    journey = store.journey(a.customer_key)
    claim = journey["claims"][0]
    assert [(c["id"], c["timestamp"]) for c in claim["contacts"]] == [
        ("c1", "2024-05-01T03:30:00+00:00"), ("c2", "2024-05-01T04:00:00+00:00")]  # 09:00+05:30 is 03:30Z
    assert claim["opened_at"] == "2024-05-01T03:30:00+00:00" and b.claim_id == a.claim_id
    assert b.prior[0].timestamp == datetime(2024, 5, 1, 3, 30, tzinfo=timezone.utc)
    assert b.opened_at == datetime(2024, 5, 1, 3, 30, tzinfo=timezone.utc)
    store.close()


def test_a_contact_dated_far_in_the_future_opens_no_claim(store_url):
    store = JourneyStore.open(store_url)
    doomsday = ContactRecord(id="c9999", channel="email", timestamp=datetime(9999, 12, 31, tzinfo=timezone.utc),
                             language="it", claim_type="billing_dispute", scores={}, redacted_text="x")
    with pytest.raises(ValueError, match="^timestamp: contact c9999: .* in the future"):
        store.record(doomsday, _k(email="anna@libero.it"))
    assert set(store.counts().values()) == {0}
    later = store.record(_record("c1", days=60), _k(email="anna@libero.it"))
    assert later.status == "new_customer" and later.new_claim
    store.close()


def test_a_nul_character_is_stored_as_a_replacement_character(store_url):
    # PostgreSQL refuses NUL in text; both stores keep U+FFFD in its place, and find the contact by the same id
    store = JourneyStore.open(store_url)
    record = replace(_record("nul\x00id", thread_id="t\x00"), redacted_text="la bolletta\x00 è sbagliata")
    state = store.record(record, _k(email="anna@libero.it"))
    assert state.status == "new_customer"
    contact = store.journey(state.customer_key)["claims"][0]["contacts"][0]
    assert contact["id"] == "nul\ufffdid" and contact["text"] == "la bolletta\ufffd è sbagliata"
    assert store.record(record, _k(email="anna@libero.it")).already_stored
    assert store.customer_of("nul\x00id") == state.customer_key
    store.add_feedback("nul\x00id", note="nota\x00", agent="a\x00")
    assert store.labelled_feedback()[0]["note"] == "nota\ufffd"
    assert store.journey("cust-\x00") is None
    store.close()


def test_a_store_written_by_schema_version_1_is_migrated(store_url):
    store = JourneyStore.open(store_url)
    store.record(_record("c1"), _k(email="a@libero.it"))
    with store.engine.begin() as conn:  # what version 1 wrote: no content_hash column, no written_identifiers,
        conn.execute(sa.text("ALTER TABLE contacts DROP COLUMN content_hash"))  # raw identifiers, no key check
        conn.execute(sa.text("DROP TABLE written_identifiers"))
        conn.execute(sa.text("DROP TABLE store_settings"))
        conn.execute(sa.text("UPDATE identifiers SET key = 'email:a@libero.it'"))
        conn.execute(schema_info.update().values(version=1))
    store.close()
    store = JourneyStore.open(store_url)
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(schema_info.c.version)).scalar_one() == SCHEMA_VERSION == 5
        assert sa.inspect(conn).has_table("written_identifiers")
        assert conn.execute(sa.text("SELECT key FROM identifiers")).scalar().startswith("email:h1.")
        assert conn.execute(sa.text("SELECT content_hash FROM contacts WHERE id = 'c1'")).scalar() is None
    assert store.record(_record("c1", content_hash="a" * 64), _k(email="a@libero.it")).already_stored
    store.record(_record("c2", days=1, content_hash="b" * 64), _k(email="a@libero.it"))
    with pytest.raises(DuplicateContact):
        store.record(_record("c2", days=1, content_hash="c" * 64), _k(email="a@libero.it"))
    store.close()
    JourneyStore.open(store_url).close()  # opening a migrated store again changes nothing


def test_a_failure_inside_the_write_leaves_nothing_half_written(store_url):
    store = JourneyStore.open(store_url)
    store.record(_record("c1"), _k(email="a@libero.it"))
    before = store.counts()
    record = _record("c2", days=1, claim_type="refund")
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.link(record, _k(email="a@libero.it", phone="3331112222"))
        raise RuntimeError("policy crashed")  # between linking and saving
    assert store.counts() == before  # no identifier, claim or contact of c2
    store.close()


def test_resolution_and_inactivity_close_claims(store_url):
    store = JourneyStore.open(store_url, linking=LinkingConfig(inactivity_days=10, reopen_days=2))
    v = np.ones(4, dtype=np.float32) / 2
    first = store.record(_record("c1", vec=v, resolved_by="agent"), _k(email="a@libero.it"))
    later = store.record(_record("c2", days=5, vec=v), _k(email="a@libero.it"))  # resolved 5 days ago: closed
    much_later = store.record(_record("c3", days=30, vec=v), _k(email="a@libero.it"))  # inactive: closed
    assert len({first.claim_id, later.claim_id, much_later.claim_id}) == 3
    claims = store.journey(first.customer_key)["claims"]
    assert {c["close_reason"] for c in claims if c["status"] == "closed"} == {"resolved", "inactive"}
    store.close()


def test_feedback_is_stored_and_closes_or_flags(store_url):
    store = JourneyStore.open(store_url)
    v = np.ones(4, dtype=np.float32) / 2
    state = _record_routed(store, _record("c1", vec=v), _k(email="a@libero.it"), {"target": "bot"})
    store.add_feedback("c1", route_outcome="bot_failed", claim="refund", agent="a1")
    nxt = store.record(_record("c2", days=1, vec=v), _k(email="a@libero.it"))
    assert nxt.claim_id == state.claim_id and nxt.prior[0].resolved_by == "unresolved"
    with pytest.raises(KeyError):
        store.add_feedback("missing", claim="refund")
    assert [r["claim"] for r in store.labelled_feedback()] == ["refund"]
    store.close()


def test_a_newer_schema_is_refused_not_damaged(tmp_path):
    url = f"sqlite:///{tmp_path / 'j.db'}"
    store = JourneyStore.open(url)
    store.record(_record("c1"), _k(email="a@libero.it"))
    with store.engine.begin() as conn:
        conn.execute(schema_info.update().values(version=99))
    store.close()
    with pytest.raises(SchemaVersionError, match="schema version 99"):
        JourneyStore.open(url)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM contacts")).scalar() == 1
    engine.dispose()


def test_sqlite_store_is_in_wal_mode(tmp_path):
    store = JourneyStore.open(f"sqlite:///{tmp_path / 'j.db'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    store.close()


WRITER = textwrap.dedent("""
    import sys
    from datetime import datetime, timedelta, timezone
    from claimtriage.data.journeys.identity import identity_keys
    from claimtriage.data.journeys.store import ContactRecord, JourneyStore
    from claimtriage.data.schema import CustomerIdentifiers
    store = JourneyStore.open(sys.argv[1])
    t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
    for i in range(100000):
        rec = ContactRecord(id=f"c{i}", channel="email", timestamp=t0 + timedelta(minutes=i), language="it",
                            claim_type="refund", scores={}, redacted_text="x" * 200)
        store.record(rec, identity_keys(CustomerIdentifiers(email=f"p{i % 50}@libero.it")))
        print(f"c{i}", flush=True)  # acknowledged: the transaction has committed
""")


def test_a_crash_during_writes_loses_no_acknowledged_contact(tmp_path):
    db = tmp_path / "journeys.db"
    url = f"sqlite:///{db}"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, url], stdout=subprocess.PIPE, text=True,
                            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    acknowledged = []
    deadline = time.monotonic() + 60
    while len(acknowledged) < 150 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        acknowledged.append(line.strip())
    os.kill(proc.pid, signal.SIGKILL)  # mid-write: no chance to clean up
    proc.wait()
    assert len(acknowledged) >= 150, "the writer did not get going"
    store = JourneyStore.open(url)  # reopens after the crash
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        stored = {row[0] for row in conn.execute(sa.text("SELECT id FROM contacts"))}
        orphans = conn.execute(sa.text("SELECT count(*) FROM contacts c LEFT JOIN claims k ON c.claim_id = k.id "
                                       "WHERE c.claim_id IS NOT NULL AND k.id IS NULL")).scalar()
    assert set(acknowledged) <= stored and orphans == 0
    state = store.record(_record("after-crash"), _k(email="p1@libero.it"))
    assert state.status == "linked"
    store.close()


def test_the_store_never_holds_a_raw_identifier_and_refuses_another_key(store_url, monkeypatch):
    monkeypatch.setenv("CLAIMTRIAGE_IDENTIFIER_KEY", "11" * 32)
    store = JourneyStore.open(store_url)
    store.record(_record("a1"), _contact_keys(["scrivete a mario.rossi@libero.it, cell 340 123 4567, codice OL-2048117"],
                                              email="Anna.Bianchi@gmail.com", phone="+39 333 111 2222",
                                              customer_id="OL-7654321"))
    dump = " ".join(str(v) for rows in _all_rows(store) for row in rows for v in row).lower()
    for raw in ("annabianchi", "anna.bianchi", "mario.rossi", "3331112222", "3401234567", "7654321", "2048117"):
        assert raw not in dump
    again = store.record(_record("a2", days=1), _contact_keys(phone="333 111 2222"))
    assert again.status == "linked"  # the hash of a number finds its customer
    store.close()
    monkeypatch.setenv("CLAIMTRIAGE_IDENTIFIER_KEY", "22" * 32)
    with pytest.raises(StoreError, match="another identifier key"):
        JourneyStore.open(store_url)


def _all_rows(store: JourneyStore):
    from claimtriage.data.journeys.tables import metadata

    with store.engine.connect() as conn:
        return [conn.execute(sa.select(t)).all() for t in metadata.sorted_tables]


def test_the_store_records_a_channel_identifier_written_earlier_by_another_customer(store_url):
    store = JourneyStore.open(store_url)
    writer = store.record(_record("a1"), _contact_keys(["il mio nuovo numero è 333 770 2154"], email="dh@outlook.com"))
    caller = store.record(_record("b1", days=1, channel="whatsapp"), _contact_keys(phone="3337702154"))
    assert caller.customer_key != writer.customer_key and caller.status == "new_customer"
    assert caller.candidate_reasons == [(writer.customer_key, "another customer wrote a phone number of this "
                                                              "contact's channel in an earlier message")]
    assert store.journey(writer.customer_key)["candidate_merge_details"][0]["other_customer_key"] == caller.customer_key
    assert [c["id"] for claim in store.journey(writer.customer_key)["claims"] for c in claim["contacts"]] == ["a1"]
    store.close()


def test_the_store_records_a_written_identifier_of_another_customer_as_a_candidate_merge(store_url):
    """Issue 13's repro through the store: the victim's history never reaches the writer's customer."""
    store = JourneyStore.open(store_url)
    victim = store.record(_record("v1"), _contact_keys(email="victim@example.com"))
    store.record(_record("w1", days=1, channel="phone"), _contact_keys(phone="+39 347 111 2233"))
    writer = store.record(_record("w2", days=2, channel="phone"),
                          _contact_keys(["Please also cc victim@example.com on all replies"], phone="3471112233"))
    assert writer.customer_key != victim.customer_key and writer.candidate_merges == 1
    assert writer.candidate_reasons == [(victim.customer_key, "the customer wrote an email address that belongs "
                                                              "to another customer")]
    journey = store.journey(victim.customer_key)
    assert [c["id"] for claim in journey["claims"] for c in claim["contacts"]] == ["v1"]
    assert journey["candidate_merge_details"][0]["other_customer_key"] == writer.customer_key
    assert store.journey(writer.customer_key)["candidate_merge_details"][0]["reason"].startswith("the customer wrote")
    store.close()

"""Confirming a candidate merge (`claimtriage journeys merge`, `JourneyStore.merge_customers`): identity never joins
two customers who hold different strong identifiers by itself; a person who reviewed the candidate merge does, in
one transaction, recorded with a reason, and the absorbed key still finds the journey."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from typer.testing import CliRunner

from claimtriage.data.journeys.identity import TextIdentifiers, contact_keys
from claimtriage.data.journeys.merges import MergeRefused
from claimtriage.data.journeys.store import ContactRecord, JourneyStore
from claimtriage.data.schema import CustomerIdentifiers

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
GENERIC = TextIdentifiers()


@pytest.fixture(params=[pytest.param("sqlite", marks=pytest.mark.unit),
                        pytest.param("postgresql", marks=pytest.mark.service)])
def store_url(request, tmp_path):
    return f"sqlite:///{tmp_path / 'journeys.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")


def _record(cid: str, days: float = 0, channel: str = "email", claim_type: str = "billing_dispute") -> ContactRecord:
    return ContactRecord(id=cid, channel=channel, timestamp=T0 + timedelta(days=days), language="it",
                         claim_type=claim_type, scores={}, redacted_text=f"text of {cid}")


def _keys(texts=(), **ids):
    return contact_keys(CustomerIdentifiers(**ids), list(texts), GENERIC)


def _two_records_of_one_person(store: JourneyStore):
    """Anna emails, then calls from a new number she had written in that email: a candidate merge, not a join."""
    writer = store.record(_record("a1"), _keys(["il mio nuovo numero è 333 770 2154"], email="anna@libero.it"))
    caller = store.record(_record("b1", days=1, channel="phone", claim_type="technical_fault"),
                          _keys(phone="3337702154"))
    assert caller.customer_key != writer.customer_key and caller.candidate_merges == 1
    return writer, caller


def _two_records_of_one_person_again(store: JourneyStore):
    writer = store.record(_record("m1", days=5), _keys(["scrivo anche dal 340 111 2233"], email="mario@libero.it"))
    caller = store.record(_record("m2", days=6, channel="phone"), _keys(phone="3401112233"))
    assert caller.customer_key != writer.customer_key and caller.candidate_merges == 1
    return writer, caller


def test_a_confirmed_merge_moves_everything_and_the_old_key_still_finds_the_journey(store_url):
    store = JourneyStore.open(store_url)
    writer, caller = _two_records_of_one_person(store)
    result = store.merge_customers(writer.customer_key, caller.customer_key,
                                   reason="agent 4411: same person, checked by callback")
    assert result["moved"] == {"identifiers": 1, "written_identifiers": 0, "claims": 1, "contacts": 1}
    assert result["candidate_merges_settled"] == 1 and store.candidate_merges() == []
    journey = store.journey(writer.customer_key)
    assert sorted(c["id"] for claim in journey["claims"] for c in claim["contacts"]) == ["a1", "b1"]
    assert journey["candidate_merges"] == 0
    assert journey["merged_customers"][0]["absorbed_key"] == caller.customer_key
    assert journey["merged_customers"][0]["reason"] == "agent 4411: same person, checked by callback"
    writer2, caller2 = _two_records_of_one_person_again(store)
    store.merge_customers(writer2.customer_key, caller2.customer_key,
                          reason="richiamato il cliente Mario Rossi al 347 555 0199, mario.rossi@gmail.com")
    reason = store.journey(writer2.customer_key)["merged_customers"][0]["reason"]
    assert "0199" not in reason and "mario.rossi@" not in reason and "Rossi" not in reason  # stored redacted
    old = store.journey(caller.customer_key)  # a key handed out before, in an answer or a hand-off
    assert old["customer_key"] == writer.customer_key and old["merged_from"]["requested_key"] == caller.customer_key
    # the next call from the number now joins the kept customer
    again = store.record(_record("b2", days=2, channel="phone", claim_type="technical_fault"), _keys(phone="3337702154"))
    assert again.customer_key == writer.customer_key and again.status == "linked"
    store.close()


def test_a_refused_merge_changes_nothing(store_url):
    store = JourneyStore.open(store_url)
    a = store.record(_record("c1"), _keys(customer_id="OL1234567", email="fam@libero.it"))
    b = store.record(_record("c2", days=1), _keys(customer_id="OL7654321", email="fam@libero.it"))
    writer, caller = _two_records_of_one_person(store)
    before = (store.counts(), store.candidate_merges(), store.journey(a.customer_key), store.journey(b.customer_key))
    for keep, absorb, reason, field in ((a.customer_key, b.customer_key, "same family", "absorb: both customers"),
                                        (writer.customer_key, writer.customer_key, "x", "absorb: a customer cannot"),
                                        (writer.customer_key, "cust-nobody", "x", "absorb: no customer"),
                                        ("cust-nobody", caller.customer_key, "x", "keep: no customer"),
                                        (writer.customer_key, caller.customer_key, "  ", "reason: say who"),
                                        (writer.customer_key, caller.customer_key, "x" * 501, "reason: at most")):
        with pytest.raises(MergeRefused, match=f"^{field}"):
            store.merge_customers(keep, absorb, reason=reason)
    after = (store.counts(), store.candidate_merges(), store.journey(a.customer_key), store.journey(b.customer_key))
    assert after == before
    store.close()


def test_a_crm_customer_absorbs_a_record_known_only_by_a_number(store_url):
    store = JourneyStore.open(store_url)
    crm = store.record(_record("d1"), _keys(["chiamo anche dal 333 770 2154"], customer_id="OL1234567",
                                            email="marco@libero.it"))
    phone = store.record(_record("d2", days=1, channel="phone"), _keys(phone="3337702154"))
    store.merge_customers(phone.customer_key, crm.customer_key, reason="CRM clean-up ticket 88")
    merged = store.journey(phone.customer_key)
    assert merged["has_customer_id"] and len(merged["merged_customers"]) == 1  # the customer id came along
    again = store.record(_record("d3", days=2), _keys(customer_id="OL1234567"))
    assert again.customer_key == phone.customer_key
    store.close()


@pytest.mark.unit
def test_the_command_line_lists_candidates_and_confirms_one(tmp_path):
    from claimtriage.cli import app

    url = f"sqlite:///{tmp_path / 'journeys.db'}"
    store = JourneyStore.open(url)
    writer, caller = _two_records_of_one_person(store)
    store.close()
    runner = CliRunner()
    listed = runner.invoke(app, ["journeys", "candidates", "--store", url])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [(r["customer_key"], r["other_customer_key"]) for r in rows] == [(caller.customer_key, writer.customer_key)]
    refused = runner.invoke(app, ["journeys", "merge", writer.customer_key, "cust-nobody", "--store", url,
                                  "--reason", "checked"])
    assert refused.exit_code == 2 and "absorb: no customer 'cust-nobody'" in refused.output
    merged = runner.invoke(app, ["journeys", "merge", writer.customer_key, caller.customer_key, "--store", url,
                                 "--reason", "agent 4411: same person"])
    assert merged.exit_code == 0, merged.output
    assert json.loads(merged.stdout)["candidate_merges_settled"] == 1
    assert json.loads(runner.invoke(app, ["journeys", "candidates", "--store", url]).stdout) == []


def test_identitys_own_merge_settles_the_candidate_between_the_two_and_is_recorded(store_url):
    """Two id-less customers, one with a candidate merge on the other; a later contact carries a channel identifier
    of each, so identity merges them itself: the candidate is settled (it used to stay as a candidate merge of the
    customer with itself) and the merge is recorded, so the absorbed key still finds the journey."""
    store = JourneyStore.open(store_url)
    writer, caller = _two_records_of_one_person(store)
    both = store.record(_record("e1", days=3), _keys(email="anna@libero.it", phone="3337702154"))
    assert both.customer_key in (writer.customer_key, caller.customer_key) and both.status == "linked"
    assert store.candidate_merges() == []
    gone = caller.customer_key if both.customer_key == writer.customer_key else writer.customer_key
    moved = store.journey(gone)
    assert moved["customer_key"] == both.customer_key and moved["merged_from"]["reason"].startswith("identity:")
    store.close()

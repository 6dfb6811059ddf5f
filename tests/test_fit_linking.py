"""Fitting claim linking on labelled journeys: the oracle pairs, the logistic fit and the grid search."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from claimtriage.data.journeys.linking import FEATURES, LinkingConfig
from claimtriage.data.journeys.store import ContactRecord
from claimtriage.data.schema import Contact
from claimtriage.training.fit_linking import fit_linking, fit_weights, oracle_pairs

pytestmark = pytest.mark.unit

T0 = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)
BILL, FAULT = np.array([1, 0, 0, 0], np.float32), np.array([0, 1, 0, 0], np.float32)


def _contact(cid: str, customer: str, claim: str, days: float) -> Contact:
    return Contact.model_validate({
        "id": cid, "channel": "email", "timestamp": (T0 + timedelta(days=days)).isoformat(), "body": "x",
        "customer": {"phone": "+393331234567"}, "labels": {"true_customer": customer, "true_claim": claim}})


def _record(contact: Contact, claim_type: str, vec, resolved_by=None) -> ContactRecord:
    return ContactRecord(id=contact.id, channel="phone", timestamp=contact.timestamp, language="it",
                         claim_type=claim_type, scores={}, redacted_text="x", embedding=vec,
                         claim_probabilities={claim_type: 0.9}, resolved_by=resolved_by)


def _journeys():
    """Customer A: a billing claim over three contacts, then a fault claim; customer B: one billing contact, then a
    second billing claim 60 days later (after the first was resolved: a new claim)."""
    rows = [("a1", "A", "A-bill", 0, "billing", BILL, None), ("b1", "B", "B-bill", 0.5, "billing", BILL, "agent"),
            ("a2", "A", "A-bill", 2, "billing", BILL, None), ("a3", "A", "A-fault", 3, "fault", FAULT, None),
            ("a4", "A", "A-bill", 5, "billing", BILL, "agent"), ("b2", "B", "B-bill2", 60, "billing", BILL, None)]
    contacts = [_contact(cid, cust, claim, days) for cid, cust, claim, days, *_ in rows]
    records = [_record(c, ctype, vec, res) for c, (_, _, _, _, ctype, vec, res) in zip(contacts, rows)]
    return contacts, records


def test_oracle_pairs_label_each_live_claim_of_the_true_customer():
    contacts, records = _journeys()
    x, y = oracle_pairs(contacts, records, LinkingConfig(reopen_days=30))
    # a2 -> A-bill (1); a3 -> A-bill (0); a4 -> A-bill (1), A-fault (0); b2: B-bill, quiet for 59.5 days, is closed
    assert x.shape == (4, len(FEATURES))
    assert y.tolist() == [1, 0, 1, 0]
    type_p = x[:, FEATURES.index("type_probability")]
    assert type_p[0] == pytest.approx(0.9) and type_p[1] == 0.0


def test_oracle_pairs_drop_claims_closed_by_time():
    contacts, records = _journeys()
    few = oracle_pairs(contacts, records, LinkingConfig(reopen_days=30, inactivity_days=30))[1]
    many = oracle_pairs(contacts, records, LinkingConfig(reopen_days=90, inactivity_days=90))[1]
    assert len(many) == len(few) + 1  # b2 sees B-bill only when resolved claims stay open for 90 days


def test_fitted_weights_favour_the_true_claim():
    rng = np.random.default_rng(0)
    n = 400
    y = rng.integers(0, 2, n)
    x = rng.normal(size=(n, len(FEATURES)))
    x[:, FEATURES.index("type_probability")] += 2 * y
    config = fit_weights(x, y, LinkingConfig())
    assert config.type_probability > 1.0
    with pytest.raises(ValueError, match="cannot be fitted"):
        fit_weights(x, np.ones(n, dtype=int), LinkingConfig())


def test_the_grid_keeps_the_configuration_with_the_best_f1():
    contacts, records = _journeys()
    truth = {c.id: c.labels.true_claim for c in contacts}

    def decide(config: LinkingConfig):  # a stand-in replay: perfect only at threshold 0.5
        return truth if config.threshold == 0.5 else {cid: "one" for cid in truth}

    best, tried = fit_linking(contacts, decide, records, windows=((30.0, 30.0),), thresholds=(0.0, 0.5, 1.0))
    assert best.threshold == 0.5 and len(tried) == 3
    assert max(t["f1"] for t in tried) == 1.0


def test_the_inactivity_window_is_fitted_with_the_reopen_window():
    contacts, records = _journeys()
    truth = {c.id: c.labels.true_claim for c in contacts}

    def decide(config: LinkingConfig):  # a stand-in replay: perfect only when silent claims stay open 60 days
        return truth if config.inactivity_days == 60 else {cid: "one" for cid in truth}

    best, tried = fit_linking(contacts, decide, records, windows=((30.0, 30.0), (60.0, 30.0)), thresholds=(0.0,))
    assert (best.inactivity_days, best.reopen_days) == (60.0, 30.0)
    assert [(t["inactivity_days"], t["reopen_days"]) for t in tried] == [(30.0, 30.0), (60.0, 30.0)]


def test_a_joining_contact_takes_the_claims_type_only_when_unsure_of_its_own():
    from claimtriage.data.journeys.linking import type_from_claim

    assert type_from_claim("information_request", 0.45, "billing_dispute", joined=True, below=0.7) == "billing_dispute"
    assert type_from_claim("information_request", 0.85, "billing_dispute", joined=True, below=0.7) is None
    assert type_from_claim("information_request", 0.45, "billing_dispute", joined=False, below=0.7) is None  # new
    assert type_from_claim(None, 0.45, "billing_dispute", joined=True, below=0.7) is None  # out of scope stays so
    assert type_from_claim("refund", 0.45, None, joined=True, below=0.7) is None
    assert type_from_claim("refund", 0.2, "refund", joined=True, below=0.7) is None  # nothing to change
    assert type_from_claim("refund", 0.2, "billing_dispute", joined=True, below=0.0) is None  # 0: never


def test_the_type_threshold_is_fitted_on_the_contacts_that_joined_a_claim():
    from claimtriage.training.fit_linking import fit_type_from_claim

    # claim k1 opened by a sure billing dispute; two vague follow-ups (one at 0.45, one at 0.65), one sure refund
    # follow-up that truly is a refund; k2 opened out of scope, so its type comes from its next in-scope contact
    truth = ["billing_dispute", "billing_dispute", "billing_dispute", "refund", "tariff_change", "tariff_change",
             "tariff_change"]
    own = [("billing_dispute", 0.9), ("information_request", 0.45), ("information_request", 0.65), ("refund", 0.92),
           (None, 0.5), ("tariff_change", 0.8), ("information_request", 0.55)]
    joined = [("k1", True), ("k1", False), ("k1", False), ("k1", False), ("k2", True), ("k2", False), ("k2", False)]
    below, fit = fit_type_from_claim(truth, own, joined, grid=(0.0, 0.5, 0.7, 0.95))
    # joined rows: the two vague ones, the refund, k2's second (the first in-scope one: no type yet) and third
    assert fit["n_joined"] == 4
    assert fit["accuracy"] == {"0.0": 0.25, "0.5": 0.5, "0.7": 1.0, "0.95": 0.75}  # 0.95 overrides the true refund
    assert below == 0.7
    assert fit_type_from_claim(truth[:1], own[:1], joined[:1]) == (None, {"n_joined": 0})

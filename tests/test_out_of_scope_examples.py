"""A claim head trained with examples of contacts that are none of the claim types (label `out_of_scope`): what it
turns away, how it is measured, and the public views that supply such examples."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

import numpy as np
import pytest

from claimtriage.data.schema import OUT_OF_SCOPE, Channel, Contact, Labels, Speaker, Turn
from claimtriage.models.heads import ClaimHead, HeadConfig
from claimtriage.models.triage_model import ContactScores, TriageModel
from claimtriage.training.head_metrics import evaluate_head
from claimtriage.training.labels import Examples


def _clusters(rng, centres, n):
    points = np.concatenate([c + 0.05 * rng.standard_normal((n, c.size)) for c in centres])
    return points / np.linalg.norm(points, axis=1, keepdims=True)


def _head(rng) -> ClaimHead:
    centres = np.eye(6)[:3]
    x = _clusters(rng, centres, 40)
    y = [lab for lab in ("billing", "fault", OUT_OF_SCOPE) for _ in range(40)]
    return ClaimHead(HeadConfig(C=10)).fit(x, None, y)


def _contact(i: int, claim: str) -> Contact:
    return Contact(id=f"c{i}", channel=Channel.chat, timestamp=datetime(2025, 1, 1, tzinfo=timezone.utc),
                   turns=[Turn(speaker=Speaker.customer, text=f"text {i}")], labels=Labels(claim=claim))


@pytest.mark.unit
def test_a_head_with_out_of_scope_examples_turns_that_kind_away_and_names_only_claim_types():
    rng = np.random.default_rng(0)
    head = _head(rng)
    assert head.out_of_scope_index == head.labels.index(OUT_OF_SCOPE)
    probe = _clusters(rng, np.eye(6)[:3], 5)  # 5 billing, 5 fault, 5 out of scope
    said = head.said_out_of_scope(head.predict_proba(probe))
    assert said.tolist() == [False] * 10 + [True] * 5
    model = TriageModel(encoder=None, heads={"claim": head}, top_k=3)
    scores = [ContactScores(contact_id=str(i), language="en") for i in range(len(probe))]
    model._score_claims((probe, [""] * len(probe)), scores)
    assert [s.out_of_scope for s in scores] == said.tolist()
    assert {s.claim for s in scores[10:]} == {OUT_OF_SCOPE}
    assert [s.claim for s in scores[:10]] == ["billing"] * 5 + ["fault"] * 5
    for s in scores:  # top-k and confidence speak of claim types only, even for a contact turned away
        assert OUT_OF_SCOPE not in [label for label, _ in s.claim_top_k]
        assert s.claim_confidence == s.claim_top_k[0][1]


@pytest.mark.unit
def test_a_head_without_such_examples_never_says_out_of_scope_by_itself():
    rng = np.random.default_rng(1)
    x = _clusters(rng, np.eye(6)[:2], 30)
    head = ClaimHead(HeadConfig(C=10)).fit(x, None, ["a"] * 30 + ["b"] * 30)
    assert head.out_of_scope_index is None
    assert not head.said_out_of_scope(head.predict_proba(x)).any()


@pytest.mark.unit
def test_metrics_count_out_of_scope_rows_as_out_of_scope_not_as_a_claim_type():
    rng = np.random.default_rng(2)
    head = _head(rng)
    emb = _clusters(rng, np.eye(6)[:3], 10)
    truth = ["billing"] * 10 + ["fault"] * 10 + [OUT_OF_SCOPE] * 10
    examples = Examples([_contact(i, t) for i, t in enumerate(truth)], [f"text {i}" for i in range(30)], truth)
    metrics, _ = evaluate_head("claim", head, examples, emb)
    assert metrics["n_in_scope"] == 20 and metrics["n_out_of_scope"] == 10
    assert metrics["oos_recall"] == 1.0 and metrics["oos_precision"] == 1.0
    assert metrics["in_scope_accuracy"] == 1.0 and metrics["accuracy"] == 1.0


@pytest.fixture(scope="module")
def views():
    from claimtriage.data.adapters import load_view
    from claimtriage.data.paths import shared_datasets_dir

    if not shared_datasets_dir().is_dir():
        pytest.skip("the shared datasets are not beside the project")
    return {name: load_view(name) for name in ("hwu64_out_of_scope", "xsid_out_of_scope")}


@pytest.mark.data
def test_hwu64_view_keeps_only_off_domain_scenarios_capped_per_intent(views):
    from claimtriage.data.adapters.hwu64 import OFF_DOMAIN_SCENARIOS, PER_INTENT

    view = views["hwu64_out_of_scope"]
    intents = Counter(c.labels.signals["intent"] for c in view)
    assert {c.labels.claim for c in view} == {OUT_OF_SCOPE}
    assert {i.split("_", 1)[0] for i in intents} <= set(OFF_DOMAIN_SCENARIOS)
    assert not any(i.startswith(("general_", "qa_", "social_", "email_")) for i in intents)
    assert max(intents.values()) <= PER_INTENT
    assert all(c.id.startswith("hwu64-train-") for c in view)  # the benchmark's test file is never read


@pytest.mark.data
def test_xsid_view_is_the_validation_split_in_both_languages(views):
    view = views["xsid_out_of_scope"]
    assert {c.labels.claim for c in view} == {OUT_OF_SCOPE}
    assert Counter(c.language for c in view) == {"it": 300, "en": 300}
    assert all("-validation-" in c.id for c in view)
    from claimtriage.data.sources import load_source

    assert [c.id for c in load_source("xsid_out_of_scope").contacts] == [c.id for c in view]


@pytest.mark.unit
def test_the_benchmark_table_names_the_variant_that_flags_least_customer_care():
    from claimtriage.evaluation.oos_examples import PROBES, markdown

    def row(care: float, hotels: float) -> dict:
        flagged = {p: (care if kind == "real customer care" else hotels) for p, kind in PROBES.items()}
        return {"in_scope_accuracy": 0.9, "oos_recall": None, "flagged": flagged}

    report = {"config": "demo.yaml", "probes": {p: 10 for p in PROBES}, "seconds": 1.0, "load_average": 0.5,
              "variants": {"gate": row(0.5, 0.7), "examples": row(0.1, 0.85)}}
    text = markdown(report)
    assert "Least customer care flagged: examples (0.100" in text
    assert "| gate | 0.900 | - | 0.700 |" in text

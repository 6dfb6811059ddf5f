"""Training config validation and the documented label rules."""

from __future__ import annotations

import pytest

from claimtriage.data.schema import Contact
from claimtriage.training.config import ConfigError, load_config
from claimtriage.training.labels import build_examples, complexity_level, derived_complexity, derived_sentiment, head_label

pytestmark = pytest.mark.unit

WHEN = "2026-01-01T00:00:00Z"


def _contact(**kwargs) -> Contact:
    return Contact.model_validate({"id": "x", "channel": "email", "timestamp": WHEN, "body": "hello", **kwargs})


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"labels": {"complexity": "high"}}, ("high", 1.0)),
        ({"labels": {"complexity_score": 0.2}}, ("low", 0.2)),
        ({"labels": {"signals": {"A": 2.0}}}, ("low", 0.0)),
        ({"labels": {"signals": {"A": -2.0}}}, ("high", 1.0)),
        ({"outcome": {"resolved_by": "bot"}}, ("low", 0.0)),
        ({"outcome": {"resolved_by": "unresolved", "transfers": 2}}, ("high", 1.0)),
        ({"outcome": {"resolved_by": "agent", "handle_time_s": 900, "contacts_to_resolution": 1}}, ("medium", 1 / 3)),
        ({"outcome": {"company_response": "Closed with explanation"}}, ("low", 0.3)),
        ({"outcome": {"company_response": "Closed with explanation", "disputed": True}}, ("medium", 0.5)),
        ({"outcome": {"company_response": "Untimely response"}}, ("high", 1.0)),
    ],
)
def test_derived_complexity_follows_the_documented_rule(kwargs, expected):
    label, score = derived_complexity(_contact(**kwargs))
    assert label == expected[0] and score == pytest.approx(expected[1])


def test_no_signal_means_no_complexity_label():
    assert derived_complexity(_contact()) is None
    assert derived_complexity(_contact(outcome={"company_response": "In progress"})) is None


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ({"sentiment": "positive", "signals": {"S": -2.0}}, "positive"),  # an explicit label wins
        ({"sentiment_score": -0.5}, "negative"),
        ({"sentiment_score": 0.2}, "neutral"),
        ({"signals": {"S": -2.0}}, "negative"),  # STC-3 mean satisfaction in [-2, 2], score S / 2
        ({"signals": {"S": -0.6}}, "neutral"),
        ({"signals": {"S": 0.7}}, "positive"),
        ({"signals": {"S": "n/a"}}, None),
        ({"signals": {"A": 1.0}}, None),
    ],
)
def test_derived_sentiment_follows_the_documented_rule(labels, expected):
    contact = _contact(labels=labels)
    assert derived_sentiment(contact) == expected
    assert head_label(contact, "derived_sentiment") == expected


def test_no_labels_means_no_derived_sentiment():
    assert derived_sentiment(_contact()) is None


def test_levels_cut_at_thirds():
    assert [complexity_level(s) for s in (0.0, 0.33, 0.34, 0.66, 0.67, 1.0)] == [
        "low", "low", "medium", "medium", "high", "high"
    ]


def test_multi_label_falls_back_to_the_single_claim():
    assert head_label(_contact(labels={"claims": ["a", "b"]}), "claims") == ["a", "b"]
    assert head_label(_contact(labels={"claim": "a"}), "claims") == ["a"]


def test_examples_are_redacted_and_use_the_first_turn_view():
    contact = Contact.model_validate({
        "id": "p", "channel": "phone", "timestamp": WHEN, "labels": {"sentiment": "negative"},
        "turns": [{"speaker": "customer", "text": "my number is +39 333 123 4567"},
                  {"speaker": "agent", "text": "ok"}, {"speaker": "customer", "text": "still broken"}],
    })
    first = build_examples([contact, _contact()], label="sentiment", view="first_customer_turn")
    assert len(first) == 1 and "[PHONE]" in first.texts[0] and "broken" not in first.texts[0]
    full = build_examples([contact], label="sentiment", view="customer_text")
    assert "broken" in full.texts[0]


def test_config_errors_name_the_file_and_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("heads:\n  claim:\n    sources: [{source: x}]\n    label: intent\n")
    with pytest.raises(ConfigError, match=r"bad.yaml: heads.claim.label"):
        load_config(bad)
    (tmp_path / "nohead.yaml").write_text("heads: {}\n")
    with pytest.raises(ConfigError, match="at least one of claim"):
        load_config(tmp_path / "nohead.yaml")
    (tmp_path / "typo.yaml").write_text("heads:\n  claim:\n    sources: [{source: x}]\n    label: claim\n    head: {CC: 1}\n")
    with pytest.raises(ConfigError, match=r"heads.claim.head.CC: Extra inputs"):
        load_config(tmp_path / "typo.yaml")
    with pytest.raises(ConfigError, match="no such config"):
        load_config(tmp_path / "missing.yaml")
    (tmp_path / "broken.yaml").write_text("heads: [\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(tmp_path / "broken.yaml")

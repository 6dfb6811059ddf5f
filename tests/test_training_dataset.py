"""Roles of each head's examples: a contact one head holds out for test is never trained on by another head."""

from __future__ import annotations

import pytest

from claimtriage.data.schema import Contact
from claimtriage.training.dataset import HeadData, hold_out_across_heads
from claimtriage.training.labels import Examples

pytestmark = pytest.mark.unit

WHEN = "2026-01-01T00:00:00Z"


def _examples(*items: tuple[str, str]) -> Examples:
    contacts = [Contact.model_validate({"id": cid, "channel": "social", "timestamp": WHEN, "body": text})
                for cid, text in items]
    return Examples(contacts, [text for _, text in items], ["x"] * len(items))


def test_a_test_contact_of_one_head_leaves_the_other_heads_train_and_validation():
    complexity = HeadData(train=_examples(("a", "no signal since monday"), ("b", "bill is wrong")),
                          validation=_examples(("c", "router broken")),
                          test=_examples(("t1", "nobody answers my calls"), ("t2", "Refund   PLEASE")))
    sentiment = HeadData(train=_examples(("t1", "nobody answers my calls"), ("s1", "love it"),
                                         ("s2", "refund please")),  # same words as t2, another id
                         validation=_examples(("t2", "Refund PLEASE"), ("s3", "meh")),
                         test=_examples(("s4", "great service")))
    data = {"complexity": complexity, "sentiment": sentiment}
    lost = hold_out_across_heads(data)
    assert lost == {"sentiment": 3}
    assert [c.id for c in data["sentiment"].train.contacts] == ["s1"]
    assert data["sentiment"].train.texts == ["love it"] and data["sentiment"].train.labels == ["x"]
    assert [c.id for c in data["sentiment"].validation.contacts] == ["s3"]
    assert [c.id for c in data["complexity"].train.contacts] == ["a", "b"]  # sentiment's test is elsewhere
    assert data["sentiment"].test is sentiment.test and data["complexity"].test is complexity.test


def test_a_head_left_without_training_examples_is_an_error():
    only = HeadData(train=_examples(("t", "same")), validation=_examples(), test=_examples(("u", "other")))
    other = HeadData(train=_examples(("v", "x")), validation=_examples(), test=_examples(("t", "same")))
    with pytest.raises(ValueError, match="'a': every training example is another head's test example"):
        hold_out_across_heads({"a": only, "b": other})

"""The public data the demo config mixes in: Bitext relabelled onto claim types only where the intent is one."""

from __future__ import annotations

from collections import Counter

import pytest

from claimtriage.data.adapters import VIEWS, load_shared, load_view
from claimtriage.data.adapters.bitext_customer_support import CLAIM_TYPES, PER_INTENT
from claimtriage.data.demo.catalog import CLAIMS
from claimtriage.data.paths import shared_datasets_dir
from claimtriage.data.sources import load_source
from claimtriage.demo import DEMO_CONFIG
from claimtriage.training.config import load_config

pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def view():
    assert shared_datasets_dir().is_dir(), "these tests read the real public sets: set CLAIMTRIAGE_DATASETS"
    return load_view("bitext_claim_types")


def test_bitext_view_keeps_only_intents_that_are_claim_types(view):
    assert set(CLAIM_TYPES.values()) <= set(CLAIMS)
    intents = Counter(c.labels.signals["intent"] for c in view)
    assert set(intents) == set(CLAIM_TYPES)
    assert max(intents.values()) <= PER_INTENT
    assert all(c.labels.claim == CLAIM_TYPES[c.labels.signals["intent"]] for c in view)
    everything = load_shared("bitext_customer_support")
    assert view.skipped["intent_not_a_claim_type"] == sum(c.labels.claim not in CLAIM_TYPES for c in everything)


def test_bitext_view_is_deterministic_and_reachable_by_name(view):
    again = load_source("bitext_claim_types")
    assert [c.id for c in again.contacts] == [c.id for c in view]
    assert again.excluded == view.skipped
    assert "bitext_claim_types" in VIEWS


def test_demo_config_names_only_sources_that_load():
    config = load_config(DEMO_CONFIG)
    for head in config.heads.values():
        for source in head.sources:
            if source.source != "demo_corpus":
                assert load_source(source.source, split=source.split).contacts, source.source

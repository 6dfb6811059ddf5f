"""The shared-set adapters on the real files: counts, label sets, ids, schema, and name / path resolution."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from claimtriage.data.adapters import SHARED_SETS, SOURCE_EPOCH, LoadedContacts, adapter_for, detect_shared_set, load_shared
from claimtriage.data.adapters.emoita_vad import sentiment_score
from claimtriage.data.paths import shared_datasets_dir
from claimtriage.data.schema import Contact, Speaker

#: rows per source split as observed in ../shared/datasets (None: no source splits; nlupp: a few of its folds)
EXPECTED = {
    "bitext_customer_support": {None: 29_505},
    "cfpb_complaints": {None: 3_609},
    "stc3_helpdesk_dq": {"train": 1_672, "test": 390},
    "ibm_twitter_customer_care": {"validation": 525, "test": 500},
    "xlmt_sentiment": {"train": 14_712, "validation": 2_592, "test": 6_090},
    "nlupp": {"fold0": 151, "fold3": 152, "fold19": 149},
    "xsid": {"validation": 600, "test": 1_000},
    "emoita_vad": {None: 10_062},
    "hwu64": {"train": 9_960, "test": 1_076},
}
TOTALS = {"nlupp": 3_080}


def _shared_dir() -> Path:
    base = shared_datasets_dir()
    assert base.is_dir(), (
        f"the shared datasets folder is missing at {base}: these tests read the real public sets; "
        "set CLAIMTRIAGE_DATASETS to the folder that holds them"
    )
    return base


@pytest.fixture(scope="module")
def loaded() -> dict[str, LoadedContacts]:
    _shared_dir()
    return {name: load_shared(name) for name in SHARED_SETS}


@pytest.mark.data
@pytest.mark.shared_data
@pytest.mark.parametrize("name", SHARED_SETS)
def test_rows_per_split_as_observed(loaded, name):
    contacts = loaded[name]
    splits = Counter(c.metadata.get("split") for c in contacts)
    expected = EXPECTED[name]
    for split, n in expected.items():
        assert splits[split] == n, (name, split)
    assert len(contacts) == TOTALS.get(name, sum(expected.values()))


@pytest.mark.data
@pytest.mark.shared_data
@pytest.mark.parametrize("name", SHARED_SETS)
def test_every_row_is_a_valid_contact_with_a_unique_stable_id(loaded, name):
    contacts = loaded[name]
    assert all(isinstance(c, Contact) for c in contacts)
    ids = [c.id for c in contacts]
    assert len(set(ids)) == len(ids)
    assert all(c.metadata["source"] == name for c in contacts)
    # every 25th row goes through JSON and back: what the adapters build survives validation from the outside
    for contact in contacts[::25]:
        assert Contact.model_validate_json(contact.model_dump_json()) == contact


@pytest.mark.data
@pytest.mark.shared_data
def test_loading_is_deterministic():
    _shared_dir()
    first = load_shared("cfpb_complaints", limit=50)
    again = load_shared("cfpb_complaints", limit=50)
    assert [c.model_dump() for c in first] == [c.model_dump() for c in again]


@pytest.mark.data
@pytest.mark.shared_data
def test_bitext_27_intents_11_categories_and_flags(loaded):
    contacts = loaded["bitext_customer_support"]
    assert len({c.labels.claim for c in contacts}) == 27
    assert len({c.labels.signals["category"] for c in contacts}) == 11
    assert "check_invoice" not in {c.labels.claim for c in contacts}
    assert loaded["bitext_customer_support"].skipped == {"duplicate_utterance": 204}
    assert all(c.channel == "chat" and c.turns[0].speaker is Speaker.customer for c in contacts[:100])
    assert any("offensive" in c.metadata["flag_names"] for c in contacts)
    assert len({c.turns[0].text for c in contacts}) == len(contacts)


@pytest.mark.data
@pytest.mark.shared_data
def test_cfpb_products_outcomes_and_skipped_rows(loaded):
    contacts = loaded["cfpb_complaints"]
    assert contacts.skipped == {"no_narrative": 5_091, "duplicate_narrative": 8}
    products = {c.labels.claim for c in contacts}
    assert len(products) == 10
    assert "Credit reporting, repair, or other" not in products
    assert all(c.channel == "web_form" and c.body for c in contacts)
    full = [c for c in contacts if c.metadata["sample"] == "ZiyuYan9_sample"]
    assert len(full) == 1_532 and all(c.subject and c.outcome and c.outcome.company_response for c in full)
    assert {c.outcome.disputed for c in full} >= {True, False}
    assert any("XXXX" in c.body for c in contacts)


@pytest.mark.data
@pytest.mark.shared_data
def test_stc3_turns_keep_speakers_and_signals_in_range(loaded):
    contacts = loaded["stc3_helpdesk_dq"]
    train = [c for c in contacts if c.metadata["split"] == "train"]
    assert all(c.thread_id and c.channel == "social" for c in contacts)
    assert all(c.turns[0].speaker is Speaker.customer for c in contacts)
    assert {t.speaker for c in contacts for t in c.turns} == {Speaker.customer, Speaker.agent}
    for contact in train:
        signals = contact.labels.signals
        assert all(-2 <= signals[k] <= 2 for k in ("A", "S", "E"))
        assert all(0 <= signals[k] <= 2 for k in ("A_sd", "S_sd", "E_sd"))
        assert all(0 <= signals[k] <= 1 for k in ("solution_stated", "solution_confirmed"))
    assert Counter(round(c.labels.signals["A"]) for c in train) == {0: 883, -1: 550, 1: 219, 2: 20}
    assert all(c.labels is None for c in contacts if c.metadata["split"] == "test")


@pytest.mark.data
@pytest.mark.shared_data
def test_ibm_claims_escalation_and_times(loaded):
    contacts = loaded["ibm_twitter_customer_care"]
    assert len({c.labels.claim for c in contacts}) == 405
    escalations = Counter(c.labels.signals["escalation"] for c in contacts)
    assert set(escalations) == {0.0, 1.0} and escalations[1.0] == 135
    assert all(c.customer.social_handle and c.customer.social_handle.startswith("@") for c in contacts)
    assert all(c.timestamp != SOURCE_EPOCH and 2018 <= c.timestamp.year <= 2020 for c in contacts)
    # the resolving tweet names the label: it stays out of the turns (the source counts it in messageCount)
    by_id = {c.id: c for c in contacts}
    source = json.loads((shared_datasets_dir() / "ibm_twitter_customer_care" / "dev.json").read_text(encoding="utf-8"))
    for conversation in source:
        contact = by_id[f"ibm-{conversation['dialogHeader']['sessionID']}"]
        assert len(contact.turns) == int(conversation["dialogHeader"]["messageCount"]) - 1
        assert conversation["agentURL"]["url_utterance"] not in {t.text for t in contact.turns}


@pytest.mark.data
@pytest.mark.shared_data
def test_xlmt_three_balanced_sentiments_per_language(loaded):
    contacts = loaded["xlmt_sentiment"]
    by_language = Counter((c.language, c.labels.sentiment) for c in contacts)
    assert {lang for lang, _ in by_language} == {"it", "en", "fr", "de", "es", "pt", "ar", "hi"}
    for language in ("it", "en", "fr", "de", "es", "pt", "ar", "hi"):
        counts = {s: by_language[(language, s)] for s in ("negative", "neutral", "positive")}
        assert len(set(counts.values())) == 1 and counts["negative"] > 0, language
    assert not any(c.language == "it" and c.metadata["split"] == "test" for c in contacts)


@pytest.mark.data
@pytest.mark.shared_data
def test_nlupp_is_multi_label_with_domains_and_folds(loaded):
    contacts = loaded["nlupp"]
    assert sum(len(c.labels.claims) > 1 for c in contacts) == 2_012
    assert all(c.labels.claim == (c.labels.claims[0] if len(c.labels.claims) == 1 else None) for c in contacts)
    assert Counter(c.labels.signals["domain"] for c in contacts) == {"banking": 2_071, "hotels": 1_009}
    assert {c.metadata["fold"] for c in contacts} == {str(n) for n in range(20)}
    assert len(load_shared("nlupp", split="fold3")) == len(load_shared("nlupp", split="3")) == 152


@pytest.mark.data
@pytest.mark.shared_data
def test_xsid_parallel_pairs_share_thread_and_intent(loaded):
    contacts = loaded["xsid"]
    pairs: dict[str, list[Contact]] = {}
    for contact in contacts:
        pairs.setdefault(contact.thread_id, []).append(contact)
    assert len(pairs) == 800
    assert all(sorted(c.language for c in pair) == ["en", "it"] for pair in pairs.values())
    assert all(len({c.labels.claim for c in pair}) == 1 for pair in pairs.values())
    assert len({c.labels.claim for c in contacts}) == 16


@pytest.mark.data
@pytest.mark.shared_data
def test_emoita_signals_and_sentiment_score(loaded):
    contacts = loaded["emoita_vad"]
    assert all(c.language == "it" and c.channel == "web_form" for c in contacts)
    for contact in contacts:
        assert contact.labels.sentiment_score == pytest.approx(sentiment_score(contact.labels.signals["V"]), abs=1e-4)
    assert max(c.labels.sentiment_score for c in contacts) == 1.0
    assert sentiment_score(5.5) == 1.0 and sentiment_score(3.0) == 0.0 and sentiment_score(1.0) == -1.0


@pytest.mark.data
@pytest.mark.shared_data
def test_split_selection_aliases_limit_and_errors():
    _shared_dir()
    val = load_shared("xlmt_sentiment", split="val", limit=10)
    assert len(val) == 10 and val.split == "validation" and all(c.metadata["split"] == "validation" for c in val)
    assert [c.id for c in load_shared("ibm_twitter_customer_care", split="dev", limit=3)] == [
        c.id for c in load_shared("ibm_twitter_customer_care", split="validation", limit=3)
    ]
    with pytest.raises(ValueError, match="no splits of its own"):
        load_shared("bitext_customer_support", split="train")
    with pytest.raises(ValueError, match="its splits are: train, test"):
        load_shared("stc3_helpdesk_dq", split="validation")
    with pytest.raises(ValueError, match=r"fold0 \.\. fold19"):
        load_shared("nlupp", split="train")


@pytest.mark.data
@pytest.mark.shared_data
@pytest.mark.parametrize("name", SHARED_SETS)
def test_by_name_and_by_path_give_the_same_contacts(name):
    path = _shared_dir() / name
    by_name = load_shared(name, limit=20)
    by_path = load_shared(path, limit=20)
    assert [c.id for c in by_name] == [c.id for c in by_path] and len(by_name) == 20


@pytest.mark.data
@pytest.mark.shared_data
@pytest.mark.parametrize("name", [n for n in SHARED_SETS if adapter_for(n).MARKERS])
def test_a_renamed_folder_is_recognised_by_its_files(tmp_path, name):
    # a link, not a copy: the sets are read where they are
    link = tmp_path / "my_copy"
    link.symlink_to(_shared_dir() / name, target_is_directory=True)
    assert detect_shared_set(link) == name
    assert [c.id for c in load_shared(link, limit=5)] == [c.id for c in load_shared(name, limit=5)]


@pytest.mark.data
@pytest.mark.shared_data
def test_a_set_without_markers_is_known_by_its_folder_name_only(tmp_path):
    # HWU64's files are called train.csv and test.csv: recognising them by name would claim any user's folder
    link = tmp_path / "my_copy"
    link.symlink_to(_shared_dir() / "hwu64", target_is_directory=True)
    assert detect_shared_set(link) is None
    assert detect_shared_set(_shared_dir() / "hwu64") == "hwu64"


@pytest.mark.unit
def test_unknown_set_lists_the_known_ones(tmp_path):
    with pytest.raises(ValueError, match="known sets") as error:
        load_shared("no_such_set")
    assert all(name in str(error.value) for name in SHARED_SETS)
    with pytest.raises(ValueError, match="bitext_customer_support"):
        adapter_for("abcd")
    assert detect_shared_set(tmp_path) is None
    with pytest.raises(ValueError, match="does not hold exactly one known shared set"):
        load_shared(tmp_path)


@pytest.mark.unit
def test_missing_datasets_folder_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("CLAIMTRIAGE_DATASETS", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="CLAIMTRIAGE_DATASETS"):
        load_shared("xsid")

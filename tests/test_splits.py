"""Leak-free splits: groups stay whole, identical texts never straddle splits, seeds decide, strata roughly hold."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from claimtriage.data.adapters import SOURCE_EPOCH, load_shared
from claimtriage.data.paths import shared_datasets_dir
from claimtriage.data.schema import Contact
from claimtriage.data.splits import SPLIT_NAMES, check_no_leakage, normalised_text, split_contacts


def contact(cid: str, text: str, *, claim: str | None = None, thread: str | None = None,
            handle: str | None = None) -> Contact:
    return Contact.model_validate({
        "id": cid, "channel": "chat", "timestamp": SOURCE_EPOCH, "turns": [{"speaker": "customer", "text": text}],
        "thread_id": thread, "customer": {"social_handle": handle}, "labels": {"claim": claim} if claim else None,
    })


def corpus(n: int = 600) -> list[Contact]:
    """Threads of 1-4 contacts, three claims, and a sprinkling of texts repeated across threads."""
    rng = random.Random(7)
    contacts, i = [], 0
    for thread in range(n // 2):
        claim = rng.choice(["refund", "refund", "delivery", "invoice"])
        for _ in range(rng.randint(1, 3)):
            text = f"{claim} request {i}" if rng.random() > 0.1 else f"{claim.upper()}   please  help"
            contacts.append(contact(f"c{i:04d}", text, claim=claim, thread=f"t{thread}"))
            i += 1
    return contacts


def where(splits: dict[str, list[Contact]]) -> dict[str, str]:
    return {c.id: name for name, contacts in splits.items() for c in contacts}


@pytest.mark.unit
def test_every_contact_lands_once_and_nothing_leaks():
    contacts = corpus()
    splits = split_contacts(contacts)
    assert tuple(splits) == SPLIT_NAMES
    assert sorted(c.id for part in splits.values() for c in part) == sorted(c.id for c in contacts)
    assert check_no_leakage(splits) == []


@pytest.mark.unit
def test_threads_stay_whole():
    contacts = corpus()
    placed = where(split_contacts(contacts, seed=3))
    by_thread: dict[str, set[str]] = {}
    for c in contacts:
        by_thread.setdefault(c.thread_id, set()).add(placed[c.id])
    assert all(len(splits) == 1 for splits in by_thread.values())


@pytest.mark.unit
def test_identical_normalised_texts_share_a_split_even_without_threads():
    contacts = [contact(f"x{i}", f"text number {i}") for i in range(100)]
    variants = ["Where is my REFUND?", "where is my refund?", "  where   is my\nrefund? ", "Where is my refund?"]
    contacts += [contact(f"v{i}", text) for i, text in enumerate(variants)]
    assert len({normalised_text(c) for c in contacts[-4:]}) == 1
    for seed in range(5):
        placed = where(split_contacts(contacts, seed=seed))
        assert len({placed[f"v{i}"] for i in range(4)}) == 1


@pytest.mark.unit
def test_same_seed_same_split_other_seed_differs_input_order_irrelevant():
    contacts = corpus()
    first, again = split_contacts(contacts, seed=1), split_contacts(contacts, seed=1)
    assert {k: [c.id for c in v] for k, v in first.items()} == {k: [c.id for c in v] for k, v in again.items()}
    shuffled = contacts[:]
    random.Random(0).shuffle(shuffled)
    assert where(split_contacts(shuffled, seed=1)) == where(first)
    assert where(split_contacts(contacts, seed=2)) != where(first)


@pytest.mark.unit
def test_fractions_roughly_hold_and_claims_are_stratified():
    contacts = corpus(2000)
    splits = split_contacts(contacts, fractions=(0.7, 0.15, 0.15))
    total = Counter(c.labels.claim for c in contacts)
    for name, share in zip(SPLIT_NAMES, (0.7, 0.15, 0.15), strict=True):
        assert len(splits[name]) / len(contacts) == pytest.approx(share, abs=0.02)
        counts = Counter(c.labels.claim for c in splits[name])
        for claim, n in total.items():
            assert counts[claim] / n == pytest.approx(share, abs=0.03), (name, claim)


@pytest.mark.unit
def test_rare_claims_still_reach_validation_and_test():
    # 300 claims seen once each: no stratum can fill every split, the overall targets decide
    contacts = [contact(f"r{i}", f"rare {i}", claim=f"claim{i}") for i in range(300)]
    sizes = {name: len(part) for name, part in split_contacts(contacts).items()}
    assert sizes == {"train": 240, "validation": 30, "test": 30}


@pytest.mark.unit
def test_group_by_customer_keeps_a_customer_together_and_contact_does_not():
    contacts = [contact(f"h{i}", f"message {i}", thread=f"t{i}", handle="@anna") for i in range(40)]
    contacts += [contact(f"o{i}", f"other {i}", thread=f"o{i}") for i in range(60)]
    placed = where(split_contacts(contacts, group_by="customer"))
    assert len({placed[f"h{i}"] for i in range(40)}) == 1
    # by thread (the default) each of anna's threads is its own group
    placed = where(split_contacts(contacts, group_by="thread"))
    assert len({placed[f"h{i}"] for i in range(40)}) > 1
    threadless = [contact(f"s{i}", f"same person {i}", handle="@bob") for i in range(20)]
    placed = where(split_contacts(threadless + contacts, group_by="thread"))
    assert len({placed[f"s{i}"] for i in range(20)}) == 1
    placed = where(split_contacts(threadless + contacts, group_by="contact"))
    assert len({placed[f"s{i}"] for i in range(20)}) > 1


@pytest.mark.unit
def test_bad_arguments_and_empty_splits():
    with pytest.raises(ValueError, match="summing to 1"):
        split_contacts(corpus(20), fractions=(0.8, 0.3, 0.1))
    with pytest.raises(ValueError, match="group_by"):
        split_contacts(corpus(20), group_by="session")  # type: ignore[arg-type]
    splits = split_contacts(corpus(200), fractions=(0.9, 0.1, 0.0))
    assert splits["test"] == [] and splits["validation"]
    assert split_contacts([]) == {"train": [], "validation": [], "test": []}


@pytest.mark.unit
def test_check_no_leakage_names_shared_threads_and_texts():
    leaky = {
        "train": [contact("a", "Hello there", thread="t1"), contact("b", "first")],
        "validation": [contact("c", "hello   THERE"), contact("d", "second", thread="t1")],
        "test": [contact("a", "third")],
    }
    problems = check_no_leakage(leaky)
    assert any("thread id 't1' is in train and validation" in p for p in problems)
    assert any("customer text 'hello there' is in train and validation" in p for p in problems)
    assert any("contact id 'a' is in test and train" in p for p in problems)


@pytest.fixture(scope="module")
def bitext() -> list[Contact]:
    assert shared_datasets_dir().is_dir(), f"the shared datasets folder is missing at {shared_datasets_dir()}"
    return load_shared("bitext_customer_support")


@pytest.mark.data
@pytest.mark.shared_data
def test_bitext_split_is_leak_free_and_stratified_by_intent(bitext):
    splits = split_contacts(bitext, seed=0)
    assert check_no_leakage(splits) == []
    total = Counter(c.labels.claim for c in bitext)
    test = Counter(c.labels.claim for c in splits["test"])
    assert all(test[intent] / n == pytest.approx(0.1, abs=0.02) for intent, n in total.items())
    # case and spacing variants of one utterance exist in the source; they must not straddle splits
    texts = Counter(normalised_text(c) for c in bitext)
    assert sum(n - 1 for n in texts.values()) > 1000


@pytest.mark.data
@pytest.mark.shared_data
@pytest.mark.parametrize("name", ["xsid", "stc3_helpdesk_dq", "ibm_twitter_customer_care", "emoita_vad"])
def test_real_threads_and_parallel_pairs_stay_together(name):
    assert shared_datasets_dir().is_dir(), f"the shared datasets folder is missing at {shared_datasets_dir()}"
    contacts = load_shared(name)
    splits = split_contacts(contacts, seed=5)
    assert check_no_leakage(splits) == []
    placed = where(splits)
    by_thread: dict[str, set[str]] = {}
    for c in contacts:
        if c.thread_id:
            by_thread.setdefault(c.thread_id, set()).add(placed[c.id])
    assert by_thread and all(len(s) == 1 for s in by_thread.values())
    assert len(splits["train"]) / len(contacts) == pytest.approx(0.8, abs=0.03)

"""Assemble each head's train / validation / test examples from its configured sources, without leakage.

A source with splits of its own keeps them (the roles are named in `SplitConfig`); whatever has no split, or a role
that no source split fills, is carved with `data.splits.split_contacts`. Validation calibrates and chooses
thresholds; test is never seen in training or model selection. Texts that occur in validation or test are removed
from train, so a duplicate across a source's own splits cannot leak. Heads are parts of one model and may read the
same source (STC-3 threads teach complexity and sentiment): a contact in any head's test role is removed from every
other head's train and validation roles too (`hold_out_across_heads`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from claimtriage.data.schema import Contact
from claimtriage.data.sources import load_source
from claimtriage.data.splits import normalised_text, split_contacts
from claimtriage.training.config import HeadTrainConfig, SourceConfig, SplitConfig
from claimtriage.training.labels import Examples, build_examples

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HeadData:
    train: Examples
    validation: Examples
    test: Examples

    def sizes(self) -> dict[str, int]:
        return {"n_train": len(self.train), "n_validation": len(self.validation), "n_test": len(self.test)}


def hold_out_across_heads(data: dict[str, HeadData]) -> dict[str, int]:
    """Drop from every head's train and validation roles the contacts (same id, or same customer words) that any
    head holds out for test, so a figure that scores one head on another head's test contacts (the STC-3
    satisfaction correlation of the sentiment head, on the complexity head's test threads) stays honest. Changes
    `data` in place; returns the examples each head lost (heads that lost none are left out)."""
    ids = {c.id for d in data.values() for c in d.test.contacts}
    texts = {normalised_text(c) for d in data.values() for c in d.test.contacts}
    lost: dict[str, int] = {}
    for name, head in data.items():
        roles = {}
        for role in ("train", "validation"):
            ex = getattr(head, role)
            keep = [i for i, c in enumerate(ex.contacts) if c.id not in ids and normalised_text(c) not in texts]
            roles[role] = Examples([ex.contacts[i] for i in keep], [ex.texts[i] for i in keep],
                                   [ex.labels[i] for i in keep])
            if len(keep) < len(ex):
                lost[name] = lost.get(name, 0) + len(ex) - len(keep)
        if not len(roles["train"]):
            raise ValueError(f"head {name!r}: every training example is another head's test example")
        data[name] = HeadData(train=roles["train"], validation=roles["validation"], test=head.test)
    if lost:
        log.info("training.held_out_across_heads removed=%s", lost)
    return lost


def load_contacts(source: SourceConfig) -> list[Contact]:
    """Contacts of one source, filtered by language when the config says so; skipped rows are logged as counts."""
    result = load_source(source.source, mapping=source.mapping, split=source.split)
    if result.errors or result.excluded:
        report = result.error_report()
        log.warning("training.rows_skipped source=%s bad_rows=%s excluded=%s", source.source, report["by_field"],
                    report["excluded"])
    contacts = result.contacts
    if source.languages:
        wanted = set(source.languages)
        contacts = [c for c in contacts if c.language in wanted]
    return contacts[: source.limit] if source.limit else contacts


def assign_roles(contacts: list[Contact], split: SplitConfig, seed: int,
                 fixed_test: list[Contact] | None = None) -> dict[str, list[Contact]]:
    """train / validation / test contacts: a fixed test set or the sources' own splits first, the rest carved
    without leakage."""
    roles: dict[str, list[Contact]] = {"train": [], "validation": [], "test": list(fixed_test or [])}
    pool: list[Contact] = []
    unassigned: dict[str, int] = {}
    for contact in contacts:
        own = contact.metadata.get("split")
        if own is None or own in split.train_splits:
            pool.append(contact)
        elif own in split.test_splits and fixed_test is None:
            roles["test"].append(contact)
        elif own in split.validation_splits:
            roles["validation"].append(contact)
        else:  # a source split the config gives no role, e.g. an unlabelled test set
            unassigned[own] = unassigned.get(own, 0) + 1
    if unassigned:
        log.info("training.splits_unused counts=%s", unassigned)
    missing = [name for name in ("validation", "test") if not roles[name]]
    if missing:
        fractions = (
            1.0 - (split.validation if "validation" in missing else 0) - (split.test if "test" in missing else 0),
            split.validation if "validation" in missing else 0.0,
            split.test if "test" in missing else 0.0,
        )
        carved = split_contacts(pool, fractions=fractions, seed=seed, group_by=split.group_by)
        pool = carved["train"]
        for name in missing:
            roles[name] = carved[name]
    held_out = {normalised_text(c) for name in ("validation", "test") for c in roles[name]}
    roles["train"] = [c for c in pool if normalised_text(c) not in held_out]
    dropped = len(pool) - len(roles["train"])
    if dropped:
        log.info("training.duplicates_removed from_train=%d", dropped)
    return roles


class SourceCache:
    """Sources loaded and contacts normalised once per training, however many heads read them."""

    def __init__(self) -> None:
        self.contacts: dict[str, list[Contact]] = {}
        self.normalised: dict[int, object] = {}

    def load(self, source: SourceConfig) -> list[Contact]:
        key = source.model_dump_json()
        if key not in self.contacts:
            self.contacts[key] = load_contacts(source)
        return self.contacts[key]


def head_data(config: HeadTrainConfig, split: SplitConfig, seed: int, cache: SourceCache | None = None) -> HeadData:
    """Examples for one head, in three roles."""
    cache = cache or SourceCache()
    contacts = [c for source in config.sources for c in cache.load(source)]
    fixed_test = [c for source in config.test_sources for c in cache.load(source)] if config.test_sources else None
    roles = assign_roles(contacts, split, seed, fixed_test)
    built = {name: build_examples(roles[name], label=config.label, view=config.text, cache=cache.normalised)
             for name in roles}
    if config.unseen_labels:
        unseen = set(config.unseen_labels)
        for name in ("train", "validation"):
            ex = built[name]
            keep = [i for i, lab in enumerate(ex.labels) if lab not in unseen]
            built[name] = Examples([ex.contacts[i] for i in keep], [ex.texts[i] for i in keep], [ex.labels[i] for i in keep])
    if not len(built["train"]):
        raise ValueError(f"no labelled training examples for label {config.label!r} in {[s.source for s in config.sources]}")
    return HeadData(**built)

"""HWU64 home-assistant requests (64 intents written `scenario_intent`) as one-turn chat contacts.

Files `train.csv` (9,960 rows) and `test.csv` (1,076), columns `text`, `label`: the authors' first cross-validation
fold. labels.claim is the intent. Ids: `hwu64-<split>-<row>` (0-based data row). No source time. The set is only
recognised by its folder name (`hwu64`): its file names are too common to detect it by.

`load_out_of_scope` is the `hwu64_out_of_scope` view: requests of the scenarios that are none of a contact centre's
claim types (alarms, music, weather, cooking, ...), relabelled `out_of_scope`, as examples of what a claim head must
not force into a claim type. Scenarios that a customer might also bring to a contact centre are left out whole
(`general` chit-chat and yes/no answers, `qa`, `email`, `social`: complaining about a company on social media).
`load_out_of_scope_test` (view `hwu64_out_of_scope_test`) is the same scenarios from the test file, all rows.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from claimtriage.data.adapters._common import SOURCE_EPOCH, LoadedContacts, canonical_split, collect, customer_turn
from claimtriage.data.schema import OUT_OF_SCOPE, Channel, Contact, Labels

NAME = "hwu64"
SPLITS = ("train", "test")
MARKERS: tuple[str, ...] = ()

#: scenarios nobody brings to a utility's or a shop's customer service
OFF_DOMAIN_SCENARIOS = ("alarm", "audio", "calendar", "cooking", "datetime", "iot", "lists", "music", "news", "play",
                        "recommendation", "takeaway", "transport", "weather")
#: requests kept per intent in the view (evenly over the intent's rows in file order: deterministic)
PER_INTENT = 15


def _rows(root: Path, split: str, skipped: Counter[str]) -> Iterator[Contact]:
    path = root / f"{split}.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: HWU64 {split} file not found")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or not {"text", "label"} <= set(reader.fieldnames):
            raise ValueError(f"{path}: expected columns text,label, found {reader.fieldnames}")
        for index, row in enumerate(reader):
            text, label = (row["text"] or "").strip(), (row["label"] or "").strip()
            if not text or not label:
                skipped["empty_text_or_label"] += 1
                continue
            yield Contact(id=f"hwu64-{split}-{index}", channel=Channel.chat, timestamp=SOURCE_EPOCH, language="en",
                          turns=customer_turn(text), labels=Labels(claim=label),
                          metadata={"source": NAME, "split": split})


def load(root: Path, split: str | None = None, limit: int | None = None) -> LoadedContacts:
    """HWU64 requests under `root`: split "train", "test" or None for both."""
    wanted = canonical_split(NAME, split, SPLITS)
    skipped: Counter[str] = Counter()

    def rows() -> Iterator[Contact]:
        for name in (wanted,) if wanted else SPLITS:
            yield from _rows(root, name, skipped)

    return collect(rows(), source=NAME, split=wanted, limit=limit, skipped=skipped)


def load_out_of_scope(root: Path, per_intent: int | None = PER_INTENT, split: str = "train") -> LoadedContacts:
    """The `hwu64_out_of_scope` view: train requests of OFF_DOMAIN_SCENARIOS, at most `per_intent` per intent (None:
    all), each labelled `out_of_scope` (the intent stays in labels.signals["intent"]). The test file is not read."""
    skipped: Counter[str] = Counter()
    by_intent: dict[str, list[Contact]] = {}
    for contact in _rows(root, split, skipped):
        by_intent.setdefault(contact.labels.claim, []).append(contact)
    kept: list[Contact] = []
    for intent, rows in by_intent.items():
        if intent.split("_", 1)[0] not in OFF_DOMAIN_SCENARIOS:
            skipped["scenario_not_off_domain"] += len(rows)
            continue
        chosen = rows if per_intent is None else rows[:: max(1, len(rows) // per_intent)][:per_intent]
        for contact in chosen:
            contact.labels.signals["intent"] = intent
            contact.labels.claim = OUT_OF_SCOPE
            contact.metadata["source_split"] = contact.metadata.pop("split")  # a config carves its own roles
            kept.append(contact)
        skipped["over_per_intent_cap"] += len(rows) - len(chosen)
    return collect(iter(kept), source=f"hwu64_out_of_scope{'' if split == 'train' else '_' + split}", split=None,
                   limit=None, skipped=skipped)


def load_out_of_scope_test(root: Path) -> LoadedContacts:
    """The `hwu64_out_of_scope_test` view: every test request of OFF_DOMAIN_SCENARIOS, labelled `out_of_scope`: never
    trained on by the configs here, so `tune-policy` checks with it how many off-domain requests would reach the bot."""
    return load_out_of_scope(root, per_intent=None, split="test")

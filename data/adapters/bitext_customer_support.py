"""Bitext customer-support utterances (27 intents in 11 categories) as one-turn chat contacts.

Both files are read: `20k_sample` (21,534 rows) first, then `8k_training` (8,175 rows). The 8k file spells four
labels differently (`check_invoice`, `INVOICE`, `REFUND`, `SHIPPING_ADDRESS`); they are renamed to the 20k names so the
union has 27 intents and 11 categories. An utterance that already appeared (same text after trimming, in either file)
is dropped and counted in `skipped["duplicate_utterance"]`: the 20k row wins, and within a file the first row wins.
Case or spacing variants are kept (they carry different linguistic flags); `data.splits` keeps them in one split.

No source splits. Ids are `bitext-20k-<row>` / `bitext-8k-<row>` (0-based data row in its file), so they do not move
when deduplication changes. No source time: every contact has `SOURCE_EPOCH`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from claimtriage.data.adapters._common import SOURCE_EPOCH, LoadedContacts, canonical_split, collect, customer_turn
from claimtriage.data.schema import Channel, Contact, Labels

NAME = "bitext_customer_support"
SPLITS: tuple[str, ...] = ()
#: files that identify the set in a folder, in reading order (the first one wins on duplicates)
FILES = {"20k": "TrainingdatasetBitextsample.csv", "8k": "Bitext_Sample_Customer_Service_Training_Dataset.csv"}
MARKERS = tuple(f"**/{f}" for f in FILES.values())

#: the 8k file's spellings -> the 20k file's
_RENAMES = {
    "check_invoice": "check_invoices", "INVOICE": "INVOICES", "REFUND": "REFUNDS", "SHIPPING_ADDRESS": "SHIPPING",
}
#: the linguistic flags of both READMEs, by letter
FLAG_NAMES = {
    "B": "basic", "S": "syntactic", "L": "lexical", "M": "morphological", "I": "interrogative", "C": "complex",
    "P": "polite", "Q": "colloquial", "W": "offensive", "E": "expanded_abbreviations", "D": "indirect",
    "Z": "noise", "K": "keyword_only",
}


def _files(root: Path) -> list[tuple[str, Path]]:
    found = []
    for tag, filename in FILES.items():
        matches = sorted(root.rglob(filename))
        if matches:
            found.append((tag, matches[0]))
    if not found:
        raise FileNotFoundError(f"{root}: no Bitext CSV ({' or '.join(FILES.values())})")
    return found


def _flag_names(flags: str) -> str:
    return ",".join(FLAG_NAMES.get(letter, letter) for letter in flags)


def _contacts(root: Path, skipped: Counter[str]) -> Iterator[Contact]:
    seen: set[str] = set()
    for tag, path in _files(root):
        # utf-8-sig: both files start with a byte-order mark that would otherwise rename the first column
        frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        frame["utterance"] = frame["utterance"].str.strip()
        for row, (flags, text, category, intent) in enumerate(
            zip(frame["flags"], frame["utterance"], frame["category"], frame["intent"], strict=True)
        ):
            if not text:
                skipped["empty_utterance"] += 1
                continue
            if text in seen:
                skipped["duplicate_utterance"] += 1
                continue
            seen.add(text)
            yield Contact(
                id=f"bitext-{tag}-{row:05d}",
                channel=Channel.chat,
                timestamp=SOURCE_EPOCH,
                language="en",
                turns=customer_turn(text),
                labels=Labels(
                    claim=_RENAMES.get(intent, intent), signals={"category": _RENAMES.get(category, category)}
                ),
                metadata={
                    "source": NAME, "file": path.parent.name, "row": str(row),
                    "flags": flags, "flag_names": _flag_names(flags),
                },
            )


def load(root: Path, split: str | None = None, limit: int | None = None) -> LoadedContacts:
    """Every distinct Bitext utterance under `root` (no source splits: `split` must be None)."""
    canonical_split(NAME, split, SPLITS)
    skipped: Counter[str] = Counter()
    return collect(_contacts(root, skipped), source=NAME, split=None, limit=limit, skipped=skipped)


#: Bitext intents whose requests are one of this project's claim types (the `bitext_claim_types` view); the others
#: (orders, shipping addresses, newsletters, reviews, "contact a human", account creation or deletion, refund policy
#: questions) have no honest counterpart and are left out, counted in `skipped["intent_not_a_claim_type"]`
CLAIM_TYPES = {
    "get_refund": "refund", "track_refund": "refund",
    "recover_password": "account_access", "registration_problems": "account_access", "edit_account": "account_access",
    "check_cancellation_fee": "cancellation",
    "track_order": "delivery_installation", "delivery_period": "delivery_installation",
    "check_invoices": "information_request", "get_invoice": "information_request",
    "check_payment_methods": "information_request",
    "payment_issue": "billing_dispute",
    "complaint": "service_complaint",
}
#: utterances kept per intent in the view: Bitext is template-generated, a few hundred per intent say it all
PER_INTENT = 150


def load_claim_types(root: Path, per_intent: int = PER_INTENT) -> LoadedContacts:
    """The `bitext_claim_types` view: Bitext utterances relabelled onto claim types (CLAIM_TYPES), at most
    `per_intent` per intent, drawn evenly over each intent's rows in source order (deterministic)."""
    skipped: Counter[str] = Counter()
    by_intent: dict[str, list[Contact]] = {}
    for contact in _contacts(root, skipped):
        by_intent.setdefault(contact.labels.claim, []).append(contact)
    kept: list[Contact] = []
    for intent, rows in by_intent.items():
        if intent not in CLAIM_TYPES:
            skipped["intent_not_a_claim_type"] += len(rows)
            continue
        chosen = rows[::max(1, len(rows) // per_intent)][:per_intent]
        for contact in chosen:
            contact.labels.signals["intent"] = intent
            contact.labels.claim = CLAIM_TYPES[intent]
            kept.append(contact)
        skipped["over_per_intent_cap"] += len(rows) - len(chosen)
    return collect(iter(kept), source="bitext_claim_types", split=None, limit=None, skipped=skipped)

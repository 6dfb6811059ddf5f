"""What a source holds, in one JSON-able dict: sizes, channels, languages, label sets with counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from statistics import median
from typing import Any

from claimtriage.data.schema import Contact


def _counts(values) -> dict[str, int]:
    return dict(Counter(v for v in values if v is not None).most_common())


def _language(contact: Contact) -> str:
    if contact.language:
        return contact.language
    from claimtriage.data.language import detect_language  # imported here: the detector loads its models on first use

    return detect_language(" ".join(contact.customer_turns()))[0]


def summarise(contacts: Sequence[Contact]) -> dict[str, Any]:
    """Counts a person checks before training on a source: is it the data they think it is?"""
    labels = [c.labels for c in contacts if c.labels is not None]
    lengths = [sum(len(t) for t in c.customer_turns()) for c in contacts]
    outcomes = [c.outcome for c in contacts if c.outcome is not None]
    signal_keys = Counter(key for lab in labels for key in lab.signals)
    return {
        "n_contacts": len(contacts),
        "channels": _counts(c.channel.value for c in contacts),
        "languages": _counts(_language(c) for c in contacts),
        "n_threads": len({c.thread_id for c in contacts if c.thread_id}),
        "conversations": sum(1 for c in contacts if c.turns),
        "without_identifier": sum(1 for c in contacts if c.customer.is_empty()),
        "customer_chars": {"median": median(lengths) if lengths else 0, "max": max(lengths, default=0)},
        "labels": {
            "claim": _counts(lab.claim for lab in labels),
            "claims_multi": _counts(x for lab in labels if len(lab.claims) > 1 for x in lab.claims),
            "sentiment": _counts(lab.sentiment for lab in labels),
            "complexity": _counts(lab.complexity for lab in labels),
            "signals": dict(signal_keys.most_common()),
        },
        "outcomes": {
            "resolved_by": _counts(o.resolved_by for o in outcomes),
            "company_response": _counts(o.company_response for o in outcomes),
        },
        "splits": _counts(c.metadata.get("split") for c in contacts),
    }

"""What every adapter shares: the result type, the fixed epoch, split names and a one-turn chat helper."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timezone

from claimtriage.data.schema import Contact, Speaker, Turn

#: the timestamp of every contact whose source gives no time; fixed so that loading is deterministic
SOURCE_EPOCH = datetime(2020, 1, 1, tzinfo=timezone.utc)

#: the canonical split names, and the spellings sources use for them
SPLIT_ALIASES = {
    "train": "train",
    "training": "train",
    "validation": "validation",
    "val": "validation",
    "valid": "validation",
    "dev": "validation",
    "test": "test",
}


class LoadedContacts(list[Contact]):
    """Contacts of one shared set, with the rows left out and why (`skipped`: reason -> count)."""

    def __init__(self, contacts: Iterable[Contact] = (), *, source: str = "", split: str | None = None,
                 skipped: Counter[str] | dict[str, int] | None = None) -> None:
        super().__init__(contacts)
        self.source = source
        self.split = split
        self.skipped: dict[str, int] = dict(skipped or {})


def canonical_split(name: str, split: str | None, available: tuple[str, ...]) -> str | None:
    """`split` as the adapter's own name for it; a clear error when the set has no such split."""
    if split is None:
        return None
    wanted = SPLIT_ALIASES.get(split.strip().lower(), split.strip().lower())
    if wanted in available:
        return wanted
    if not available:
        raise ValueError(
            f"{name} has no splits of its own: load it with split=None and use data.splits.split_contacts"
        )
    raise ValueError(f"{name} has no split {split!r}; its splits are: {', '.join(available)}")


def collect(contacts: Iterable[Contact], *, source: str, split: str | None, limit: int | None,
            skipped: Counter[str] | None = None) -> LoadedContacts:
    """The first `limit` contacts (all when None) as a LoadedContacts; stops reading as soon as it has enough."""
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    out = LoadedContacts(source=source, split=split)
    if limit != 0:
        for contact in contacts:
            out.append(contact)
            if limit is not None and len(out) >= limit:
                break
    out.skipped = dict(skipped or {})
    return out


def customer_turn(text: str) -> list[Turn]:
    """A single-utterance chat message as the one customer turn of a conversation."""
    return [Turn(speaker=Speaker.customer, text=text)]

"""Named slices of an evaluation set: every evaluation reports its metrics on each of them.

A slice is a predicate over a contact (and its text as the model saw it). Channel and language slices are made from
the data; the others are fixed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from claimtriage.data.schema import Contact

#: about 256 MiniLM tokens: past this the encoder must chunk
LONG_TEXT_CHARS = 1000

Slice = Callable[[Contact, str], bool]


def long_text(contact: Contact, text: str) -> bool:
    """Texts past the encoder's window, where chunking and pooling matter."""
    return len(text) > LONG_TEXT_CHARS


def short_text(contact: Contact, text: str) -> bool:
    """Very short texts (under 40 characters): little for the model to go on."""
    return len(text) < 40


def conversation(contact: Contact, text: str) -> bool:
    """Multi-turn contacts (calls, chats, messaging threads)."""
    return bool(contact.turns)


def repeat_contact(contact: Contact, text: str) -> bool:
    """Contacts that are not the first about their claim (the demo corpus records the step of its journey)."""
    return contact.metadata.get("journey_step", "1") != "1"


FIXED_SLICES: dict[str, Slice] = {
    "long_text": long_text,
    "short_text": short_text,
    "conversation": conversation,
    "repeat_contact": repeat_contact,
}


def slice_masks(contacts: Sequence[Contact], texts: Sequence[str], *, min_size: int = 20) -> dict[str, list[int]]:
    """Indices of each slice with at least `min_size` members: channel:X, language:X and the fixed slices."""
    groups: dict[str, list[int]] = {}
    for index, (contact, text) in enumerate(zip(contacts, texts, strict=True)):
        groups.setdefault(f"channel:{contact.channel.value}", []).append(index)
        groups.setdefault(f"language:{contact.language or 'unknown'}", []).append(index)
        for name, predicate in FIXED_SLICES.items():
            if predicate(contact, text):
                groups.setdefault(name, []).append(index)
    return {name: rows for name, rows in sorted(groups.items()) if len(rows) >= min_size}

"""What one request may ask of the service: characters of text per contact and per request, and the 503 answers
of an overloaded service (time budget, concurrency, request timeout), which always say when to come back.

The model's cost grows with the text (up to the encoder's window cap per text), so limits are counted in
characters: the service checks them before anything is queued, and the lanes (serving.service) use the same count
to keep long texts apart from short ones.
"""

from __future__ import annotations

import math

from claimtriage.data.schema import Contact


class Overloaded(RuntimeError):
    """The request cannot be served within its time budget, or too many are in flight: 503 with Retry-After. Nothing
    of it was recorded."""

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


def retry_after(seconds: float) -> str:
    """The Retry-After header value: whole seconds, at least 1, at most 5 minutes."""
    return str(min(300, max(1, math.ceil(seconds))))


def text_parts(contact: Contact) -> list[tuple[str, int]]:
    """(field, characters) of every text the model reads in the contact."""
    parts: list[tuple[str, int]] = [("subject", len(contact.subject or "")), ("body", len(contact.body or ""))]
    parts += [(f"turns.{i}.text", len(t.text)) for i, t in enumerate(contact.turns or [])]
    parts += [(f"attachments.{i}.transcript", len(a.transcript or "")) for i, a in enumerate(contact.attachments)]
    return parts


def contact_chars(contact: Contact) -> int:
    """Characters of text in the contact, all fields together."""
    return sum(size for _, size in text_parts(contact))


def text_problem(contact: Contact, limit: int, prefix: str = "") -> tuple[str, str] | None:
    """(field, message) when the contact's text is over `limit` characters, else None."""
    parts = text_parts(contact)
    for field, size in parts:
        if size > limit:
            return f"{prefix}{field}", f"{prefix}{field}: {size} characters, over the limit of {limit}"
    total = sum(size for _, size in parts)
    if total > limit:
        field = f"{prefix}turns" if contact.turns else f"{prefix}body"
        return field, f"{field}: {total} characters of text in all, over the limit of {limit}"
    return None


def request_text_problem(contacts: list[Contact], limit: int, field: str) -> tuple[str, str] | None:
    """(field, message) when the contacts of one request hold more than `limit` characters of text together."""
    total = sum(contact_chars(contact) for contact in contacts)
    if total > limit:
        return field, f"{field}: {total} characters of text in this request, over the limit of {limit} per request"
    return None

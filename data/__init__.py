"""Contacts in one schema, read from any source, normalised and PII-redacted for the models."""

from claimtriage.data.io import ReadResult, read_contacts, write_contacts
from claimtriage.data.language import detect_language
from claimtriage.data.mapping import ColumnMapping
from claimtriage.data.normalise import NormalisedContact, normalise
from claimtriage.data.redact import redact
from claimtriage.data.schema import Channel, Contact, CustomerIdentifiers, Labels, Outcome, Speaker, Turn, describe_validation_error

__all__ = [
    "Channel",
    "ColumnMapping",
    "Contact",
    "CustomerIdentifiers",
    "Labels",
    "NormalisedContact",
    "Outcome",
    "ReadResult",
    "Speaker",
    "Turn",
    "describe_validation_error",
    "detect_language",
    "normalise",
    "read_contacts",
    "redact",
    "write_contacts",
]

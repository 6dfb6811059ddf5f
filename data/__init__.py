"""Contacts in one schema, read from any source, normalised and PII-redacted for the models."""

from data.io import ReadResult, read_contacts, write_contacts
from data.language import detect_language
from data.mapping import ColumnMapping
from data.normalise import NormalisedContact, normalise
from data.redact import redact
from data.schema import Channel, Contact, CustomerIdentifiers, Labels, Outcome, Speaker, Turn, describe_validation_error

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

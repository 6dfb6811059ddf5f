"""Contacts in one schema, read from any source, normalised and PII-redacted for the models."""

from data.schema import Channel, Contact, CustomerIdentifiers, Labels, Outcome, Speaker, Turn, describe_validation_error

__all__ = [
    "Channel",
    "Contact",
    "CustomerIdentifiers",
    "Labels",
    "Outcome",
    "Speaker",
    "Turn",
    "describe_validation_error",
]

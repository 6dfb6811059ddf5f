"""The Contact schema: every channel validates, and errors name the field and the reason."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from claimtriage.data.schema import Channel, Contact, describe_validation_error

pytestmark = pytest.mark.unit

WHEN = "2026-03-01T09:30:00+01:00"

VALID = {
    "email": {"channel": "email", "subject": "Bolletta errata", "body": "Buongiorno, la fattura di marzo è doppia."},
    "phone": {
        "channel": "phone",
        "turns": [
            {"speaker": "agent", "text": "Lumina buongiorno, come posso aiutarla?"},
            {"speaker": "customer", "text": "ehm sì, non ho più la linea da ieri"},
        ],
    },
    "chat": {"channel": "chat", "turns": [{"speaker": "bot", "text": "Hi!"}, {"speaker": "customer", "text": "refund pls"}]},
    "whatsapp": {
        "channel": "whatsapp",
        "turns": [{"speaker": "customer", "text": "ciao 😡"}],
        "attachments": [{"kind": "voice_note", "transcript": "non funziona niente"}],
    },
    "social": {"channel": "social", "body": "@Lumina third day without internet", "customer": {"social_handle": "@anna_b"}},
    "review": {"channel": "review", "body": "Servizio pessimo", "rating": 1},
    "web_form": {"channel": "web_form", "subject": "Disdetta", "body": "Vorrei disdire il contratto", "customer": {"customer_id": "C-1"}},
    "voice_only": {"channel": "whatsapp", "attachments": [{"kind": "voice_note", "transcript": "I want to cancel"}]},
}


@pytest.mark.parametrize("name", sorted(VALID))
def test_every_channel_validates(name):
    contact = Contact.model_validate({"id": name, "timestamp": WHEN, **VALID[name]})
    assert contact.channel in set(Channel)
    assert contact.timestamp.tzinfo is not None


def test_naive_timestamp_is_taken_as_utc():
    contact = Contact(id="x", channel="email", timestamp="2026-03-01T09:30:00", body="hi")
    assert contact.timestamp.utcoffset().total_seconds() == 0


def test_customer_turns_are_the_customer_side_only():
    contact = Contact.model_validate({"id": "p", "timestamp": WHEN, **VALID["phone"]})
    assert contact.customer_turns() == ["ehm sì, non ho più la linea da ieri"]


@pytest.mark.parametrize(
    ("payload", "field", "reason"),
    [
        ({"channel": "fax", "body": "x"}, "channel", "Input should be"),
        ({"channel": "email"}, "contact", "empty contact"),
        ({"channel": "email", "body": "   "}, "contact", "empty contact"),
        ({"channel": "chat", "body": "a", "turns": [{"speaker": "customer", "text": "b"}]}, "contact", "either body or turns"),
        ({"channel": "chat", "turns": [{"speaker": "caller", "text": "b"}]}, "turns.0.speaker", "Input should be"),
        ({"channel": "chat", "turns": [{"speaker": "customer", "text": ""}]}, "turns.0.text", "at least 1 character"),
        ({"channel": "email", "body": "x", "rating": 4}, "contact", "rating is only for reviews"),
        ({"channel": "review", "body": "x", "rating": 7}, "rating", "less than or equal to 5"),
        ({"channel": "email", "body": "x", "customer": {"email": "nobody"}}, "customer.email", "not an email address"),
        ({"channel": "email", "body": "x", "language": "Italian"}, "language", "should match pattern"),
        ({"channel": "email", "body": "x", "surprise": 1}, "surprise", "Extra inputs are not permitted"),
    ],
)
def test_errors_name_the_field_and_reason(payload, field, reason):
    with pytest.raises(ValidationError) as caught:
        Contact.model_validate({"id": "bad", "timestamp": WHEN, **payload})
    message = describe_validation_error(caught.value)
    assert message.startswith(f"{field}: ") or f"; {field}: " in message
    assert reason in message


def test_missing_timestamp_and_id_are_named():
    with pytest.raises(ValidationError) as caught:
        Contact.model_validate({"channel": "email", "body": "x"})
    message = describe_validation_error(caught.value)
    assert "id: Field required" in message and "timestamp: Field required" in message


# ---- the timestamp's sanity window (issue 15) --------------------------------------------------------------------
def _at(when) -> Contact:
    return Contact.model_validate({"id": "t", "channel": "email", "timestamp": when, "body": "la bolletta"})


@pytest.mark.parametrize(("when", "reason"), [
    ("9999-12-31T00:00:00Z", "in the future"),
    ("9999-12-31T23:00:00-05:00", "in the future"),  # past year 9999 in UTC: still a clean error, no overflow
    ("2035-01-01T00:00:00+00:00", "in the future"),
    ("1999-12-31T23:59:59Z", "before 2000-01-01"),
    ("0001-01-01T00:00:00+01:00", "before 2000-01-01"),
])
def test_a_timestamp_outside_the_sanity_window_is_refused_naming_the_field(when, reason):
    with pytest.raises(ValidationError) as caught:
        _at(when)
    message = describe_validation_error(caught.value)
    assert message.startswith("timestamp: ") and reason in message


def test_the_window_allows_clock_skew_and_is_configurable(monkeypatch):
    from datetime import datetime, timedelta, timezone

    soon = datetime.now(timezone.utc) + timedelta(hours=12)
    assert _at(soon).timestamp == soon  # within the default day of skew
    assert _at("2000-01-01T00:00:00Z").timestamp.year == 2000  # the earliest time accepted (file readers' default)
    monkeypatch.setenv("CLAIMTRIAGE_MAX_FUTURE_DAYS", "0.25")
    with pytest.raises(ValidationError, match="more than 0.25 days in the future"):
        _at(soon)
    monkeypatch.setenv("CLAIMTRIAGE_MIN_TIMESTAMP", "2020-01-01")
    with pytest.raises(ValidationError, match="before 2020-01-01"):
        _at("2019-06-01T00:00:00Z")
    monkeypatch.setenv("CLAIMTRIAGE_MAX_FUTURE_DAYS", "soon")
    with pytest.raises(ValidationError, match="CLAIMTRIAGE_MAX_FUTURE_DAYS='soon'"):
        _at("2024-05-01T09:00:00Z")


def test_an_offset_is_kept_on_the_contact():
    # the contact keeps the customer's local time; the journey store keeps the instant in UTC (test_journeys.py)
    assert _at("2024-05-01T09:00:00+05:30").timestamp.isoformat() == "2024-05-01T09:00:00+05:30"

"""Readers and writers: every format round-trips, a user's export maps without code, bad rows are reported."""

from __future__ import annotations

import json

import pytest

from claimtriage.data.io import RowError, read_contacts, to_dataset, write_contacts
from claimtriage.data.mapping import ColumnMapping, parse_transcript
from claimtriage.data.schema import Contact

pytestmark = pytest.mark.unit

USER_EXPORT = """Body,Category,Channel,Email,Phone
"Ho pagato due volte la bolletta di marzo",billing,email,Mario.Rossi@Example.it,+39 333 123 4567
"hello, where is my order?",delivery,fax,a@b.com,
"",billing,chat,,
"line one
line two",tech,chat,bad-email,
"Vorrei disdire",cancellation,web_form,,3331234567
"""


@pytest.fixture()
def export(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(USER_EXPORT, encoding="utf-8")
    return path


@pytest.fixture()
def mapping():
    return ColumnMapping.parse(
        ["text=Body", "label=Category", "channel=Channel", "customer_email=Email", "customer_phone=Phone"]
    )


def _contacts():
    return [
        Contact.model_validate(
            {
                "id": "c1",
                "channel": "phone",
                "timestamp": "2026-01-02T10:00:00Z",
                "language": "it",
                "turns": [{"speaker": "agent", "text": "Buongiorno"}, {"speaker": "customer", "text": "Non ho linea 😡"}],
                "customer": {"phone": "+39 333 1234567", "other": {"contract": "K-9"}},
                "labels": {"claim": "technical_fault", "sentiment": "negative", "signals": {"A": -1.5, "issue": "x"}},
                "outcome": {"resolved_by": "agent", "handle_time_s": 320.0, "transfers": 1},
                "metadata": {"source": "test"},
            }
        ),
        Contact(id="c2", channel="review", timestamp="2026-01-03T10:00:00Z", body="Ottimo, grazie", rating=5),
    ]


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".tsv", ".parquet"])
def test_round_trip_every_format(tmp_path, suffix):
    contacts = _contacts()
    path = write_contacts(contacts, tmp_path / f"contacts{suffix}")
    assert read_contacts(path, strict=True).contacts == contacts


def test_round_trip_through_a_saved_dataset(tmp_path):
    contacts = _contacts()
    to_dataset(contacts).save_to_disk(str(tmp_path / "ds"))
    assert read_contacts(tmp_path / "ds", strict=True).contacts == contacts


def test_a_folder_with_contacts_jsonl_reads(tmp_path):
    write_contacts(_contacts(), tmp_path / "contacts.jsonl")
    assert len(read_contacts(tmp_path).contacts) == 2


def test_user_export_maps_without_code_and_reports_every_bad_row(export, mapping):
    result = read_contacts(export, mapping=mapping)
    assert [c.labels.claim for c in result.contacts] == ["billing", "cancellation"]
    assert result.contacts[0].customer.email == "Mario.Rossi@Example.it"
    assert result.contacts[1].customer.phone == "3331234567"
    assert result.n_rows == 5  # nothing dropped silently: 2 read + 3 reported
    lines = [(e.line, e.field) for e in result.errors]
    assert lines == [(3, "channel (column 'Channel')"), (4, "contact"), (5, "customer.email (column 'Email')")]
    report = result.error_report()
    assert report["skipped"] == 3 and report["first"][0]["source"].endswith("export.csv")


def test_strict_mode_stops_at_the_first_bad_row(export, mapping):
    with pytest.raises(RowError) as caught:
        read_contacts(export, mapping=mapping, strict=True)
    assert caught.value.line == 3 and "Channel" in str(caught.value)


def test_missing_channel_uses_the_default_or_is_reported(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("text,label\nwhere is my refund,refund\n", encoding="utf-8")
    reported = read_contacts(path)
    assert not reported.contacts and reported.errors[0].field == "channel"
    defaulted = read_contacts(path, mapping=ColumnMapping(default_channel="chat"))
    assert defaulted.contacts[0].channel.value == "chat" and defaulted.contacts[0].id == "row-2"


def test_malformed_jsonl_lines_are_reported_with_their_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    good = _contacts()[1].model_dump_json()
    path.write_text(f"{good}\n{{not json\n[1, 2]\n{good}\n", encoding="utf-8")
    result = read_contacts(path)
    assert len(result.contacts) == 2
    assert [(e.line, e.field) for e in result.errors] == [(2, "row"), (3, "row")]


def test_transcript_column_becomes_turns(tmp_path):
    path = tmp_path / "calls.jsonl"
    row = {"id": "call-1", "channel": "phone", "timestamp": "2026-01-01T08:00:00Z",
           "transcript": "Operatore: Buongiorno\nCliente: non ho linea\nda ieri sera\nOperatore: verifico"}
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    contact = read_contacts(path, strict=True).contacts[0]
    assert [t.speaker.value for t in contact.turns] == ["agent", "customer", "agent"]
    assert contact.customer_turns() == ["non ho linea da ieri sera"]


def test_transcript_without_known_speaker_is_an_error():
    with pytest.raises(ValueError, match="no known speaker"):
        parse_transcript("hello there")


def test_mapping_rejects_unknown_fields_and_malformed_pairs():
    with pytest.raises(ValueError, match="unknown field"):
        ColumnMapping.parse(["txt=Body"])
    with pytest.raises(ValueError, match="FIELD=COLUMN"):
        ColumnMapping.parse(["text"])


def test_unknown_format_and_missing_file_are_clear(tmp_path):
    (tmp_path / "x.xlsx").write_text("x")
    with pytest.raises(ValueError, match="unknown format"):
        read_contacts(tmp_path / "x.xlsx")
    with pytest.raises(FileNotFoundError):
        read_contacts(tmp_path / "missing.csv")


def test_hub_name_offline_gives_a_clear_error():
    with pytest.raises(ValueError, match="cannot load dataset 'someone/unknown-set' from the hub"):
        read_contacts("hf:someone/unknown-set")


def test_write_is_atomic_and_leaves_no_temporary_file(tmp_path):
    path = write_contacts(_contacts(), tmp_path / "out.jsonl")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]
    assert len(path.read_text().splitlines()) == 2

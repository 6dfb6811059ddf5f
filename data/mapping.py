"""Turn a flat row (a CSV line, a Parquet row, a dataset record) into a Contact, and a Contact back into a flat row.

A user's export rarely uses our field names. `ColumnMapping` says which of their columns holds which field
(`text=Body`, `label=Category`, ...), so an export becomes Contacts without code. Unmapped fields fall back to
the canonical flat names below, so a file written by `flatten_contact` reads back unchanged.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from claimtriage.data.schema import Channel, Contact, Speaker

#: canonical flat column names; each maps to a path in the Contact schema
FLAT_FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "channel": ("channel",),
    "timestamp": ("timestamp",),
    "language": ("language",),
    "subject": ("subject",),
    "text": ("body",),
    "turns": ("turns",),
    "transcript": ("turns",),
    "attachments": ("attachments",),
    "rating": ("rating",),
    "thread_id": ("thread_id",),
    "customer_id": ("customer", "customer_id"),
    "customer_email": ("customer", "email"),
    "customer_phone": ("customer", "phone"),
    "customer_social_handle": ("customer", "social_handle"),
    "customer_name": ("customer", "name"),
    "customer_other": ("customer", "other"),
    "label": ("labels", "claim"),
    "labels": ("labels", "claims"),
    "sentiment": ("labels", "sentiment"),
    "sentiment_score": ("labels", "sentiment_score"),
    "complexity": ("labels", "complexity"),
    "complexity_score": ("labels", "complexity_score"),
    "true_customer": ("labels", "true_customer"),
    "true_claim": ("labels", "true_claim"),
    "signals": ("labels", "signals"),
    "resolved_by": ("outcome", "resolved_by"),
    "handle_time_s": ("outcome", "handle_time_s"),
    "contacts_to_resolution": ("outcome", "contacts_to_resolution"),
    "transfers": ("outcome", "transfers"),
    "company_response": ("outcome", "company_response"),
    "disputed": ("outcome", "disputed"),
    "metadata": ("metadata",),
}
#: flat fields stored as JSON text in CSV/Parquet
JSON_FIELDS = {"turns", "attachments", "customer_other", "labels", "signals", "metadata"}
#: speaker words found in exported transcripts ("Cliente: ...", "Agent: ...")
SPEAKER_ALIASES = {
    "customer": Speaker.customer, "cliente": Speaker.customer, "user": Speaker.customer, "caller": Speaker.customer,
    "utente": Speaker.customer, "client": Speaker.customer,
    "agent": Speaker.agent, "operatore": Speaker.agent, "operator": Speaker.agent, "operatrice": Speaker.agent,
    "advisor": Speaker.agent, "support": Speaker.agent, "helpdesk": Speaker.agent,
    "bot": Speaker.bot, "assistant": Speaker.bot, "assistente": Speaker.bot, "ivr": Speaker.bot,
    "system": Speaker.system, "sistema": Speaker.system,
}
_TRANSCRIPT_LINE = re.compile(r"^\s*\[?([A-Za-zÀ-ÿ ]{2,20})\]?\s*:\s*(.+)$")
#: when a source has no time column: a fixed, documented instant, so reading stays deterministic
UNKNOWN_TIME = datetime(2000, 1, 1, tzinfo=timezone.utc)


class RowError(ValueError):
    """A row that cannot become a Contact: where it is and what is wrong."""

    def __init__(self, source: str, line: int, field: str, reason: str):
        self.source, self.line, self.field, self.reason = source, line, field, reason
        super().__init__(f"{source}:{line}: {field}: {reason}")

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "line": self.line, "field": self.field, "reason": self.reason}


class ColumnMapping(BaseModel):
    """Which source column holds which flat field, plus defaults for fields the source lacks."""

    model_config = ConfigDict(extra="forbid")

    columns: dict[str, str] = Field(default_factory=dict, description="flat field -> source column")
    default_channel: Channel | None = None
    default_language: str | None = None
    id_prefix: str = "row"

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(FLAT_FIELDS))
        if unknown:
            raise ValueError(f"unknown field(s) {unknown}; known: {sorted(FLAT_FIELDS)}")
        return value

    @classmethod
    def parse(cls, pairs: list[str], **defaults: Any) -> ColumnMapping:
        """From CLI pairs such as `text=Body` `label=Category`."""
        columns = {}
        for pair in pairs:
            field, sep, column = pair.partition("=")
            if not sep or not field.strip() or not column.strip():
                raise ValueError(f"column mapping {pair!r} must look like FIELD=COLUMN")
            columns[field.strip()] = column.strip()
        return cls(columns=columns, **{k: v for k, v in defaults.items() if v is not None})

    def column_for(self, field: str) -> str:
        return self.columns.get(field, field)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _parse_json(field: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value.tolist() if hasattr(value, "tolist") else value
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{field}: not valid JSON ({exc.msg} at char {exc.pos})") from None


def parse_transcript(text: str) -> list[dict[str, str]]:
    """`Speaker: text` lines into turns; a line without a known speaker continues the previous turn."""
    turns: list[dict[str, str]] = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        match = _TRANSCRIPT_LINE.match(raw)
        speaker = SPEAKER_ALIASES.get(match.group(1).strip().lower()) if match else None
        if speaker is not None:
            turns.append({"speaker": speaker.value, "text": match.group(2).strip()})
        elif turns:
            turns[-1]["text"] += " " + raw.strip()
        else:
            raise ValueError(f"transcript: first line has no known speaker ({raw.strip()[:40]!r})")
    return turns


def row_to_contact_dict(row: dict[str, Any], mapping: ColumnMapping, line: int) -> dict[str, Any]:
    """A nested dict ready for `Contact.model_validate`; raises ValueError naming the field."""
    nested: dict[str, Any] = {}
    for field, path in FLAT_FIELDS.items():
        column = mapping.column_for(field)
        if column not in row or _missing(row[column]):
            continue
        value = row[column]
        if field == "transcript":
            value = parse_transcript(str(value))
        elif field in JSON_FIELDS:
            value = _parse_json(field, value)
            if field == "labels" and isinstance(value, str):
                value = [value]
        elif field in {"id", "thread_id", "customer_id", "customer_phone", "label"} and not isinstance(value, str):
            # numeric ids in CSVs come back as numbers; keep them as the text the user sees
            value = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        target = nested
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = value
    nested.setdefault("id", f"{mapping.id_prefix}-{line}")
    if "channel" not in nested and mapping.default_channel is not None:
        nested["channel"] = mapping.default_channel.value
    if "language" not in nested and mapping.default_language:
        nested["language"] = mapping.default_language
    nested.setdefault("timestamp", UNKNOWN_TIME)
    if isinstance(nested["channel"] if "channel" in nested else None, str):
        nested["channel"] = nested["channel"].strip().lower()
    return nested


def flatten_contact(contact: Contact) -> dict[str, Any]:
    """The inverse of `row_to_contact_dict` with the identity mapping: one flat row, JSON for nested parts."""
    data = contact.model_dump(mode="json")
    row: dict[str, Any] = {}
    for field, path in FLAT_FIELDS.items():
        if field == "transcript":
            continue
        value: Any = data
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if field in JSON_FIELDS:
            value = json.dumps(value, ensure_ascii=False) if value else None
        row[field] = value
    return row

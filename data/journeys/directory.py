"""A customer directory from a CRM export seeds the journey store: `claimtriage journeys import-customers FILE`.

Each row is one customer: its customer code and the emails, phones and social handles the CRM knows. Importing makes
them the customer's own identifiers, so that a call from a registered number joins the customer who emailed from a
registered address. Rows are read from CSV, JSONL or Parquet; list-valued columns hold several values separated by
`;` (or are JSON lists). Re-importing the same file changes nothing. A row whose identifiers already belong to
another customer is a reported conflict, never a merge; a row without any identifier is reported with its line. The
import is one transaction: a failure stores nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import sqlalchemy as sa

from claimtriage.data.journeys.identity import (KeyHasher, TextIdentifiers, normalise_code, normalise_email,
                                               normalise_handle, normalise_phone)
from claimtriage.data.journeys.tables import Q, customers, identifiers
from claimtriage.data.journeys.writes import new_key

#: the directory's fields and the column names read by default (override with FIELD=COLUMN)
FIELDS = {"customer_id": "customer_id", "emails": "emails", "phones": "phones", "handles": "handles"}


@dataclass(frozen=True)
class DirectoryEntry:
    """One CRM customer: `line` is where it came from (for reports)."""

    line: int
    customer_id: str | None
    keys: frozenset[str]  # normalised identifier keys, `cid:` included


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0  # customers new to the store
    updated: int = 0  # existing customers that gained identifiers
    unchanged: int = 0  # rows already in the store as they are
    conflicts: list[str] = field(default_factory=list)  # "line N: ..." rows that touch another customer
    rejected: list[str] = field(default_factory=list)  # "line N: ..." rows that cannot be read

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "conflicts": self.conflicts, "rejected": self.rejected}


class DirectoryError(ValueError):
    """A directory file that cannot be read at all (the message names the file)."""


def _values(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    text = str(value).strip()
    if text.startswith("["):
        try:
            return _values(json.loads(text))
        except json.JSONDecodeError:
            pass
    return [v.strip() for v in text.replace(",", ";").split(";") if v.strip()]


def entry_from_row(line: int, row: dict[str, Any], mapping: dict[str, str] | None = None,
                   config: TextIdentifiers | None = None) -> DirectoryEntry:
    """Normalise one row. Raises ValueError naming the line and field for a value that is not an identifier, or a
    row with none; company identifiers (`config`) are refused the same way."""
    mapping = {**FIELDS, **(mapping or {})}
    config = config or TextIdentifiers()
    keys: set[str] = set()
    codes = _values(row.get(mapping["customer_id"]))
    if len(codes) > 1:
        raise ValueError(f"line {line}: {mapping['customer_id']}: one customer code per row, got {len(codes)}")
    cid = None
    if codes:
        if not (code := normalise_code(codes[0])):
            raise ValueError(f"line {line}: {mapping['customer_id']}: not a customer code: {codes[0]!r}")
        cid = f"cid:{code}"
        keys.add(cid)
    for name, kind, norm in (("emails", "email", normalise_email), ("phones", "phone", normalise_phone),
                             ("handles", "handle", normalise_handle)):
        for value in _values(row.get(mapping[name])):
            if not (normal := norm(value)):
                raise ValueError(f"line {line}: {mapping[name]}: not {'an' if kind == 'email' else 'a'} {kind}: "
                                 f"{value!r}")
            if config.is_company(f"{kind}:{normal}"):
                raise ValueError(f"line {line}: {mapping[name]}: {value!r} is one of the company's own identifiers")
            keys.add(f"{kind}:{normal}")
    if not keys:
        raise ValueError(f"line {line}: no identifier (customer code, email, phone or handle)")
    return DirectoryEntry(line=line, customer_id=cid, keys=frozenset(keys))


def read_directory(path: str | Path) -> list[tuple[int, dict[str, Any]]]:
    """(line, row) of a CSV, JSONL or Parquet file; lines count from 1 with the CSV header as line 1."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise DirectoryError(f"customer directory not found: {path}")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame, first = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8"), 2
        elif suffix in (".jsonl", ".ndjson"):
            frame, first = pd.read_json(path, lines=True, dtype=False), 1
        elif suffix == ".parquet":
            frame, first = pd.read_parquet(path), 1
        else:
            raise DirectoryError(f"{path}: expected .csv, .jsonl or .parquet")
    except UnicodeDecodeError as err:
        raise DirectoryError(f"{path}: not UTF-8 text (byte {err.start})") from None
    except ValueError as err:
        raise DirectoryError(f"{path}: cannot be read: {err}") from None
    return [(first + i, row) for i, row in enumerate(frame.to_dict(orient="records"))]


def import_entries(conn, entries: Iterable[DirectoryEntry], hasher: KeyHasher, report: ImportReport) -> ImportReport:
    """Seed the store behind `conn` (inside its write transaction: `JourneyStore.import_customers`) with directory
    entries; identifiers are stored as the store's keyed hashes only."""
    now = datetime.now(timezone.utc)
    for entry in entries:
        report.rows += 1
        hashed = DirectoryEntry(line=entry.line,
                                customer_id=hasher.key(entry.customer_id) if entry.customer_id else None,
                                keys=frozenset(hasher.key(k) for k in entry.keys))
        _import_one(conn, hashed, now, report)
    return report


def _import_one(conn, entry: DirectoryEntry, now: datetime, report: ImportReport) -> None:
    owners = dict(conn.execute(Q.owners, {"b_keys": sorted(entry.keys)}).all())
    holders = sorted(set(owners.values()))
    if len(holders) > 1:
        report.conflicts.append(f"line {entry.line}: its identifiers belong to {len(holders)} different customers "
                                f"({', '.join(holders)}); not imported")
        return
    if holders:
        customer = holders[0]
        held = conn.execute(sa.select(customers.c.customer_id).where(customers.c.key == customer)).scalar_one()
        if entry.customer_id and held and f"cid:{held}" != entry.customer_id:
            report.conflicts.append(f"line {entry.line}: its identifiers belong to {customer}, which holds another "
                                    f"customer code; not imported")
            return
    else:
        customer = new_key("cust")
        conn.execute(Q.insert_customer, dict(key=customer, customer_id=None, created_at=now))
        held = None
    if entry.customer_id and not held:
        conn.execute(Q.set_customer_id, {"b_key": customer, "customer_id": entry.customer_id.removeprefix("cid:")})
    new = sorted(k for k in entry.keys if k not in owners)
    if new:
        conn.execute(identifiers.insert(), [dict(key=k, customer_key=customer, first_seen=now) for k in new])
    if not holders:
        report.created += 1
    elif new or (entry.customer_id and not held):
        report.updated += 1
    else:
        report.unchanged += 1


def import_file(store, path: str | Path, mapping: dict[str, str] | None = None,
                config: TextIdentifiers | None = None) -> ImportReport:
    """Read, check and import a directory file: rows that cannot be read are reported and skipped; the rest are
    imported in one transaction."""
    report = ImportReport()
    entries = []
    rows = read_directory(path)
    columns = set(rows[0][1]) if rows else set()
    wanted = {**FIELDS, **(mapping or {})}
    missing = sorted(c for f, c in (mapping or {}).items() if c not in columns) if rows else []
    if rows and (missing or not columns & set(wanted.values())):
        raise DirectoryError(f"{path}: no column {', '.join(missing or sorted(wanted.values()))} (columns: "
                             f"{', '.join(sorted(columns))}); map yours with FIELD=COLUMN")
    unknown = sorted(set(mapping or {}) - set(FIELDS))
    if unknown:
        raise DirectoryError(f"unknown directory field {', '.join(unknown)}: the fields are {', '.join(FIELDS)}")
    for line, row in rows:
        try:
            entries.append(entry_from_row(line, row, mapping, config))
        except ValueError as err:
            report.rejected.append(str(err))
    report.rows = len(report.rejected)
    return store.import_customers(entries, report)

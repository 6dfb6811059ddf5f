"""Read Contacts from JSONL, CSV, Parquet or a `datasets` dataset (local or on the hub); write them back.

Lenient reading (the default) skips rows that cannot become Contacts and reports each one with its file, line, field
and reason; strict reading stops at the first. Nothing is dropped silently: `ReadResult.errors` holds every skip.
"""

from __future__ import annotations

import csv
import json
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from claimtriage.data.mapping import FLAT_FIELDS, ColumnMapping, RowError, flatten_contact, row_to_contact_dict
from claimtriage.data.schema import Contact

log = logging.getLogger(__name__)

HUB_PREFIX = "hf:"
JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}
CSV_SUFFIXES = {".csv", ".tsv"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
#: the file a contacts folder (e.g. the demo corpus) keeps its contacts in
FOLDER_FILE = "contacts.jsonl"


@dataclass
class ReadResult:
    """Contacts read from one source, and every row that was skipped with the reason."""

    source: str
    contacts: list[Contact] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    #: rows an adapter leaves out by design (e.g. complaints without a narrative), reason -> count
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def n_rows(self) -> int:
        return len(self.contacts) + len(self.errors) + sum(self.excluded.values())

    def error_report(self) -> dict[str, Any]:
        """Counts of skipped rows by field, and the first few in full."""
        return {
            "skipped": len(self.errors),
            "excluded": dict(self.excluded),
            "by_field": dict(Counter(e.field for e in self.errors).most_common()),
            "first": [e.as_dict() for e in self.errors[:10]],
        }


def _source_field(loc: tuple[Any, ...], mapping: ColumnMapping) -> str:
    """A schema location as the user knows it: the flat field and, when renamed, their column."""
    path = tuple(str(p) for p in loc if not isinstance(p, int))
    for flat, schema_path in FLAT_FIELDS.items():
        if path[: len(schema_path)] == schema_path and flat != "transcript":
            column = mapping.column_for(flat)
            name = ".".join(str(p) for p in loc) or "contact"
            return name if column == flat else f"{name} (column {column!r})"
    return ".".join(str(p) for p in loc) or "contact"


def _is_native(row: dict[str, Any]) -> bool:
    """A row already in the nested Contact shape (as `write_contacts` writes JSONL)."""
    return isinstance(row.get("customer"), dict) or isinstance(row.get("turns"), list) or "body" in row


def _to_contact(row: dict[str, Any], mapping: ColumnMapping, source: str, line: int) -> Contact:
    try:
        if _is_native(row) and not mapping.columns:
            payload = dict(row)
            if "channel" not in payload and mapping.default_channel is not None:
                payload["channel"] = mapping.default_channel.value
        else:
            payload = row_to_contact_dict(row, mapping, line)
        return Contact.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        reasons = "; ".join(f"{_source_field(e['loc'], mapping)}: {e['msg']}" for e in exc.errors())
        raise RowError(source, line, _source_field(first["loc"], mapping), reasons) from None
    except ValueError as exc:
        fieldname, _, reason = str(exc).partition(": ")
        raise RowError(source, line, fieldname if reason else "row", reason or str(exc)) from None


def _iter_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | Exception]]:
    with path.open(encoding="utf-8-sig") as handle:
        if path.suffix == ".json":
            first = handle.read(1)
            handle.seek(0)
            if first == "[":  # a JSON array of records rather than one record per line
                for index, row in enumerate(json.load(handle), start=1):
                    yield index, row
                return
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, RowError(str(path), number, "row", f"not valid JSON ({exc.msg} at column {exc.colno})")
                continue
            yield number, row if isinstance(row, dict) else RowError(str(path), number, "row", "not a JSON object")


def _iter_csv(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    delimiter = "\t" if path.suffix == ".tsv" else ","
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        start = 2
        for row in reader:
            # line_num is the physical line where the record ends; quoted newlines make records span lines
            yield start, {k: v for k, v in row.items() if k is not None}
            start = reader.line_num + 1


def _iter_parquet(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    import pyarrow.parquet as pq

    for index, row in enumerate(pq.read_table(path).to_pylist(), start=1):
        yield index, row


def _iter_dataset(dataset: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    for index, row in enumerate(dataset, start=1):
        yield index, row


def _load_hub_or_disk(source: str, split: str | None) -> Any:
    import datasets

    if source.startswith(HUB_PREFIX):
        name, _, config = source[len(HUB_PREFIX):].partition(":")
        try:
            return datasets.load_dataset(name, config or None, split=split or "train")
        except Exception as exc:  # the hub client raises many types; the user needs the name and the cause
            raise ValueError(f"cannot load dataset {name!r} from the hub ({type(exc).__name__}: {exc})") from exc
    loaded = datasets.load_from_disk(source)
    if isinstance(loaded, datasets.DatasetDict):
        if split is None:
            raise ValueError(f"{source} holds splits {sorted(loaded)}: choose one with split=")
        return loaded[split]
    return loaded


def iter_rows(source: str | Path, *, split: str | None = None) -> Iterator[tuple[int, dict[str, Any] | Exception]]:
    """(line or row number, raw row) pairs from any supported source."""
    text = str(source)
    if text.startswith(HUB_PREFIX):
        yield from _iter_dataset(_load_hub_or_disk(text, split))
        return
    path = Path(source)
    if path.is_dir():
        if (path / FOLDER_FILE).is_file():
            yield from _iter_jsonl(path / FOLDER_FILE)
        elif (path / "dataset_info.json").is_file() or (path / "dataset_dict.json").is_file():
            yield from _iter_dataset(_load_hub_or_disk(text, split))
        else:
            raise ValueError(f"{path} is a folder without {FOLDER_FILE} or a saved dataset")
        return
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        yield from _iter_jsonl(path)
    elif suffix in CSV_SUFFIXES:
        yield from _iter_csv(path)
    elif suffix in PARQUET_SUFFIXES:
        yield from _iter_parquet(path)
    else:
        raise ValueError(f"{path}: unknown format {suffix!r}; use .jsonl, .json, .csv, .tsv or .parquet")


def read_contacts(
    source: str | Path,
    *,
    mapping: ColumnMapping | None = None,
    strict: bool = False,
    split: str | None = None,
) -> ReadResult:
    """Every row of `source` as a Contact. Lenient: bad rows are collected in `errors`; strict: the first raises."""
    mapping = mapping or ColumnMapping()
    name = str(source / FOLDER_FILE) if isinstance(source, Path) and source.is_dir() else str(source)
    result = ReadResult(source=name)
    for line, row in iter_rows(source, split=split):
        try:
            if isinstance(row, Exception):
                raise row
            result.contacts.append(_to_contact(row, mapping, name, line))
        except RowError as error:
            if strict:
                raise
            result.errors.append(error)
    if result.errors:
        log.warning("io.rows_skipped source=%s skipped=%d of=%d", name, len(result.errors), result.n_rows)
    return result


def write_contacts(contacts: Iterable[Contact], path: str | Path) -> Path:
    """Write contacts by extension: JSONL keeps the nested shape; CSV and Parquet are flat with JSON for nested parts."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    tmp = path.with_name(path.name + ".tmp")
    if suffix in {".jsonl", ".ndjson"}:
        with tmp.open("w", encoding="utf-8") as handle:
            for contact in contacts:
                handle.write(contact.model_dump_json(exclude_none=True) + "\n")
    elif suffix in CSV_SUFFIXES | PARQUET_SUFFIXES:
        import pandas as pd

        frame = pd.DataFrame([flatten_contact(c) for c in contacts], columns=[f for f in FLAT_FIELDS if f != "transcript"])
        if suffix in CSV_SUFFIXES:
            frame.to_csv(tmp, index=False, sep="\t" if suffix == ".tsv" else ",")
        else:
            frame.to_parquet(tmp, index=False)
    else:
        raise ValueError(f"{path}: unknown format {suffix!r}; use .jsonl, .csv, .tsv or .parquet")
    tmp.replace(path)  # never leave a half-written file where a reader would find it
    return path


def to_dataset(contacts: Iterable[Contact]) -> Any:
    """A `datasets.Dataset` of flat rows, for users who train with the Hugging Face stack."""
    import datasets

    return datasets.Dataset.from_list([flatten_contact(c) for c in contacts])

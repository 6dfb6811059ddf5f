"""Assemble each head's train / validation / test examples from its configured sources, without leakage.

A source with splits of its own keeps them (the roles are named in `SplitConfig`); whatever has no split, or a role
that no source split fills, is carved with `data.splits.split_contacts`. Validation calibrates and chooses
thresholds; test is never seen in training or model selection. Texts that occur in validation or test are removed
from train, so a duplicate across a source's own splits cannot leak. Heads are parts of one model and may read the
same source (STC-3 threads teach complexity and sentiment): a contact in any head's test role is removed from every
other head's train and validation roles too (`hold_out_across_heads`).

How the rest is carved is `SplitConfig.method` (or a head's `split_method`): `grouped` divides all contacts at once
by conversation or customer (the demo corpus and the reference sets); `stratified` divides each label on its own
(`data.splits.stratified_split`), so a user's label-sorted export and the same file shuffled give the same labels
in every role and every label with enough examples is trained on; it is what `claimtriage train --train-file` uses.

A user's file is checked before anything is trained: not UTF-8, a named column missing, rows that cannot be read,
rows without a label, one label only, a label too rare to be validated. Errors (ValueError) and warnings
(`HeadData.warnings`, logged and written to metrics.json) name the file, the line and the column.
"""

from __future__ import annotations

import csv
import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from claimtriage.data.schema import Contact
from claimtriage.data.sources import load_source
from claimtriage.data.splits import normalised_text, split_contacts, stratified_split
from claimtriage.training.config import HeadTrainConfig, SourceConfig, SplitConfig, SplitMethod
from claimtriage.training.labels import Examples, build_examples, head_label

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HeadData:
    train: Examples
    validation: Examples
    test: Examples
    #: what the user should know about their data (rare labels, skipped rows), each naming file, line and column
    warnings: tuple[str, ...] = ()

    def sizes(self) -> dict[str, int]:
        return {"n_train": len(self.train), "n_validation": len(self.validation), "n_test": len(self.test)}


def hold_out_across_heads(data: dict[str, HeadData]) -> dict[str, int]:
    """Drop from every head's train and validation roles the contacts (same id, or same customer words) that any
    head holds out for test, so a figure that scores one head on another head's test contacts (the STC-3
    satisfaction correlation of the sentiment head, on the complexity head's test threads) stays honest. Changes
    `data` in place; returns the examples each head lost (heads that lost none are left out).

    Ids are compared with the other heads' test contacts only: a head's own test role may come from another file
    whose generated ids (`row-<line>`) repeat its training file's, and its own duplicates are already gone by text
    (`assign_roles`)."""
    texts = {normalised_text(c) for d in data.values() for c in d.test.contacts}
    lost: dict[str, int] = {}
    for name, head in data.items():
        ids = {c.id for other, d in data.items() if other != name for c in d.test.contacts}
        roles = {}
        for role in ("train", "validation"):
            ex = getattr(head, role)
            keep = [i for i, c in enumerate(ex.contacts) if c.id not in ids and normalised_text(c) not in texts]
            roles[role] = Examples([ex.contacts[i] for i in keep], [ex.texts[i] for i in keep],
                                   [ex.labels[i] for i in keep])
            if len(keep) < len(ex):
                lost[name] = lost.get(name, 0) + len(ex) - len(keep)
        if not len(roles["train"]):
            raise ValueError(f"head {name!r}: every training example is another head's test example")
        data[name] = HeadData(train=roles["train"], validation=roles["validation"], test=head.test,
                              warnings=head.warnings)
    if lost:
        log.info("training.held_out_across_heads removed=%s", lost)
    return lost


CSV_SUFFIXES = {".csv": ",", ".tsv": "\t"}
TEXT_SUFFIXES = {".csv", ".tsv", ".jsonl", ".ndjson", ".json"}
#: the flat field (data.mapping) each head label is read from
LABEL_FIELDS = {"claim": "label", "claims": "labels", "sentiment": "sentiment", "complexity": "complexity",
                "derived_sentiment": "sentiment"}
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def _not_utf8(path: Path) -> str | None:
    """Where a text file stops being UTF-8: `file:line: column 'x': ...`, or None when it is UTF-8 throughout.

    Read line by line in bytes (a newline never occurs inside a UTF-8 sequence); the column is the header's name
    of the CSV cell the bad byte falls in (a quoted value spanning lines is named by its physical line)."""
    delimiter = CSV_SUFFIXES.get(path.suffix.lower())
    header: list[str] = []
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                where = ""
                if delimiter and header and number > 1:
                    cell, quoted = 0, False
                    for byte in raw[: exc.start]:
                        if byte == ord('"'):
                            quoted = not quoted
                        elif byte == ord(delimiter) and not quoted:
                            cell += 1
                    where = f" column {header[cell]!r}:" if cell < len(header) else ""
                return (f"{path}:{number}:{where} not UTF-8 (byte 0x{raw[exc.start]:02x} at character "
                        f"{exc.start + 1} of the line); save the file as UTF-8, e.g. iconv -f latin1 -t utf-8")
            if number == 1 and delimiter:
                header = next(csv.reader([line], delimiter=delimiter), [])
    return None


def _columns(path: Path) -> list[str] | None:
    """The column names of a CSV, TSV or Parquet file (None for other formats, whose rows may differ)."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return next(csv.reader(handle, delimiter=CSV_SUFFIXES[suffix]), [])
    if suffix in {".parquet", ".pq"}:
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    return None


def check_file(source: SourceConfig) -> None:
    """A user's file, before it is read: UTF-8, and every column the mapping names is there. Raises ValueError."""
    path = Path(source.source)
    if not path.is_file():
        return
    if path.suffix.lower() in TEXT_SUFFIXES and (problem := _not_utf8(path)):
        raise ValueError(problem)
    columns = _columns(path)
    if columns is None:
        return
    for field, column in source.mapping.columns.items():
        if column not in columns:
            if field in LABEL_FIELDS.values():
                what, hint = "the label", "; no labelled training examples: name yours with --label-column"
            else:
                what, hint = f"field {field!r}", "; name yours with --text-column" if field == "text" else ""
            raise ValueError(f"{path}:1: no column {column!r} for {what} (its columns: {', '.join(columns)}){hint}")


def _row_problem(source: SourceConfig, result) -> str:
    """One sentence on the rows of `source` that could not be read, naming the first one's line and column."""
    first, n = result.errors[0], len(result.errors)
    if all("empty contact" in e.reason for e in result.errors):
        column = source.mapping.column_for("text")
        return (f"{first.source}:{first.line}: column {column!r}: empty text on {n} row(s) "
                f"(lines {', '.join(str(e.line) for e in result.errors[:5])}{', ...' if n > 5 else ''})")
    by_field = ", ".join(f"{field} {count}" for field, count in Counter(e.field for e in result.errors).most_common(3))
    reason = first.reason if first.reason.startswith(first.field) else f"{first.field}: {first.reason}"
    return f"{source.source}: {n} row(s) could not be read ({by_field}); first: {first.source}:{first.line}: {reason}"


def load_contacts(source: SourceConfig, notes: list[str] | None = None) -> list[Contact]:
    """Contacts of one source, filtered by language when the config says so.

    A user's file is checked first (`check_file`); a file none of whose rows can be read is an error naming the first
    bad line and column; skipped rows are a warning (appended to `notes`) that does the same."""
    check_file(source)
    try:
        result = load_source(source.source, mapping=source.mapping, split=source.split)
    except UnicodeDecodeError as exc:  # a format check_file does not read line by line
        raise ValueError(f"{source.source}: not UTF-8 ({exc.reason} at byte {exc.start}); save the file as UTF-8") from None
    if result.errors and not result.contacts:
        raise ValueError(f"{_row_problem(source, result)}; no row of {source.source} can be used")
    if result.errors:
        message = f"{_row_problem(source, result)}; those rows are left out"
        log.warning("training.rows_skipped %s", message)
        if notes is not None:
            notes.append(message)
    if result.excluded:
        log.warning("training.rows_excluded source=%s excluded=%s", source.source, result.excluded)
    contacts = result.contacts
    if source.languages:
        wanted = set(source.languages)
        contacts = [c for c in contacts if c.language in wanted]
    return contacts[: source.limit] if source.limit else contacts


def assign_roles(contacts: list[Contact], split: SplitConfig, seed: int,
                 fixed_test: list[Contact] | None = None, *, method: SplitMethod | None = None,
                 label_of: Callable[[Contact], str | list[str] | None] | None = None) -> dict[str, list[Contact]]:
    """train / validation / test contacts: a fixed test set or the sources' own splits first, the rest carved
    without leakage (`method`, default `split.method`: grouped over all contacts, or stratified by `label_of`)."""
    roles: dict[str, list[Contact]] = {"train": [], "validation": [], "test": list(fixed_test or [])}
    pool: list[Contact] = []
    unassigned: dict[str, int] = {}
    for contact in contacts:
        own = contact.metadata.get("split")
        if own is None or own in split.train_splits:
            pool.append(contact)
        elif own in split.test_splits and fixed_test is None:
            roles["test"].append(contact)
        elif own in split.validation_splits:
            roles["validation"].append(contact)
        else:  # a source split the config gives no role, e.g. an unlabelled test set
            unassigned[own] = unassigned.get(own, 0) + 1
    if unassigned:
        log.info("training.splits_unused counts=%s", unassigned)
    missing = [name for name in ("validation", "test") if not roles[name]]
    if missing:
        fractions = (
            1.0 - (split.validation if "validation" in missing else 0) - (split.test if "test" in missing else 0),
            split.validation if "validation" in missing else 0.0,
            split.test if "test" in missing else 0.0,
        )
        if (method or split.method) == "stratified":
            carved = stratified_split(pool, fractions=fractions, seed=seed, group_by=split.group_by, label_of=label_of)
        else:
            carved = split_contacts(pool, fractions=fractions, seed=seed, group_by=split.group_by)
        pool = carved["train"]
        for name in missing:
            roles[name] = carved[name]
    held_out = {normalised_text(c) for name in ("validation", "test") for c in roles[name]}
    roles["train"] = [c for c in pool if normalised_text(c) not in held_out]
    dropped = len(pool) - len(roles["train"])
    if dropped:
        log.info("training.duplicates_removed from_train=%d", dropped)
    return roles


class SourceCache:
    """Sources loaded and contacts normalised once per training, however many heads read them."""

    def __init__(self) -> None:
        self.contacts: dict[str, list[Contact]] = {}
        self.normalised: dict[int, object] = {}
        #: warnings about each source's rows, by source key
        self.notes: dict[str, list[str]] = {}
        #: where each loaded contact comes from, `file:line` (by object identity), for messages
        self.origin: dict[int, str] = {}

    def load(self, source: SourceConfig) -> list[Contact]:
        key = source.model_dump_json()
        if key not in self.contacts:
            notes: list[str] = []
            self.contacts[key] = load_contacts(source, notes)
            self.notes[key] = notes
            generated = re.compile(rf"^{re.escape(source.mapping.id_prefix)}-(\d+)$")
            for contact in self.contacts[key]:
                line = generated.match(contact.id)
                self.origin[id(contact)] = (f"{source.source}:{line.group(1)}" if line
                                            else f"{source.source} (id {contact.id})")
        return self.contacts[key]

    def where(self, contacts: list[Contact], limit: int = 3) -> str:
        """`file:line` of the first few of `contacts`."""
        places = [self.origin.get(id(c), c.id) for c in contacts[:limit]]
        return ", ".join(places) + (", ..." if len(contacts) > limit else "")


def _label_column(config: HeadTrainConfig) -> str:
    if config.label not in LABEL_FIELDS:
        return f"label {config.label!r}"
    return f"column {config.sources[0].mapping.column_for(LABEL_FIELDS[config.label])!r}"


def _check_labels(config: HeadTrainConfig, contacts: list[Contact], built: dict[str, Examples],
                  cache: SourceCache, carved_validation: bool) -> list[str]:
    """Raise when the training data cannot teach a classifier; return warnings about labels and unlabelled rows."""
    notes: list[str] = []
    files = ", ".join(s.source for s in config.sources)
    column = _label_column(config)
    # a file whose label column the user named: its rows without a label are worth a word (a corpus's are not)
    named = any(LABEL_FIELDS.get(config.label) in s.mapping.columns for s in config.sources)
    unlabelled = [c for c in contacts if head_label(c, config.label) is None] if named else []
    if unlabelled:
        notes.append(f"{len(unlabelled)} row(s) without a label in {column} are not used ({cache.where(unlabelled)})")
    pool = built["train"].labels + built["validation"].labels
    if not pool or not isinstance(pool[0], str):
        return notes  # multi-label sets: every set is its own combination, nothing to check per label
    counts = Counter(pool)
    if len(counts) < 2:
        raise ValueError(f"{files}: every labelled row has the same label {next(iter(counts))!r} in {column} "
                         f"({counts.most_common(1)[0][1]} rows: {cache.where(built['train'].contacts)}): a "
                         "classifier needs at least two labels")
    if all(_NUMBER.match(label) for label in counts):
        notes.append(f"the labels in {column} of {files} are numbers ({', '.join(sorted(counts)[:5])}): they are "
                     "used as label names, as written")
    in_validation = set(built["validation"].labels)
    if carved_validation and in_validation:
        for label in sorted(set(built["train"].labels) - in_validation):
            rows = [c for c, lab in zip(built["train"].contacts, built["train"].labels, strict=True) if lab == label]
            notes.append(f"label {label!r} in {column} has only {len(rows)} example(s) ({cache.where(rows)}): "
                         "it is trained on but neither calibrated nor validated; add examples")
    return notes


def head_data(config: HeadTrainConfig, split: SplitConfig, seed: int, cache: SourceCache | None = None) -> HeadData:
    """Examples for one head, in three roles."""
    cache = cache or SourceCache()
    contacts = [c for source in config.sources for c in cache.load(source)]
    fixed_test = [c for source in config.test_sources for c in cache.load(source)] if config.test_sources else None
    roles = assign_roles(contacts, split, seed, fixed_test, method=config.split_method,
                         label_of=lambda c: head_label(c, config.label))
    built = {name: build_examples(roles[name], label=config.label, view=config.text, cache=cache.normalised)
             for name in roles}
    if config.unseen_labels:
        unseen = set(config.unseen_labels)
        for name in ("train", "validation"):
            ex = built[name]
            keep = [i for i, lab in enumerate(ex.labels) if lab not in unseen]
            built[name] = Examples([ex.contacts[i] for i in keep], [ex.texts[i] for i in keep], [ex.labels[i] for i in keep])
    if not len(built["train"]):
        raise ValueError(f"no labelled training examples for label {config.label!r} in {[s.source for s in config.sources]}")
    notes = [note for source in (*config.sources, *config.test_sources)
             for note in cache.notes.get(source.model_dump_json(), [])]
    carved = not any(c.metadata.get("split") in split.validation_splits for c in contacts)
    notes += _check_labels(config, contacts, built, cache, carved_validation=carved)
    for note in notes:
        log.warning("training.data %s", note)
    return HeadData(**built, warnings=tuple(dict.fromkeys(notes)))

"""One way to name any data: a shared public set or a view of one, a file, a contacts folder, a saved dataset or
`hf:NAME`."""

from __future__ import annotations

from pathlib import Path

from claimtriage.data.io import ReadResult, read_contacts
from claimtriage.data.mapping import ColumnMapping


def load_source(
    source: str | Path,
    *,
    mapping: ColumnMapping | None = None,
    strict: bool = False,
    split: str | None = None,
) -> ReadResult:
    """Contacts from `source`: a shared set's folder name or path (through its adapter), else a file or folder."""
    from claimtriage.data.adapters import SHARED_SETS, VIEWS, detect_shared_set, load_shared, load_view

    text = str(source)
    if text in VIEWS:
        loaded = load_view(text)
        return ReadResult(source=text, contacts=list(loaded), excluded=dict(loaded.skipped))
    if text in SHARED_SETS or (Path(text).is_dir() and detect_shared_set(Path(text)) is not None):
        loaded = load_shared(text, split=split)
        return ReadResult(source=text, contacts=list(loaded), excluded=dict(loaded.skipped))
    return read_contacts(source, mapping=mapping, strict=strict, split=split)

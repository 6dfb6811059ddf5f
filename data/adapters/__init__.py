"""The public labelled sets in `../shared/datasets`, each read by its own adapter into Contacts.

`load_shared("xlmt_sentiment", split="validation")` reads a set by folder name under `shared_datasets_dir()`;
`load_shared(Path("/my/copy/of/xlmt"))` reads the same files from anywhere, recognised by folder name or by its files.
Every adapter module (`data/adapters/<set>.py`) documents its splits, label mapping, ids and what it leaves out;
what it leaves out is counted in `LoadedContacts.skipped` and logged as `adapters.skipped`, never dropped silently.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Protocol

from claimtriage.data.adapters._common import SOURCE_EPOCH, LoadedContacts
from claimtriage.data.paths import shared_datasets_dir

log = logging.getLogger(__name__)

#: the shared sets with an adapter, by folder name (abcd is guidelines and an ontology, not contacts)
SHARED_SETS: tuple[str, ...] = (
    "bitext_customer_support",
    "cfpb_complaints",
    "stc3_helpdesk_dq",
    "ibm_twitter_customer_care",
    "xlmt_sentiment",
    "nlupp",
    "xsid",
    "emoita_vad",
    "hwu64",
)

#: derived views of a shared set: view name -> (set, loader function of its adapter); e.g. Bitext relabelled onto
#: this project's claim types (bitext_customer_support.load_claim_types), or requests that are none of them, labelled
#: out_of_scope (hwu64.load_out_of_scope, xsid.load_out_of_scope)
VIEWS: dict[str, tuple[str, str]] = {
    "bitext_claim_types": ("bitext_customer_support", "load_claim_types"),
    "hwu64_out_of_scope": ("hwu64", "load_out_of_scope"),
    "hwu64_out_of_scope_test": ("hwu64", "load_out_of_scope_test"),
    "xsid_out_of_scope": ("xsid", "load_out_of_scope"),
}

__all__ = [
    "SHARED_SETS", "VIEWS", "load_view", "SOURCE_EPOCH", "Adapter", "LoadedContacts", "adapter_for", "detect_shared_set", "load_shared",
]


class Adapter(Protocol):
    """What each adapter module provides."""

    NAME: str
    #: the source's own split names (empty when it has none)
    SPLITS: tuple[str, ...]
    #: glob patterns, relative to a set's folder, of files that identify the set
    MARKERS: tuple[str, ...]

    def load(self, root: Path, split: str | None = None, limit: int | None = None) -> LoadedContacts: ...


def _known() -> str:
    return ", ".join(SHARED_SETS)


def adapter_for(name: str) -> Adapter:
    """The adapter module of a shared set, by its folder name."""
    if name not in SHARED_SETS:
        raise ValueError(f"unknown shared set {name!r}; known sets: {_known()}")
    module: Adapter = importlib.import_module(f"claimtriage.data.adapters.{name}")  # type: ignore[assignment]
    return module


def detect_shared_set(path: Path) -> str | None:
    """Which shared set a folder holds: by its name, else by its files; None when none or several match."""
    path = Path(path)
    if not path.is_dir():
        return None
    if path.name in SHARED_SETS:
        return path.name
    found = [name for name in SHARED_SETS if any(next(path.glob(m), None) for m in adapter_for(name).MARKERS)]
    return found[0] if len(found) == 1 else None


def _resolve(name_or_path: str | Path) -> tuple[str, Path]:
    text = str(name_or_path)
    if isinstance(name_or_path, str) and text in SHARED_SETS:
        base = shared_datasets_dir()
        if not base.is_dir():
            raise FileNotFoundError(
                f"shared datasets folder not found at {base}: set CLAIMTRIAGE_DATASETS to the folder holding "
                f"{_known()}"
            )
        root = base / text
        if not root.is_dir():
            raise FileNotFoundError(f"shared set {text!r} not found at {root}")
        return text, root
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        name = detect_shared_set(path)
        if name is None:
            raise ValueError(f"{path} does not hold exactly one known shared set; known sets: {_known()}")
        return name, path
    raise ValueError(f"unknown shared set {text!r} (not an existing folder either); known sets: {_known()}")


def load_shared(
    name_or_path: str | Path, *, split: str | None = None, limit: int | None = None
) -> LoadedContacts:
    """Contacts of a shared set (a name in SHARED_SETS or a folder holding one), in source order.

    `split` is the source's own split where it has one (see each adapter; "val"/"valid"/"dev" mean "validation");
    None reads every row. `limit` keeps the first N contacts (then `skipped` counts only the rows read so far).
    """
    name, root = _resolve(name_or_path)
    contacts = adapter_for(name).load(root, split, limit)
    if contacts.skipped:
        # counts only: logs never carry customer text
        log.info("adapters.skipped set=%s split=%s %s", name, split, contacts.skipped)
    return contacts


def load_view(name: str) -> LoadedContacts:
    """The contacts of a derived view (a name in VIEWS), read from its shared set's folder."""
    base, function = VIEWS[name]
    _, root = _resolve(base)
    contacts = getattr(adapter_for(base), function)(root)
    if contacts.skipped:
        log.info("adapters.skipped set=%s %s", name, contacts.skipped)
    return contacts

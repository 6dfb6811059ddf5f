"""xSID 0.5 virtual-assistant requests, Italian and English in parallel, as one-turn chat contacts.

Files `<lang>.<split>.conll` for it and en: splits `validation` (valid, 300 per language) and `test` (500); the
training files are not in the store. labels.claim is the sentence's `# intent` (15-16 intents). The requests are
typed translations of assistant commands, not speech recognition output, so the channel is chat, not phone.

The two languages are parallel line by line (checked: the Italian `# text-en` equals the English `# text`), so the
pair shares thread_id `xsid-<split>-<id>` (and metadata["parallel_id"]): `data.splits` keeps a request and its
translation in the same split. Ids: `xsid-<lang>-<split>-<id>`; metadata["slots"] lists the slot types (from the
B- tags). No source time.

`load_out_of_scope` is the `xsid_out_of_scope` view: the validation requests of both languages (alarms, reminders,
weather, music, restaurants, films: none of a contact centre's claim types) relabelled `out_of_scope`, as Italian and
English examples of what a claim head must not force into a claim type. The test split is never read by it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from claimtriage.data.adapters._common import SOURCE_EPOCH, LoadedContacts, canonical_split, collect, customer_turn
from claimtriage.data.schema import OUT_OF_SCOPE, Channel, Contact, Labels

NAME = "xsid"
SPLITS = ("validation", "test")
LANGUAGES = ("it", "en")
MARKERS = ("**/it.test.conll", "**/en.test.conll", "**/it.valid.conll")
_FILE_SPLITS = {"validation": "valid", "test": "test"}


def _sentences(path: Path) -> Iterator[dict[str, str]]:
    """One dict per CoNLL sentence: its `# key = value` comments and `slots` from the B- tags."""
    current: dict[str, str] = {}
    slots: list[str] = []
    for line in [*path.read_text(encoding="utf-8").split("\n"), ""]:
        line = line.rstrip("\r")
        if not line.strip():
            if current:
                current["slots"] = ",".join(dict.fromkeys(slots))
                yield current
            current, slots = {}, []
        elif line.startswith("#"):
            key, sep, value = line[1:].partition(" = ")
            if sep:
                current[key.strip()] = value.strip()
        else:
            tag = line.split("\t")[-1]
            if tag.startswith("B-"):
                slots.append(tag[2:])


def _contacts(root: Path, splits: tuple[str, ...]) -> Iterator[Contact]:
    for split in splits:
        for lang in LANGUAGES:
            matches = sorted(root.rglob(f"{lang}.{_FILE_SPLITS[split]}.conll"))
            if not matches:
                continue
            for index, sentence in enumerate(_sentences(matches[0]), start=1):
                parallel = f"{split}-{index:03d}"
                yield Contact(
                    id=f"xsid-{lang}-{parallel}",
                    channel=Channel.chat,
                    timestamp=SOURCE_EPOCH,
                    language=lang,
                    turns=customer_turn(sentence["text"]),
                    thread_id=f"xsid-{parallel}",
                    labels=Labels(claim=sentence["intent"]),
                    metadata={"source": NAME, "split": split, "parallel_id": parallel, "slots": sentence["slots"]},
                )


def load(root: Path, split: str | None = None, limit: int | None = None) -> LoadedContacts:
    """xSID it/en requests under `root`: split "validation" (valid), "test" or None for both."""
    wanted = canonical_split(NAME, split, SPLITS)
    if not any(root.rglob("*.conll")):
        raise FileNotFoundError(f"{root}: no xSID .conll files")
    return collect(_contacts(root, (wanted,) if wanted else SPLITS), source=NAME, split=wanted, limit=limit)


def load_out_of_scope(root: Path) -> LoadedContacts:
    """The `xsid_out_of_scope` view: validation requests in Italian and English, each labelled `out_of_scope` (the
    intent stays in labels.signals["intent"]); a request and its translation keep one thread_id. xSID's split is kept
    as metadata["source_split"], so a training config carves its own roles from the view."""
    if not any(root.rglob("*.conll")):
        raise FileNotFoundError(f"{root}: no xSID .conll files")
    kept = []
    for contact in _contacts(root, ("validation",)):
        contact.labels.signals["intent"] = contact.labels.claim
        contact.labels.claim = OUT_OF_SCOPE
        # examples to train on, not xSID's validation role: a config carves its own roles from the view
        contact.metadata["source_split"] = contact.metadata.pop("split")
        kept.append(contact)
    return collect(iter(kept), source="xsid_out_of_scope", split=None, limit=None)

"""NTCIR-14 STC-3 customer-helpdesk dialogues (English translation) as multi-turn social threads.

Splits from the file names: `train` (train_data_en.json, 1,672 dialogues, annotated) and `test` (test_data_en.json,
390 dialogues, no annotations in this snapshot: their labels are None). The helpdesk speaks as `agent`; a turn's
utterances are joined with newlines; turns left empty by the crawl (emoji, photos) are dropped and counted per contact
in metadata["empty_turns"]. thread_id is the dialogue id; contact ids are `stc3-<dialogue id>`. No source time.

labels.signals (train only), over the 19 annotators: A (task accomplished), S (customer satisfaction), E (efficiency)
as means in -2..2, their standard deviations A_sd / S_sd / E_sd, and two nugget shares in 0..1:
`solution_stated` (annotators who marked a helpdesk turn HNUG*) and `solution_confirmed` (a customer turn CNUG*).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from statistics import fmean, pstdev
from typing import Any

from claimtriage.data.adapters._common import SOURCE_EPOCH, LoadedContacts, canonical_split, collect
from claimtriage.data.schema import Channel, Contact, Labels, Speaker, Turn

NAME = "stc3_helpdesk_dq"
SPLITS = ("train", "test")
FILES = {"train": "train_data_en.json", "test": "test_data_en.json"}
MARKERS = tuple(f"**/{f}" for f in FILES.values())
_SPEAKERS = {"customer": Speaker.customer, "helpdesk": Speaker.agent}


def _signals(annotations: list[dict[str, Any]]) -> dict[str, float | str]:
    signals: dict[str, float | str] = {}
    for score in ("A", "S", "E"):
        values = [float(a["quality"][score]) for a in annotations]
        signals[score] = round(fmean(values), 4)
        signals[f"{score}_sd"] = round(pstdev(values), 4)
    nuggets = [set(a.get("nugget", [])) for a in annotations]
    signals["solution_stated"] = round(fmean("HNUG*" in n for n in nuggets), 4)
    signals["solution_confirmed"] = round(fmean("CNUG*" in n for n in nuggets), 4)
    return signals


def _contact(dialogue: dict[str, Any], split: str) -> Contact:
    turns, empty = [], 0
    for turn in dialogue["turns"]:
        text = "\n".join(u.strip() for u in turn["utterances"] if u.strip())
        if text:
            turns.append(Turn(speaker=_SPEAKERS[turn["sender"]], text=text))
        else:
            empty += 1
    annotations = dialogue.get("annotations") or []
    metadata = {"source": NAME, "split": split}
    if empty:
        metadata["empty_turns"] = str(empty)
    return Contact(
        id=f"stc3-{dialogue['id']}",
        channel=Channel.social,
        timestamp=SOURCE_EPOCH,
        language="en",
        turns=turns,
        thread_id=str(dialogue["id"]),
        labels=Labels(signals=_signals(annotations)) if annotations else None,
        metadata=metadata,
    )


def _contacts(root: Path, splits: tuple[str, ...]) -> Iterator[Contact]:
    for split in splits:
        matches = sorted(root.rglob(FILES[split]))
        if not matches:
            raise FileNotFoundError(f"{root}: no {FILES[split]} for the {split} split")
        for dialogue in json.loads(matches[0].read_text(encoding="utf-8")):
            yield _contact(dialogue, split)


def load(root: Path, split: str | None = None, limit: int | None = None) -> LoadedContacts:
    """STC-3 English dialogues under `root`: split "train", "test" or None for both."""
    wanted = canonical_split(NAME, split, SPLITS)
    splits = (wanted,) if wanted else tuple(s for s in SPLITS if any(root.rglob(FILES[s])))
    if not splits:
        raise FileNotFoundError(f"{root}: no STC-3 English file ({' or '.join(FILES.values())})")
    return collect(_contacts(root, splits), source=NAME, split=wanted, limit=limit)

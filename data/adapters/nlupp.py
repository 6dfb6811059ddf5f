"""NLU++ banking and hotels requests with several intents at once, as one-turn chat contacts.

Files `data/<domain>/fold<N>.json` (banking 2,071 rows, hotels 1,009; 20 folds each). labels.claims holds every
intent in source order (some rows have none: slot-only answers such as "today"); labels.claim is that intent when
there is exactly one, else None, since the intents are composable modules ("how_much" + "transfer_payment_deposit"),
not one claim type. signals: domain. metadata: fold, domain, slots (slot names, comma-separated).

The fold is the source's split unit: split="fold<N>" (or "<N>") selects fold N of both domains; None = all folds.
Ids: `nlupp-<domain>-f<NN>-<row>`; no source time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from claimtriage.data.adapters._common import SOURCE_EPOCH, LoadedContacts, collect, customer_turn
from claimtriage.data.schema import Channel, Contact, Labels

NAME = "nlupp"
DOMAINS = ("banking", "hotels")
N_FOLDS = 20
SPLITS = tuple(f"fold{n}" for n in range(N_FOLDS))
MARKERS = ("**/banking/fold0.json", "**/hotels/fold0.json")
_FOLD = re.compile(r"^(?:fold)?(\d+)$")


def _fold(split: str | None) -> int | None:
    if split is None:
        return None
    match = _FOLD.match(split.strip().lower())
    if not match or int(match.group(1)) >= N_FOLDS:
        raise ValueError(f"{NAME} splits are its folds: fold0 .. fold{N_FOLDS - 1} (got {split!r})")
    return int(match.group(1))


def _domain_dir(root: Path, domain: str) -> Path | None:
    matches = sorted(p.parent for p in root.rglob(f"{domain}/fold0.json"))
    return matches[0] if matches else None


def _contacts(root: Path, fold: int | None) -> Iterator[Contact]:
    folds = range(N_FOLDS) if fold is None else (fold,)
    dirs = {d: _domain_dir(root, d) for d in DOMAINS}
    if not any(dirs.values()):
        raise FileNotFoundError(f"{root}: no NLU++ folds (banking/fold0.json, hotels/fold0.json)")
    for domain, directory in dirs.items():
        if directory is None:
            continue
        for n in folds:
            path = directory / f"fold{n}.json"
            if not path.is_file():
                continue
            for row, example in enumerate(json.loads(path.read_text(encoding="utf-8"))):
                intents = list(example.get("intents", []))
                yield Contact(
                    id=f"nlupp-{domain}-f{n:02d}-{row:03d}",
                    channel=Channel.chat,
                    timestamp=SOURCE_EPOCH,
                    language="en",
                    turns=customer_turn(example["text"]),
                    labels=Labels(claim=intents[0] if len(intents) == 1 else None, claims=intents,
                                  signals={"domain": domain}),
                    metadata={"source": NAME, "split": f"fold{n}", "fold": str(n), "domain": domain,
                              "slots": ",".join(example.get("slots", {}))},
                )


def load(root: Path, split: str | None = None, limit: int | None = None) -> LoadedContacts:
    """NLU++ examples under `root`, both domains: split "fold<N>" for one fold, None for all."""
    fold = _fold(split)
    return collect(_contacts(root, fold), source=NAME, split=None if fold is None else f"fold{fold}", limit=limit)

"""EmoITA: 10,062 Italian sentences with valence / arousal / dominance, as written web-form bodies.

`corpus/EmoITA.csv` (id, text, V, A, D; means of 7 annotators on a ~1..5 scale, observed up to 5.5). The texts are
translated news, fiction, letters and headlines, not posts, so the channel is web_form: one written body, no thread.
signals: V, A, D. labels.sentiment_score = (V - 3) / 2 clipped to [-1, 1] (3 is the scale's neutral middle; the
sentiment label is left unset because V has no agreed cut points). No source splits.

Sentences of one source document (EmoBank ids `<document>_<start>_<end>`) share thread_id `emoita-<document>`, so a
split never puts neighbouring sentences of one letter or story on both sides; SemEval headlines (`SemEval_<n>`)
stand alone (thread_id None). Ids: `emoita-<EmoBank id>`; no source time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from claimtriage.data.adapters._common import SOURCE_EPOCH, LoadedContacts, canonical_split, collect
from claimtriage.data.schema import Channel, Contact, Labels

NAME = "emoita_vad"
SPLITS: tuple[str, ...] = ()
MARKERS = ("**/EmoITA.csv",)


def sentiment_score(valence: float) -> float:
    """Valence (1..5, 3 neutral) as a score in [-1, 1]."""
    return max(-1.0, min(1.0, (valence - 3.0) / 2.0))


def _document(source_id: str) -> str | None:
    parts = source_id.rsplit("_", 2)
    return parts[0] if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit() else None


def _contacts(root: Path, skipped: Counter[str]) -> Iterator[Contact]:
    matches = sorted(root.rglob("EmoITA.csv"))
    if not matches:
        raise FileNotFoundError(f"{root}: no EmoITA.csv")
    frame = pd.read_csv(matches[0], dtype={"id": str, "text": str}, keep_default_na=False)
    for row, (source_id, text, v, a, d) in enumerate(
        zip(frame["id"], frame["text"], frame["V"], frame["A"], frame["D"], strict=True)
    ):
        if not text.strip():
            skipped["empty_text"] += 1
            continue
        document = _document(source_id)
        yield Contact(
            id=f"emoita-{source_id}",
            channel=Channel.web_form,
            timestamp=SOURCE_EPOCH,
            language="it",
            body=text,
            thread_id=f"emoita-{document}" if document else None,
            labels=Labels(sentiment_score=round(sentiment_score(float(v)), 4),
                          signals={"V": float(v), "A": float(a), "D": float(d)}),
            metadata={"source": NAME, "row": str(row), "source_id": source_id},
        )


def load(root: Path, split: str | None = None, limit: int | None = None) -> LoadedContacts:
    """Every EmoITA sentence under `root` (no source splits: `split` must be None)."""
    canonical_split(NAME, split, SPLITS)
    skipped: Counter[str] = Counter()
    return collect(_contacts(root, skipped), source=NAME, split=None, limit=limit, skipped=skipped)

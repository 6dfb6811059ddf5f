"""XLM-T (UMSAB) tweet sentiment in 8 languages as social posts with a sentiment label.

Files `data/sentiment/<language>/<split>_{text,labels}.txt`, one tweet / one label per line; labels 0 = negative,
1 = neutral, 2 = positive (README). Splits: `train` (1,839 per language), `validation` (val, 324) and `test` (870);
Italian (SENTIPOLC 2016) has no test file here, so split="test" gives the 7 other languages. The `all` folder is the
concatenation of the others and is not read. User handles are already masked as @user by the source.
Ids: `xlmt-<lang>-<split>-<line>`; no source time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from claimtriage.data.adapters._common import SOURCE_EPOCH, LoadedContacts, canonical_split, collect
from claimtriage.data.schema import Channel, Contact, Labels

NAME = "xlmt_sentiment"
SPLITS = ("train", "validation", "test")
MARKERS = ("**/sentiment/*/train_text.txt",)
#: source folder -> ISO 639-1 code
LANGUAGES = {
    "arabic": "ar", "english": "en", "french": "fr", "german": "de",
    "hindi": "hi", "italian": "it", "portuguese": "pt", "spanish": "es",
}
#: the label files' 0, 1, 2
SENTIMENTS: tuple[Literal["negative", "neutral", "positive"], ...] = ("negative", "neutral", "positive")
_FILE_SPLITS = {"train": "train", "validation": "val", "test": "test"}


def _lines(path: Path) -> list[str]:
    # split on "\n" only: tweets may hold other Unicode line separators that splitlines() would cut at
    text = path.read_text(encoding="utf-8")
    return text[:-1].split("\n") if text.endswith("\n") else text.split("\n")


def _sentiment_dir(root: Path) -> Path:
    for candidate in (root / "data" / "sentiment", root / "sentiment", root):
        if any((candidate / folder).is_dir() for folder in LANGUAGES):
            return candidate
    raise FileNotFoundError(f"{root}: no XLM-T language folders ({', '.join(LANGUAGES)})")


def _contacts(root: Path, splits: tuple[str, ...]) -> Iterator[Contact]:
    base = _sentiment_dir(root)
    for folder, code in LANGUAGES.items():
        for split in splits:
            stem = _FILE_SPLITS[split]
            text_path, label_path = base / folder / f"{stem}_text.txt", base / folder / f"{stem}_labels.txt"
            if not text_path.is_file():
                continue  # Italian has no test split
            texts, labels = _lines(text_path), _lines(label_path)
            if len(texts) != len(labels):
                raise ValueError(f"{text_path}: {len(texts)} tweets but {len(labels)} labels")
            for line, (text, label) in enumerate(zip(texts, labels, strict=True)):
                yield Contact(
                    id=f"xlmt-{code}-{split}-{line:04d}",
                    channel=Channel.social,
                    timestamp=SOURCE_EPOCH,
                    language=code,
                    body=text,
                    labels=Labels(sentiment=SENTIMENTS[int(label)]),
                    metadata={"source": NAME, "split": split, "row": str(line)},
                )


def load(root: Path, split: str | None = None, limit: int | None = None) -> LoadedContacts:
    """XLM-T tweets under `root`, all 8 languages: split "train", "validation", "test" or None for all."""
    wanted = canonical_split(NAME, split, SPLITS)
    return collect(_contacts(root, (wanted,) if wanted else SPLITS), source=NAME, split=wanted, limit=limit)

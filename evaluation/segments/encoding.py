"""The model's encoder as segmentation runs it: the same weights and code path, in smaller batches, optionally through
the project's embedding cache (the one training fills), so texts encoded before are read back instead of encoded.

Batches of 16 texts: on the 2-core CPU this project is built on, MiniLM in fp32 encoded the demo's contacts (~85
tokens on average) at ~100 texts/s in batches of 16 against ~88/s in batches of 64 and ~78/s in batches of 128
(interleaved runs, 1,200 texts); the vectors are the same up to float rounding of the padding.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from claimtriage.models.triage_model import TriageModel

BATCH_SIZE = 16


class SegmentationEncoder:
    """Wraps an `Encoder`: every other attribute is the wrapped encoder's."""

    def __init__(self, encoder, *, batch_size: int = BATCH_SIZE, cache_path: Path | None = None,
                 show_progress: bool = False) -> None:
        from claimtriage.models.embedding_cache import EmbeddingCache

        self._encoder = encoder
        self._batch_size = batch_size
        self._cache = EmbeddingCache(cache_path) if cache_path is not None else None
        self._show_progress = show_progress

    def __getattr__(self, name: str):
        return getattr(self._encoder, name)

    def encode(self, texts: list[str], batch_size: int = 64, show_progress: bool = False, *, chunk: bool = True) -> np.ndarray:
        show = show_progress or (self._show_progress and len(texts) > 1000)
        if self._cache is None or not chunk:
            return self._encoder.encode(texts, batch_size=self._batch_size, show_progress=show, chunk=chunk)
        return self._cache.encode(self._encoder, list(texts), batch_size=self._batch_size, show_progress=show)


def for_segmentation(model: TriageModel, *, cache_path: Path | None = None, batch_size: int = BATCH_SIZE,
                     show_progress: bool = False) -> TriageModel:
    """The same model (heads, gate, info) with its encoder wrapped for segmentation."""
    if isinstance(model.encoder, SegmentationEncoder):
        return model
    encoder = SegmentationEncoder(model.encoder, batch_size=batch_size, cache_path=cache_path, show_progress=show_progress)
    return TriageModel(encoder, model.heads, views=model.views, oos=model.oos, info=model.info, top_k=model.top_k)


def default_cache_path() -> Path:
    """The embedding cache of the workspace, shared with training."""
    from claimtriage.data.paths import workspace_dir

    return workspace_dir() / ".cache" / "embeddings.sqlite"

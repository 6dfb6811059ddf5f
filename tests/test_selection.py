"""Model selection on the validation role (training.selection): it picks by validation and records the choice, a
setting written in the config is kept, the gate costs at most its share of in-scope accuracy in every source, and
the acceptance of each source is reported."""

from __future__ import annotations

import numpy as np
import pytest

from claimtriage.models.heads import ClaimHead
from claimtriage.training.config import HeadTrainConfig, SelectionConfig
from claimtriage.training.selection import Rows, gate_report, gate_threshold, select_head, select_oos_method

pytestmark = pytest.mark.unit

LABELS = ["billing", "fault", "refund", "moving", "contract", "roaming"]


def _rows(n_per_label: int, seed: int, *, noise: float = 0.6, word_only: bool = False) -> Rows:
    """Labels that the embedding separates only roughly and a label word in the text separates well (or the
    reverse with `word_only`: a useless embedding), so the n-grams option must win or lose on validation."""
    rng = np.random.default_rng(seed)
    centres = np.eye(len(LABELS), 16, dtype=np.float32)
    emb, texts, labels = [], [], []
    for k, label in enumerate(LABELS):
        for i in range(n_per_label):
            vec = rng.normal(size=16).astype(np.float32) * (5.0 if word_only else noise) + centres[k]
            emb.append(vec / np.linalg.norm(vec))
            texts.append(f"request {i % 7} about {label} please")
            labels.append(label)
    return Rows(np.stack(emb), texts, labels, ["a" if i % 3 else "b" for i in range(len(labels))])


def _head_cfg(**head) -> HeadTrainConfig:
    return HeadTrainConfig.model_validate({"sources": [{"source": "x.csv"}], "label": "claim", "head": head})


SMALL = SelectionConfig(C_factors=[0.1, 1.0])


def test_selection_picks_by_validation_and_records_it():
    train, val = _rows(20, 0, word_only=True), _rows(8, 1, word_only=True)
    head, record = select_head(ClaimHead, _head_cfg(), SMALL, 0, train, val)
    assert record["enabled"] and record["pinned"] == []
    best = max(c["score"] for c in record["candidates"])
    assert record["validation_score"] == best
    assert record["chosen"]["sparse"] is True  # only the words carry the label here
    assert head.config.sparse is not None and head.config.C == record["chosen"]["C"]
    assert {c["classifier"] for c in record["candidates"]} == {"logreg", "svm"}
    assert {c["sparse"] for c in record["candidates"]} == {False, True}


def test_pinned_settings_are_kept():
    train, val = _rows(20, 0, word_only=True), _rows(8, 1, word_only=True)
    head, record = select_head(ClaimHead, _head_cfg(C=3.0, sparse=None), SMALL, 0, train, val)
    assert record["pinned"] == ["C", "sparse"]
    assert head.config.C == 3.0 and head.config.sparse is None  # pinned off although n-grams would win
    assert all(c["C"] == 3.0 and not c["sparse"] for c in record["candidates"])


def test_selection_off_trains_the_config_as_written():
    train, val = _rows(10, 0), _rows(4, 1)
    head, record = select_head(ClaimHead, _head_cfg(), SelectionConfig(enabled=False), 0, train, val)
    assert record == {"enabled": False, "metric": "macro_f1", "pinned": [], "chosen": {"C": 10.0, "sparse": False,
                                                                                       "classifier": "logreg"}}
    assert head.coef is not None


def test_gate_costs_at_most_one_point_in_every_source():
    rng = np.random.default_rng(0)
    big, small = 900, 100
    scores = np.concatenate([rng.normal(2.0, 0.5, big), rng.normal(1.0, 0.5, small)])  # the small source scores lower
    sources = ["big"] * big + ["small"] * small
    correct = rng.random(big + small) < 0.9
    threshold = gate_threshold(scores, sources, correct, accept_rate=None, max_cost=0.01)
    report = gate_report(scores < threshold, sources, correct)
    for name, figures in report["sources"].items():
        assert figures["cost"] <= 0.01 + 1e-9, name
    assert report["all"]["cost"] <= 0.01 + 1e-9
    # a threshold set on all rows at once would accept far less of the small source
    pooled = np.quantile(scores, 0.03)
    assert report["sources"]["small"]["acceptance"] > float((scores[big:] >= pooled).mean())
    # with an accept rate, every source accepts at least that share
    rated = gate_threshold(scores, sources, correct, accept_rate=0.97, max_cost=0.01)
    per_source = gate_report(scores < rated, sources, correct)["sources"]
    assert min(f["acceptance"] for f in per_source.values()) >= 0.97


def test_oos_method_is_chosen_on_pseudo_unseen_labels():
    train, val = _rows(20, 0, noise=0.3), _rows(8, 1, noise=0.3)
    head, _ = select_head(ClaimHead, _head_cfg(C=10.0, sparse=None, classifier="logreg"), SMALL, 0, train, val)
    method, record = select_oos_method(head, SMALL, 0, train, val, accept_rate=None)
    assert method in ("logit_margin", "knn_prob") and record["chosen"] == method
    assert len(record["held_out_labels"]) == 1 and record["n_pseudo_unseen"] == 8
    assert set(record["methods"]) == {"logit_margin", "knn_prob"}


def test_a_small_validation_role_is_helped_by_cross_validation_over_train_and_validation():
    train, val = _rows(20, 0, word_only=True), _rows(2, 1, word_only=True)  # 12 validation rows: noise
    head, record = select_head(ClaimHead, _head_cfg(), SMALL, 0, train, val)
    assert record["method"].startswith("5-fold cross-validation") and "12 validation rows" in record["why"]
    assert record["chosen"]["sparse"] is True
    # the chosen head learns from the train role only: its n-gram vocabulary is the train texts'
    alone = ClaimHead(head.config).fit(train.embeddings, train.texts, train.labels)
    np.testing.assert_allclose(head.coef, alone.coef, rtol=1e-5, atol=1e-6)
    _, single = select_head(ClaimHead, _head_cfg(), SelectionConfig(C_factors=[0.1, 1.0], cv_below=0), 0, train, val)
    assert "method" not in single and single["n_validation"] == 12


def test_cross_validation_keeps_labels_too_rare_for_a_fold_in_every_fitting_part():
    from claimtriage.training.selection import _cv_folds

    train, val = _rows(10, 0), _rows(1, 1)
    train.labels[-2:] = ["rare", "rare"]
    folds = _cv_folds(SelectionConfig(), 0, train, val, list(range(len(val.labels))), False)
    rare = [i for i, lab in enumerate(train.labels) if lab == "rare"]
    assert all(set(rare) <= set(fit.tolist()) and not set(rare) & set(held.tolist()) for fit, held in folds)
    held_all = np.concatenate([held for _, held in folds])
    assert len(held_all) == len(set(held_all.tolist())) == len(train.labels) + len(val.labels) - len(rare)


def _two_sources(n_per_label: int, seed: int) -> Rows:
    """Two sources that write each label with a word the other source uses for another label (a generator's
    artefact), while the embedding carries the label in both: n-grams win inside the sources, not across them."""
    rng = np.random.default_rng(seed)
    centres = np.eye(len(LABELS), 16, dtype=np.float32)
    emb, texts, labels, sources = [], [], [], []
    for source, shift, prefix in (("generated", 0, "alpha"), ("public", 1, "beta")):
        for k, label in enumerate(LABELS):
            for i in range(n_per_label):
                vec = rng.normal(size=16).astype(np.float32) * 0.35 + centres[k]
                emb.append(vec / np.linalg.norm(vec))
                texts.append(f"{prefix} {i % 5} word{(k + shift) % len(LABELS)}")
                labels.append(label)
                sources.append(source)
    return Rows(np.stack(emb), texts, labels, sources)


def test_across_sources_chooses_the_settings_that_transfer_between_sources():
    train, val = _two_sources(30, 0), _two_sources(40, 1)  # a validation role large enough to choose on alone
    across = SelectionConfig(C_factors=[1.0], across_sources=True, classifiers=["logreg"])
    _, by_validation = select_head(ClaimHead, _head_cfg(), across.model_copy(update={"across_sources": False}), 0,
                                   train, val)
    head, record = select_head(ClaimHead, _head_cfg(), across, 0, train, val)
    assert by_validation["chosen"]["sparse"] is True  # the words are perfect inside each source
    assert record["method"] == "leave one source out over 2 sources"
    assert record["held_out_sources"] == ["generated", "public"]
    assert record["chosen"]["sparse"] is False and head.config.sparse is None
    # the chosen head is fitted on the whole train role, both sources
    alone = ClaimHead(head.config).fit(train.embeddings, train.texts, train.labels)
    np.testing.assert_allclose(head.coef, alone.coef, rtol=1e-5, atol=1e-6)


def test_across_sources_needs_two_sources_it_can_score_on():
    train, val = _two_sources(10, 0), _two_sources(40, 1)
    train.sources = ["generated"] * len(train.labels)
    _, record = select_head(ClaimHead, _head_cfg(), SelectionConfig(C_factors=[1.0], across_sources=True), 0,
                            train, val)
    assert "held_out_sources" not in record and record["n_validation"] == len(val.labels)

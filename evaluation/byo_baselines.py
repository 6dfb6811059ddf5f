"""Your own labelled file, measured: `claimtriage train --train-file` on HWU64 beside two plain baselines.

Trains exactly what the command line trains (`training.cli.user_data_config`: the train file split by label into
train and validation, the eval file as test, `--no-track`), then, on the same split, two baselines a practitioner
would try first, both with scikit-learn's default settings and nothing tuned (least of all on the test file):

- TF-IDF word 1-2-grams + character 2-5-grams (within word bounds, sublinear tf) + LinearSVC;
- the frozen MiniLM embeddings of the project's `Encoder` + LinearSVC.

Both baselines learn from the train role only, as the model's classifier does (the model also uses the validation
role for its temperature and its out-of-scope threshold). Every figure is on all rows of the eval file. By default
the run uses a fresh workspace, so the model's seconds include encoding every text (a first run; a second run of the
command reuses cached embeddings and is faster). Prints JSON and writes the `byo` section of evaluation/RESULTS.md.

    .venv/bin/python -m claimtriage.evaluation.byo_baselines            # HWU64 from ../shared/datasets/hwu64
    .venv/bin/python -m claimtriage.evaluation.byo_baselines --train-file mine.csv --eval-file held.csv

The whole comparison on five public splits is `claimtriage evaluate --suite byo` (evaluation/byo_suite.py).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from claimtriage.data.paths import OFFLINE_DEFAULTS, PROJECT_ROOT, shared_datasets_dir, workspace_dir
from claimtriage.evaluation.results import update_section

COMMAND = ("claimtriage train --train-file ../shared/datasets/hwu64/train.csv --eval-file ../shared/datasets/hwu64/test.csv "
           "--text-column text --label-column label --task claim --no-track")


def _scores(truth: list[str], predicted: list[str], known: set[str]) -> dict[str, float]:
    from sklearn.metrics import f1_score

    return {
        "accuracy": float(np.mean([p == t for p, t in zip(predicted, truth, strict=True)])),
        "macro_f1": float(f1_score(truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0)),
        "labels_learnt": len(known),
    }


def tfidf_svm(train_texts: list[str], train_labels: list[str], test_texts: list[str]) -> list[str]:
    """Word 1-2-grams + character 2-5-grams, TF-IDF, a linear SVM with default settings."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.svm import LinearSVC

    model = make_pipeline(
        make_union(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                   TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        LinearSVC(random_state=0),
    )
    return list(model.fit(train_texts, train_labels).predict(test_texts))


def embedding_svm(encoder: Any, train_texts: list[str], train_labels: list[str], test_texts: list[str],
                  batch_size: int = 64) -> list[str]:
    """The frozen encoder's sentence embeddings, a linear SVM with default settings."""
    from sklearn.svm import LinearSVC

    train_x = encoder.encode(train_texts, batch_size=batch_size)
    test_x = encoder.encode(test_texts, batch_size=batch_size)
    return list(LinearSVC(random_state=0).fit(train_x, train_labels).predict(test_x))


def run(train_file: Path, eval_file: Path, *, output_dir: Path, text_column: str = "text",
        label_column: str = "label", fresh_workspace: bool = True) -> dict[str, Any]:
    """The model as the CLI trains it and both baselines on its split; figures on every row of `eval_file`."""
    from claimtriage.data.schema import Channel
    from claimtriage.models.encoder import Encoder
    from claimtriage.training.cli import user_data_config
    from claimtriage.training.train import train

    for key, value in OFFLINE_DEFAULTS.items():
        os.environ.setdefault(key, value)
    config = user_data_config(train_file, eval_file, text_column=text_column, label_column=label_column, task="claim",
                              channel=Channel.web_form, output_dir=output_dir, register=False)
    previous = os.environ.get("CLAIMTRIAGE_HOME")
    with tempfile.TemporaryDirectory(prefix="byo-workspace-") as home:
        if fresh_workspace:  # no cached embeddings; the exported ONNX graph (made once per machine) is reused
            onnx = workspace_dir() / ".cache" / "onnx"
            if onnx.is_dir():
                (Path(home) / ".cache").mkdir()
                (Path(home) / ".cache" / "onnx").symlink_to(onnx, target_is_directory=True)
            os.environ["CLAIMTRIAGE_HOME"] = home
        try:
            started = time.perf_counter()
            result = train(config, output_dir=output_dir, track=False)
            model_seconds = time.perf_counter() - started
        finally:
            if fresh_workspace:
                os.environ.pop("CLAIMTRIAGE_HOME") if previous is None else os.environ.__setitem__("CLAIMTRIAGE_HOME", previous)
    data = result.data["claim"]
    claim = result.metrics["heads"]["claim"]
    truth = list(data.test.labels)
    file_labels = set(data.train.labels) | set(data.validation.labels)
    report: dict[str, Any] = {
        "command": COMMAND,
        "train_file": str(train_file), "eval_file": str(eval_file),
        "split": {"train": len(data.train), "validation": len(data.validation), "test": len(data.test)},
        "labels_in_train_file": len(file_labels),
        "model": {
            "labels_learnt": len(result.model.heads["claim"].labels),
            "accuracy": claim["accuracy_all_rows"],  # every eval row, gate off
            "macro_f1": claim["macro_f1"],
            "coverage": claim.get("coverage"),
            "selective_accuracy": claim.get("selective_accuracy"),
            "in_scope_accuracy": claim.get("in_scope_accuracy"),
            "oos_recall": claim.get("oos_recall"),
            "train_seconds": result.metrics["train_seconds"],
            "wall_seconds": round(model_seconds, 1),
        },
    }
    started = time.perf_counter()
    predicted = tfidf_svm(data.train.texts, data.train.labels, data.test.texts)
    report["tfidf_linearsvc"] = {**_scores(truth, predicted, set(data.train.labels)),
                                 "seconds": round(time.perf_counter() - started, 1)}
    trained = (result.config or config).encoder  # with encoder auto, the one training chose
    encoder = Encoder.load(trained.name, dtype=trained.dtype, max_seq_length=trained.max_seq_length,
                           max_chunks=trained.max_chunks)
    started = time.perf_counter()
    predicted = embedding_svm(encoder, data.train.texts, data.train.labels, data.test.texts, config.encoder.batch_size)
    report["minilm_linearsvc"] = {**_scores(truth, predicted, set(data.train.labels)),
                                  "seconds": round(time.perf_counter() - started, 1)}
    return report


def _f(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def markdown(report: dict[str, Any]) -> str:
    """The `byo` section of RESULTS.md."""
    split, model = report["split"], report["model"]
    tfidf, minilm = report["tfidf_linearsvc"], report["minilm_linearsvc"]
    n_labels = report["labels_in_train_file"]
    return "\n".join([
        "## Your own data: HWU64 through `claimtriage train --train-file`",
        "",
        f"`{report['command']}` (the train file is sorted by label; it is split by label into train "
        f"{split['train']:,} / validation {split['validation']:,}; test is all {split['test']:,} rows of test.csv). "
        "Reproduce with `.venv/bin/python -m claimtriage.evaluation.byo_baselines` (a fresh workspace, so the "
        "model's seconds include encoding every text once on this machine's 2 cores). Baselines fit on the same "
        "train role with scikit-learn defaults; nothing was tuned, and the test file was used only for these figures.",
        "",
        "| model | labels learnt | accuracy, all test rows, gate off | macro-F1 | gate on: coverage | selective accuracy | in-scope accuracy | seconds |",
        "|---|---|---|---|---|---|---|---|",
        f"| claimtriage claim head (MiniLM + n-grams, logistic regression, calibrated, out-of-scope gate at 0.97) | "
        f"{model['labels_learnt']}/{n_labels} | {_f(model['accuracy'])} | {_f(model['macro_f1'])} | "
        f"{_f(model['coverage'])} | {_f(model['selective_accuracy'])} | {_f(model['in_scope_accuracy'])} | "
        f"{model['train_seconds']:.0f} |",
        f"| TF-IDF word 1-2 + char 2-5 + LinearSVC | {tfidf['labels_learnt']}/{n_labels} | {_f(tfidf['accuracy'])} | "
        f"{_f(tfidf['macro_f1'])} | - | - | - | {tfidf['seconds']:.0f} |",
        f"| frozen MiniLM embeddings + LinearSVC | {minilm['labels_learnt']}/{n_labels} | {_f(minilm['accuracy'])} | "
        f"{_f(minilm['macro_f1'])} | - | - | - | {minilm['seconds']:.0f} (encoding included) |",
        "",
        "The model's seconds are its `train_seconds` (reading, splitting, loading the encoder, encoding, fitting, "
        "calibrating, scoring, saving; not Python's start-up), on a shared machine, so expect some spread. "
        "Coverage is the share of test rows the out-of-scope gate accepts; selective accuracy is accuracy on those; "
        "in-scope accuracy counts a rejected row as wrong. "
        + ("Every test label is in training, so no row is out of scope and every rejection is a miss. "
           if model["oos_recall"] is None else
           f"Test rows whose label is not in training are out of scope (recall {_f(model['oos_recall'])}). ")
        + "Before this fix (issue 14) the same command trained 57 of 64 labels: the eval file's generated row ids "
        "(`row-<line>`) matched the first 1,076 rows of the label-sorted train file, which were then dropped as if "
        "they were test rows.",
    ])


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    hwu64 = shared_datasets_dir() / "hwu64"
    parser.add_argument("--train-file", type=Path, default=hwu64 / "train.csv")
    parser.add_argument("--eval-file", type=Path, default=hwu64 / "test.csv")
    parser.add_argument("--output-dir", type=Path, default=PROJECT_ROOT / "artifacts" / "byo" / "hwu64")
    parser.add_argument("--warm", action="store_true", help="use the workspace's embedding cache (not a fresh one)")
    parser.add_argument("--results", action="store_true", help="write the `byo` section of evaluation/RESULTS.md "
                        "(by default `claimtriage evaluate --suite byo` owns it)")
    args = parser.parse_args(argv)
    report = run(args.train_file, args.eval_file, output_dir=args.output_dir, fresh_workspace=not args.warm)
    print(json.dumps(report, indent=2))
    if args.results:
        update_section("byo", markdown(report))
    return report


if __name__ == "__main__":
    main()

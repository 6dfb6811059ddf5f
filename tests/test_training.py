"""Training end to end on a small demo corpus: smoke, save/load, MLflow round trip, promotion, user-data CLI,
behavioural checks of the trained model."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from claimtriage.cli import app
from claimtriage.data.schema import Contact
from claimtriage.models.triage_model import TriageModel
from claimtriage.training.promote import promote
from claimtriage.training.train import train

from conftest import _config  # shared with every module that needs a model


@pytest.fixture(scope="module", autouse=True)
def _registry(own_registry):
    """This module registers and promotes: in its own MLflow store, never the session's."""
    return own_registry


@pytest.fixture(scope="module")
def registered(_registry, trained, corpus):
    """The session model logged into this module's store: tests-model version 1, alias candidate, no champion."""
    from claimtriage.training.tracking import log_training

    _, version = log_training(_config(corpus, "session"), trained, trained.data)
    return version


@pytest.mark.model
def test_training_smoke_on_a_few_rows(corpus, tmp_path):
    result = train(_config(corpus, "smoke", limit=80), output_dir=tmp_path, track=False)
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    for key in ("accuracy", "macro_f1", "n_train", "n_eval", "train_seconds"):
        assert key in metrics
    assert metrics["n_train"] > 0 and metrics["n_eval"] > 0
    assert set(result.model.heads) == {"claim", "sentiment", "complexity"}


@pytest.mark.model
def test_trained_model_beats_chance_and_reports_slices(trained):
    claim = trained.metrics["heads"]["claim"]
    assert claim["accuracy"] > 0.6  # 10 claim types: chance is about 0.15
    assert "ece" in claim and 0 <= claim["ece"] <= 1
    assert any(name.startswith("channel:") for name in claim["slices"])
    assert any(name.startswith("language:") for name in claim["slices"])
    assert trained.metrics["heads"]["sentiment"]["macro_f1"] > 0.5


def _sample(corpus, n=40) -> list[Contact]:
    lines = (corpus / "contacts.jsonl").read_text().splitlines()[-n:]
    return [Contact.model_validate_json(line) for line in lines]


@pytest.mark.model
def test_save_load_gives_identical_predictions(trained, corpus):
    contacts = _sample(corpus)
    before = trained.model.predict(contacts)
    loaded = TriageModel.load(trained.model_dir, dtype=trained.model.encoder.dtype)
    after = loaded.predict(contacts)
    assert [s.claim for s in before] == [s.claim for s in after]
    np.testing.assert_allclose([s.claim_confidence for s in before], [s.claim_confidence for s in after], atol=1e-6)
    np.testing.assert_allclose([s.sentiment_score for s in before], [s.sentiment_score for s in after], atol=1e-6)


@pytest.mark.model
def test_mlflow_round_trip_and_promotion(trained, registered, corpus, workspace):
    import mlflow

    from claimtriage.models.registry import connect

    assert trained.model_version is not None and registered == "1"  # the session's store, and this module's own
    connect()
    pyfunc = mlflow.pyfunc.load_model("models:/tests-model@candidate")
    contacts = _sample(corpus, 10)
    frame = pd.DataFrame({"contact": [c.model_dump_json() for c in contacts]})
    predicted = pyfunc.predict(frame)
    assert list(predicted["claim"]) == [s.claim for s in trained.model.predict(contacts)]

    first = promote("tests-model")
    assert first.promoted and first.reason == "no champion yet"
    again = promote("tests-model")
    assert not again.promoted
    # a weaker candidate on the same evaluation data is refused; an override needs a reason and is recorded
    weak = train(_config(corpus, "session", C=0.01), output_dir=workspace / "models" / "weak", track=True)
    refused = promote("tests-model")
    assert not refused.promoted and refused.worse, refused.reason
    with pytest.raises(ValueError, match="reason"):
        promote("tests-model", force=True)
    forced = promote("tests-model", force=True, reason="test override")
    assert forced.promoted
    version = mlflow.MlflowClient().get_model_version("tests-model", weak.model_version)
    assert version.tags["promotion_override"] == "true"
    assert version.tags["promotion_override_reason"] == "test override"


@pytest.mark.model
def test_behaviour_names_and_channel_noise_do_not_change_the_claim(trained):
    base = {"id": "b", "channel": "email", "timestamp": "2026-01-01T09:00:00Z", "language": "it"}
    plain = Contact(**base, subject="Bolletta", body="Buongiorno, mi chiamo Mario Rossi e la bolletta di marzo è doppia, "
                    "mi avete addebitato due volte lo stesso importo. Chiedo la correzione.")
    renamed = plain.model_copy(update={"body": plain.body.replace("Mario Rossi", "Giulia Esposito")})
    noisy = plain.model_copy(update={"body": plain.body + "\n\nInviato da iPhone"})
    claims = [s.claim for s in trained.model.predict([plain, renamed, noisy])]
    assert claims[0] == claims[1] == claims[2]


@pytest.mark.model
def test_behaviour_an_angry_rewrite_lowers_sentiment(trained):
    base = {"id": "s", "channel": "chat", "timestamp": "2026-01-01T09:00:00Z", "language": "en"}
    calm = Contact(**base, turns=[{"speaker": "customer", "text": "Hello, could you please tell me when my router will be delivered? Thank you."}])
    angry = Contact(**base, turns=[{"speaker": "customer", "text": "This is ridiculous!!! Where is my router?? Third time I ask, worst service ever, I'm furious"}])
    calm_score, angry_score = (s.sentiment_score for s in trained.model.predict([calm, angry]))
    assert angry_score < calm_score


@pytest.mark.model
def test_user_data_cli_writes_metrics_with_out_of_scope(tmp_path, workspace):
    refund = ["where is my refund for order {}", "I want my money back for invoice {}", "please reimburse payment {}"]
    fault = ["the internet is down since day {}", "no connection at all, line {} is dead", "router {} keeps dropping wifi"]
    rows = [(t.format(i), label) for i in range(10) for label, ts in (("refund", refund), ("fault", fault)) for t in ts]
    held = [(t.format(i), label) for i in (100, 101) for label, ts in (("refund", refund), ("fault", fault)) for t in ts[:2]]
    unseen = [(f"how do I become a reseller partner number {i} of yours", "partnership") for i in range(4)]
    pd.DataFrame(rows, columns=["message", "category"]).to_csv(tmp_path / "train.csv", index=False)
    pd.DataFrame(held + unseen, columns=["message", "category"]).to_csv(tmp_path / "eval.csv", index=False)
    result = CliRunner().invoke(app, ["train", "--train-file", str(tmp_path / "train.csv"), "--eval-file", str(tmp_path / "eval.csv"),
                                      "--text-column", "message", "--label-column", "category", "--output-dir", str(tmp_path / "out"),
                                      "--no-track"])
    assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    for key in ("accuracy", "macro_f1", "n_train", "n_eval", "train_seconds", "in_scope_accuracy", "oos_recall", "oos_precision"):
        assert key in metrics, key
    assert metrics["n_eval"] == 12


@pytest.mark.unit
def test_wrong_config_or_data_file_gives_a_clear_error(tmp_path):
    runner = CliRunner()
    (tmp_path / "bad.yaml").write_text("heads:\n  claim:\n    sources: [{source: x}]\n    label: intent\n")
    result = runner.invoke(app, ["train", "--config", str(tmp_path / "bad.yaml")])
    assert result.exit_code == 2 and "heads.claim.label" in result.output
    result = runner.invoke(app, ["train", "--train-file", str(tmp_path / "missing.csv")])
    assert result.exit_code == 2 and "no such file" in result.output
    (tmp_path / "nolabel.csv").write_text("text,other\nhello there,1\n")
    result = runner.invoke(app, ["train", "--train-file", str(tmp_path / "nolabel.csv"), "--no-track"])
    assert result.exit_code == 2 and "no labelled training examples" in result.output


@pytest.mark.service
def test_the_main_job_runs_end_to_end_on_a_small_corpus(workspace, monkeypatch):
    from claimtriage.demo import run_demo

    lines: list[str] = []
    result = run_demo(workspace / "main_job", seed=5, n_contacts=300, echo=lines.append)
    assert [line[:4] for line in lines if line[:1].isdigit()] == ["1/4 ", "2/4 ", "3/4 ", "4/4 "]
    assert result["summary"]["n_contacts"] == 300 and "claim" in result["metrics"]["heads"]
    assert len([line for line in lines if "claim=" in line]) >= 5  # one sample per channel
    answers = result["answers"]  # from the real server, over HTTP
    assert all(a["route"]["target"] in ("bot", "human") and a["route"]["reasons"] for a in answers)
    journey = answers[-3:]  # one claim across channels, in time order
    keys = {a["journey"]["customer_key"] for a in journey}
    assert len(keys) == 1 and None not in keys and journey[-1]["journey"]["suppress_marketing"]


@pytest.mark.model
def test_a_registry_uri_resolves_to_the_saved_model(trained, registered, workspace):
    from claimtriage.models.registry import connect, local_model_dir

    connect()
    folder = local_model_dir(f"models:/tests-model/{registered}")
    loaded = TriageModel.load(folder, dtype=trained.model.encoder.dtype)
    assert loaded.info["name"] == "session" and set(loaded.heads) == set(trained.model.heads)

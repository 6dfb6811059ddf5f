"""Batch scoring: `claimtriage score` locally and on Spark (local[2], mlflow.pyfunc.spark_udf) give the same labels;
bad rows go to the rejects file; a missing engine says what to install."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from claimtriage.models.encoder import cpu_bf16_is_faster
from claimtriage.serving.batch_score import COLUMNS, EngineUnavailable, mlflow_model_uri, run_score

N_CONTACTS = 240


@pytest.fixture(scope="module")
def scoring_input(tmp_path_factory, corpus_contacts):
    """A JSONL file of corpus contacts plus two rows the Contact schema rejects."""
    from claimtriage.data.io import write_contacts

    folder = tmp_path_factory.mktemp("score")
    path = write_contacts(corpus_contacts[:N_CONTACTS], folder / "contacts.jsonl")
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "bad-1", "channel": "carrier-pigeon", "timestamp": "2024-05-01T09:00:00Z",
                                 "body": "hello"}) + "\n")
        handle.write(json.dumps({"id": "bad-2", "channel": "email", "timestamp": "2024-05-01T09:00:00Z"}) + "\n")
    return path


@pytest.fixture(scope="module")
def model_uri(trained):
    return f"runs:/{trained.run_id}/model"


@pytest.fixture(scope="module")
def local_scores(scoring_input, model_uri, tmp_path_factory):
    out = tmp_path_factory.mktemp("local") / "scores.parquet"
    report = run_score(str(scoring_input), out, model=model_uri, engine="local", batch_size=64, progress=False)
    return report, out


@pytest.mark.model
def test_local_engine_writes_one_row_per_valid_contact_and_rejects_the_rest(local_scores):
    report, out = local_scores
    frame = pd.read_parquet(out)
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == report.n_scored == N_CONTACTS and frame["id"].is_unique
    assert report.n_rejected == 2
    rejects = [json.loads(line) for line in open(report.rejects, encoding="utf-8")]
    assert {r["line"] for r in rejects} == {N_CONTACTS + 1, N_CONTACTS + 2}
    assert any(r["field"].startswith("channel") for r in rejects) and all(r["reason"] for r in rejects)
    assert frame["claim_confidence"].between(0, 1).all()
    assert frame["claim_top_k"].map(len).ge(1).all()
    assert frame["model_version"].nunique() == 1


@pytest.mark.model
def test_local_engine_agrees_with_the_model_in_memory(local_scores, trained_model, corpus_contacts):
    _, out = local_scores
    frame = pd.read_parquet(out).set_index("id")
    direct = {s.contact_id: s for s in trained_model.predict(corpus_contacts[:N_CONTACTS])}
    assert frame.index.tolist() == [c.id for c in corpus_contacts[:N_CONTACTS]]
    assert all(frame.loc[k, "claim_label"] == s.claim and frame.loc[k, "sentiment"] == s.sentiment
               for k, s in direct.items())


def _spark_or_skip() -> None:
    """`make test` installs Java and pyspark and sets CLAIMTRIAGE_REQUIRE_SPARK: there a missing one fails."""
    import importlib.util
    import os

    missing = [name for name, ok in (("Java (tests/services.sh installs it)", shutil.which("java")),
                                     ("pyspark (the spark extra)", importlib.util.find_spec("pyspark"))) if not ok]
    if missing and os.environ.get("CLAIMTRIAGE_REQUIRE_SPARK"):
        pytest.fail(f"Spark is required here but {', '.join(missing)} is missing")
    if missing:
        pytest.skip(f"{', '.join(missing)} missing")


@pytest.mark.service
def test_spark_engine_gives_the_same_labels_as_the_local_engine(scoring_input, model_uri, local_scores, tmp_path):
    _spark_or_skip()
    _, local_out = local_scores
    out = tmp_path / "spark.parquet"
    report = run_score(str(scoring_input), out, model=model_uri, engine="spark", master="local[2]", batch_size=64)
    assert report.n_scored == N_CONTACTS and report.n_rejected == 2
    spark = pd.read_parquet(out).set_index("id").sort_index()
    local = pd.read_parquet(local_out).set_index("id").sort_index()
    assert spark.index.equals(local.index)
    for column in ("claim_label", "out_of_scope", "sentiment", "complexity", "language", "model_version"):
        assert (spark[column].fillna("") == local[column].fillna("")).all(), column
    # fp32 gives the same numbers whatever the batches; bf16 (the "auto" dtype on CPUs with AMX) moves them in the
    # third decimal with the batch's padding, never the labels (checked above)
    tolerance = 1e-2 if cpu_bf16_is_faster() else 1e-4
    assert (spark["claim_confidence"] - local["claim_confidence"]).abs().max() < tolerance
    for got, want in zip(spark["claim_top_k"], local["claim_top_k"]):
        assert len(got) == len(want)
        for rank, (g, w) in enumerate(zip(got, want)):
            assert abs(g["p"] - w["p"]) < tolerance
            # the same label at every rank, unless two labels tie there within the tolerance (bf16 may swap them)
            tied = rank + 1 < len(want) and abs(want[rank]["p"] - want[rank + 1]["p"]) < 2 * tolerance
            tied = tied or (rank > 0 and abs(want[rank]["p"] - want[rank - 1]["p"]) < 2 * tolerance)
            assert g["label"] == w["label"] or tied


@pytest.mark.model
def test_spark_needs_an_mlflow_model_not_a_bare_folder(trained):
    with pytest.raises(ValueError, match="MLflow model"):
        mlflow_model_uri(str(trained.model_dir))


@pytest.mark.unit
def test_a_missing_pyspark_names_what_to_install(monkeypatch, scoring_input, tmp_path):
    import builtins

    real_import = builtins.__import__

    def no_pyspark(name, *args, **kwargs):
        if name.startswith("pyspark"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyspark)
    with pytest.raises(EngineUnavailable, match=r"pip install 'claimtriage\[spark\]'"):
        run_score(str(scoring_input), tmp_path / "x.parquet", engine="spark")
    assert not (tmp_path / "x.parquet").exists()


@pytest.mark.unit
def test_bad_arguments_are_refused_before_any_work(scoring_input, tmp_path):
    with pytest.raises(ValueError, match=r"\.parquet"):
        run_score(str(scoring_input), tmp_path / "scores.csv")
    with pytest.raises(ValueError, match="--engine"):
        run_score(str(scoring_input), tmp_path / "scores.parquet", engine="dask")

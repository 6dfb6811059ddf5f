"""Segmentation: unit tests of the parts, quality on the demo corpus (ARI), stable ids, redaction, the CLI."""

from __future__ import annotations

import json
import random
import re

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from claimtriage.evaluation.segments import SegmentConfig, SegmentPaths, segment_contacts, write_outputs
from claimtriage.evaluation.segments.encoding import default_cache_path
from claimtriage.evaluation.segments.naming import distinctive_words, segment_names
from claimtriage.evaluation.segments.registry import Registry, SegmentProfile
from claimtriage.evaluation.segments.segment import UNASSIGNED, cap_unassigned, cluster

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


@pytest.fixture(scope="module")
def cache(workspace):
    """The workspace's embedding cache, which training filled: the session corpus is not encoded again."""
    return default_cache_path()


@pytest.fixture(scope="module")
def first_run(trained_model, corpus_contacts, cache, tmp_path_factory):
    registry = tmp_path_factory.mktemp("segments") / "registry.json"
    return segment_contacts(corpus_contacts, trained_model, registry_path=registry, embedding_cache=cache), registry


# ---- units ------------------------------------------------------------------------------------------------------
@pytest.mark.unit
def test_unassigned_share_is_capped_and_near_points_join_within_radius():
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [10.0, 0.0]])
    points = np.vstack([rng.normal(c, 0.5, size=(50, 2)) for c in centres] + [rng.uniform(-20, 30, size=(60, 2))])
    labels = np.array([0] * 50 + [1] * 50 + [UNASSIGNED] * 60)
    points[100] = [0.05, 0.0]  # a noise point at the heart of segment 0
    capped, attached = cap_unassigned(points, labels, SegmentConfig(unassigned_cap=0.1))
    assert np.mean(capped == UNASSIGNED) <= 0.1
    assert capped[100] == 0 and attached[100]
    assert not attached[:100].any() and (capped[:100] == labels[:100]).all()


@pytest.mark.unit
def test_cluster_finds_separated_groups_and_handles_tiny_inputs():
    rng = np.random.default_rng(1)
    emb = np.vstack([rng.normal(c, 0.05, size=(40, 8)) for c in np.eye(8)[:3] * 3])
    result = cluster(emb, None, SegmentConfig(min_cluster_size=10))
    assert result.n_segments == 3 and result.unassigned_share <= 0.15
    assert len({tuple(sorted(set(result.labels[i:i + 40]))) for i in (0, 40, 80)}) == 3
    assert cluster(emb[:3], None, SegmentConfig()).n_segments == 1
    with pytest.raises(ValueError, match="no contacts"):
        cluster(emb[:0], None, SegmentConfig())


@pytest.mark.unit
def test_config_is_validated():
    with pytest.raises(ValueError, match="unassigned_cap"):
        SegmentConfig(unassigned_cap=1.5)
    with pytest.raises(ValueError, match="claim_weight"):
        SegmentConfig(claim_weight=-0.1)


@pytest.mark.unit
def test_names_are_distinctive_words_without_placeholders():
    texts = ["my bill is wrong [PERSON] bill charged twice", "bill charged twice again [PHONE]",
             "internet down router broken", "router broken internet slow [EMAIL]"]
    words = distinctive_words(texts, np.array([0, 0, 1, 1]), 2)
    assert "bill" in " ".join(words[0]) and "router" in " ".join(words[1])
    assert not any(w in ("person", "phone", "email") for terms in words for w in " ".join(terms).split())
    assert segment_names(words, [("billing_dispute", 1.0), (None, 0.0)])[0].startswith("billing dispute: ")


@pytest.mark.unit
def test_registry_keeps_ids_of_matching_segments_and_never_reuses_one(tmp_path):
    def profile(claim: str, vector) -> SegmentProfile:
        return SegmentProfile(claim_profile={claim: 1.0}, embedding=np.asarray(vector, dtype=float))

    path = tmp_path / "registry.json"
    first = Registry.load(path, encoder="enc", dimension=2)
    ids = first.assign([profile("a", [1, 0]), profile("b", [0, 1])], claim_weight=0.7, match_similarity=0.8)
    assert ids == ["S01", "S02"]
    first.save(path)
    again = Registry.load(path, encoder="enc", dimension=2)
    ids = again.assign([profile("b", [0.1, 1]), profile("c", [1, 1])], claim_weight=0.7, match_similarity=0.8)
    assert ids == ["S02", "S03"]
    assert Registry.load(path, encoder="another", dimension=2).segments == {}


# ---- on the session's demo corpus and model ---------------------------------------------------------------------
@pytest.mark.model
def test_segments_recover_demo_claim_types(first_run):
    result, _ = first_run
    assert result.info["ari_claim"] >= 0.5, result.info
    assert 5 <= result.info["n_segments"] <= 40


@pytest.mark.model
def test_every_contact_is_assigned_within_the_cap_and_tables_add_up(first_run, corpus_contacts):
    result, _ = first_run
    frame, tables = result.frame, result.tables
    assert len(frame) == len(corpus_contacts) and frame["contact_id"].is_unique
    assert result.unassigned_share <= SegmentConfig().unassigned_cap
    summary = tables["segments"]
    assert summary["contacts"].sum() == len(frame)
    assert set(summary["segment_id"]) == set(frame["segment_id"])
    for name in ("channel_mix", "language_mix", "sentiment_mix", "complexity_mix"):
        assert np.allclose(tables[name].sum(axis=1), 1.0, atol=1e-3)
    assert tables["trend"].to_numpy().sum() == len(frame)
    assert tables["claim_by_channel"].to_numpy().sum() == len(frame)
    assert summary["bot_share"].between(0, 1).all() and summary["repeat_share"].between(0, 1).all()
    assert (frame["route_target"].isin(["bot", "human"])).all()
    paths = tables["channel_paths"]
    assert len(paths) and (paths["claims"] > 0).all() and paths["channel_path"].str.contains("→").any()


@pytest.mark.model
def test_segments_have_names_and_representative_redacted_examples(first_run, corpus_contacts):
    result, _ = first_run
    pii = {v for c in corpus_contacts for v in (c.customer.email, c.customer.phone) if v}
    for segment_id, segment in result.segments.items():
        assert segment["claim_type"] and segment["name"].startswith(segment["claim_type"].replace("_", " "))
        examples = result.examples[segment_id]
        assert 3 <= len(examples) <= 5 or len(examples) == (result.frame["segment_id"] == segment_id).sum()
        for example in examples:
            assert not EMAIL.search(example["text"]) and not any(value in example["text"] for value in pii)


@pytest.mark.model
def test_ids_survive_a_rerun_on_shuffled_subset(first_run, trained_model, corpus_contacts, cache):
    result, registry = first_run
    subset = random.Random(7).sample(corpus_contacts, k=int(0.75 * len(corpus_contacts)))
    again = segment_contacts(subset, trained_model, registry_path=registry, journeys=False, embedding_cache=cache)
    merged = result.frame[["contact_id", "segment_id"]].merge(again.frame[["contact_id", "segment_id"]], on="contact_id")
    assigned = merged[(merged["segment_id_x"] != "unassigned") & (merged["segment_id_y"] != "unassigned")]
    assert (assigned["segment_id_x"] == assigned["segment_id_y"]).mean() >= 0.8
    new_ids = set(again.segments) - set(result.segments)
    assert len(new_ids) <= max(1, len(again.segments) // 4), (sorted(result.segments), sorted(again.segments))
    saved = json.loads(registry.read_text())
    assert set(result.segments) | set(again.segments) <= set(saved["segments"])


@pytest.mark.model
def test_files_are_written_and_the_html_shows_no_pii(first_run, corpus_contacts, tmp_path):
    result, _ = first_run
    paths = SegmentPaths.for_report(tmp_path / "segments.html")
    write_outputs(result, paths)
    page = paths.report.read_text()
    outside_scripts = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    assert "<script" in page and not re.search(r"<script[^>]+src=|<link[^>]+href=", page)  # plotly.js is embedded
    for contact in corpus_contacts:
        for value in (contact.customer.email, contact.customer.phone):
            assert not value or value not in page
    assert not EMAIL.search(outside_scripts)
    assert len(pd.read_parquet(paths.assignments)) == len(corpus_contacts)
    for name in result.tables:
        assert (paths.tables / f"{name}.csv").is_file() and (paths.tables / f"{name}.parquet").is_file()


# ---- the command ------------------------------------------------------------------------------------------------
@pytest.mark.model
def test_cli_end_to_end_writes_report_and_logs_to_mlflow(trained, corpus, workspace, tmp_path):
    import mlflow

    from claimtriage.cli import app
    from claimtriage.models.registry import connect

    out = tmp_path / "reports" / "segments.html"
    run = CliRunner().invoke(app, ["segment", "--data", str(corpus), "--model", str(trained.model_dir),
                                   "--out", str(out), "--limit", "150"])
    assert run.exit_code == 0, run.output
    summary = json.loads(run.stdout[run.stdout.index("{"):])
    assert summary["n_contacts"] == 150 and out.is_file() and out.with_suffix(".parquet").is_file()
    assert out.with_suffix(".registry.json").is_file()
    connect()
    artifacts = {a.path for a in mlflow.MlflowClient().list_artifacts(summary["mlflow_run_id"])}
    assert {"segments.html", "segments.parquet", "tables"} <= artifacts


@pytest.mark.unit
@pytest.mark.parametrize("source, model, message", [("no_such_set", None, "no such file"), ("EMPTY", None, "no contacts"),
                                                     ("CORPUS", "no_such_model", "No such artifact")])
def test_cli_bad_input_is_a_clear_error(source, model, message, corpus, tmp_path):
    from claimtriage.cli import app

    if source == "EMPTY":
        source = str(tmp_path / "empty.jsonl")
        (tmp_path / "empty.jsonl").write_text("")
    source = str(corpus) if source == "CORPUS" else source
    extra = ["--model", str(tmp_path / model)] if model else []
    run = CliRunner().invoke(app, ["segment", "--data", source, "--out", str(tmp_path / "r.html"), "--no-track",
                                   "--limit", "20", *extra])
    assert run.exit_code == 2 and "error:" in run.output and message in run.output, run.output

"""The live-server probe (`claimtriage bench probe`) in its quick mode: a real `claimtriage serve` on loopback with
the session's model, a few hundred fuzzed requests, random paths, long texts beside short ones, one kill -9."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.service


def test_quick_probe_measures_every_target(trained_model, workspace, tmp_path):
    from claimtriage.evaluation.probe import bench_probe

    model_dir = trained_model.save(tmp_path / "model")
    out = tmp_path / "probe.json"
    bench_probe(model=str(model_dir), fuzz_requests=150, random_paths=200, long_batch=3, long_chars=8000,
                overload_batches=3, kill_contacts=30, kill_rounds=1, out=out, results=False, tracking_uri=None)
    report = json.loads(out.read_text())
    assert report["fuzz"]["requests"] >= 150 and report["fuzz"]["responses_ge_500"] == 0
    assert report["metrics"]["statuses"] == {"401": 200} and report["metrics"]["metrics_without_key"] == 401
    targets = report["targets"]
    assert targets["metrics_bounded"] and targets["fuzz_no_5xx"]
    assert targets["short_triage_within_1s"], report["long_texts"]
    assert targets["overload_is_503"] and report["long_texts"]["sixteen_100k_texts"]["status"] == 422
    assert targets["kill9_nothing_lost"] and report["kill"]["rounds"][0]["acknowledged"] >= 30
    assert not targets["fuzz_requests>=50000"]  # the quick mode says it is not the full measurement

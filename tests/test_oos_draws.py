"""The out-of-scope robustness suite on the session's demo corpus: a few draws of unseen claim types."""

from __future__ import annotations

import pytest
import yaml

from claimtriage.models.oos import METHODS

pytestmark = pytest.mark.model

def test_each_draw_holds_out_other_labels_and_scores_every_method(corpus, tmp_path):
    from claimtriage.evaluation.oos_draws import markdown, run_oos_draws

    config = {"name": "oos_draws_test", "seed": 0, "split": {"validation": 0.15, "test": 0.2, "group_by": "customer"},
              "heads": {"claim": {"sources": [{"source": str(corpus)}], "label": "claim", "oos_accept_rate": 0.9,
                                  "oos_method": "logit_margin", "unseen_labels": ["refund", "activation"],
                                  "head": {"C": 10}}},
              "tracking": {"experiment": "tests", "registered_model": "tests-oos", "register_model": False}}
    path = tmp_path / "oos.yaml"
    path.write_text(yaml.safe_dump(config))
    report = run_oos_draws(path, draws=2, seed=1)
    assert len(report["draws"]) == 2 and report["n_unseen"] == 2 and report["accept_rate"] == 0.9
    for draw in report["draws"]:
        assert set(draw["unseen"]) != {"refund", "activation"}  # never the configured (quality suite's) draw
        assert set(draw["methods"]) == set(METHODS)
        for metrics in draw["methods"].values():
            assert metrics["n_out_of_scope"] > 0 and 0 <= metrics["oos_recall"] <= 1
            assert 0.5 < metrics["in_scope_accuracy"] <= 1
    assert set(report["summary"]) == set(METHODS)
    table = markdown(report)
    assert "| logit_margin |" in table and "refund, activation" not in table

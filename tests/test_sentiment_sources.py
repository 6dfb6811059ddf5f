"""The sentiment-sources benchmark's table and its held-out threads."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from claimtriage.evaluation.sentiment_sources import held_out, markdown


@pytest.mark.unit
def test_held_out_threads_are_a_stable_share_chosen_by_thread():
    contacts = [SimpleNamespace(thread_id=f"t{i}", id=f"c{i}") for i in range(2000)]
    share = sum(held_out(c) for c in contacts) / len(contacts)
    assert 0.25 < share < 0.35
    assert [held_out(c) for c in contacts] == [held_out(c) for c in contacts]
    twin = SimpleNamespace(thread_id="t7", id="other")
    assert held_out(twin) == held_out(contacts[7])  # a thread's contacts stay on one side


@pytest.mark.unit
def test_the_table_shows_every_model_and_the_gain_follows_the_numbers():
    def scores(acc: float) -> dict:
        return {"accuracy": acc, "macro_f1": acc - 0.1}

    def row(ours: float) -> dict:
        cell = lambda: {"n": 10, "ours": scores(ours), "tfidf_svm": scores(0.5), "encoder_svm": scores(0.55)}  # noqa: E731
        return {"n_train": 100, "xlmt_it": cell(), "xlmt_en": cell(), "stc3_held_out": cell()}

    report = {"config": "training/configs/demo.yaml", "seconds": 3.0, "load_average": 1.0,
              "variants": {"without STC-3": row(0.6), "with STC-3": row(0.7)}}
    report["variants"]["without STC-3"]["xlmt_en"]["ours"] = scores(0.52)
    text = markdown(report)
    assert "without STC-3: the head's accuracy is under a plain baseline on xlmt_en (encoder_svm)." in text
    assert "with STC-3: the head's accuracy is above both plain baselines on every set." in text
    assert "| with STC-3 | claimtriage head | 0.700 / 0.600 |" in text
    assert "| without STC-3 | TF-IDF + LinearSVC | 0.500 / 0.400 |" in text
    assert "+0.100 on stc3_held_out" in text


@pytest.mark.unit
def test_a_benchmarks_command_line_writes_its_report_where_asked(tmp_path):
    from claimtriage.evaluation.results import benchmark_main

    seen = {}

    def run(args):
        seen["flag"] = args.flag
        return {"figure": 1}

    report = benchmark_main("x", "never-written", tmp_path / "default.json", run, lambda r: "",
                            ["--out", str(tmp_path / "r.json"), "--no-results", "--flag", "7"],
                            lambda parser: parser.add_argument("--flag"))
    assert report == {"figure": 1} and seen == {"flag": "7"}
    assert (tmp_path / "r.json").read_text().strip().startswith("{") and not (tmp_path / "default.json").exists()

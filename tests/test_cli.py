"""The command line: help lists the commands; data summary works on a shared set, a file and the demo corpus."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from claimtriage.cli import app

runner = CliRunner()


@pytest.mark.unit
def test_help_lists_the_commands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("data", "demo", "train", "promote", "evaluate"):
        assert command in result.output


@pytest.mark.data
@pytest.mark.shared_data
def test_summary_of_a_shared_set_by_name():
    result = runner.invoke(app, ["data", "summary", "xsid"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["n_contacts"] == 1600
    assert set(summary["languages"]) == {"it", "en"}
    assert len(summary["labels"]["claim"]) == 16


@pytest.mark.unit
def test_demo_then_summary_of_the_folder(tmp_path):
    out = tmp_path / "demo"
    assert runner.invoke(app, ["data", "demo", "--out", str(out), "--contacts", "200", "--seed", "2"]).exit_code == 0
    assert (out / "DATA_CARD.md").is_file()
    result = runner.invoke(app, ["data", "summary", str(out)])
    summary = json.loads(result.output)
    for key in ("n_contacts", "channels", "languages", "labels"):
        assert key in summary
    assert summary["n_contacts"] == 200 and {"it", "en"} <= set(summary["languages"])


@pytest.mark.unit
def test_summary_reports_bad_rows_and_strict_fails(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Body,Channel\nhello,chat\nbroken,fax\n", encoding="utf-8")
    lenient = runner.invoke(app, ["data", "summary", str(path), "--map", "text=Body", "--map", "channel=Channel"])
    report = json.loads(lenient.output)
    assert report["n_contacts"] == 1 and report["skipped_rows"]["skipped"] == 1
    assert report["skipped_rows"]["first"][0]["line"] == 3
    strict = runner.invoke(app, ["data", "summary", str(path), "--map", "text=Body", "--map", "channel=Channel", "--strict"])
    assert strict.exit_code == 2 and "export.csv:3: channel" in strict.output


@pytest.mark.unit
def test_unknown_source_is_a_clear_error():
    result = runner.invoke(app, ["data", "summary", "no_such_set_or_file"])
    assert result.exit_code == 2 and "no such file" in result.output

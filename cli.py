"""The `claimtriage` command. Every subcommand calls a function that tests call too."""

from __future__ import annotations

import logging
import os

import typer

from claimtriage.data.paths import OFFLINE_DEFAULTS
from claimtriage.data.cli import app as data_app
from claimtriage.data.journeys.cli import journeys_app
from claimtriage.evaluation.bench import app as bench_app
from claimtriage.evaluation.cli import evaluate_command
from claimtriage.serving.cli import export_feedback_command, score_command, serve_command
from claimtriage.evaluation.segments.cli import segment_command
from claimtriage.training.cli import fit_linking_command, promote_command, train_command, tune_policy_command

# locals are never shown in tracebacks: they may hold customer text
app = typer.Typer(help="Omnichannel claim triage for contact centres.", no_args_is_help=True, pretty_exceptions_show_locals=False)
app.add_typer(data_app, name="data")
app.add_typer(journeys_app, name="journeys")
app.command("train")(train_command)
app.command("promote")(promote_command)
app.command("tune-policy")(tune_policy_command)
app.command("fit-linking")(fit_linking_command)
app.command("evaluate")(evaluate_command)
app.command("serve")(serve_command)
app.command("export-feedback")(export_feedback_command)
app.command("score")(score_command)
app.command("segment")(segment_command)
app.add_typer(bench_app, name="bench")


@app.command("demo")
def demo(
    out: str = typer.Option("demo_corpus", help="where the demo corpus goes"),
    seed: int = typer.Option(0, help="random seed"),
    contacts: int = typer.Option(5000, min=200, help="number of contacts"),
) -> None:
    """The main job on the embedded default: demo corpus -> train -> register and promote in MLflow -> triage samples."""
    from pathlib import Path

    from claimtriage.demo import run_demo

    run_demo(Path(out), seed=seed, n_contacts=contacts, echo=typer.echo)


def configure_environment() -> None:
    """Offline defaults and logging: done by the entry point, never at import."""
    for key, value in OFFLINE_DEFAULTS.items():
        os.environ.setdefault(key, value)
    logging.basicConfig(level=os.environ.get("CLAIMTRIAGE_LOG_LEVEL", "WARNING"), format="%(levelname)s %(message)s")


def main() -> None:
    configure_environment()
    app()


if __name__ == "__main__":
    main()

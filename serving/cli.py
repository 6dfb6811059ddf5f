"""`claimtriage serve`: check the settings here, then hand over to `bentoml serve serving.service:TriageService`.

The settings travel to the server workers as JSON in `CLAIMTRIAGE_SERVE_SETTINGS` (API keys stay in
`CLAIMTRIAGE_API_KEYS` or the key file); the process is replaced by BentoML's server, so Ctrl+C and SIGTERM stop it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from claimtriage.serving.config import BENTOML_TIMEOUT_BACKSTOP_S, SETTINGS_ENV, ServiceSettings, read_api_keys

SERVICE = "claimtriage.serving.service:TriageService"


def build_settings(*, model: str, host: str, port: int, store: str | None, policy: Path | None,
                   api_key_file: Path | None, no_auth: bool, tracking_uri: str | None, dtype: str,
                   max_batch_contacts: int, max_text_chars: int, cors_origin: list[str],
                   model_threads: int = 1, encoder_runtime: str = "auto", timeout_s: float = 30.0,
                   time_budget_s: float = 20.0, max_request_chars: int = 200_000,
                   max_concurrency: int = 1024, public_metrics: bool = False,
                   deployment: Path | None = None) -> ServiceSettings:
    """Validated settings with absolute paths (the server runs from the project folder)."""
    from claimtriage.models.registry import is_registry_uri

    model_path = Path(model).expanduser()
    if not is_registry_uri(model) and model_path.exists():
        model = str(model_path.resolve())
    for path, flag in ((policy, "--policy"), (api_key_file, "--api-key-file"), (deployment, "--deployment")):
        if path is not None and not path.is_file():
            raise typer.BadParameter(f"{flag}: no such file: {path}")
    if deployment is not None:  # a bad deployment file stops here, naming the field; the server never starts
        from claimtriage.data.deployment import DeploymentError, load_deployment

        try:
            load_deployment(deployment)
        except DeploymentError as err:
            raise typer.BadParameter(f"--deployment: {err}") from None
    return ServiceSettings(
        model=model, host=host, port=port, store_url=store, tracking_uri=tracking_uri, dtype=dtype,
        policy_path=str(policy.resolve()) if policy else None, require_auth=not no_auth,
        api_key_file=str(api_key_file.resolve()) if api_key_file else None,
        max_batch_contacts=max_batch_contacts, max_text_chars=max_text_chars, cors_origins=cors_origin,
        model_threads=model_threads, encoder_runtime=encoder_runtime, timeout_s=timeout_s,
        time_budget_s=time_budget_s, max_request_chars=max_request_chars,
        max_concurrency=max_concurrency, public_metrics=public_metrics,
        deployment_path=str(deployment.resolve()) if deployment else None)


def check_model(settings: ServiceSettings) -> None:
    """Fail here, with a clear message, rather than in a server worker that would be restarted in a loop."""
    from claimtriage.models.registry import local_model_dir

    try:
        local_model_dir(settings.model, tracking_uri=settings.tracking_uri)
    except Exception as err:  # noqa: BLE001 - any failure to find the model stops here
        raise typer.BadParameter(f"--model {settings.model}: {err}") from err


def check_store(settings: ServiceSettings) -> None:
    """Open the journey store here (creating or upgrading it), so that a store that cannot be opened (an unwritable
    path, a server that does not answer, a newer schema) stops `serve` with its path and reason instead of leaving
    a worker without journeys."""
    from claimtriage.data.journeys.store import JourneyStore, StoreError

    try:
        JourneyStore.open(settings.store_url).close()
    except StoreError as err:
        raise typer.BadParameter(f"--store {settings.store_url or '(the embedded default)'}: {err}") from err


def serve_command(
    model: Annotated[str, typer.Option(help="registry URI or saved model folder")] = "models:/claimtriage@champion",
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 3000,
    store: Annotated[Optional[str], typer.Option(help="journey store URL (default: the embedded SQLite store)")] = None,
    policy: Annotated[Optional[Path], typer.Option(help="routing policy YAML")] = None,
    deployment: Annotated[Optional[Path], typer.Option(help="deployment settings YAML: brand, customer-code format, "
                                                            "the company's own addresses (default: generic rules)")] = None,
    api_key_file: Annotated[Optional[Path], typer.Option(help="file with one API key per line "
                                                               "(or set CLAIMTRIAGE_API_KEYS=k1,k2)")] = None,
    no_auth: Annotated[bool, typer.Option("--no-auth", help="accept requests without an API key (demo only)")] = False,
    public_metrics: Annotated[bool, typer.Option("--public-metrics", help="serve /metrics without an API key, for a "
                                                 "scraper that cannot send one (default: the key is needed)")] = False,
    tracking_uri: Annotated[Optional[str], typer.Option(help="MLflow tracking URI")] = None,
    dtype: Annotated[str, typer.Option(help="auto | bf16 | fp32 (auto: bf16 where the CPU makes it faster)")] = "auto",
    encoder_runtime: Annotated[str, typer.Option(help="auto | torch | onnx | onnx-int8 (opt-in: ~2x faster "
                                                      "encoder, labels may shift; check with claimtriage evaluate "
                                                      "--encoder-runtime onnx-int8)")] = "auto",
    max_batch_contacts: Annotated[int, typer.Option(help="contacts accepted by /triage_batch")] = 64,
    max_text_chars: Annotated[int, typer.Option(help="characters of text accepted per contact")] = 100_000,
    model_threads: Annotated[int, typer.Option(help="torch/BLAS threads per worker (1: the other core serves "
                                                    "HTTP and the journey store)")] = 1,
    max_request_chars: Annotated[int, typer.Option(help="characters of text per request, all contacts together")]
    = 200_000,
    time_budget: Annotated[float, typer.Option(help="seconds a triage request may wait for the model before the "
                                                    "answer is 503 overloaded (nothing recorded)")] = 20.0,
    timeout: Annotated[float, typer.Option(help="seconds any request may take before the answer is 503 "
                                                "request_timeout (over --time-budget)")] = 30.0,
    max_concurrency: Annotated[int, typer.Option(help="requests in flight before the server answers 503 "
                                                      "overloaded")] = 1024,
    cors_origin: Annotated[Optional[list[str]], typer.Option(help="allow this browser origin (repeatable); "
                                                                  "CORS is off without it")] = None,
) -> None:
    """Start the triage service (BentoML) with the champion model or a model folder."""
    from pydantic import ValidationError

    try:
        settings = build_settings(model=model, host=host, port=port, store=store, policy=policy,
                                  api_key_file=api_key_file, no_auth=no_auth, tracking_uri=tracking_uri,
                                  dtype=dtype, max_batch_contacts=max_batch_contacts,
                                  max_text_chars=max_text_chars, cors_origin=cors_origin or [],
                                  model_threads=model_threads, encoder_runtime=encoder_runtime, timeout_s=timeout,
                                  time_budget_s=time_budget, max_request_chars=max_request_chars,
                                  max_concurrency=max_concurrency, public_metrics=public_metrics,
                                  deployment=deployment)
    except ValidationError as err:
        raise typer.BadParameter("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors()))
    if settings.require_auth and not read_api_keys(settings):
        raise typer.BadParameter("API keys are required: set CLAIMTRIAGE_API_KEYS=key1,key2 or give "
                                 "--api-key-file, or start a demo with --no-auth")
    if not settings.require_auth:
        typer.echo("WARNING: --no-auth: the service accepts requests without an API key. Demo use only.", err=True)
    check_model(settings)
    check_store(settings)
    exec_server(settings)


def bentoml_options(settings: ServiceSettings) -> list[str]:
    """`BENTOML_CONFIG_OPTIONS` entries: BentoML's own request timeout, a backstop beyond the service's (the service
    answers 503 with Retry-After at `timeout_s`; BentoML would answer 504 in a body of its own). BentoML's
    concurrency limit (429) stays off: the service enforces `max_concurrency` with a 503."""
    return [f"services.claimtriage.traffic.timeout={settings.timeout_s + BENTOML_TIMEOUT_BACKSTOP_S:g}"]


def exec_server(settings: ServiceSettings) -> None:
    """Replace this process with BentoML's server for the triage service."""
    from claimtriage.data.paths import workspace_dir

    os.environ[SETTINGS_ENV] = settings.to_env()
    metrics_note = "" if settings.public_metrics or not settings.require_auth else " with the API key"
    # BentoML's own request timeout goes beyond the service's (over the service's defaults)
    os.environ["BENTOML_CONFIG_OPTIONS"] = " ".join(filter(None, [
        os.environ.get("BENTOML_CONFIG_OPTIONS", ""), *bentoml_options(settings)]))
    # the server runs from the project folder: keep the caller's workspace (MLflow store, journey store)
    os.environ.setdefault("CLAIMTRIAGE_HOME", str(workspace_dir()))
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # read at import by the workers
        os.environ.setdefault(name, str(settings.model_threads))
    typer.echo(f"claimtriage: serving {settings.model} on http://{settings.host}:{settings.port} "
               f"(docs at /docs, metrics at /metrics{metrics_note})", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    # the service is imported from the installed package; the working directory only holds the caller's stores
    args = [sys.executable, "-m", "bentoml", "serve", SERVICE, "--host", settings.host, "--port", str(settings.port),
            "--working-dir", str(workspace_dir())]
    os.execv(sys.executable, args)


def export_feedback_command(
    out: Annotated[Path, typer.Option(help="the training file to write (JSON lines of Contacts with labels)")] = Path("feedback.jsonl"),
    store: Annotated[Optional[str], typer.Option(help="journey store URL (default: the embedded SQLite store)")] = None,
) -> None:
    """Export agents' corrections (POST /feedback) as a labelled training file for the next retraining."""
    from claimtriage.data.journeys.store import JourneyStore, StoreError
    from claimtriage.serving.engine import export_feedback

    try:
        n = export_feedback(JourneyStore.open(store), out)
    except StoreError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{n} corrected contacts written to {out}; add it to the sources of a training config")


def score_command(
    data: Annotated[str, typer.Option("--data", "-d", help="any source: shared set, file, folder or hf:NAME")],
    out: Annotated[Path, typer.Option(help="the Parquet output (a file; with --engine spark, Spark's folder)")],
    model: Annotated[str, typer.Option(help="registry URI or model folder (spark: an MLflow model)")]
    = "models:/claimtriage@champion",
    engine: Annotated[str, typer.Option(help="local: in this process; spark: mlflow.pyfunc.spark_udf on Spark")]
    = "local",
    spark_master: Annotated[str, typer.Option(help="Spark master URL (with --engine spark)")] = "local[2]",
    batch_size: Annotated[int, typer.Option(help="contacts per model call")] = 256,
    column_map: Annotated[Optional[list[str]], typer.Option("--map", "-m", help="FIELD=COLUMN for your own file")]
    = None,
    channel: Annotated[Optional[str], typer.Option(help="channel of rows without one")] = None,
    split: Annotated[Optional[str], typer.Option(help="a split of the source (train, validation, test)")] = None,
    limit: Annotated[Optional[int], typer.Option(min=1, help="score only the first N contacts")] = None,
    tracking_uri: Annotated[Optional[str], typer.Option(help="MLflow tracking URI")] = None,
) -> None:
    """Score every contact of DATA into a Parquet file (one row per contact); rejected rows go to OUT.rejects.jsonl."""
    import json

    from claimtriage.data.mapping import ColumnMapping
    from claimtriage.data.schema import Channel
    from claimtriage.serving.batch_score import EngineUnavailable, run_score

    try:
        mapping = ColumnMapping.parse(column_map or [], default_channel=Channel(channel) if channel else None)
        report = run_score(data, out, model=model, engine=engine, master=spark_master, batch_size=batch_size,
                           mapping=mapping, split=split, limit=limit, tracking_uri=tracking_uri,
                           echo=lambda line: typer.echo(line, err=True))
    except EngineUnavailable as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(3) from None
    except (ValueError, FileNotFoundError, LookupError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps(report.as_dict(), indent=2))

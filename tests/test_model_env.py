"""The logged MLflow model runs where only its declared pip requirements and the code it carries exist, the way a
Spark executor or a serving container sees it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.model

#: loads the model with claimtriage's own install hidden and predicts
PROBE = r"""
import json, sys
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in type(f).__module__.lower()
                    and "editable" not in getattr(f, "__name__", "").lower()]
sys.path[:] = [p for p in sys.path if "__editable__" not in p]
try:
    import claimtriage  # noqa: F401
    raise SystemExit("claimtriage is importable before the model is loaded: the probe is not isolated")
except ImportError:
    pass
import mlflow, pandas as pd
model = mlflow.pyfunc.load_model(sys.argv[1])
rows = model.predict(pd.DataFrame({"contact": [json.dumps(c) for c in json.loads(sys.argv[2])]}))
import claimtriage
print(json.dumps({"claimtriage": claimtriage.__file__, "rows": rows.to_dict(orient="records")}, default=str))
"""


def _model_folder(trained) -> Path:
    import mlflow

    return Path(mlflow.artifacts.download_artifacts(artifact_uri=f"runs:/{trained.run_id}/model"))


def _requirement_names(folder: Path) -> set[str]:
    names = set()
    for line in (folder / "requirements.txt").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "-")):
            names.add(re.split(r"[<>=!~\[;\s]", line, maxsplit=1)[0].lower().replace("_", "-"))
    return names


def _closure(names: set[str]) -> set[str]:
    """The declared requirements and everything they depend on, as installed here."""
    from importlib import metadata

    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for req in requires:
            if "extra ==" in req:
                continue
            todo.append(re.split(r"[<>=!~\[;\s(]", req, maxsplit=1)[0].lower().replace("_", "-"))
    return seen


def _contacts(corpus_contacts, n: int = 3) -> str:
    return json.dumps([c.model_dump(mode="json", exclude_none=True, exclude={"labels", "outcome"})
                       for c in corpus_contacts[:n]])


def test_the_logged_model_predicts_from_the_code_it_carries_and_its_declared_requirements(trained, corpus_contacts):
    folder = _model_folder(trained)
    run = subprocess.run([sys.executable, "-I", "-c", PROBE, str(folder), _contacts(corpus_contacts)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["claimtriage"].startswith(str(folder / "code" / "claimtriage"))  # the carried code, not the install
    expected = {s.contact_id: s.claim for s in trained.model.predict(corpus_contacts[:3])}
    assert {r["contact_id"]: r["claim"] for r in result["rows"]} == expected
    allowed = _closure(_requirement_names(folder))
    undeclared = {dist for module, dist in _third_party_imports(folder / "code" / "claimtriage").items()
                  if dist not in allowed}
    assert not undeclared, f"the carried code imports distributions its requirements.txt does not bring: {undeclared}"


def _third_party_imports(package: Path) -> dict[str, str]:
    """Every module the carried code imports when it is imported (module level; imports inside functions serve
    paths a model never takes, such as reading hub datasets) that is neither stdlib nor claimtriage, with the
    distribution that provides it here."""
    import ast
    from importlib.metadata import packages_distributions

    dists = packages_distributions()
    found: dict[str, str] = {}
    for path in package.rglob("*.py"):
        for node in ast.parse(path.read_text()).body:
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level
                     else [])
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in ("claimtriage", "__future__"):
                    continue
                found[top] = (dists.get(top) or [top])[0].lower().replace("_", "-")
    return found


@pytest.mark.slow
def test_the_logged_model_predicts_in_a_fresh_virtualenv(trained, corpus_contacts, tmp_path):
    """The real thing: a new virtualenv with only the model's requirements.txt installed (minutes: torch, mlflow)."""
    folder = _model_folder(trained)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "torch==2.13.0"], check=True, timeout=1800)  # the CPU build first, as the Makefile does
    subprocess.run([*pip, "-r", str(folder / "requirements.txt")], check=True, timeout=1800)
    run = subprocess.run([str(venv / "bin" / "python"), "-I", "-c", PROBE, str(folder), _contacts(corpus_contacts)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    expected = {s.contact_id: s.claim for s in trained.model.predict(corpus_contacts[:3])}
    assert {r["contact_id"]: r["claim"] for r in result["rows"]} == expected

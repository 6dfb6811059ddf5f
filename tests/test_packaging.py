"""The distribution's shape: one package, `claimtriage`, whose subpackages are the design card's folders; layers that
import one way (import-linter); the code a logged model carries imports on its own."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("data", "models", "training", "serving", "evaluation")
BIN = Path(sys.executable).parent


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_package_folder_is_listed():
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    found = {"claimtriage"} | {
        "claimtriage." + ".".join(init.parent.relative_to(ROOT).parts)
        for layer in LAYERS for init in (ROOT / layer).rglob("__init__.py") if "__pycache__" not in init.parts}
    assert listed == found, f"pyproject [tool.setuptools] packages: missing {found - listed}, stale {listed - found}"


def test_no_module_imports_a_bare_layer_name():
    """`from data.x import y` would work from the repository root and break anywhere else."""
    bare = []
    for path in [ROOT / "cli.py", ROOT / "demo.py", *(p for layer in LAYERS for p in (ROOT / layer).rglob("*.py")),
                 *(ROOT / "tests").glob("*.py")]:
        for n, line in enumerate(path.read_text().splitlines(), 1):
            stripped = line.strip()
            if stripped.startswith(tuple(f"{kw} {layer}" for kw in ("from", "import") for layer in LAYERS)):
                if stripped.split()[1].split(".")[0] in LAYERS:
                    bare.append(f"{path.relative_to(ROOT)}:{n}: {stripped}")
    assert not bare, "\n".join(bare)


def test_install_puts_only_claimtriage_at_the_top_of_site_packages(tmp_path):
    target = tmp_path / "site"
    subprocess.run([str(BIN / "pip"), "install", "--quiet", "--no-deps", "--no-build-isolation", "--target",
                    str(target), str(ROOT)], check=True, capture_output=True, timeout=300)
    top = {p.name for p in target.iterdir()} - {"bin"}  # bin: the console script, outside site-packages proper
    assert top == {"claimtriage", "claimtriage-0.1.0.dist-info"}
    package = target / "claimtriage"
    assert {p.name for p in package.iterdir() if p.is_dir()} >= set(LAYERS)
    assert (package / "training" / "configs" / "demo.yaml").is_file()
    assert (package / "serving" / "default_policy.yaml").is_file()
    assert not (package / "tests").exists()


def test_import_contract_is_kept():
    run = subprocess.run([str(BIN / "lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stdout[-3000:]


@pytest.mark.parametrize("lower, upper", [("data", "serving.engine"), ("models", "training.train"),
                                          ("serving", "training.tracking"), ("training", "evaluation.journeys")])
def test_import_contract_fails_on_an_upward_import(tmp_path, lower, upper):
    """The project's own contract, on a copy of the project with one upward import added."""
    package = tmp_path / "claimtriage"
    shutil.copytree(ROOT, package, ignore=shutil.ignore_patterns(
        ".*", "__pycache__", "tests", "build", "*.egg-info", "artifacts", "demo_corpus", "mlruns", "reports",
        "runs", "*.db*", "*.md", "*.json", "*.png", "*.csv", "*.yaml", "Makefile"))
    (package / lower / "upward.py").write_text(f"import claimtriage.{upper}\n")
    config = tmp_path / "pyproject.toml"
    config.write_text((ROOT / "pyproject.toml").read_text())
    run = subprocess.run([str(BIN / "lint-imports"), "--no-cache", str(config)], cwd=tmp_path, capture_output=True,
                         text=True, env={"PYTHONPATH": str(tmp_path), "PATH": str(BIN)}, timeout=120)
    assert run.returncode != 0, run.stdout[-2000:]
    assert f"claimtriage.{lower}.upward -> claimtriage.{upper}" in run.stdout


def test_the_code_a_logged_model_carries_imports_on_its_own(tmp_path):
    from claimtriage.training.tracking import carried_code

    package = carried_code(tmp_path)
    assert {p.name for p in package.iterdir()} == {"__init__.py", "data", "models"}
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); import claimtriage.models.triage_model as m, "
             "claimtriage.data.schema; print(m.__file__)")
    run = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip().startswith(str(package))


def test_the_bento_runs_the_service_from_the_projects_wheel():
    bento = yaml.safe_load((ROOT / "serving" / "bentofile.yaml").read_text())
    version = _pyproject()["project"]["version"]
    assert bento["service"] == "claimtriage.serving.service:TriageService"
    assert bento["python"]["wheels"] == [f"./dist/claimtriage-{version}-py3-none-any.whl"]

"""`claimtriage bench score`: batch scoring of demo contacts, the local engine and Spark side by side in one run.

Each engine runs as its own `claimtriage score` child process, so that its peak memory (the process tree's resident
memory, sampled: Python, and for Spark the JVM and its Python workers) and its wall time are its own. The two outputs
are compared label by label. Writes `evaluation/bench/score.json` and the `score` section of RESULTS.md.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from claimtriage.data.paths import PROJECT_ROOT, workspace_dir
from claimtriage.evaluation.results import update_section

DEFAULT_OUT = PROJECT_ROOT / "evaluation" / "bench" / "score.json"
LABELS = ("claim_label", "out_of_scope", "sentiment", "complexity")


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 2**20


def run_measured(command: list[str], *, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a command, sampling its process tree's memory every 0.2 s; its JSON stdout, peak MiB and wall seconds."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, **(env or {})})
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_mib(process.pid))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])}... exited {process.returncode}:\n{stderr[-3000:]}")
    return {"report": json.loads(stdout), "peak_rss_mib": round(peak[0], 1),
            "wall_seconds": round(time.perf_counter() - started, 1)}


def read_scores(path: Path):
    import pandas as pd

    return pd.read_parquet(path).set_index("id").sort_index()


def agreement(local: Path, spark: Path) -> dict[str, Any]:
    """Share of contacts whose labels agree between the two outputs, and the largest confidence difference."""
    a, b = read_scores(local), read_scores(spark)
    common = a.index.intersection(b.index)
    out: dict[str, Any] = {"n_local": len(a), "n_spark": len(b), "n_common": len(common)}
    for column in LABELS:
        out[f"{column}_agreement"] = float((a.loc[common, column].fillna("") == b.loc[common, column].fillna("")).mean())
    out["max_confidence_difference"] = float((a.loc[common, "claim_confidence"]
                                              - b.loc[common, "claim_confidence"]).abs().max())
    return out


def markdown(report: dict[str, Any]) -> str:
    rows = ["| engine | contacts | seconds (scoring) | contacts/s | wall s (process) | peak memory (MiB) |",
            "|---|---:|---:|---:|---:|---:|"]
    for name, run in report["engines"].items():
        r = run["report"]
        rows.append(f"| {name}{' ' + r.get('spark_master', '') if name == 'spark' else ''} | {r['n_scored']:,} | "
                    f"{r['seconds']:.1f} | {r['contacts_per_s']:.1f} | {run['wall_seconds']:.1f} | "
                    f"{run['peak_rss_mib']:,.0f} |")
    agree = report["agreement"]
    return "\n".join([
        "## Batch scoring (`claimtriage bench score`)", "",
        f"Reproduce: `{report['command']}`. {report['n_contacts']:,} demo contacts (generated, seed "
        f"{report['seed']}), model {report['model']}, batch size {report['batch_size']}, on "
        f"{report['machine']['cpus']} cores; each engine in its own process, peak memory of its whole process tree "
        "(for Spark: the driver, the JVM and the Python workers, each worker loading the model).", "",
        *rows, "",
        f"Labels agree between the engines on {agree['n_common']:,} contacts: claim "
        f"{agree['claim_label_agreement']:.3%}, out-of-scope {agree['out_of_scope_agreement']:.3%}, sentiment "
        f"{agree['sentiment_agreement']:.3%}, complexity {agree['complexity_agreement']:.3%} (largest claim-confidence "
        f"difference {agree['max_confidence_difference']:.2g}). Spark's executors run the `claimtriage` code the model "
        "carries (logged with it), the local engine the installed code: they agree exactly when the model was logged by "
        "the installed version (`tests/test_score.py` checks that), and a model logged before a change to "
        "normalisation or redaction keeps scoring as it was logged.", ""])


def bench_score(
    model: Annotated[str, typer.Option(help="a registered model (Spark needs an MLflow model)")]
    = "models:/claimtriage@champion",
    contacts: Annotated[int, typer.Option(help="demo contacts to score")] = 20_000,
    seed: Annotated[int, typer.Option(help="seed of the demo contacts")] = 2,
    batch_size: Annotated[int, typer.Option(help="contacts per model call")] = 256,
    spark_master: Annotated[str, typer.Option(help="Spark master URL")] = "local[2]",
    out: Annotated[Path, typer.Option(help="where the JSON goes")] = DEFAULT_OUT,
    tracking_uri: Annotated[Optional[str], typer.Option(help="MLflow tracking URI")] = None,
) -> None:
    """Score N demo contacts locally and on Spark, side by side; print and write the figures."""
    from claimtriage.data.demo import generate_demo
    from claimtriage.data.io import write_contacts

    work = workspace_dir() / "artifacts" / "bench_score"
    work.mkdir(parents=True, exist_ok=True)
    data = write_contacts(generate_demo(contacts, seed=seed), work / f"demo_{contacts}_seed{seed}.jsonl")
    claimtriage = str(Path(sys.executable).with_name("claimtriage"))
    env = {"MLFLOW_TRACKING_URI": tracking_uri} if tracking_uri else {}
    runs: dict[str, Any] = {}
    outputs = {}
    for engine in ("local", "spark"):
        outputs[engine] = work / f"scores_{engine}.parquet"
        typer.echo(f"bench score: {engine} engine on {contacts} contacts", err=True)
        runs[engine] = run_measured([claimtriage, "score", "--data", str(data), "--out", str(outputs[engine]),
                                     "--model", model, "--engine", engine, "--spark-master", spark_master,
                                     "--batch-size", str(batch_size)], env=env)
    report = {
        "command": f"claimtriage bench score --contacts {contacts} --seed {seed}",
        "model": runs["local"]["report"]["model_version"], "n_contacts": contacts, "seed": seed,
        "batch_size": batch_size,
        "machine": {"cpus": os.cpu_count(), "cpu": platform.processor(), "load_average_1m": os.getloadavg()[0]},
        "engines": runs, "agreement": agreement(outputs["local"], outputs["spark"]),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    update_section("score", markdown(report))
    typer.echo(json.dumps(report, indent=2))

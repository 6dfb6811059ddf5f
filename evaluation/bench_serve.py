"""`claimtriage bench serve`: the triage endpoint under load, against the raw model, in one run.

Starts `claimtriage serve` on a free loopback port (its own API key and a throw-away journey store), measures
single-contact requests at concurrency 1, 8 and 32, batch requests, and optionally a steady-rate run, sampling the
server's RSS; then, with the server stopped, the raw model's contacts/s in this process; prints and writes
`evaluation/bench/serve.json`.
Loopback only, and every phase is bounded by a request count and a time limit. The load generator runs on the same
machine as the server: on 2 cores it takes CPU from the server, so the figures are a floor.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import platform
import secrets
import statistics
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from claimtriage.data.paths import PROJECT_ROOT
from claimtriage.serving.process import ServerError, running_server

DEFAULT_OUT = PROJECT_ROOT / "evaluation" / "bench" / "serve.json"
TARGETS = {"c32_req_per_s": 250, "c32_p99_ms": 150, "c1_p50_ms": 15, "endpoint_over_raw": 0.5, "rss_gib": 1.5}


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants (the BentoML arbiter and its workers)."""
    total, stack = 0.0, [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def percentiles(latencies_ms: list[float]) -> dict[str, float]:
    ordered = sorted(latencies_ms)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50_ms": round(statistics.median(ordered), 2), "p95_ms": round(pick(0.95), 2),
            "p99_ms": round(pick(0.99), 2), "max_ms": round(ordered[-1], 2)}


def contact_payloads(source: str, n: int, customers: int = 400) -> list[dict[str, Any]]:
    """Short real contacts, each given one of `customers` synthetic emails so that the journey store links them."""
    from claimtriage.evaluation.bench import short_contacts

    out = []
    for i, contact in enumerate(short_contacts(source, n)):
        data = contact.model_dump(mode="json", exclude_none=True, exclude={"labels", "metadata", "outcome"})
        data["customer"] = {"email": f"bench.customer{i % customers}@example.com"}
        out.append(data)
    return out


_PHASES = itertools.count()


async def load_phase(client, payloads: list[dict], *, concurrency: int, requests: int, max_seconds: float,
                     batch: int = 1, rate: float | None = None) -> dict[str, Any]:
    """`requests` POSTs (of one contact, or `batch` contacts) by `concurrency` workers, or fewer if time runs out;
    with `rate`, requests start on a fixed schedule (open loop) instead of back to back."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    phase = next(_PHASES)  # contact ids never repeat across phases: a re-sent id takes the store's "already stored" path
    counter = iter(range(requests))
    started = time.perf_counter()
    deadline = started + max_seconds

    async def worker() -> None:
        for i in counter:
            now = time.perf_counter()
            if now > deadline:
                return
            if rate:
                await asyncio.sleep(max(0.0, started + i / rate - now))
            contacts = [dict(payloads[(i * batch + j) % len(payloads)], id=f"bench-{os.getpid()}-{phase}-{batch}-{i}-{j}")
                        for j in range(batch)]
            path, body = ("/triage", contacts[0]) if batch == 1 else ("/triage_batch", {"contacts": contacts})
            t0 = time.perf_counter()
            try:
                async with client.post(path, json=body) as response:
                    await response.read()
                    if response.status != 200:
                        errors[str(response.status)] = errors.get(str(response.status), 0) + 1
                        continue
            except Exception as err:  # noqa: BLE001 - a failed request is counted, not fatal
                errors[type(err).__name__] = errors.get(type(err).__name__, 0) + 1
                continue
            latencies.append((time.perf_counter() - t0) * 1000)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    done = len(latencies)
    return {"concurrency": concurrency, "batch": batch, "requests": done, "seconds": round(seconds, 2),
            "req_per_s": round(done / seconds, 1), "contacts_per_s": round(done * batch / seconds, 1),
            **(percentiles(latencies) if latencies else {}), "errors": sum(errors.values()), "error_kinds": errors}


def raw_model(model: str, payloads: list[dict], tracking_uri: str | None, runtime: str = "auto") -> dict[str, Any]:
    """The model alone, in this process: contacts/s in batches of 64 and single-contact latency, with torch's default
    threads and with one thread (the server's default); the better contacts/s is the reference."""
    import torch

    from claimtriage.data.schema import Contact
    from claimtriage.evaluation.bench import measure
    from claimtriage.models.threads import limited_threads
    from claimtriage.models.registry import load_model

    loaded = load_model(model, tracking_uri=tracking_uri, runtime=runtime)
    contacts = [Contact.model_validate(p) for p in payloads]
    default_threads = torch.get_num_threads()
    runs = {f"threads_{default_threads}": measure(loaded, contacts, batch_size=64, single=200)}
    with limited_threads(1):
        runs["threads_1"] = measure(loaded, contacts, batch_size=64, single=200)
    best = max(runs.values(), key=lambda r: r["contacts_per_s"])
    return {"dtype": loaded.encoder.dtype, "runtime": loaded.encoder.runtime, "contacts_per_s": best["contacts_per_s"],
            "runs": runs}


async def run_phases(url: str, key: str, payloads: list[dict], server_pid: int, *, requests: int,
                     max_seconds: float, steady_seconds: float, steady_rate: float) -> dict[str, Any]:
    import aiohttp  # the load generator shares the 2 cores with the server: aiohttp costs less CPU per request

    phases: dict[str, Any] = {}
    rss = [tree_rss_mib(server_pid)]
    async with aiohttp.ClientSession(base_url=url, headers={"X-API-Key": key},
                                     timeout=aiohttp.ClientTimeout(total=30),
                                     connector=aiohttp.TCPConnector(limit=64)) as client:
        await load_phase(client, payloads, concurrency=4, requests=100, max_seconds=30)  # warm-up
        for concurrency in (1, 8, 32):
            phases[f"single_c{concurrency}"] = await load_phase(
                client, payloads, concurrency=concurrency, requests=requests, max_seconds=max_seconds)
            rss.append(tree_rss_mib(server_pid))
        phases["batch16_c4"] = await load_phase(client, payloads, concurrency=4, requests=max(20, requests // 16),
                                                max_seconds=max_seconds, batch=16)
        rss.append(tree_rss_mib(server_pid))
        if steady_seconds > 0:
            phases["steady"] = await load_phase(client, payloads, concurrency=64,
                                                requests=int(steady_seconds * steady_rate),
                                                max_seconds=steady_seconds + 30, rate=steady_rate)
            phases["steady"]["target_rate"] = steady_rate
            rss.append(tree_rss_mib(server_pid))
    return {"phases": phases, "server_rss_mib": {"idle": round(rss[0], 1), "peak": round(max(rss), 1)}}


def bench_serve(
    model: Annotated[str, typer.Option(help="a model folder or registry URI")] = "models:/claimtriage@champion",
    source: Annotated[str, typer.Option(help="where the short contacts come from")] = "bitext_customer_support",
    n: Annotated[int, typer.Option(help="distinct contacts to send (and to time the raw model on)")] = 1000,
    requests: Annotated[int, typer.Option(help="most requests per phase")] = 1500,
    max_seconds: Annotated[float, typer.Option(help="most seconds per phase")] = 15.0,
    steady_seconds: Annotated[float, typer.Option(help="steady-rate run length (0: skip; 60 for the target)")] = 0.0,
    steady_rate: Annotated[float, typer.Option(help="requests/s of the steady-rate run")] = 100.0,
    out: Annotated[Path, typer.Option(help="where the JSON goes")] = DEFAULT_OUT,
    tracking_uri: Annotated[Optional[str], typer.Option(help="MLflow tracking URI")] = None,
    encoder_runtime: Annotated[str, typer.Option(help="the server's and the raw model's encoder runtime (auto | "
                                                      "torch | onnx | onnx-int8)")] = "auto",
) -> None:
    """Measure the triage endpoint (single contacts at concurrency 1, 8, 32; batches; optional steady run) and the
    raw model in one run; print and write the figures."""
    payloads = contact_payloads(source, n)
    load_before = os.getloadavg()
    key = secrets.token_urlsafe(24)
    args = ["--model", model, "--max-batch-contacts", "64", "--encoder-runtime", encoder_runtime]
    args += ["--tracking-uri", tracking_uri] if tracking_uri else []
    with tempfile.TemporaryDirectory(prefix="claimtriage-bench-") as tmp:
        workdir = Path(tmp)
        args += ["--store", f"sqlite:///{workdir / 'journeys.db'}"]
        try:
            with running_server(args, workdir=workdir, env={"CLAIMTRIAGE_API_KEYS": key,
                                                            "CLAIMTRIAGE_LOG_LEVEL": "WARNING"}) as server:
                measured = asyncio.run(run_phases(server.url, key, payloads, server.process.pid, requests=requests,
                                                  max_seconds=max_seconds, steady_seconds=steady_seconds,
                                                  steady_rate=steady_rate))
        except ServerError as err:
            typer.echo(f"error: {err}", err=True)
            raise typer.Exit(2) from None
    # the raw model after the server has stopped: timed alone, and the load generator never shares a process with a
    # model that has just run (that added 1.5-2 ms to the concurrency-1 latency)
    raw = raw_model(model, payloads, tracking_uri, runtime=encoder_runtime)
    phases = measured["phases"]
    c1, c32, batch = phases["single_c1"], phases["single_c32"], phases["batch16_c4"]
    report: dict[str, Any] = {
        "model": model, "source": source, "encoder_runtime": encoder_runtime,
        "machine": {"cpus": os.cpu_count(), "cpu": platform.processor() or platform.machine(),
                    "load_avg_before": [round(x, 2) for x in load_before],
                    "load_avg_after": [round(x, 2) for x in os.getloadavg()]},
        "raw_model": raw,
        **measured,
        "endpoint_over_raw": {"single_c32": round(c32["contacts_per_s"] / raw["contacts_per_s"], 3),
                              "batch16": round(batch["contacts_per_s"] / raw["contacts_per_s"], 3)},
    }
    report["targets"] = {
        f"c32_req_per_s>={TARGETS['c32_req_per_s']}": c32["req_per_s"] >= TARGETS["c32_req_per_s"],
        f"c32_p99_ms<={TARGETS['c32_p99_ms']}": c32.get("p99_ms", 1e9) <= TARGETS["c32_p99_ms"],
        f"c1_p50_ms<={TARGETS['c1_p50_ms']}": c1.get("p50_ms", 1e9) <= TARGETS["c1_p50_ms"],
        f"endpoint_over_raw>={TARGETS['endpoint_over_raw']}":
            max(report["endpoint_over_raw"].values()) >= TARGETS["endpoint_over_raw"],
        "zero_errors": all(p["errors"] == 0 for p in phases.values()),
        f"server_rss_gib<={TARGETS['rss_gib']}": measured["server_rss_mib"]["peak"] / 1024 <= TARGETS["rss_gib"],
    }
    if "steady" in phases:
        report["targets"]["steady_zero_errors"] = phases["steady"]["errors"] == 0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    typer.echo(json.dumps(report, indent=2))

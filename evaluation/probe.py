"""`claimtriage bench probe`: a live `claimtriage serve` on loopback, probed for what issue 15 asked of it.

Four measurements against the real server (its own API key, a throw-away journey store), each with its target:
- **fuzz**: FUZZ_REQUESTS schema-fuzzed requests (schemathesis, every operation, valid and schema-breaking inputs)
  and 0 answers >= 500; answers that break the documented contract are counted by check;
- **metrics**: `/metrics` size before and after RANDOM_PATHS unauthenticated requests to random paths, within 10%
  (read after the fuzzing, so that "before" is a server that has answered every route with every status);
- **long texts**: short `/triage` requests sent while a batch of long texts is scored, each answered in <= 1 s, and
  an overload (several long batches at once) answered 503 with Retry-After in the error body, never 504 or 429;
- **kill -9**: contacts streamed at the server, the whole server killed mid-stream, restarted on the same store:
  every contact it acknowledged (200) is in its customer's journey, and SQLite's integrity check says ok.

Prints the figures, writes `evaluation/bench/probe.json` and the "probe" section of `evaluation/RESULTS.md`.
`--fuzz-requests 300 --random-paths 200 --kill-contacts 40` is a quick run (the test's).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
import sqlite3
import string
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from claimtriage.data.paths import PROJECT_ROOT
from claimtriage.serving.process import ServerError, kill, running_server

DEFAULT_OUT = PROJECT_ROOT / "evaluation" / "bench" / "probe.json"
TARGETS = {"short_triage_s": 1.0, "metrics_growth": 0.10}
LONG_CHARS = 25_000  # a pasted document: past the encoder's window cap, so each costs the most a text can
SENTENCES = ["My parcel arrived damaged and nobody answers my emails.", "I was charged twice for the same order.",
             "The courier left the box in the rain and the screen is cracked.", "Please refund me or send a new one.",
             "I have called three times already and I am losing patience.", "The invoice number is on the receipt."]


def _text(chars: int, rng: random.Random) -> str:
    words: list[str] = []
    size = 0
    while size < chars:
        sentence = rng.choice(SENTENCES)
        words.append(sentence)
        size += len(sentence) + 1
    return " ".join(words)[:chars]


def _contact(contact_id: str, chars: int, rng: random.Random, customer: int) -> dict[str, Any]:
    return {"id": contact_id, "channel": "email", "timestamp": "2025-03-01T09:00:00Z", "body": _text(chars, rng),
            "customer": {"email": f"probe.customer{customer}@example.com"}}


# ---- fuzz -----------------------------------------------------------------------------------------------------
def fuzz(url: str, key: str, requests: int, echo=print) -> dict[str, Any]:
    """Schema-fuzzed requests to every operation (valid and schema-breaking), round-robin with fresh seeds until
    `requests` were sent; each answer is checked against the documented contract."""
    import requests as http
    import schemathesis
    from hypothesis import HealthCheck, given, seed, settings
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        ignored_auth,
        negative_data_rejection,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
              negative_data_rejection, ignored_auth]
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    operations = [op.ok() for op in schema.get_all_operations()]
    cases = [(op, mode) for op in operations for mode in GenerationMode
             if not (op.path == "/readyz" and mode is GenerationMode.NEGATIVE)]
    session = http.Session()
    statuses: dict[str, int] = {}
    violations: dict[str, int] = {}
    server_errors: list[dict[str, Any]] = []
    sent = [0]
    per_round = max(10, requests // (len(cases) * 4))
    started = time.perf_counter()

    def send(case) -> None:
        try:
            response = case.call(session=session, headers={"X-API-Key": key}, timeout=60)
        except http.RequestException as failed:  # no answer at all: counted apart, never retried
            statuses[type(failed).__name__] = statuses.get(type(failed).__name__, 0) + 1
            sent[0] += 1
            return
        sent[0] += 1
        statuses[str(response.status_code)] = statuses.get(str(response.status_code), 0) + 1
        if response.status_code >= 500 and len(server_errors) < 20:
            server_errors.append({"operation": f"{case.method} {case.path}", "status": response.status_code,
                                  "body": response.text[:300]})
        try:
            case.validate_response(response, checks=checks, headers={"X-API-Key": key})
        except Exception as failed:  # noqa: BLE001 - counted by check; hypothesis must not shrink on it
            for failure in getattr(failed, "exceptions", [failed]):
                title = str(getattr(failure, "title", type(failure).__name__))
                violations[title] = violations.get(title, 0) + 1

    round_ = 0
    while sent[0] < requests:
        for operation, mode in cases:
            if sent[0] >= requests:
                break
            budget = min(per_round, requests - sent[0])

            @seed(round_ * 1000 + cases.index((operation, mode)))
            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=budget, deadline=None, database=None, suppress_health_check=list(HealthCheck))
            def draw(case) -> None:
                send(case)

            try:
                draw()
            except Exception as failed:  # noqa: BLE001 - e.g. an operation whose inputs are exhausted
                violations[f"hypothesis: {type(failed).__name__}"] = violations.get(
                    f"hypothesis: {type(failed).__name__}", 0) + 1
        round_ += 1
        echo(f"probe.fuzz sent={sent[0]} statuses={json.dumps(statuses, sort_keys=True)} "
             f"({time.perf_counter() - started:.0f} s)")
    over_500 = sum(n for status, n in statuses.items() if status.isdigit() and int(status) >= 500)
    no_answer = sum(n for status, n in statuses.items() if not status.isdigit())
    return {"requests": sent[0], "seconds": round(time.perf_counter() - started, 1), "statuses": statuses,
            "responses_ge_500": over_500, "no_answer": no_answer, "server_errors": server_errors, "contract_violations": violations}


# ---- metrics --------------------------------------------------------------------------------------------------
async def metrics_growth(url: str, key: str, paths: int) -> dict[str, Any]:
    """`/metrics` (with the key) before and after `paths` unauthenticated GETs of random paths."""
    import aiohttp

    rng = random.Random(15)
    alphabet = string.ascii_lowercase + string.digits

    def random_path() -> str:
        word = "".join(rng.choices(alphabet, k=12))
        return rng.choice([f"/{word}", f"/journeys/cust-{word}", f"/api/{word}/{word[:4]}", f"/triage/{word}"])

    async with aiohttp.ClientSession(base_url=url, timeout=aiohttp.ClientTimeout(total=60)) as client:
        async def scrape() -> tuple[int, float, int]:
            t0 = time.perf_counter()
            async with client.get("/metrics", headers={"X-API-Key": key}) as response:
                body = await response.read()
            samples = sum(1 for line in body.splitlines() if line and not line.startswith(b"#"))
            return len(body), time.perf_counter() - t0, samples

        unauthenticated_metrics = (await client.get("/metrics")).status
        before, before_s, samples_before = await scrape()
        statuses: dict[str, int] = {}
        queue = iter(range(paths))

        async def worker() -> None:
            for _ in queue:
                async with client.get(random_path()) as response:
                    await response.read()
                    statuses[str(response.status)] = statuses.get(str(response.status), 0) + 1

        await asyncio.gather(*(worker() for _ in range(16)))
        after, after_s, samples_after = await scrape()
    return {"random_paths": paths, "statuses": statuses, "metrics_without_key": unauthenticated_metrics,
            "bytes_before": before, "bytes_after": after, "growth": round(after / before - 1, 4),
            "samples_before": samples_before, "samples_after": samples_after,
            "scrape_s_before": round(before_s, 3), "scrape_s_after": round(after_s, 3)}


# ---- long texts -----------------------------------------------------------------------------------------------
async def long_texts(url: str, key: str, *, batch: int, chars: int, shorts: int, overload_batches: int) -> dict:
    """Short /triage requests while a batch of `batch` long texts is scored; then `overload_batches` such batches
    at once, which the server must refuse with 503 + Retry-After rather than stall."""
    import aiohttp

    rng = random.Random(7)
    run = secrets.token_hex(3)
    headers = {"X-API-Key": key}
    async with aiohttp.ClientSession(base_url=url, headers=headers,
                                     timeout=aiohttp.ClientTimeout(total=120)) as client:
        async def post(path: str, body: dict) -> tuple[int, float, dict, dict]:
            t0 = time.perf_counter()
            async with client.post(path, json=body) as response:
                payload = await response.json(content_type=None)
                return response.status, time.perf_counter() - t0, payload, dict(response.headers)

        await post("/triage", _contact(f"probe-warm-{run}", 80, rng, 1))
        contacts = [_contact(f"probe-long-{run}-{i}", chars, rng, 2 + i) for i in range(batch)]
        long_task = asyncio.ensure_future(post("/triage_batch", {"contacts": contacts}))
        await asyncio.sleep(0.5)  # the batch is in the model by now
        short_latencies, short_statuses = [], []
        for i in range(shorts):
            status, seconds, _, _ = await post("/triage", _contact(f"probe-short-{run}-{i}", 80, rng, 100 + i))
            short_statuses.append(status)
            short_latencies.append(seconds)
            if long_task.done():
                break
            await asyncio.sleep(0.2)
        long_status, long_s, _, _ = await long_task
        in_progress = sum(1 for _ in short_latencies)
        # overload: several long batches at once; those the queue cannot serve within the budget are refused
        bodies = [{"contacts": [_contact(f"probe-over-{run}-{b}-{i}", chars, rng, 300 + i) for i in range(batch)]}
                  for b in range(overload_batches)]
        answers = await asyncio.gather(*(post("/triage_batch", body) for body in bodies))
        huge = {"contacts": [_contact(f"probe-huge-{run}-{i}", 100_000, rng, 400 + i) for i in range(16)]}
        huge_status, huge_s, huge_body, _ = await post("/triage_batch", huge)
    overload_statuses: dict[str, int] = {}
    for status, _, _, _ in answers:
        overload_statuses[str(status)] = overload_statuses.get(str(status), 0) + 1
    refused = [(payload, hdrs) for status, _, payload, hdrs in answers if status == 503]
    return {
        "long_batch": {"contacts": batch, "chars_each": chars, "status": long_status, "seconds": round(long_s, 2)},
        "short_during_long": {"requests": in_progress, "statuses": short_statuses,
                              "max_s": round(max(short_latencies), 3),
                              "median_s": round(sorted(short_latencies)[len(short_latencies) // 2], 3)},
        "overload": {"batches_at_once": overload_batches, "statuses": overload_statuses,
                     "refused_with_retry_after_and_error_body": all(
                         "Retry-After" in hdrs and set(payload) == {"error", "message", "fields"}
                         for payload, hdrs in refused),
                     "max_s": round(max(s for _, s, _, _ in answers), 2)},
        "sixteen_100k_texts": {"status": huge_status, "seconds": round(huge_s, 2),
                               "error": huge_body.get("error") if isinstance(huge_body, dict) else None},
    }


# ---- kill -9 ---------------------------------------------------------------------------------------------------
async def stream_until_killed(url: str, key: str, process, *, contacts: int, run: str) -> list[dict[str, Any]]:
    """Stream contacts at concurrency 8; kill the whole server, its process group and the workers BentoML starts outside
    it (SIGKILL), once `contacts` were acknowledged, with requests still in flight. Returns the acknowledged answers."""
    import aiohttp

    rng = random.Random(run)
    acknowledged: list[dict[str, Any]] = []
    counter = iter(range(contacts * 10))
    killed = asyncio.Event()

    async with aiohttp.ClientSession(base_url=url, headers={"X-API-Key": key},
                                     timeout=aiohttp.ClientTimeout(total=60)) as client:
        async def worker() -> None:
            for i in counter:
                if killed.is_set():
                    return
                body = _contact(f"probe-kill-{run}-{i}", rng.choice([80, 400, 2000]), rng, i % 50)
                try:
                    async with client.post("/triage", json=body) as response:
                        if response.status == 200:
                            acknowledged.append(await response.json())
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    return
                if len(acknowledged) >= contacts and not killed.is_set():
                    killed.set()
                    kill(process)

        await asyncio.gather(*(worker() for _ in range(8)))
    if not killed.is_set():
        kill(process)
    process.wait()
    return acknowledged


def stored_after_restart(url: str, key: str, acknowledged: list[dict[str, Any]]) -> list[str]:
    """The acknowledged contact ids missing from their customer's journey on the restarted server."""
    import httpx

    by_customer: dict[str, set[str]] = {}
    for answer in acknowledged:
        by_customer.setdefault(answer["journey"]["customer_key"], set()).add(answer["contact_id"])
    missing: list[str] = []
    with httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=30) as client:
        for customer_key, ids in by_customer.items():
            response = client.get(f"/journeys/{customer_key}")
            found = ({c["id"] for claim in response.json().get("claims", []) for c in claim["contacts"]}
                     if response.status_code == 200 else set())
            missing += sorted(ids - found)
    return missing


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


# ---- the command ----------------------------------------------------------------------------------------------
def markdown(report: dict[str, Any]) -> str:
    f, m, lt, k = report["fuzz"], report["metrics"], report["long_texts"], report["kill"]
    short = lt["short_during_long"]
    lines = [
        "## Live-server probe (issue 15)",
        "",
        f"`{report['command']}` against `claimtriage serve` on loopback ({report['machine']['cpus']} cores, shared; "
        f"load average {report['machine']['load_avg_before'][0]} before). Figures from `evaluation/bench/probe.json`.",
        "",
        "| measurement | figure | target | met |",
        "|---|---|---|---|",
        f"| schema-fuzzed requests (schemathesis, every operation, valid and schema-breaking) | {f['requests']:,} "
        f"in {f['seconds']:.0f} s, {f['responses_ge_500']} answers >= 500 | >= 50,000, 0 >= 500 | "
        f"{'yes' if report['targets']['fuzz_no_5xx'] else 'no'} |",
        f"| `/metrics` after {m['random_paths']:,} unauthenticated random paths | {m['bytes_before']:,} -> "
        f"{m['bytes_after']:,} bytes ({m['growth']:+.1%}), {m['samples_before']} -> {m['samples_after']} samples; scrape {m['scrape_s_before']} -> {m['scrape_s_after']} s; "
        f"without the key: {m['metrics_without_key']} | within 10% | "
        f"{'yes' if report['targets']['metrics_bounded'] else 'no'} |",
        f"| short `/triage` while a batch of {lt['long_batch']['contacts']} x {lt['long_batch']['chars_each']:,}-"
        f"character texts is scored ({lt['long_batch']['seconds']} s, {lt['long_batch']['status']}) | "
        f"{short['requests']} requests, max {short['max_s']} s, median {short['median_s']} s | <= 1 s | "
        f"{'yes' if report['targets']['short_triage_within_1s'] else 'no'} |",
        f"| {lt['overload']['batches_at_once']} such batches at once | {lt['overload']['statuses']}, slowest "
        f"{lt['overload']['max_s']} s; every 503 with Retry-After and the error body: "
        f"{lt['overload']['refused_with_retry_after_and_error_body']} | 503 + Retry-After, never 504 | "
        f"{'yes' if report['targets']['overload_is_503'] else 'no'} |",
        f"| a batch of 16 x 100,000 characters | {lt['sixteen_100k_texts']['status']} "
        f"{lt['sixteen_100k_texts']['error']} in {lt['sixteen_100k_texts']['seconds']} s | refused up front | "
        f"{'yes' if lt['sixteen_100k_texts']['status'] == 422 else 'no'} |",
        f"| kill -9 mid-stream, restart on the same store ({len(k['rounds'])} rounds) | "
        f"{sum(r['acknowledged'] for r in k['rounds'])} acknowledged, "
        f"{sum(len(r['missing']) for r in k['rounds'])} missing; integrity "
        f"{', '.join(r['integrity'] for r in k['rounds'])} | every acknowledged contact stored | "
        f"{'yes' if report['targets']['kill9_nothing_lost'] else 'no'} |",
        "",
        f"Fuzz statuses: {json.dumps(f['statuses'], sort_keys=True)}. Answers outside the documented contract, by "
        f"check: {json.dumps(f['contract_violations'], sort_keys=True) if f['contract_violations'] else 'none'}.",
    ]
    return "\n".join(lines)


def bench_probe(
    model: Annotated[str, typer.Option(help="a model folder or registry URI")] = "models:/claimtriage@champion",
    fuzz_requests: Annotated[int, typer.Option(help="schema-fuzzed requests (target: >= 50,000)")] = 50_000,
    random_paths: Annotated[int, typer.Option(help="unauthenticated random paths before /metrics is re-read")] = 5000,
    long_batch: Annotated[int, typer.Option(help="long texts in the batch the short requests run beside")] = 6,
    long_chars: Annotated[int, typer.Option(help="characters of each long text")] = LONG_CHARS,
    overload_batches: Annotated[int, typer.Option(help="long batches sent at once for the overload check")] = 4,
    kill_contacts: Annotated[int, typer.Option(help="acknowledged contacts before each kill -9")] = 200,
    kill_rounds: Annotated[int, typer.Option(help="kill -9 and restart this many times")] = 2,
    out: Annotated[Path, typer.Option(help="where the JSON goes")] = DEFAULT_OUT,
    results: Annotated[bool, typer.Option(help="also write the probe section of evaluation/RESULTS.md")] = True,
    tracking_uri: Annotated[Optional[str], typer.Option(help="MLflow tracking URI")] = None,
) -> None:
    """Probe a live server: fuzzing (0 answers >= 500), bounded /metrics, short requests beside long texts,
    overload as 503, kill -9 without losing an acknowledged contact; print and write the figures."""
    key = secrets.token_urlsafe(24)
    env = {"CLAIMTRIAGE_API_KEYS": key, "CLAIMTRIAGE_LOG_LEVEL": "WARNING"}
    args = ["--model", model, "--max-batch-contacts", "64"] + (["--tracking-uri", tracking_uri] if tracking_uri else [])
    echo = lambda line: typer.echo(line, err=True)  # noqa: E731
    load_before = os.getloadavg()
    report: dict[str, Any] = {"model": model, "command": "claimtriage bench probe" + (
        f" --fuzz-requests {fuzz_requests}" if fuzz_requests != 50_000 else "")}
    with tempfile.TemporaryDirectory(prefix="claimtriage-probe-") as tmp:
        workdir = Path(tmp)
        store = workdir / "journeys.db"
        server_args = [*args, "--store", f"sqlite:///{store}"]
        try:
            with running_server(server_args, workdir=workdir, env=env) as server:
                echo(f"probe.server url={server.url}")
                report["long_texts"] = asyncio.run(long_texts(server.url, key, batch=long_batch, chars=long_chars,
                                                              shorts=30, overload_batches=overload_batches))
                echo(f"probe.long_texts {json.dumps(report['long_texts'])}")
                report["fuzz"] = fuzz(server.url, key, fuzz_requests, echo=echo)
                # after the fuzzing: every route has answered every kind of status, as on a server in service
                report["metrics"] = asyncio.run(metrics_growth(server.url, key, random_paths))
                echo(f"probe.metrics {json.dumps(report['metrics'])}")
            kill_store = workdir / "kill.db"
            kill_args = [*args, "--store", f"sqlite:///{kill_store}"]
            rounds = []
            for round_ in range(kill_rounds):
                with running_server(kill_args, workdir=workdir, env=env) as server:
                    acknowledged = asyncio.run(stream_until_killed(server.url, key, server.process,
                                                                   contacts=kill_contacts, run=f"{round_}"))
                with running_server(kill_args, workdir=workdir, env=env) as restarted:
                    missing = stored_after_restart(restarted.url, key, acknowledged)
                rounds.append({"acknowledged": len(acknowledged), "missing": missing,
                               "integrity": integrity(kill_store)})
                echo(f"probe.kill round={round_} acknowledged={len(acknowledged)} missing={len(missing)}")
            report["kill"] = {"rounds": rounds}
        except ServerError as err:
            typer.echo(f"error: {err}", err=True)
            raise typer.Exit(2) from None
    lt = report["long_texts"]
    report["machine"] = {"cpus": os.cpu_count(), "load_avg_before": [round(x, 2) for x in load_before],
                         "load_avg_after": [round(x, 2) for x in os.getloadavg()]}
    report["targets"] = {
        "fuzz_requests>=50000": report["fuzz"]["requests"] >= 50_000,
        "fuzz_no_5xx": report["fuzz"]["responses_ge_500"] == 0 and report["fuzz"]["no_answer"] == 0,
        "metrics_bounded": report["metrics"]["growth"] <= TARGETS["metrics_growth"],
        "short_triage_within_1s": lt["short_during_long"]["max_s"] <= TARGETS["short_triage_s"]
        and all(s == 200 for s in lt["short_during_long"]["statuses"]) and lt["long_batch"]["status"] == 200,
        "overload_is_503": set(lt["overload"]["statuses"]) <= {"200", "503"}
        and lt["overload"]["refused_with_retry_after_and_error_body"],
        "kill9_nothing_lost": all(not r["missing"] and r["integrity"] == "ok" for r in report["kill"]["rounds"]),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    if results:
        from claimtriage.evaluation.results import update_section

        update_section("probe", markdown(report))
    typer.echo(json.dumps(report, indent=2))

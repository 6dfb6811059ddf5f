"""The serve benchmark's load generator against a tiny local HTTP server: counts, errors, percentiles, rate."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import ClientSession, web

from claimtriage.evaluation.bench_serve import load_phase, percentiles

pytestmark = pytest.mark.unit


async def _phase(**kw):
    seen: list[dict] = []

    async def triage(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append(body)
        return web.json_response({}, status=503 if body["id"].endswith("-3-0") else 200)

    async def batch(request: web.Request) -> web.Response:
        seen.append(await request.json())
        return web.json_response({})

    app = web.Application()
    app.add_routes([web.post("/triage", triage), web.post("/triage_batch", batch)])
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with ClientSession(base_url=f"http://127.0.0.1:{port}") as client:
            result = await load_phase(client, [{"channel": "chat"}, {"channel": "email"}], max_seconds=30, **kw)
    finally:
        await runner.cleanup()
    return result, seen


def test_single_requests_are_counted_and_errors_kept_apart():
    result, seen = asyncio.run(_phase(concurrency=4, requests=20))
    assert len(seen) == 20 and len({b["id"] for b in seen}) == 20  # every request a distinct contact id
    assert result["requests"] == 19 and result["errors"] == 1 and result["error_kinds"] == {"503": 1}
    assert 0 < result["p50_ms"] <= result["p99_ms"] <= result["max_ms"]


def test_phases_never_resend_a_contact_id():
    _, first = asyncio.run(_phase(concurrency=2, requests=5))
    _, second = asyncio.run(_phase(concurrency=2, requests=5))
    assert not {b["id"] for b in first} & {b["id"] for b in second}


def test_batches_send_that_many_contacts_and_a_rate_spreads_the_requests():
    result, seen = asyncio.run(_phase(concurrency=2, requests=6, batch=3, rate=30.0))
    assert [len(b["contacts"]) for b in seen] == [3] * 6
    assert result["contacts_per_s"] == pytest.approx(result["req_per_s"] * 3, rel=0.05)
    assert result["seconds"] >= 5 / 30  # six requests at 30/s take at least 1/6 s


def test_percentiles_pick_from_the_sorted_latencies():
    got = percentiles([float(x) for x in range(1, 101)])
    assert got["p50_ms"] == 50.5 and got["p95_ms"] == 96.0 and got["p99_ms"] == 100.0 and got["max_ms"] == 100.0

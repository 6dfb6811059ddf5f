"""What one request may ask of the service, and how it answers when it cannot: characters per request, the long
lane (a short contact is answered while long texts are scored), the time budget, the concurrency limit and the
request timeout, each a 503 with Retry-After in the one error body, never BentoML's 429 or 504.

The model is made slow on long texts (a sleep around the real model) so that timings do not depend on the machine.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from claimtriage.serving.config import API_KEYS_ENV, SETTINGS_ENV, ServiceSettings

KEY = "limits-key-0123456789"
HEADERS = {"X-API-Key": KEY}
#: seconds the slowed model spends on each long contact
LONG_S = 1.2


@pytest.fixture(scope="module")
def engine(trained_model, tmp_path_factory):
    from conftest import engine_with_store

    with engine_with_store(trained_model, tmp_path_factory.mktemp("store"), "limits-model/1") as engine:
        yield engine


@pytest.fixture(scope="module")
def client(engine):
    import torch
    from starlette.testclient import TestClient

    import claimtriage.serving.service as service_module
    from claimtriage.models.threads import limited_threads

    settings = ServiceSettings(max_batch_contacts=8, max_text_chars=5000, max_request_chars=12_000)
    with limited_threads(torch.get_num_threads()), pytest.MonkeyPatch.context() as patch:
        patch.setenv(SETTINGS_ENV, settings.to_env())
        patch.setenv(API_KEYS_ENV, KEY)
        patch.setattr(service_module, "engine_factory", lambda _: engine)
        with TestClient(service_module.TriageService.to_asgi()) as client:
            yield client


@pytest.fixture()
def service(client):
    import bentoml

    return bentoml.get_current_service()


@pytest.fixture()
def slow_long_texts(engine, monkeypatch):
    """The model sleeps LONG_S per contact of over 1,000 characters (the default long lane's threshold)."""
    real = engine.model.score_normalised

    def slowed(normalised):
        time.sleep(LONG_S * sum(len(n.text) > 1000 for n in normalised))
        return real(normalised)

    monkeypatch.setattr(engine.model, "score_normalised", slowed)


def use_settings(service, monkeypatch, **changes) -> None:
    monkeypatch.setattr(service, "settings", service.settings.model_copy(update=changes))


def contact(contact_id: str, chars: int = 60) -> dict:
    text = ("My parcel arrived damaged and the courier left it in the rain. I would like a refund please. " * (
        1 + chars // 90))[:chars]
    return {"id": contact_id, "channel": "email", "timestamp": "2025-02-01T09:00:00Z", "body": text,
            "customer": {"email": f"{contact_id}@example.org"}}


def assert_overloaded(response, code: str = "overloaded") -> None:
    assert response.status_code == 503, response.text
    assert set(response.json()) == {"error", "message", "fields"} and response.json()["error"] == code
    assert int(response.headers["Retry-After"]) >= 1


@pytest.mark.service
def test_short_triage_is_answered_while_long_texts_are_scored(client, service, slow_long_texts):
    """On e468a31 the short contact waited behind the whole batch (one model thread, one call for every contact)."""
    long_batch = {"contacts": [contact(f"long-{i}", 3000) for i in range(3)]}
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(client.post, "/triage_batch", json=long_batch, headers=HEADERS)
        deadline = time.monotonic() + 10
        while service.long_lane.pending_cost == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        started = time.perf_counter()
        short = client.post("/triage", json=contact("short-1"), headers=HEADERS)
        short_s = time.perf_counter() - started
        assert not pending.done(), "the long batch should still be in progress"
        batch = pending.result()
    assert short.status_code == 200 and short_s <= 1.0, (short.status_code, short_s)
    assert batch.status_code == 200
    assert [a["contact_id"] for a in batch.json()["answers"]] == ["long-0", "long-1", "long-2"]


@pytest.mark.service
def test_text_over_the_request_limit_is_422_naming_contacts(client):
    batch = {"contacts": [contact(f"big-{i}", 4000) for i in range(4)]}  # 16,000 characters, limit 12,000
    response = client.post("/triage_batch", json=batch, headers=HEADERS)
    assert response.status_code == 422
    assert response.json()["error"] == "text_too_long" and response.json()["fields"] == ["contacts"]
    assert "12000" in response.json()["message"]


@pytest.mark.service
def test_time_budget_overrun_is_503_with_retry_after_and_records_nothing(client, service, engine, slow_long_texts,
                                                                        monkeypatch):
    use_settings(service, monkeypatch, time_budget_s=0.5)
    started = time.perf_counter()
    response = client.post("/triage_batch", json={"contacts": [contact("budget-1", 3000), contact("budget-2", 3000)]},
                           headers=HEADERS)
    assert_overloaded(response)
    assert time.perf_counter() - started < LONG_S * 2  # the second long contact was dropped from the queue
    time.sleep(LONG_S)  # the call already running ends; its result is discarded
    assert engine.store.customer_of("budget-1") is None and engine.store.customer_of("budget-2") is None


@pytest.mark.service
def test_a_queue_longer_than_the_budget_is_refused_at_once(client, service, engine, monkeypatch):
    called = []
    monkeypatch.setattr(engine.model, "score_normalised", lambda normalised: called.append(normalised))
    monkeypatch.setattr(service.long_lane, "seconds_per_cost", 0.01)  # 3,000 characters: ~30 s, budget 20 s
    started = time.perf_counter()
    response = client.post("/triage", json=contact("queue-1", 3000), headers=HEADERS)
    assert_overloaded(response)
    assert time.perf_counter() - started < 1.0 and not called
    assert int(response.headers["Retry-After"]) >= 1
    assert engine.store.customer_of("queue-1") is None


@pytest.mark.service
def test_concurrency_limit_is_503_with_retry_after_not_429(client, service, slow_long_texts, monkeypatch):
    use_settings(service, monkeypatch, max_concurrency=1)
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(client.post, "/triage", json=contact("busy-1", 3000), headers=HEADERS)
        deadline = time.monotonic() + 10
        while service.long_lane.pending_cost == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert_overloaded(client.get("/journeys/anyone", headers=HEADERS))
        assert client.get("/readyz").status_code == 200  # probes are answered whatever the load
        assert client.get("/metrics", headers=HEADERS).status_code == 200
        assert pending.result().status_code == 200


@pytest.mark.service
def test_request_timeout_is_503_in_the_error_body_not_504(client, service, engine, monkeypatch):
    real = engine.decide

    def slow_decide(*args, **kwargs):
        time.sleep(1.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "decide", slow_decide)
    use_settings(service, monkeypatch, timeout_s=0.8, time_budget_s=0.5)
    response = client.post("/triage", json=contact("slow-store-1"), headers=HEADERS)
    assert_overloaded(response, "request_timeout")
    assert "same id" in response.json()["message"]
    time.sleep(1.0)  # the store write finishes on its thread


@pytest.mark.service
def test_openapi_documents_retry_after_on_every_guarded_operation(client):
    schema = client.get("/openapi.json", headers=HEADERS).json()
    for path, method in (("/triage", "post"), ("/triage_batch", "post"), ("/feedback", "post"),
                         ("/journeys/{customer_key}", "get")):
        answer = schema["paths"][path][method]["responses"]["503"]
        assert "Retry-After" in answer["headers"], path
        assert "overloaded" in answer["description"] and "request_timeout" in answer["description"]
        assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")


@pytest.mark.unit
def test_bentoml_limits_never_answer_before_the_service():
    from claimtriage.serving.cli import bentoml_options
    from claimtriage.serving.config import BENTOML_TIMEOUT_BACKSTOP_S
    from claimtriage.serving.service import TriageService

    settings = ServiceSettings(timeout_s=12, time_budget_s=8)
    assert bentoml_options(settings) == [f"services.claimtriage.traffic.timeout={12 + BENTOML_TIMEOUT_BACKSTOP_S}"]
    traffic = TriageService.config["traffic"]
    assert traffic["max_concurrency"] is None and traffic["timeout"] > ServiceSettings().timeout_s
    with pytest.raises(ValueError, match="time_budget_s"):
        ServiceSettings(timeout_s=10, time_budget_s=10)


@pytest.mark.unit
def test_lanes_split_by_cost_and_estimate_their_wait():
    import asyncio

    from claimtriage.serving.batching import AdaptiveBatcher
    from claimtriage.serving.service import _split_by_cost

    assert _split_by_cost([0, 1, 2, 3], [5, 5, 20, 1], 10) == [[0, 1], [2], [3]]
    calls: list[list[int]] = []

    def score(items):
        calls.append(list(items))
        time.sleep(0.001 * sum(items))
        return [i * 2 for i in items]

    async def run():
        with ThreadPoolExecutor(1) as pool:
            batcher = AdaptiveBatcher(score, executor=pool, max_batch_size=64, cost=float, max_batch_cost=30)
            assert batcher.wait_estimate_s(100) == 0  # nothing measured yet
            results = await asyncio.gather(*(batcher.submit([n]) for n in (10, 10, 10, 10, 40)))
            return batcher, results

    batcher, results = asyncio.run(run())
    assert results == [[20], [20], [20], [20], [80]]
    assert all(sum(call) <= 30 or len(call) == 1 for call in calls)
    assert batcher.pending_cost == 0 and batcher.seconds_per_cost is not None
    assert batcher.wait_estimate_s(1000) > 0

"""The BentoML triage service through `to_asgi()`: every API, every error case, auth, limits, metrics, log redaction.

One engine (the session's trained model + an SQLite journey store) serves every client; each client is a fresh
service instance with its own settings, built through the service's `engine_factory` hook.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from claimtriage.data.schema import Channel
from claimtriage.serving.config import API_KEYS_ENV, SETTINGS_ENV, ServiceSettings

KEY = "test-key-0123456789"
HEADERS = {"X-API-Key": KEY}
EMAIL = "giulia.bianchi@example.org"
PHONE = "+39 347 765 4321"


@pytest.fixture(scope="module")
def metrics_dir(tmp_path_factory):
    """BentoML's /metrics reads prometheus multiprocess files, as in a real worker."""
    path = tmp_path_factory.mktemp("prometheus")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PROMETHEUS_MULTIPROC_DIR", str(path))
        yield path


@pytest.fixture(scope="module")
def engine(trained_model, tmp_path_factory):
    from conftest import engine_with_store

    with engine_with_store(trained_model, tmp_path_factory.mktemp("store"), "tests-model/1 (champion)") as engine:
        yield engine


@pytest.fixture(scope="module")
def client(engine, metrics_dir):
    """One app and one service instance for the module (BentoML registers its Prometheus metrics once per app, and
    one service instance is current per process); tests that need other settings patch the instance."""
    import torch
    from starlette.testclient import TestClient

    import claimtriage.serving.service as service_module
    from claimtriage.models.threads import limited_threads

    settings = ServiceSettings(max_batch_contacts=8, max_text_chars=5000, max_request_bytes=200_000)
    # the service sets its own thread counts; later tests get theirs back
    with limited_threads(torch.get_num_threads()), pytest.MonkeyPatch.context() as patch:
        patch.setenv(SETTINGS_ENV, settings.to_env())
        patch.setenv(API_KEYS_ENV, f"another-key,{KEY}")
        patch.setattr(service_module, "engine_factory", lambda _: engine)
        with TestClient(service_module.TriageService.to_asgi()) as client:
            yield client


@pytest.fixture()
def service(client):
    import bentoml

    return bentoml.get_current_service()


def payload(contact, **changes) -> dict:
    data = contact.model_dump(mode="json", exclude_none=True)
    data.update(changes)
    return data


@pytest.fixture(scope="module")
def by_channel(corpus_contacts):
    """One real corpus contact per channel (first of each)."""
    out = {}
    for contact in corpus_contacts:
        out.setdefault(contact.channel, contact)
    return out


# ---- the APIs ---------------------------------------------------------------------------------------------------
@pytest.mark.service
def test_triage_answers_contacts_of_every_channel(client, by_channel):
    from claimtriage.serving.answer import TriageAnswer

    assert len(by_channel) >= 4
    for channel, contact in by_channel.items():
        response = client.post("/triage", json=payload(contact), headers=HEADERS)
        assert response.status_code == 200, (channel, response.text)
        answer = TriageAnswer.model_validate(response.json())
        assert answer.contact_id == contact.id
        assert answer.model_version == "tests-model/1 (champion)"
        assert answer.route.target in ("bot", "human") and 1 <= answer.route.priority <= 5
        assert (answer.handoff is None) == (answer.route.target == "bot")


@pytest.mark.service
def test_journey_links_contacts_across_channels_and_is_readable(client, by_channel):
    first, second = by_channel[Channel.email], by_channel[Channel.whatsapp]
    customer = {"email": EMAIL, "phone": PHONE}
    a = client.post("/triage", json=payload(first, id="j-1", customer=customer), headers=HEADERS).json()
    later = (first.timestamp + timedelta(days=1)).isoformat()  # after the first; no longer a future date
    b = client.post("/triage", json=payload(second, id="j-2", customer={"phone": PHONE}, timestamp=later),
                    headers=HEADERS).json()
    assert a["journey"]["linked"] and b["journey"]["linked"]
    assert a["journey"]["customer_key"] == b["journey"]["customer_key"]
    key = b["journey"]["customer_key"]
    journey = client.get(f"/journeys/{key}", headers=HEADERS)
    assert journey.status_code == 200
    ids = [c["id"] for claim in journey.json()["claims"] for c in claim["contacts"]]
    assert {"j-1", "j-2"} <= set(ids)
    assert EMAIL not in journey.text and "765 4321" not in journey.text  # redacted
    missing = client.get("/journeys/no-such-customer", headers=HEADERS)
    assert missing.status_code == 404 and missing.json()["fields"] == ["customer_key"]


@pytest.mark.service
def test_a_candidate_merge_is_confirmed_through_the_api(client, by_channel):
    """A customer writes a new number in an email, then calls from it: a candidate merge, two customers. An agent
    who checked confirms it (POST /journeys/merge); the old key still reads the merged journey."""
    first, call = by_channel[Channel.email], by_channel[Channel.whatsapp]
    body = (first.body or "") + " Il mio nuovo numero è 333 770 2154."
    a = client.post("/triage", json=payload(first, id="mg-1", customer={"email": "anna.merge@libero.it"}, body=body),
                    headers=HEADERS).json()
    later = (first.timestamp + timedelta(days=1)).isoformat()
    b = client.post("/triage", json=payload(call, id="mg-2", customer={"phone": "3337702154"}, timestamp=later),
                    headers=HEADERS).json()
    keep, absorb = a["journey"]["customer_key"], b["journey"]["customer_key"]
    assert keep != absorb and b["journey"]["candidate_merges"] == 1
    unknown = client.post("/journeys/merge", json={"keep": keep, "absorb": "cust-nobody", "reason": "checked"},
                          headers=HEADERS)
    assert unknown.status_code == 404 and unknown.json()["fields"] == ["absorb"]
    same = client.post("/journeys/merge", json={"keep": keep, "absorb": keep, "reason": "checked"}, headers=HEADERS)
    assert same.status_code == 409 and same.json()["error"] == "merge_refused"
    blank = client.post("/journeys/merge", json={"keep": keep, "absorb": absorb, "reason": "   "}, headers=HEADERS)
    assert blank.status_code == 422 and blank.json()["fields"] == ["reason"]
    assert client.post("/journeys/merge", json={"keep": keep, "absorb": absorb, "reason": "x"}).status_code == 401
    merged = client.post("/journeys/merge", json={"keep": keep, "absorb": absorb,
                                                  "reason": f"agent-117 called back customer Anna on {PHONE}"},
                         headers=HEADERS)
    assert merged.status_code == 200, merged.text
    assert merged.json()["candidate_merges_settled"] == 1
    journey = client.get(f"/journeys/{absorb}", headers=HEADERS).json()
    assert journey["customer_key"] == keep and journey["merged_from"]["requested_key"] == absorb
    assert {"mg-1", "mg-2"} <= {c["id"] for claim in journey["claims"] for c in claim["contacts"]}
    assert "765 4321" not in journey["merged_customers"][0]["reason"]  # the reason is stored redacted


@pytest.mark.service
def test_triage_batch_answers_in_order_and_limits_the_count(client, corpus_contacts):
    contacts = [payload(c) for c in corpus_contacts[40:46]]
    response = client.post("/triage_batch", json={"contacts": contacts}, headers=HEADERS)
    assert response.status_code == 200, response.text
    assert [a["contact_id"] for a in response.json()["answers"]] == [c["id"] for c in contacts]
    too_many = client.post("/triage_batch", json={"contacts": [payload(c) for c in corpus_contacts[:9]]},
                           headers=HEADERS)
    assert too_many.status_code == 422 and too_many.json()["fields"] == ["contacts"]
    assert "at most 8" in too_many.json()["message"]
    empty = client.post("/triage_batch", json={"contacts": []}, headers=HEADERS)
    assert empty.status_code == 422 and empty.json()["fields"] == ["contacts"]
    bad = client.post("/triage_batch", json={"contacts": [contacts[0], {**contacts[1], "channel": "fax"}]},
                      headers=HEADERS)
    assert bad.status_code == 422 and bad.json()["fields"] == ["contacts.1.channel"]


@pytest.mark.service
def test_feedback_is_stored_and_exportable(client, engine, by_channel, tmp_path):
    contact = by_channel[Channel.chat]
    client.post("/triage", json=payload(contact, id="fb-1"), headers=HEADERS)
    stored = client.post("/feedback", json={"contact_id": "fb-1", "claim": "billing", "complexity": "high",
                                            "agent": "a-7", "note": f"called back on {PHONE}"}, headers=HEADERS)
    assert stored.status_code == 200, stored.text
    assert client.post("/feedback", json={"contact_id": "nope", "claim": "x"}, headers=HEADERS).status_code == 404
    wrong = client.post("/feedback", json={"contact_id": "fb-1", "complexity": "huge"}, headers=HEADERS)
    assert wrong.status_code == 422 and wrong.json()["fields"] == ["complexity"]
    assert engine.export_feedback(tmp_path / "feedback.jsonl") >= 1


@pytest.mark.service
def test_probes_docs_and_readiness(client):
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"ready": True, "checks": {"model": True, "store": True}}
    spec = client.get("/openapi.json").json()
    assert {"/triage", "/triage_batch", "/journeys/{customer_key}", "/feedback"} <= set(spec["paths"])
    examples = spec["paths"]["/triage"]["post"]["requestBody"]["content"]["application/json"]["examples"]
    assert {"whatsapp", "email", "review"} <= set(examples)


# ---- bad input: 4xx naming the field, never 500 -----------------------------------------------------------------
@pytest.mark.service
@pytest.mark.parametrize(("change", "status", "field"), [
    ({"channel": "fax"}, 422, "channel"),
    ({"channel": None}, 422, "channel"),
    ({"timestamp": "yesterday"}, 422, "timestamp"),
    ({"body": "", "turns": None}, 422, "body"),
    ({"body": "   ", "turns": None}, 422, "body"),
    ({"body": "x" * 5001, "turns": None}, 422, "body"),
    ({"unexpected": 1}, 422, "unexpected"),
    ({"rating": "five"}, 422, "rating"),
    ({"customer": {"email": "not-an-email"}}, 422, "customer.email"),
])
def test_bad_contacts_get_4xx_naming_the_field(client, by_channel, change, status, field):
    data = payload(by_channel[Channel.email])
    data.update(change)
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post("/triage", json=data, headers=HEADERS)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] in ("invalid_request", "text_too_long")
    assert any(f == field or f.startswith(field) or field in body["message"] for f in body["fields"] + ["contact"]) \
        or field in body["message"], body


@pytest.mark.service
def test_turn_over_the_text_limit_names_the_turn(client, by_channel):
    data = payload(by_channel[Channel.chat])
    data["turns"][0]["text"] = "y" * 6000
    response = client.post("/triage", json=data, headers=HEADERS)
    assert response.status_code == 422 and response.json()["fields"] == ["turns.0.text"]


@pytest.mark.service
def test_malformed_json_and_missing_body(client):
    bad = client.post("/triage", content=b'{"id": "x", ', headers={**HEADERS, "Content-Type": "application/json"})
    assert bad.status_code == 400 and bad.json()["error"] == "malformed_json"
    missing = client.post("/triage", headers=HEADERS)
    assert missing.status_code in (400, 422)
    not_object = client.post("/triage", json=[1, 2], headers=HEADERS)
    assert not_object.status_code == 422


@pytest.mark.service
def test_request_size_limit(client, by_channel):
    data = payload(by_channel[Channel.email], body="z" * 250_000)
    response = client.post("/triage", json=data, headers=HEADERS)
    assert response.status_code == 413 and response.json()["error"] == "request_too_large"

    def chunks():  # no Content-Length: the guard counts the bytes itself
        for _ in range(30):
            yield b"a" * 10_000

    streamed = client.post("/triage", content=chunks(), headers={**HEADERS, "Content-Type": "application/json"})
    assert streamed.status_code == 413


# ---- auth ---------------------------------------------------------------------------------------------------------
@pytest.mark.service
def test_api_key_required(client, by_channel):
    data = payload(by_channel[Channel.email])
    assert client.post("/triage", json=data).status_code == 401
    assert client.post("/triage", json=data, headers={"X-API-Key": KEY + "x"}).status_code == 401
    assert client.post("/triage", json=data, headers={"X-API-Key": ""}).status_code == 401
    assert client.get("/journeys/anyone").status_code == 401
    assert client.post("/feedback", json={"contact_id": "x"}).status_code == 401
    assert client.post("/triage", json=data, headers={"X-API-Key": "another-key"}).status_code == 200
    for public in ("/healthz", "/readyz", "/openapi.json"):
        assert client.get(public).status_code == 200


@pytest.mark.service
def test_no_auth_mode_and_missing_keys(client, service, by_channel, monkeypatch):
    from claimtriage.serving.auth import APIKeyCheck

    monkeypatch.setattr(service, "api_keys", APIKeyCheck([], required=False))
    assert client.post("/triage", json=payload(by_channel[Channel.email])).status_code == 200
    with pytest.raises(ValueError, match="API keys are required"):
        APIKeyCheck([], required=True)
    assert APIKeyCheck(["a", "b"]).allows("b") and not APIKeyCheck(["a"]).allows("ab")


# ---- failures: 503 with a reason ------------------------------------------------------------------------------------
@pytest.mark.service
def test_model_failure_is_503_and_records_nothing(client, engine, by_channel, monkeypatch):
    def broken(_):
        raise RuntimeError("weights gone")

    before = engine.store.counts()["contacts"]
    monkeypatch.setattr(engine.model, "score_normalised", broken)
    response = client.post("/triage", json=payload(by_channel[Channel.email], id="lost-1"), headers=HEADERS)
    assert response.status_code == 503 and response.json()["error"] == "model_unavailable"
    batch = client.post("/triage_batch", json={"contacts": [payload(by_channel[Channel.email], id="lost-2")]},
                        headers=HEADERS)
    assert batch.status_code == 503
    assert engine.store.counts()["contacts"] == before


@pytest.mark.service
def test_store_outage_still_triages_and_reports(client, engine, by_channel, monkeypatch):
    store = engine.store
    monkeypatch.setattr(engine, "store", None)
    monkeypatch.setattr(engine, "_store_error", "down for the test")
    monkeypatch.setattr(engine, "connect_store", lambda: False)
    answer = client.post("/triage", json=payload(by_channel[Channel.email], id="outage-1"), headers=HEADERS)
    assert answer.status_code == 200 and answer.json()["journey"]["status"] == "store_unavailable"
    assert client.get("/journeys/anyone", headers=HEADERS).status_code == 503
    assert client.post("/feedback", json={"contact_id": "outage-1", "claim": "x"}, headers=HEADERS).status_code == 503
    merge = client.post("/journeys/merge", json={"keep": "a", "absorb": "b", "reason": "x"}, headers=HEADERS)
    assert merge.status_code == 503 and merge.json()["error"] == "store_unavailable"
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json() == {"ready": False, "checks": {"model": True, "store": False}}
    monkeypatch.setattr(engine, "store", store)


# ---- fast path and observability -----------------------------------------------------------------------------------
@pytest.mark.service
def test_concurrent_requests_share_model_calls(client, engine, corpus_contacts, monkeypatch):
    calls = []
    original = engine.model.score_normalised

    def counting(normalised):
        calls.append(len(normalised))
        time.sleep(0.02)  # a slow model: requests pile up behind it
        return original(normalised)

    monkeypatch.setattr(engine.model, "score_normalised", counting)
    contacts = [payload(c) for c in corpus_contacts[100:124]]
    with ThreadPoolExecutor(12) as pool:
        statuses = list(pool.map(lambda c: client.post("/triage", json=c, headers=HEADERS).status_code, contacts))
    assert statuses == [200] * len(contacts)
    assert sum(calls) == len(contacts) and len(calls) < len(contacts) and max(calls) > 1


@pytest.mark.unit
def test_batcher_keeps_order_and_isolates_failures():
    from claimtriage.serving.batching import AdaptiveBatcher

    calls = []

    def score(items):
        calls.append(list(items))
        time.sleep(0.01)
        if "bad" in items:
            raise ValueError("bad item")
        return [i * 2 for i in items]

    async def run():
        batcher = AdaptiveBatcher(score, executor=ThreadPoolExecutor(1), max_batch_size=4)
        first = asyncio.ensure_future(batcher.submit([1]))
        await asyncio.sleep(0.002)
        rest = await asyncio.gather(*(batcher.submit([i, i + 1]) for i in range(10, 20, 2)))
        bad = await asyncio.gather(batcher.submit(["bad"]), return_exceptions=True)
        return await first, rest, bad

    first, rest, bad = asyncio.run(run())
    assert first == [2] and rest == [[i * 2, i * 2 + 2] for i in range(10, 20, 2)]
    assert isinstance(bad[0], ValueError)
    assert all(len(c) <= 4 for c in calls) and any(len(c) == 4 for c in calls)


@pytest.mark.service
def test_metrics_count_requests_routes_and_model_version(client, by_channel):
    from prometheus_client import REGISTRY

    def value(name, labels):
        return REGISTRY.get_sample_value(name, labels) or 0.0

    before = value("claimtriage_requests_total", {"endpoint": "/triage", "status": "200"})
    bot_before = value("claimtriage_routes_total", {"target": "bot", "queue": "bot"})
    stages_before = {stage: value("claimtriage_stage_seconds_count", {"stage": stage}) for stage in ("model", "decide")}
    human_before = sum(s.value for m in REGISTRY.collect() if m.name == "claimtriage_routes"
                       for s in m.samples if s.name.endswith("_total"))
    client.post("/triage", json=payload(by_channel[Channel.email]), headers=HEADERS)
    assert value("claimtriage_requests_total", {"endpoint": "/triage", "status": "200"}) == before + 1
    after = sum(s.value for m in REGISTRY.collect() if m.name == "claimtriage_routes"
                for s in m.samples if s.name.endswith("_total"))
    assert after == human_before + 1 and bot_before >= 0
    assert value("claimtriage_model_info", {"model_version": "tests-model/1 (champion)"}) == 1
    assert value("claimtriage_request_latency_seconds_count", {"endpoint": "/triage"}) >= 1
    for stage, count in stages_before.items():  # one model call and one decide call, each timed
        assert value("claimtriage_stage_seconds_count", {"stage": stage}) == count + 1
        assert value("claimtriage_stage_seconds_sum", {"stage": stage}) > 0
    exposed = client.get("/metrics", headers=HEADERS)
    assert exposed.status_code == 200 and "claimtriage_requests_total" in exposed.text


@pytest.mark.service
def test_logs_hold_no_email_or_phone(client, engine, by_channel, caplog, monkeypatch):
    from claimtriage.serving.observability import redact_log_text

    assert redact_log_text(f"to {EMAIL} or {PHONE}, order 12345") == "to [EMAIL] or [PHONE], order 12345"
    caplog.set_level(logging.DEBUG)
    text = f"Please call me at {PHONE} or write to {EMAIL}, I am furious"
    client.post("/triage", json=payload(by_channel[Channel.email], id="log-1", body=text, customer={"email": EMAIL}),
                headers=HEADERS)
    client.post("/triage", json=payload(by_channel[Channel.email], customer={"email": "bad@"}), headers=HEADERS)
    logging.getLogger("claimtriage.test").warning("customer wrote %s from %s", EMAIL, PHONE)
    try:
        raise ValueError(f"cannot parse {EMAIL}")
    except ValueError:
        logging.getLogger("claimtriage.test").exception("failure")

    def failing(_):
        raise RuntimeError(f"model choked on {EMAIL}")

    monkeypatch.setattr(engine.model, "score_normalised", failing)
    assert client.post("/triage", json=payload(by_channel[Channel.email], body=text), headers=HEADERS).status_code == 503
    logged = caplog.text + "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "[EMAIL]" in logged
    assert EMAIL not in logged and "765 4321" not in logged and not re.search(r"\d{3} ?\d{3} ?\d{4}", logged)


@pytest.mark.unit
def test_serve_settings_carry_the_encoder_runtime():
    from pydantic import ValidationError

    from claimtriage.serving.cli import build_settings

    common = dict(model="models:/claimtriage@champion", host="127.0.0.1", port=0, store=None, policy=None,
                  api_key_file=None, no_auth=True, tracking_uri=None, dtype="auto", max_batch_contacts=8,
                  max_text_chars=100, cors_origin=[])
    assert ServiceSettings().encoder_runtime == "auto"  # int8 is opt-in
    settings = build_settings(**common, encoder_runtime="onnx-int8")
    assert ServiceSettings.model_validate_json(settings.to_env()).encoder_runtime == "onnx-int8"
    with pytest.raises(ValidationError, match="encoder_runtime"):
        build_settings(**common, encoder_runtime="tensorrt")


# ---- issue 15: bounded metrics, quiet readiness, one error body, the contract ----------------------------------
def _series(text: str) -> set[str]:
    """The exposed series (name and labels, no value) of a Prometheus text page."""
    return {line.rsplit(" ", 1)[0] for line in text.splitlines() if line and not line.startswith("#")}


@pytest.mark.service
def test_metrics_stay_bounded_and_hold_no_customer_key(client, by_channel):
    import secrets

    from claimtriage.serving.app import METRIC_ENDPOINTS

    # a real customer's journey, read once: its key must not reach any metric
    key = client.post("/triage", json=payload(by_channel[Channel.email], id="m-1", customer={"email": EMAIL}),
                      headers=HEADERS).json()["journey"]["customer_key"]
    assert client.get(f"/journeys/{key}", headers=HEADERS).status_code == 200
    client.get("/no-such-path-warmup")
    client.get("/no-such-path-warmup", headers=HEADERS)
    client.get("/journeys/cust-warmup", headers=HEADERS)
    before = client.get("/metrics", headers=HEADERS).text
    probes = [f"cust-{secrets.token_hex(6)}" for _ in range(150)]
    for probe in probes:
        client.get(f"/journeys/{probe}", headers=HEADERS)  # unknown keys: 404
        client.get(f"/{secrets.token_hex(8)}/{probe}")  # random paths without a key: 401
        client.get(f"/{secrets.token_hex(8)}", headers=HEADERS)  # random paths with a key: 404
    after = client.get("/metrics", headers=HEADERS).text
    assert _series(after) == _series(before), sorted(_series(after) - _series(before))[:10]
    assert len(after) < len(before) + 2_000, (len(before), len(after))  # counts grow, series do not
    assert f"/journeys/{key}" not in after and not any(probe in after for probe in probes)
    endpoints = set(re.findall(r'endpoint="([^"]*)"', after))
    assert endpoints <= METRIC_ENDPOINTS, endpoints - METRIC_ENDPOINTS
    assert {"/journeys/{customer_key}", "other"} <= endpoints


@pytest.mark.service
def test_metrics_need_the_key_unless_public(client, service, monkeypatch):
    from claimtriage.serving.auth import APIKeyCheck
    from claimtriage.serving.cli import build_settings

    refused = client.get("/metrics")
    assert refused.status_code == 401 and refused.json()["error"] == "unauthorized"
    assert client.get("/metrics", headers=HEADERS).status_code == 200
    monkeypatch.setattr(service, "api_keys", APIKeyCheck([KEY], public_metrics=True))
    assert client.get("/metrics").status_code == 200
    assert client.get("/journeys/anyone").status_code == 401  # only /metrics opens
    assert ServiceSettings().public_metrics is False
    common = dict(model="models:/claimtriage@champion", host="127.0.0.1", port=0, store=None, policy=None,
                  api_key_file=None, no_auth=False, tracking_uri=None, dtype="auto", max_batch_contacts=8,
                  max_text_chars=100, cors_origin=[])
    assert build_settings(**common, public_metrics=True).public_metrics


@pytest.mark.service
def test_readiness_names_the_failed_check_and_nothing_else(client, engine, monkeypatch, caplog):
    dsn_parts = ("10.20.30.40", "5433", "tri_user", "claims_prod", "s3cret")
    store = engine.store
    monkeypatch.setattr(engine, "store", None)
    monkeypatch.setattr(engine, "_store_error", "OperationalError: connection to server at \"10.20.30.40\", port "
                        "5433 failed: FATAL: password authentication failed for user \"tri_user\" (database "
                        "claims_prod, password s3cret)")
    monkeypatch.setattr(engine, "connect_store", lambda: False)
    caplog.set_level(logging.INFO)
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json() == {"ready": False, "checks": {"model": True, "store": False}}
    assert not any(part in ready.text for part in dsn_parts)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "store" in logged and "OperationalError" in logged  # the type, server-side
    assert not any(part in logged for part in dsn_parts)
    monkeypatch.setattr(engine, "store", store)
    assert client.get("/readyz").json() == {"ready": True, "checks": {"model": True, "store": True}}


def _error_body(response) -> dict:
    from claimtriage.serving.app import ErrorBody

    assert response.headers["content-type"].startswith("application/json"), (response.status_code, response.text)
    body = response.json()
    assert set(body) == {"error", "message", "fields"}, body
    ErrorBody.model_validate(body)
    return body


@pytest.mark.service
@pytest.mark.parametrize(("method", "path", "kwargs", "status", "code"), [
    ("post", "/triage", {"content": b'{"id": "\xff\xfe"}', "headers": {"Content-Type": "application/json"}},
     400, "malformed_json"),
    ("post", "/triage", {"content": b"[" * 50_000 + b"]" * 50_000, "headers": {"Content-Type": "application/json"}},
     400, "malformed_json"),
    ("post", "/triage", {"content": b'{"id": ', "headers": {"Content-Type": "application/json"}}, 400,
     "malformed_json"),
    ("post", "/triage", {"content": b"my bill is wrong", "headers": {"Content-Type": "text/plain"}}, 415,
     "unsupported_media_type"),
    ("post", "/feedback", {"content": b"contact_id=x",
                           "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 415,
     "unsupported_media_type"),
    ("post", "/triage_batch", {"content": b'{"contacts": []}', "headers": {"Content-Type": ""}}, 415,
     "unsupported_media_type"),
    ("get", "/triage", {}, 405, "method_not_allowed"),
    ("delete", "/journeys/cust-1", {}, 405, "method_not_allowed"),
    ("post", "/healthz", {}, 405, "method_not_allowed"),
    ("post", "/readyz", {}, 405, "method_not_allowed"),
    ("get", "/no/such/path", {}, 404, "not_found"),
    ("get", "/journeys/a/b", {}, 404, "not_found"),
    ("get", "/static_content/nothing.js", {}, 404, "not_found"),
    ("get", "/journeys/cust-unknown", {}, 404, "not_found"),
    ("post", "/triage", {"json": {"id": "x"}}, 422, "invalid_request"),
])
def test_every_error_has_the_one_body(client, method, path, kwargs, status, code):
    headers = {**HEADERS, **kwargs.pop("headers", {})}
    response = client.request(method.upper(), path, headers=headers, **kwargs)
    assert response.status_code == status, response.text
    body = _error_body(response)
    assert body["error"] == code, body
    if status == 415:
        sent = headers["Content-Type"] or "missing"
        assert sent.split(";")[0] in body["message"] and "application/json" in body["message"]
    if status == 405:
        assert response.headers.get("allow")
    if status == 400:
        assert body["fields"] == ["body"] and "\\xff" not in body["message"]


@pytest.mark.service
def test_duplicate_contact_is_409(client, engine, by_channel, monkeypatch):
    import claimtriage.serving.engine as engine_module

    duplicate = getattr(engine_module, "DuplicateContact", None)
    if duplicate is None:
        duplicate = type("DuplicateContact", (ValueError,), {})

    def refuse(contact, *_):
        raise duplicate(f"contact {contact.id} was already triaged with different content")

    monkeypatch.setattr(engine, "decide", refuse)
    response = client.post("/triage", json=payload(by_channel[Channel.email], id="dup-1"), headers=HEADERS)
    assert response.status_code == 409, response.text
    assert _error_body(response)["error"] == "duplicate_contact"
    batch = client.post("/triage_batch", json={"contacts": [payload(by_channel[Channel.email], id="dup-2")]},
                        headers=HEADERS)
    assert batch.status_code == 409 and _error_body(batch)["error"] == "duplicate_contact"


@pytest.mark.service
def test_openapi_documents_errors_security_and_contact_rules(client):
    spec = client.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert any(s["type"] == "apiKey" and s["in"] == "header" and s["name"] == "X-API-Key" for s in schemes.values())
    expected = {("post", "/triage"): {"400", "401", "409", "413", "415", "422", "503"},
                ("post", "/triage_batch"): {"400", "401", "409", "413", "415", "422", "503"},
                ("post", "/feedback"): {"400", "401", "404", "413", "415", "422", "503"},
                ("post", "/journeys/merge"): {"400", "401", "404", "409", "413", "415", "422", "503"},
                ("get", "/journeys/{customer_key}"): {"401", "404", "503"},
                ("get", "/metrics"): {"401"}}
    for (method, path), statuses in expected.items():
        operation = spec["paths"][path][method]
        assert operation.get("security"), (method, path)
        assert statuses <= set(operation["responses"]), (method, path, set(operation["responses"]))
        for status in statuses:
            content = operation["responses"][status]["content"]["application/json"]
            assert content["schema"]["$ref"].endswith("/ErrorBody"), (path, status)
            assert content["example"]["error"] and "fields" in content["example"], (path, status)
    ready = spec["paths"]["/readyz"]["get"]
    assert not ready.get("security") and {"200", "503"} <= set(ready["responses"])
    contact = spec["components"]["schemas"]["Contact"]
    assert "either body or turns" in contact["description"].lower()
    assert "review" in contact["properties"]["rating"]["description"]
    assert "turns" in contact["properties"]["body"]["description"]


@pytest.mark.unit
def test_metrics_page_shows_this_process_when_its_values_live_in_memory(tmp_path, monkeypatch):
    """prometheus_client chooses where values live when first imported; a PROMETHEUS_MULTIPROC_DIR set later (as in
    a test process) must not turn /metrics into an empty page read from an empty folder."""
    from prometheus_client import values

    from claimtriage.serving.observability import exposition, service_metrics

    if values.ValueClass is not values.MutexValue:
        pytest.skip("prometheus_client runs in multiprocess mode in this process")
    service_metrics().requests.labels(endpoint="other", status="404").inc()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    body, content_type = exposition()
    assert b'claimtriage_requests_total{endpoint="other",status="404"}' in body
    assert content_type.startswith("text/plain")

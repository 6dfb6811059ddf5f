"""The HTTP API fuzzed against its own OpenAPI schema (schemathesis) through the service's ASGI app (`to_asgi()`).

For every operation of `/openapi.json`, schemathesis generates requests from the schema, valid ones (positive) and
ones that break it (negative: wrong types, missing fields, unknown enum values), and sends them with the API key.
Every answer must keep the contract: no 5xx, a status code the operation documents, the documented media type, a
body that matches the documented schema (`ErrorBody` for every error), a 4xx for what the schema forbids, and a
refusal without the key where the operation declares it. Bounded: MAX_EXAMPLES requests per operation and mode,
derandomized (the same requests every run), well under a minute on two cores.

schemathesis' own pytest loader (`schemathesis.pytest.from_fixture`) sets a private attribute that pytest 9.2 no
longer has, so each operation and mode is a plain parametrized test that draws cases from the operation's Hypothesis
strategy (`APIOperation.as_strategy`, schemathesis' documented way into Hypothesis tests).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from claimtriage.serving.config import API_KEYS_ENV, SETTINGS_ENV, ServiceSettings

pytestmark = pytest.mark.service

KEY = "fuzz-key-0123456789"
#: requests per operation and mode
MAX_EXAMPLES = 40
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection, ignored_auth]
#: every operation of the schema (test_every_operation_is_fuzzed keeps this list whole)
OPERATIONS = [("POST", "/triage"), ("POST", "/triage_batch"), ("GET", "/journeys/{customer_key}"),
              ("POST", "/feedback"), ("POST", "/journeys/merge"), ("GET", "/readyz"), ("GET", "/metrics")]
#: (method, path, mode): /readyz takes no input at all, so there is nothing to send it that breaks the schema
CASES = [(method, path, mode) for method, path in OPERATIONS for mode in GenerationMode
         if not (path == "/readyz" and mode is GenerationMode.NEGATIVE)]


@pytest.fixture(scope="module")
def api_schema(trained_model, tmp_path_factory):
    """The service's app (the session's model, an SQLite journey store of its own) and its schema, loaded from the
    app's own `/openapi.json`; the app's lifespan (its service instance) ends with the module."""
    import torch
    from schemathesis.python import asgi

    import claimtriage.serving.service as service_module
    from claimtriage.models.threads import limited_threads
    from claimtriage.serving.engine import TriageEngine

    engine = TriageEngine(trained_model, model_version="fuzz-model/1",
                          store_url=f"sqlite:///{tmp_path_factory.mktemp('fuzz-store') / 'journeys.db'}")
    assert engine.connect_store()
    service_settings = ServiceSettings(max_batch_contacts=4, max_text_chars=2000, max_request_bytes=100_000)
    try:
        with limited_threads(torch.get_num_threads()), pytest.MonkeyPatch.context() as patch:
            patch.setenv(SETTINGS_ENV, service_settings.to_env())
            patch.setenv(API_KEYS_ENV, KEY)
            patch.setattr(service_module, "engine_factory", lambda _: engine)
            try:
                yield schemathesis.openapi.from_asgi("/openapi.json", service_module.TriageService.to_asgi())
            finally:
                asgi.shutdown_lifespans()  # the service's on_shutdown runs here, not at interpreter exit
    finally:
        if engine.store is not None:
            engine.store.close()


def test_every_operation_is_fuzzed(api_schema):
    found = {(op.method.upper(), op.path) for op in (r.ok() for r in api_schema.get_all_operations())}
    assert found == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path", "mode"), CASES, ids=[f"{m} {p} {g.value}" for m, p, g in CASES])
def test_api_answers_within_its_contract(api_schema, method, path, mode):
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def fuzz(case):
        case.call_and_validate(headers={"X-API-Key": KEY}, checks=CHECKS)

    fuzz()

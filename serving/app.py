"""HTTP routes of the triage service (a FastAPI app mounted on the BentoML service) and the request guard.

Every bad input is a 4xx whose message names the field (`channel: Input should be 'email', ...`); a model or store
failure is a 503 with a reason; nothing answers 500 for bad input. Every error, whoever raises it (a route, FastAPI's
parser, Starlette's router, BentoML's own routes, the guard), has one body, `{"error", "message", "fields"}`
(`ErrorBody`), which never echoes the request; each code is documented in the OpenAPI schema with an example.

The guard, outermost of the service's middlewares, enforces the API key, the concurrency limit and the request
timeout (503 with Retry-After: BentoML's own would answer 429 and 504 in bodies of their own), the media type and the
request size, hands
`/readyz` to the route here (BentoML answers it otherwise), rewrites any non-JSON error body from below into the
`ErrorBody` shape, and counts requests and latencies by route template: `/journeys/{customer_key}`, never the
customer key, and every path that is no route of the service as `other`, so that `/metrics` stays bounded whatever
paths clients send.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Annotated, Any

from fastapi import Body, FastAPI, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from claimtriage.data.schema import Contact
from claimtriage.serving import engine as _engine
from claimtriage.serving import examples
from claimtriage.serving.answer import TriageAnswer
from claimtriage.serving.config import API_KEY_HEADER
from claimtriage.data.journeys.merges import MergeRefused, UnknownCustomer
from claimtriage.serving.engine import Feedback, MergeRequest
from claimtriage.serving.limits import Overloaded, request_text_problem, retry_after, text_problem

logger = logging.getLogger("claimtriage.serving")

#: the store's refusal of a contact id reused with different content (409); looked up so that this module also
#: loads against an engine that does not define it (`is_duplicate_contact` then matches the class by name)
DuplicateContact: type[Exception] | None = getattr(_engine, "DuplicateContact", None)


def is_duplicate_contact(exc: BaseException | None) -> bool:
    """True for the store's DuplicateContact (a client's error, 409), whichever module defines it."""
    if exc is None:
        return False
    if DuplicateContact is not None and isinstance(exc, DuplicateContact):
        return True
    return any(cls.__name__ == "DuplicateContact" for cls in type(exc).__mro__)


class ModelUnavailable(RuntimeError):
    """The model failed on a batch: 503, and nothing was written to the journey store."""


class StoreUnavailable(RuntimeError):
    """The journey or feedback store failed: 503."""


ERROR_CODES = {
    400: "malformed_json", 401: "unauthorized", 404: "not_found", 405: "method_not_allowed",
    409: "duplicate_contact", 413: "request_too_large", 415: "unsupported_media_type", 422: "invalid_request",
    500: "internal_error", 503: "service_unavailable",
}


class ErrorBody(BaseModel):
    """The body of every error answer (4xx and 5xx), whichever part of the service gives it."""

    error: str = Field(description="a stable code: malformed_json (400), unauthorized (401), not_found (404), "
                                   "method_not_allowed (405), duplicate_contact, merge_refused (409), "
                                   "request_too_large (413), "
                                   "unsupported_media_type (415), invalid_request, too_many_contacts, text_too_long "
                                   "(422), model_unavailable, store_unavailable, overloaded, request_timeout (503, "
                                   "the last two with a Retry-After header)")
    message: str = Field(description="what is wrong, naming the field; never a copy of the request")
    fields: list[str] = Field(default_factory=list, description="the fields at fault, as dotted paths "
                                                                "(`contacts.1.channel`); empty when none is")


class ReadinessChecks(BaseModel):
    model: bool = Field(description="the model is loaded")
    store: bool = Field(description="the journey store answers")


class Readiness(BaseModel):
    """Ready or not, and which check failed; the reason (its type only) goes to the server log, never here."""

    ready: bool
    checks: ReadinessChecks


class TriageBatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contacts: list[Contact] = Field(min_length=1, description="contacts in time order; at most the configured limit")


class TriageBatchResponse(BaseModel):
    answers: list[TriageAnswer]


# ---- the contract: error answers with examples, the API key ---------------------------------------------------
def _error_doc(description: str, code: str, message: str, fields: list[str] | None = None) -> dict[str, Any]:
    example = {"error": code, "message": message, "fields": fields or []}
    return {"model": ErrorBody, "description": description, "content": {"application/json": {"example": example}}}


E400 = _error_doc("the body is not JSON: malformed, not UTF-8, or nested too deeply", "malformed_json",
                  "body: the request body is not valid JSON (line 1, column 9)", ["body"])
E401 = _error_doc("missing or invalid X-API-Key header", "unauthorized", "X-API-Key: missing or invalid API key")
def _e405(allowed: str) -> dict[str, Any]:
    return _error_doc("this path does not take this method (the Allow header lists those it takes)",
                      "method_not_allowed", f"method: DELETE is not allowed here; allowed: {allowed}")


E405_POST, E405_GET = _e405("POST"), _e405("GET")
E409 = _error_doc("a contact id already triaged with different content (ids are idempotent keys: sending the same "
                  "contact again answers 200 and records nothing new; a changed contact needs a new id)",
                  "duplicate_contact", "id: contact em-20240603-0042 was already stored with different content",
                  ["id"])
E413 = _error_doc("request body over the size limit", "request_too_large",
                  "body: request over the limit of 8388608 bytes", ["body"])
E415 = _error_doc("the body is not sent as application/json", "unsupported_media_type",
                  "Content-Type: text/plain is not accepted; send application/json", ["Content-Type"])
E422 = _error_doc("a field is missing, mistyped, breaks a rule of the schema or is over a limit (named in `fields`; "
                  "`error` is invalid_request, too_many_contacts or text_too_long)", "invalid_request",
                  "channel: Input should be 'email', 'phone', 'chat', 'whatsapp', 'sms', 'messaging', 'social', "
                  "'review' or 'web_form'", ["channel"])
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before trying again (overloaded, request_timeout)",
                                "schema": {"type": "integer", "minimum": 1}}}
OVERLOAD = ("; overloaded: too many requests in flight, or the model could not score the request within its time "
            "budget (nothing was recorded); request_timeout: the request ran past the service's timeout (a triaged "
            "contact may have been recorded: sending it again with the same id is safe). Both with Retry-After")


def _e503(description: str, code: str, message: str) -> dict[str, Any]:
    return {**_error_doc(description + OVERLOAD, code, message), "headers": RETRY_AFTER}


E503_TRIAGE = _e503("the model failed (model_unavailable: nothing was recorded) or routing and the journey store "
                    "failed (store_unavailable); retry later", "model_unavailable",
                    "the model failed on this request; nothing was recorded")
E503_STORE = _e503("the journey store is unavailable (store_unavailable); retry later", "store_unavailable",
                   "the journey store failed (OperationalError)")
POST_ERRORS = {400: E400, 401: E401, 405: E405_POST, 413: E413, 415: E415, 422: E422}
TRIAGE_ERRORS = {**POST_ERRORS, 409: E409, 503: E503_TRIAGE}

api_key = APIKeyHeader(name=API_KEY_HEADER, scheme_name="ApiKey", auto_error=False,
                       description="one of the service's API keys (CLAIMTRIAGE_API_KEYS or --api-key-file)")
#: the operations that need the key: the scheme shows in OpenAPI; the guard enforces it (before any route runs)
PROTECTED = [Security(api_key)]

api = FastAPI(
    title="claimtriage",
    version="1",
    description="Omnichannel claim triage: claim type, sentiment, complexity, route (bot or human queue, with "
                "reasons), the customer's journey across channels and a handoff summary for the agent.\n\n"
                "Send the key in the `X-API-Key` header (every operation but `/readyz`; `/metrics` too unless the "
                "service runs with `--public-metrics`). Bodies are JSON (`Content-Type: application/json`). Every "
                "error has the body `{\"error\", \"message\", \"fields\"}`: 400 malformed JSON, 401 no valid key, "
                "404 unknown path or resource, 405 wrong method (see `Allow`), 409 a contact id reused with "
                "different content or a merge that cannot be made, 413 body too large, 415 not JSON, 422 invalid field or over a limit (named in "
                "`fields`), 503 model or store unavailable, or the service overloaded (with `Retry-After`).",
)


def error(status: int, code: str, message: str, fields: list[str] | None = None,
          headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, "fields": fields or []}, status_code=status,
                        headers=headers)


def _service():
    import bentoml

    return bentoml.get_current_service()


@api.exception_handler(RequestValidationError)
async def _invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
    problems = exc.errors()
    if invalid := next((p for p in problems if p.get("type") == "json_invalid"), None):
        where = ""
        if isinstance(exc.body, str) and len(invalid.get("loc", ())) > 1 and isinstance(invalid["loc"][1], int):
            pos = invalid["loc"][1]
            line = exc.body.count("\n", 0, pos) + 1
            where = f" (line {line}, column {pos - exc.body.rfind(chr(10), 0, pos)})"
        return error(400, "malformed_json", f"body: the request body is not valid JSON{where}", ["body"])
    fields, lines = [], []
    for problem in problems:
        loc = [str(p) for p in problem.get("loc", ()) if p != "body"]
        path = ".".join(loc) or "body"
        fields.append(path)
        lines.append(f"{path}: {problem.get('msg', 'invalid')}")
    return error(422, "invalid_request", "; ".join(lines), fields)


@api.exception_handler(HTTPException)
async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    """FastAPI's and Starlette's own errors (unknown path, wrong method, a body it cannot read) in the one shape."""
    status = exc.status_code
    if status == 400:
        cause = exc.__cause__
        if isinstance(cause, UnicodeDecodeError):
            message = "body: the request body is not valid UTF-8"
        elif isinstance(cause, RecursionError):
            message = "body: the JSON is nested too deeply"
        else:
            message = "body: the request body could not be read as JSON"
        return error(400, "malformed_json", message, ["body"])
    return error(status, ERROR_CODES.get(status, "http_error"), status_message(status, request.method, exc.headers),
                 headers=exc.headers)


def status_message(status: int, method: str, headers: dict[str, str] | None = None) -> str:
    if status == 404:
        return "path: no such resource"
    if status == 405:
        allowed = (headers or {}).get("Allow") or (headers or {}).get("allow") or ""
        return f"method: {method} is not allowed here" + (f"; allowed: {allowed}" if allowed else "")
    if status >= 500:
        return "the service failed on this request"
    return f"HTTP {status}"


def _answer_json(payload: BaseModel) -> Response:
    return Response(payload.model_dump_json(), media_type="application/json")


def _duplicate(exc: BaseException, contacts: list[Contact], batch: bool) -> JSONResponse:
    field = "id"
    if batch:
        contact_id = getattr(exc, "contact_id", None)
        index = next((i for i, c in enumerate(contacts) if c.id == contact_id), None)
        field = f"contacts.{index}.id" if index is not None else "contacts"
    return error(409, "duplicate_contact", str(exc), [field])


def overloaded(message: str, retry_after_s: float, code: str = "overloaded") -> JSONResponse:
    return error(503, code, message, headers={"Retry-After": retry_after(retry_after_s)})


async def _triage(contacts: list[Contact], batch: bool = False) -> list[TriageAnswer] | JSONResponse:
    try:
        return await _service().triage_contacts(contacts)
    except Overloaded as exc:
        return overloaded(str(exc), exc.retry_after_s)
    except ModelUnavailable as exc:
        return error(503, "model_unavailable", str(exc))
    except StoreUnavailable as exc:
        if is_duplicate_contact(exc.__cause__):  # in case a caller wraps what decide raised
            return _duplicate(exc.__cause__, contacts, batch)
        return error(503, "store_unavailable", str(exc))
    except Exception as exc:
        if is_duplicate_contact(exc):
            return _duplicate(exc, contacts, batch)
        raise


@api.post("/triage", response_model=TriageAnswer, responses=TRIAGE_ERRORS, summary="Triage one contact",
          dependencies=PROTECTED)
async def triage(contact: Annotated[Contact, Body(openapi_examples=examples.CONTACTS)]) -> Response:
    """One contact on any channel -> claim, sentiment, complexity, route, journey and handoff."""
    settings = _service().settings
    if problem := (text_problem(contact, settings.max_text_chars)
                   or request_text_problem([contact], settings.max_request_chars, "body")):
        return error(422, "text_too_long", problem[1], [problem[0]])
    answers = await _triage([contact])
    return answers if isinstance(answers, Response) else _answer_json(answers[0])


@api.post("/triage_batch", response_model=TriageBatchResponse, responses=TRIAGE_ERRORS,
          summary="Triage several contacts", dependencies=PROTECTED)
async def triage_batch(request: Annotated[TriageBatchRequest, Body(openapi_examples=examples.BATCHES)]) -> Response:
    """Several contacts in one call (at most the configured number), answered in the same order."""
    settings = _service().settings
    if len(request.contacts) > settings.max_batch_contacts:
        return error(422, "too_many_contacts", f"contacts: {len(request.contacts)} contacts, at most "
                     f"{settings.max_batch_contacts} per request", ["contacts"])
    for i, contact in enumerate(request.contacts):
        if problem := text_problem(contact, settings.max_text_chars, prefix=f"contacts.{i}."):
            return error(422, "text_too_long", problem[1], [problem[0]])
    if problem := request_text_problem(request.contacts, settings.max_request_chars, "contacts"):
        return error(422, "text_too_long", problem[1], [problem[0]])
    answers = await _triage(request.contacts, batch=True)
    return answers if isinstance(answers, Response) else _answer_json(TriageBatchResponse(answers=answers))


@api.get("/journeys/{customer_key}", dependencies=PROTECTED, summary="A customer's claims and contacts (redacted)",
         responses={401: E401, 404: _error_doc("no journey for this customer key", "not_found",
                                               "customer_key: no journey for this customer key", ["customer_key"]),
                    405: E405_GET, 503: E503_STORE})
async def journey(customer_key: str) -> Response:
    """The customer's claims and contacts across channels, PII redacted; 404 for an unknown key."""
    service = _service()
    try:
        found = await service.in_pool(service.engine.journey, customer_key)
    except Exception as exc:
        # the type only: a driver's message may quote stored (redacted) text or the key
        logger.error("journeys.read_failed error=%s", type(exc).__name__)
        return error(503, "store_unavailable", f"the journey store failed ({type(exc).__name__})")
    if found is None:
        return error(404, "not_found", "customer_key: no journey for this customer key", ["customer_key"])
    return Response(json.dumps(found, default=str), media_type="application/json")


@api.post("/journeys/merge", dependencies=PROTECTED, summary="Confirm that two customer records are one customer",
          responses={**POST_ERRORS,
                     404: _error_doc("no customer with this key", "not_found",
                                     "absorb: no customer 'cust-0a1b2c3d' in the journey store", ["absorb"]),
                     409: _error_doc("the merge cannot be made (the same key twice, or two customers holding "
                                     "different customer ids, two accounts of the CRM); nothing changed",
                                     "merge_refused", "absorb: both customers hold a customer id (an account of the "
                                     "CRM) and they differ; merge the accounts in the CRM and import it again",
                                     ["absorb"]),
                     503: E503_STORE})
async def merge(item: Annotated[MergeRequest, Body(openapi_examples=examples.MERGE)]) -> Response:
    """Identity never joins two customers who hold different strong identifiers: it records a candidate merge
    (`candidate_merge_details` in the journey). Once a person has checked one, this moves `absorb`'s identifiers,
    claims and contacts to `keep` in one transaction and records the merge with its reason; the absorbed key still
    finds the journey (`merged_from`)."""
    service = _service()
    try:
        merged = await service.in_pool(service.engine.merge_customers, item)
    except UnknownCustomer as exc:
        return error(404, "not_found", str(exc), [exc.field])
    except MergeRefused as exc:
        return error(409, "merge_refused", str(exc), [exc.field])
    except Exception as exc:
        logger.error("journeys.merge_failed error=%s", type(exc).__name__)
        return error(503, "store_unavailable", f"the journey store failed ({type(exc).__name__})")
    return Response(json.dumps(merged, default=str), media_type="application/json")


@api.post("/feedback", dependencies=PROTECTED, summary="An agent's correction",
          responses={**POST_ERRORS, 404: _error_doc("no triaged contact with this id", "not_found",
                                                    "contact_id: no triaged contact with this id", ["contact_id"]),
                     503: E503_STORE})
async def feedback(item: Annotated[Feedback, Body(openapi_examples=examples.FEEDBACK)]) -> Response:
    """Store an agent's correction of claim, complexity or route outcome as labelled data for the next retraining."""
    service = _service()
    try:
        stored = await service.in_pool(service.engine.record_feedback, item)
    except LookupError:
        return error(404, "not_found", "contact_id: no triaged contact with this id", ["contact_id"])
    except ValueError as exc:
        return error(422, "invalid_request", str(exc))
    except Exception as exc:
        logger.error("feedback.store_failed error=%s", type(exc).__name__)
        return error(503, "store_unavailable", f"the feedback store failed ({type(exc).__name__})")
    return Response(json.dumps(stored, default=str), media_type="application/json")


@api.get("/readyz", response_model=Readiness, summary="Readiness: model loaded, journey store reachable",
         responses={200: {"description": "ready", "content": {"application/json": {"example": {
                        "ready": True, "checks": {"model": True, "store": True}}}}},
                    405: E405_GET,
                    503: {"model": Readiness, "description": "not ready: the failed check is false",
                          "content": {"application/json": {"example": {
                              "ready": False, "checks": {"model": True, "store": False}}}}}})
async def readyz() -> JSONResponse:
    """Ready (200) or not (503), and which check failed; no key needed. Why a check failed is logged, not shown."""
    service = _service()
    try:
        state = await service.in_pool(service.readiness)
    except Exception as exc:
        logger.error("readiness.failed error=%s", type(exc).__name__)
        state = {"ready": False, "checks": {"model": False, "store": False}}
    return JSONResponse(state, status_code=200 if state.get("ready") else 503)


@api.get("/metrics", dependencies=PROTECTED, summary="Prometheus metrics",
         response_class=Response, responses={
             200: {"description": "Prometheus text exposition", "content": {"text/plain": {
                 "schema": {"type": "string"},
                 "example": 'claimtriage_requests_total{endpoint="/triage",status="200"} 42.0\n'}}},
             401: E401, 405: E405_GET})
def metrics() -> Response:
    """Requests and latency by route template, routes, journey statuses, model version, model and decide time. The
    key is needed unless the service runs with `--public-metrics` (a scraper that cannot send one)."""
    from claimtriage.serving.observability import exposition

    body, content_type = exposition()
    return Response(body, media_type=content_type)


# ---- the guard: API key, media type, size limit, one error body, request metrics -----------------------------
JOURNEY_ROUTE = "/journeys/{customer_key}"
#: paths counted under their own name; every other path is counted as OTHER
KNOWN_PATHS = frozenset({"/triage", "/triage_batch", "/feedback", "/journeys/merge", "/readyz", "/healthz", "/livez",
                         "/metrics", "/docs", "/openapi.json"})
OTHER = "other"
#: every value the `endpoint` label of the request metrics can take
METRIC_ENDPOINTS = frozenset({*KNOWN_PATHS, JOURNEY_ROUTE, OTHER})
#: routes whose body is JSON
JSON_BODY_PATHS = frozenset({"/triage", "/triage_batch", "/feedback", "/journeys/merge"})
#: probes and the scrape are answered whatever the load: no concurrency limit, no timeout
UNLIMITED_PATHS = frozenset({"/readyz", "/healthz", "/livez", "/metrics"})


def endpoint_label(path: str) -> str:
    """The route template of `path` (`/journeys/{customer_key}` for any customer key), or "other": a bounded set."""
    if path in KNOWN_PATHS:
        return path
    key = path[len("/journeys/"):] if path.startswith("/journeys/") else ""
    return JOURNEY_ROUTE if key and "/" not in key else OTHER


def _header(scope, name: bytes) -> bytes | None:
    return next((v for k, v in scope["headers"] if k == name), None)


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


async def _send_json(send, status: int, payload: dict[str, Any], headers: list[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps(payload).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": body})


def _uniform_errors(send, method: str):
    """`send` for the app below the guard: an error answer that is not JSON (Starlette's router, static files,
    BentoML's probes) goes out as an `ErrorBody` with the same status (and its Allow header)."""
    replaced: list[tuple[int, list[tuple[bytes, bytes]]]] = []

    async def wrapped(message) -> None:
        if message["type"] == "http.response.start":
            status, headers = message["status"], message.get("headers", [])
            content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"").decode("latin-1")
            if status >= 400 and not _is_json(content_type):
                replaced.append((status, [(k, v) for k, v in headers if k.lower() == b"allow"]))
                return
        elif message["type"] == "http.response.body" and replaced:
            if not message.get("more_body", False):
                status, keep = replaced[0]
                allow = {k.decode("latin-1").title(): v.decode("latin-1") for k, v in keep}
                await _send_json(send, status, {"error": ERROR_CODES.get(status, "http_error"),
                                                "message": status_message(status, method, allow), "fields": []}, keep)
            return
        await send(message)

    return wrapped


class RequestGuard:
    """Outermost ASGI middleware of the service; settings and keys are those of the worker's service instance."""

    def __init__(self, app) -> None:
        self.app = app
        self._metrics = None
        self._cors = None
        self._in_flight = 0

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        service = _service()  # settings and keys live on the worker's service instance
        if service.settings.cors_origins:
            return await self._with_cors(service, scope, receive, send)
        return await self._handle(service, scope, receive, send)

    async def _with_cors(self, service, scope, receive, send) -> None:
        if self._cors is None:
            from starlette.middleware.cors import CORSMiddleware

            async def inner(scope, receive, send):
                await self._handle(_service(), scope, receive, send)

            self._cors = CORSMiddleware(inner, allow_origins=service.settings.cors_origins,
                                        allow_methods=["GET", "POST"], allow_headers=[API_KEY_HEADER, "Content-Type"])
        await self._cors(scope, receive, send)

    async def _handle(self, service, scope, receive, send) -> None:
        if self._metrics is None:
            from claimtriage.serving.observability import service_metrics

            self._metrics = service_metrics()
        label = endpoint_label(scope["path"])
        started, status = time.perf_counter(), [500]

        async def send_and_count(message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            send_uniform = _uniform_errors(send_and_count, scope["method"])
            if scope["path"] in UNLIMITED_PATHS:
                await self._guarded(service, scope, receive, send_uniform)
            else:
                await self._limited(service, scope, receive, send_uniform)
        finally:
            self._metrics.requests.labels(endpoint=label, status=str(status[0])).inc()
            self._metrics.latency.labels(endpoint=label).observe(time.perf_counter() - started)

    async def _limited(self, service, scope, receive, send) -> None:
        """At most `max_concurrency` requests in flight, each answered within `timeout_s`; past either, 503 with
        Retry-After (a response already started is left to finish)."""
        import asyncio

        settings = service.settings
        backlog = getattr(service, "backlog_s", lambda: 1.0)
        if self._in_flight >= settings.max_concurrency:
            return await _send_json(send, 503, {"error": "overloaded", "message": f"{self._in_flight} requests in "
                                                "flight, the limit of this server; try again shortly", "fields": []},
                                    [(b"retry-after", retry_after(backlog()).encode())])
        started = [False]

        async def marking(message) -> None:
            started[0] = started[0] or message["type"] == "http.response.start"
            await send(message)

        self._in_flight += 1
        task = asyncio.ensure_future(self._guarded(service, scope, receive, marking))
        try:
            done, _ = await asyncio.wait({task}, timeout=settings.timeout_s)
            if task in done or started[0]:
                return await task
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
        except BaseException:  # the client went away, or the server is stopping: the request goes too
            task.cancel()
            raise
        finally:
            self._in_flight -= 1
        if started[0]:
            return None
        logger.warning("request.timeout endpoint=%s timeout_s=%g", endpoint_label(scope["path"]), settings.timeout_s)
        await _send_json(send, 503, {"error": "request_timeout", "message": f"the request took over "
                                     f"{settings.timeout_s:g} s and was stopped; a triaged contact may have been "
                                     "recorded: send it again with the same id", "fields": []},
                         [(b"retry-after", retry_after(backlog()).encode())])

    async def _guarded(self, service, scope, receive, send) -> None:
        path, method = scope["path"], scope["method"]
        if path == "/readyz":  # BentoML's own /readyz would answer first: the route here says which check failed
            return await api(scope, receive, send)
        if method != "OPTIONS" and not service.api_keys.is_public(path):
            presented = _header(scope, b"x-api-key")
            if not service.api_keys.allows(presented.decode("latin-1") if presented is not None else None):
                return await _send_json(send, 401, {"error": "unauthorized", "message":
                                                    f"{API_KEY_HEADER}: missing or invalid API key", "fields": []})
        length = _header(scope, b"content-length")
        if method == "POST" and path in JSON_BODY_PATHS:
            content_type = (_header(scope, b"content-type") or b"").decode("latin-1").strip()
            if not _is_json(content_type) and (content_type or length != b"0"):
                sent = content_type.split(";", 1)[0] if content_type else "missing"
                return await _send_json(send, 415, {"error": "unsupported_media_type", "message":
                                                    f"Content-Type: {sent} is not accepted; send application/json",
                                                    "fields": ["Content-Type"]})
        max_bytes = service.settings.max_request_bytes
        if length is not None:
            if not length.isdigit() or int(length) > max_bytes:
                return await self._too_large(send, max_bytes)
            return await self.app(scope, receive, send)
        if method in ("POST", "PUT", "PATCH"):  # no length announced: read it, up to the limit
            chunks, size = [], 0
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > max_bytes:
                    return await self._too_large(send, max_bytes)
                chunks.append(chunk)
                if not message.get("more_body", False):
                    break
            replay = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

            async def receive_again():
                return replay.pop() if replay else await receive()

            return await self.app(scope, receive_again, send)
        return await self.app(scope, receive, send)

    @staticmethod
    async def _too_large(send, max_bytes: int) -> None:
        await _send_json(send, 413, {"error": "request_too_large", "message":
                                     f"body: request over the limit of {max_bytes} bytes", "fields": ["body"]})

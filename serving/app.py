"""HTTP routes of the triage service (a FastAPI app mounted on the BentoML service) and the request guard.

Every bad input is a 4xx whose message names the field (`channel: Input should be 'email', ...`); a model or store
failure is a 503 with a reason; nothing answers 500 for bad input. Error bodies are `{"error", "message", "fields"}`
and never echo the request. The guard, outermost, enforces the request size limit and the API key, answers
`/readyz` with the state of each part, and counts requests and latencies per endpoint.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Annotated, Any

from fastapi import Body, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from claimtriage.data.schema import Contact
from claimtriage.serving import examples
from claimtriage.serving.answer import TriageAnswer
from claimtriage.serving.engine import Feedback
from claimtriage.serving.config import API_KEY_HEADER

logger = logging.getLogger("claimtriage.serving")


class ModelUnavailable(RuntimeError):
    """The model failed on a batch: 503, and nothing was written to the journey store."""


class StoreUnavailable(RuntimeError):
    """The journey or feedback store failed: 503."""


class ErrorBody(BaseModel):
    error: str = Field(description="a stable code: invalid_request, malformed_json, too_many_contacts, text_too_long, "
                                   "unauthorized, request_too_large, not_found, model_unavailable, store_unavailable")
    message: str = Field(description="what is wrong, naming the field")
    fields: list[str] = Field(default_factory=list, description="the fields at fault, as dotted paths")


class TriageBatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contacts: list[Contact] = Field(min_length=1, description="contacts in time order; at most the configured limit")


class TriageBatchResponse(BaseModel):
    answers: list[TriageAnswer]


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "missing or invalid X-API-Key header"},
    413: {"model": ErrorBody, "description": "request body over the size limit"},
    422: {"model": ErrorBody, "description": "a field is missing, mistyped or over a limit (named in `fields`)"},
    503: {"model": ErrorBody, "description": "the model or the journey store is unavailable (reason in `message`)"},
}

api = FastAPI(
    title="claimtriage",
    version="1",
    description="Omnichannel claim triage: claim type, sentiment, complexity, route (bot or human queue, with "
                "reasons), the customer's journey across channels and a handoff summary for the agent. Send the "
                "key in the `X-API-Key` header.",
)


def error(status: int, code: str, message: str, fields: list[str] | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, "fields": fields or []}, status_code=status)


def _service():
    import bentoml

    return bentoml.get_current_service()


@api.exception_handler(RequestValidationError)
async def _invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
    problems = exc.errors()
    if any(p.get("type") == "json_invalid" for p in problems):
        return error(400, "malformed_json", "the request body is not valid JSON", ["body"])
    fields, lines = [], []
    for problem in problems:
        loc = [str(p) for p in problem.get("loc", ()) if p != "body"]
        path = ".".join(loc) or "body"
        fields.append(path)
        lines.append(f"{path}: {problem.get('msg', 'invalid')}")
    return error(422, "invalid_request", "; ".join(lines), fields)


def text_problem(contact: Contact, limit: int, prefix: str = "") -> tuple[str, str] | None:
    """(field, message) when the contact's text is over `limit` characters, else None."""
    parts: list[tuple[str, int]] = [("subject", len(contact.subject or "")), ("body", len(contact.body or ""))]
    parts += [(f"turns.{i}.text", len(t.text)) for i, t in enumerate(contact.turns or [])]
    parts += [(f"attachments.{i}.transcript", len(a.transcript or "")) for i, a in enumerate(contact.attachments)]
    for field, size in parts:
        if size > limit:
            return f"{prefix}{field}", f"{prefix}{field}: {size} characters, over the limit of {limit}"
    total = sum(size for _, size in parts)
    if total > limit:
        field = f"{prefix}turns" if contact.turns else f"{prefix}body"
        return field, f"{field}: {total} characters of text in all, over the limit of {limit}"
    return None


def _answer_json(payload: BaseModel) -> Response:
    return Response(payload.model_dump_json(), media_type="application/json")


async def _triage(contacts: list[Contact]) -> list[TriageAnswer] | JSONResponse:
    try:
        return await _service().triage_contacts(contacts)
    except ModelUnavailable as exc:
        return error(503, "model_unavailable", str(exc))
    except StoreUnavailable as exc:
        return error(503, "store_unavailable", str(exc))


@api.post("/triage", response_model=TriageAnswer, responses=ERRORS, summary="Triage one contact")
async def triage(contact: Annotated[Contact, Body(openapi_examples=examples.CONTACTS)]) -> Response:
    """One contact on any channel -> claim, sentiment, complexity, route, journey and handoff."""
    service = _service()
    if problem := text_problem(contact, service.settings.max_text_chars):
        return error(422, "text_too_long", problem[1], [problem[0]])
    answers = await _triage([contact])
    return answers if isinstance(answers, Response) else _answer_json(answers[0])


@api.post("/triage_batch", response_model=TriageBatchResponse, responses=ERRORS, summary="Triage several contacts")
async def triage_batch(request: Annotated[TriageBatchRequest, Body(openapi_examples=examples.BATCHES)]) -> Response:
    """Several contacts in one call (at most the configured number), answered in the same order."""
    settings = _service().settings
    if len(request.contacts) > settings.max_batch_contacts:
        return error(422, "too_many_contacts", f"contacts: {len(request.contacts)} contacts, at most "
                     f"{settings.max_batch_contacts} per request", ["contacts"])
    for i, contact in enumerate(request.contacts):
        if problem := text_problem(contact, settings.max_text_chars, prefix=f"contacts.{i}."):
            return error(422, "text_too_long", problem[1], [problem[0]])
    answers = await _triage(request.contacts)
    return answers if isinstance(answers, Response) else _answer_json(TriageBatchResponse(answers=answers))


@api.get("/journeys/{customer_key}", responses={404: {"model": ErrorBody}, **ERRORS},
         summary="A customer's claims and contacts (redacted)")
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


@api.post("/feedback", responses={404: {"model": ErrorBody}, **ERRORS}, summary="An agent's correction")
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


# ---- the guard: size limit, API key, readiness detail, request metrics ----------------------------------------
ENDPOINTS = {"/triage": "/triage", "/triage_batch": "/triage_batch", "/feedback": "/feedback"}


def endpoint_label(path: str) -> str | None:
    if path in ENDPOINTS:
        return ENDPOINTS[path]
    return "/journeys/{customer_key}" if path.startswith("/journeys/") else None


async def _send_json(send, status: int, payload: dict[str, Any], headers: list[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps(payload).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": body})


class RequestGuard:
    """Outermost ASGI middleware of the service; settings and keys are those of the worker's service instance."""

    def __init__(self, app) -> None:
        self.app = app
        self._metrics = None
        self._cors = None

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
        path, method = scope["path"], scope["method"]
        if path == "/readyz" and method == "GET":
            return await self._readiness(service, send)
        label = endpoint_label(path)
        if label is None:
            return await self._guarded(service, scope, receive, send)
        if self._metrics is None:
            from claimtriage.serving.observability import service_metrics

            self._metrics = service_metrics()
        started, status = time.perf_counter(), [500]

        async def send_and_count(message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self._guarded(service, scope, receive, send_and_count)
        finally:
            self._metrics.requests.labels(endpoint=label, status=str(status[0])).inc()
            self._metrics.latency.labels(endpoint=label).observe(time.perf_counter() - started)

    async def _guarded(self, service, scope, receive, send) -> None:
        if scope["method"] != "OPTIONS" and not service.api_keys.is_public(scope["path"]):
            presented = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-api-key"), None)
            if not service.api_keys.allows(presented):
                return await _send_json(send, 401, {"error": "unauthorized", "message":
                                                    f"{API_KEY_HEADER}: missing or invalid API key", "fields": []})
        max_bytes = service.settings.max_request_bytes
        length = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if length is not None:
            if not length.isdigit() or int(length) > max_bytes:
                return await self._too_large(send, max_bytes)
            return await self.app(scope, receive, send)
        if scope["method"] in ("POST", "PUT", "PATCH"):  # no length announced: read it, up to the limit
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

    @staticmethod
    async def _readiness(service, send) -> None:
        try:
            state = await service.in_pool(service.readiness)
        except Exception as exc:
            logger.error("readiness.failed error=%s", type(exc).__name__)
            state = {"ready": False, "error": type(exc).__name__}
        await _send_json(send, 200 if state.get("ready") else 503, state)

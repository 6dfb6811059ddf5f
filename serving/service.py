"""The BentoML service: wires contact -> model (adaptive batching) -> journey store + routing policy -> answer.

One `TriageEngine` per worker, loaded in `__init__` (weights cast once there). Model calls are coalesced by an
`AdaptiveBatcher` on one model thread; `engine.decide` (journey-store I/O, routing) runs in a thread pool, never on
the event loop. HTTP routes, validation and error mapping are in `serving.app`, mounted on this service, with
`/readyz` and `/metrics`; BentoML serves `/healthz` and `/livez`. BentoML's own HTTP metrics are off (`metrics`
below): they label each request with its raw path, which put customer keys into `/metrics` and let any client add
series without bound; `serving.app.RequestGuard` counts requests by route template instead.

    claimtriage serve --model models:/claimtriage@champion   # or: bentoml serve claimtriage.serving.service:TriageService
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import bentoml

from claimtriage.serving.app import ModelUnavailable, RequestGuard, StoreUnavailable, api, is_duplicate_contact
from claimtriage.serving.config import ServiceSettings, load_settings, read_api_keys

if TYPE_CHECKING:
    from claimtriage.data.schema import Contact
    from claimtriage.serving.answer import TriageAnswer
    from claimtriage.serving.engine import TriageEngine

logger = logging.getLogger("claimtriage.serving")

#: tests (and embedders) may replace how the engine is built; the default loads it from the settings
EngineFactory = Callable[[ServiceSettings], "TriageEngine"]
engine_factory: EngineFactory | None = None


def load_engine(settings: ServiceSettings) -> TriageEngine:
    """The engine named by the settings: model from the registry or a folder, journey store, routing policy."""
    from claimtriage.serving.engine import TriageEngine

    return TriageEngine.load(settings.model, store_url=settings.store_url, policy_path=settings.policy_path,
                             dtype=settings.dtype, tracking_uri=settings.tracking_uri,
                             runtime=settings.encoder_runtime)


def _error_type(message: Any) -> str:
    """The exception type at the head of an error message (`OperationalError: connection to ...`), else "unknown":
    never the message, which may hold a DSN."""
    import re

    match = re.match(r"\s*([A-Za-z_][\w.]*(?:Error|Exception|Timeout|Unavailable))\b", str(message or ""))
    return match.group(1) if match else "unknown"


def _set_model_threads(threads: int) -> None:
    """Thread counts are set by entry points; the worker is one (PyTorch, ONNX Runtime and BLAS alike)."""
    from claimtriage.models.threads import set_compute_threads

    set_compute_threads(threads)


@bentoml.asgi_app(api, path="/")
@bentoml.service(
    name="claimtriage",
    workers=1,
    # defaults for a bare `bentoml serve`; `claimtriage serve` sets both from ServiceSettings (timeout_s,
    # max_concurrency) through BENTOML_CONFIG_OPTIONS
    traffic={"timeout": 30, "max_concurrency": 1024},
    http={"cors": {"enabled": False}},
    # BentoML's HTTP metrics label requests with the raw path (customer keys, unbounded series) and its /metrics
    # shows them: off; the service's /metrics (serving.app) serves the project's metrics, labelled by route template
    metrics={"enabled": False, "namespace": "bentoml_service"},
    # journey paths carry a customer key: keep them out of the access log
    logging={"access": {"enabled": True, "skip_paths": ["/journeys", "/metrics", "/healthz", "/livez", "/readyz"]}},
)
class TriageService:
    """Claim triage for every incoming contact: claim, sentiment, complexity, route, journey, handoff."""

    def __init__(self) -> None:
        from claimtriage.serving.auth import APIKeyCheck
        from claimtriage.serving.batching import AdaptiveBatcher
        from claimtriage.serving.observability import install_log_redaction, service_metrics

        install_log_redaction()
        self.settings = load_settings()
        _set_model_threads(self.settings.model_threads)
        self.api_keys = APIKeyCheck(read_api_keys(self.settings), required=self.settings.require_auth,
                                    public_metrics=self.settings.public_metrics)
        self.engine: TriageEngine = (engine_factory or load_engine)(self.settings)
        self.metrics = service_metrics()
        self.model_version = str(getattr(self.engine, "model_version", "unknown"))
        self.metrics.model_info.labels(model_version=self.model_version).set(1)
        self._model_thread = ThreadPoolExecutor(1, thread_name_prefix="model")
        self._decide_pool = ThreadPoolExecutor(self.settings.decide_threads, thread_name_prefix="decide")
        self.batcher: AdaptiveBatcher[Contact, Any] = AdaptiveBatcher(
            self._score, executor=self._model_thread, max_batch_size=self.settings.model_batch_size,
            on_batch=self.metrics.model_batch.observe)
        logger.info("service.ready model_version=%s", self.model_version)

    # ---- the fast path ---------------------------------------------------------------------------------------
    async def triage_contacts(self, contacts: Sequence[Contact]) -> list[TriageAnswer]:
        """Score through the batcher, then decide (store I/O + policy) in the pool, in the contacts' order."""
        import asyncio

        try:
            scores = await self.batcher.submit(list(contacts))
        except Exception as error:
            logger.error("model.failed error=%s", type(error).__name__)
            raise ModelUnavailable("the model failed on this request; nothing was recorded") from error
        loop = asyncio.get_running_loop()
        try:
            answers = await loop.run_in_executor(self._decide_pool, self._decide_all, contacts, scores)
        except Exception as error:
            if is_duplicate_contact(error):
                raise  # the client's error (409), not an outage
            logger.error("decide.failed error=%s", type(error).__name__)
            raise StoreUnavailable("routing or the journey store failed on this request") from error
        for answer in answers:
            self.metrics.observe_answer(answer)
        return answers

    def _score(self, contacts: list[Contact]) -> list[tuple[Any, Any]]:
        """The model half (one batch): (scores, normalised contact) pairs, so that decide does not normalise again."""
        from claimtriage.data.normalise import normalise

        started = time.perf_counter()
        normalised = [normalise(contact) for contact in contacts]
        scored = list(zip(self.engine.model.score_normalised(normalised), normalised))
        self.metrics.stage.labels(stage="model").observe(time.perf_counter() - started)
        return scored

    def _decide_all(self, contacts: Sequence[Contact], scored: Sequence[tuple[Any, Any]]) -> list[TriageAnswer]:
        # in order: contacts of one customer in one batch link to each other as they would one by one
        started = time.perf_counter()
        answers = [self.engine.decide(contact, scores, normalised)
                   for contact, (scores, normalised) in zip(contacts, scored)]
        self.metrics.stage.labels(stage="decide").observe(time.perf_counter() - started)
        return answers

    async def in_pool(self, func: Callable[..., Any], *args: Any) -> Any:
        """Run blocking store work (journeys, feedback, readiness) off the event loop."""
        import asyncio

        return await asyncio.get_running_loop().run_in_executor(self._decide_pool, func, *args)

    def readiness(self) -> dict[str, Any]:
        """`{"ready": bool, "checks": {"model": bool, "store": bool}}` and nothing else: the store's error names its
        host, port, user and database, so only its type is logged here, server-side."""
        try:
            state = self.engine.readiness()
            checks = {"model": bool(state.get("model")), "store": bool(state.get("store"))}
            reason = _error_type(state.get("store_error"))
        except Exception as error:
            checks, reason = {"model": False, "store": False}, type(error).__name__
        failed = [name for name, ok in checks.items() if not ok]
        if failed:
            logger.warning("readiness.not_ready failed=%s error=%s", ",".join(failed), reason)
        return {"ready": not failed, "checks": checks}

    def __is_ready__(self) -> bool:
        return bool(self.readiness()["ready"])

    @bentoml.on_shutdown
    def close(self) -> None:
        self._model_thread.shutdown(wait=False, cancel_futures=True)
        self._decide_pool.shutdown(wait=True)
        store = getattr(self.engine, "store", None)
        if store is not None:
            store.close()


TriageService.add_asgi_middleware(RequestGuard)

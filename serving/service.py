"""The BentoML service: wires contact -> model (adaptive batching) -> journey store + routing policy -> answer.

One `TriageEngine` per worker, loaded in `__init__` (weights cast once there). Model calls go through two lanes,
each an `AdaptiveBatcher` on a model thread of its own: short contacts (at most `long_text_chars`) are coalesced in
the short lane, long ones are scored one per call in the long lane, so that a batch of pasted documents never holds
up a one-line chat message (2 cores: one lane each). Every triage request has a time budget for the model
(`time_budget_s`): a request the queue ahead could not serve in time is refused at once, one whose budget runs out
while it waits is dropped from the queue, both as 503 overloaded with Retry-After and nothing recorded.
`engine.decide` (journey-store I/O, routing) runs in a thread pool, never on the event loop. HTTP routes, validation and error mapping are in `serving.app`, mounted on this service, with
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
from claimtriage.serving.config import BENTOML_TIMEOUT_BACKSTOP_S, ServiceSettings, load_settings, read_api_keys
from claimtriage.serving.limits import Overloaded, contact_chars

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
    from claimtriage.data.deployment import load_deployment
    from claimtriage.serving.engine import TriageEngine

    return TriageEngine.load(settings.model, store_url=settings.store_url, policy_path=settings.policy_path,
                             dtype=settings.dtype, tracking_uri=settings.tracking_uri,
                             runtime=settings.encoder_runtime, deployment=load_deployment(settings.deployment_path))


def _error_type(message: Any) -> str:
    """The exception type at the head of an error message (`OperationalError: connection to ...`), else "unknown":
    never the message, which may hold a DSN."""
    import re

    match = re.match(r"\s*([A-Za-z_][\w.]*(?:Error|Exception|Timeout|Unavailable))\b", str(message or ""))
    return match.group(1) if match else "unknown"


def _split_by_cost(indices: list[int], costs: list[int], max_cost: int) -> list[list[int]]:
    """`indices` in order, cut into groups whose costs add up to at most `max_cost` (a costlier item goes alone)."""
    groups: list[list[int]] = []
    total = 0
    for index, cost in zip(indices, costs):
        if not groups or total + cost > max_cost:
            groups.append([])
            total = 0
        groups[-1].append(index)
        total += cost
    return groups


def _encoder_text_cap(engine: Any) -> int:
    """Characters of a text the encoder reads at most (its windows x tokens per window x ~4 characters a token);
    a generous default where the model does not say."""
    encoder = getattr(getattr(engine, "model", None), "encoder", None)
    try:
        return int(encoder.max_chunks * (encoder.max_seq_length - encoder.overlap) * 4)
    except (AttributeError, TypeError):
        return 32_000


def _set_model_threads(threads: int) -> None:
    """Thread counts are set by entry points; the worker is one (PyTorch, ONNX Runtime and BLAS alike)."""
    from claimtriage.models.threads import set_compute_threads

    set_compute_threads(threads)


@bentoml.asgi_app(api, path="/")
@bentoml.service(
    name="claimtriage",
    workers=1,
    # the service enforces its own timeout and concurrency limit (RequestGuard: 503 with Retry-After in the one
    # error body); BentoML's would answer first with 504 or 429 and bodies of its own, so its limit is off and its
    # timeout a backstop beyond ours (`claimtriage serve` sets it from ServiceSettings.timeout_s)
    traffic={"timeout": 30 + BENTOML_TIMEOUT_BACKSTOP_S, "max_concurrency": None},
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
        self._long_thread = ThreadPoolExecutor(1, thread_name_prefix="model-long")
        self._decide_pool = ThreadPoolExecutor(self.settings.decide_threads, thread_name_prefix="decide")
        self.batcher: AdaptiveBatcher[Contact, Any] = AdaptiveBatcher(
            self._score, executor=self._model_thread, max_batch_size=self.settings.model_batch_size,
            on_batch=self.metrics.model_batch.observe, cost=contact_chars,
            max_batch_cost=self.settings.model_batch_chars)
        # the encoder reads at most its window cap of a text: a longer one costs no more
        self._text_cost_cap = _encoder_text_cap(self.engine)
        self.long_lane: AdaptiveBatcher[Contact, Any] = AdaptiveBatcher(
            self._score, executor=self._long_thread, max_batch_size=1, on_batch=self.metrics.model_batch.observe,
            cost=lambda contact: min(contact_chars(contact), self._text_cost_cap))
        self._warm_up()
        logger.info("service.ready model_version=%s", self.model_version)

    def _warm_up(self) -> None:
        """Build what the first request would otherwise wait for (~1 s here: the language detector, the
        tokenizer's settings, the ONNX session), by scoring one made-up contact; nothing is stored."""
        from datetime import datetime, timezone

        from claimtriage.data.normalise import normalise
        from claimtriage.data.schema import Contact

        probe = Contact(id="warm-up", channel="chat", timestamp=datetime.now(timezone.utc),
                        body="Hello, my parcel has not arrived yet. Can you tell me where it is?")
        try:
            self.engine.model.score_normalised([normalise(probe)])
        except Exception as error:  # noqa: BLE001 - a failed warm-up only leaves the first request slower
            logger.warning("service.warm_up_failed error=%s", type(error).__name__)

    # ---- the fast path ---------------------------------------------------------------------------------------
    async def triage_contacts(self, contacts: Sequence[Contact], budget_s: float | None = None) -> list[TriageAnswer]:
        """Score in the lanes within the time budget, then decide (store I/O + policy) in the pool, in order.

        Raises Overloaded (nothing recorded) when the model could not score the contacts within `budget_s`
        (default: the settings' `time_budget_s`)."""
        import asyncio

        budget = self.settings.time_budget_s if budget_s is None else budget_s
        try:
            scores = await asyncio.wait_for(self._score_in_lanes(list(contacts), budget), timeout=budget)
        except (TimeoutError, asyncio.TimeoutError):
            raise Overloaded(f"the model could not score this request within its time budget of {budget:g} s; "
                             "nothing was recorded", self.backlog_s()) from None
        except Overloaded:
            raise
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

    async def _score_in_lanes(self, contacts: list[Contact], budget_s: float) -> list[Any]:
        """Short contacts through the short lane (split into calls of at most `model_batch_chars`), long ones one
        per call through the long lane; refused at once when the long lane's queue already needs the budget."""
        import asyncio

        limit = self.settings.long_text_chars
        long = [i for i, contact in enumerate(contacts) if contact_chars(contact) > limit]
        short = [i for i in range(len(contacts)) if contact_chars(contacts[i]) <= limit]
        if long:
            wait = self.long_lane.wait_estimate_s(self.long_lane.cost_of([contacts[i] for i in long]))
            if wait > budget_s:
                raise Overloaded(f"the model's queue of long texts needs about {wait:.0f} s, over this request's time "
                                 f"budget of {budget_s:g} s; nothing was recorded", self.backlog_s())
        groups = _split_by_cost(short, [contact_chars(contacts[i]) for i in short],
                                self.settings.model_batch_chars)
        jobs = [self.batcher.submit([contacts[i] for i in group]) for group in groups]
        jobs += [self.long_lane.submit([contacts[i]]) for i in long]
        results = await asyncio.gather(*jobs)
        order = [*(i for group in groups for i in group), *long]
        scores: list[Any] = [None] * len(contacts)
        for i, result in zip(order, (r for batch in results for r in batch)):
            scores[i] = result
        return scores

    def backlog_s(self) -> float:
        """Seconds until the lanes have scored what they hold now: the Retry-After of an overloaded answer."""
        return max(self.batcher.wait_estimate_s(), self.long_lane.wait_estimate_s())

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
        self._long_thread.shutdown(wait=False, cancel_futures=True)
        self._decide_pool.shutdown(wait=True)
        store = getattr(self.engine, "store", None)
        if store is not None:
            store.close()


TriageService.add_asgi_middleware(RequestGuard)

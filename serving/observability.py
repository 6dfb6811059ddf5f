"""Prometheus metrics of the triage service, and log redaction so that no email or phone number reaches a log.

Metrics are created once per process, on first use (never at import: BentoML workers set `PROMETHEUS_MULTIPROC_DIR`
after importing the service module, and prometheus_client reads it when a metric is created). The service's own
`/metrics` route (`exposition`) serves them; BentoML's HTTP metrics are off, because they label every request with
its raw path (a customer key in `/journeys/...`, and a new series for every random path a client sends). Every label
here takes a bounded set of values: `endpoint` is a route template or "other" (`serving.app.METRIC_ENDPOINTS`),
`status` an HTTP status. Route shares are `rate(claimtriage_routes_total)` per target over the sum; the model version
is the label of `claimtriage_model_info`.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass
from typing import Any

#: request latency buckets, seconds: the fast path is a few ms, a big batch a second or more
LATENCY_BUCKETS = (0.0025, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
#: where a request's time goes inside the worker: waiting for the model thread, the model call, the journey store and
#: policy; seconds per call (a model call serves a whole batch)
STAGE_BUCKETS = (0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


@dataclass(frozen=True)
class ServiceMetrics:
    requests: Any  # Counter{endpoint, status}: endpoint is a route template or "other", never a raw path
    latency: Any  # Histogram{endpoint}
    routes: Any  # Counter{target, queue}
    journeys: Any  # Counter{status}: linked, new_customer, no_identifier, store_unavailable
    model_batch: Any  # Histogram: contacts per model call (adaptive batching)
    model_info: Any  # Gauge{model_version} = 1
    stage: Any  # Histogram{stage}: seconds per model call ("model") and per decide call ("decide")

    def observe_answer(self, answer) -> None:
        """Count the route and the journey status of one triage answer."""
        self.routes.labels(target=answer.route.target, queue=answer.route.queue).inc()
        self.journeys.labels(status=answer.journey.status).inc()


_metrics: ServiceMetrics | None = None
_metrics_lock = threading.Lock()


def service_metrics() -> ServiceMetrics:
    """The process's metrics, created on first call (after BentoML has configured prometheus_client)."""
    global _metrics
    with _metrics_lock:
        if _metrics is None:
            from prometheus_client import Counter, Gauge, Histogram

            _metrics = ServiceMetrics(
                requests=Counter("claimtriage_requests_total", "Requests by endpoint and HTTP status",
                                 ["endpoint", "status"]),
                latency=Histogram("claimtriage_request_latency_seconds", "Request latency by endpoint",
                                  ["endpoint"], buckets=LATENCY_BUCKETS),
                routes=Counter("claimtriage_routes_total", "Triage answers by route target and queue",
                               ["target", "queue"]),
                journeys=Counter("claimtriage_journeys_total", "Triage answers by journey status", ["status"]),
                model_batch=Histogram("claimtriage_model_batch_contacts", "Contacts per model call",
                                      buckets=BATCH_BUCKETS),
                stage=Histogram("claimtriage_stage_seconds", "Seconds per model call and per decide call (journey "
                                "store and policy) in the worker", ["stage"], buckets=STAGE_BUCKETS),
                model_info=Gauge("claimtriage_model_info", "The model version served (value 1)",
                                 ["model_version"], multiprocess_mode="max"),
            )
        return _metrics


def exposition() -> tuple[bytes, str]:
    """The Prometheus text page and its content type: every worker's metrics, from the multiprocess files, where the
    values live there (a BentoML worker, started with `PROMETHEUS_MULTIPROC_DIR` set), else this process's registry.
    prometheus_client picks where values live once, when it is first imported, so the variable alone does not tell:
    it may have been set after that (as in a test process)."""
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, values

    if values.ValueClass is values.MutexValue or not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry), CONTENT_TYPE_LATEST


# ---- log redaction -------------------------------------------------------------------------------------------
_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
#: phone-like runs: optional + and (area code), then digits with spaces, dots, dashes or slashes; 8+ digits in all
_PHONE = re.compile(r"(?<![\w.])\+?(?:\(\d{1,4}\)\s?)?\d[\d\s./-]{6,}\d(?![\w])")


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2})?")


def _phone_sub(match: re.Match[str]) -> str:
    text = match.group(0)
    if sum(ch.isdigit() for ch in text) < 8 or _DATE.fullmatch(text.strip()):
        return text
    return "[PHONE]"


def redact_log_text(text: str) -> str:
    """Emails and phone-like numbers replaced by placeholders; over-redacts rather than under-redacts."""
    if "@" in text:
        text = _EMAIL.sub("[EMAIL]", text)
    return _PHONE.sub(_phone_sub, text)


_installed = False


def install_log_redaction() -> None:
    """Redact every log record of the process at creation, whoever logs it and whichever handler writes it."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep the template only
            message = str(record.msg)
        record.msg, record.args = redact_log_text(message), None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redact_log_text(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return record

    logging.setLogRecordFactory(factory)
    _installed = True

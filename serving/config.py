"""Service settings: one typed config, validated once, handed from `claimtriage serve` to the server workers.

The CLI writes the settings as JSON into `CLAIMTRIAGE_SERVE_SETTINGS`; each BentoML worker reads them back with
`load_settings()`. API keys never travel in that JSON: they come from `CLAIMTRIAGE_API_KEYS` (comma-separated) or
from `api_key_file` (one key per line), read by the worker itself.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SETTINGS_ENV = "CLAIMTRIAGE_SERVE_SETTINGS"
API_KEYS_ENV = "CLAIMTRIAGE_API_KEYS"
API_KEY_HEADER = "X-API-Key"
#: seconds BentoML's own request timeout (a 504 in a body of its own) lies beyond the service's (a 503 in ours)
BENTOML_TIMEOUT_BACKSTOP_S = 15


class ServiceSettings(BaseModel):
    """Everything the service needs to start; the defaults are the ones `claimtriage serve` uses."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = Field("models:/claimtriage@champion", description="registry URI or model folder")
    tracking_uri: str | None = Field(None, description="MLflow tracking URI (default: the project's embedded one)")
    dtype: Literal["auto", "bf16", "fp32"] = "auto"
    encoder_runtime: Literal["auto", "torch", "onnx", "onnx-int8"] = Field(
        "auto", description="the encoder's forward pass: auto (ONNX Runtime for small batches where it agrees with "
        "PyTorch), torch, onnx, or onnx-int8 (opt-in: about 2x faster, embeddings within a cosine of ~0.99 of fp32; "
        "check your model's labels with `claimtriage evaluate --encoder-runtime onnx-int8` first)")
    store_url: str | None = Field(None, description="journey store URL (default: the embedded store)")
    policy_path: str | None = Field(None, description="routing policy YAML (default: the shipped policy)")
    deployment_path: str | None = Field(None, description="deployment settings YAML (data/deployment.py; default: "
                                        "generic rules, no brand assumed)")
    host: str = "127.0.0.1"
    port: int = Field(3000, ge=0, le=65535)
    require_auth: bool = Field(True, description="refuse requests without a valid X-API-Key header")
    public_metrics: bool = Field(False, description="serve /metrics without an API key (for a Prometheus scraper "
                                 "that cannot send one); by default /metrics needs the key like the APIs")
    api_key_file: str | None = Field(None, description="file with one API key per line")
    max_batch_contacts: int = Field(64, ge=1, le=10_000, description="contacts accepted by /triage_batch")
    max_text_chars: int = Field(100_000, ge=1, description="characters of text accepted in one contact")
    max_request_bytes: int = Field(8 * 1024 * 1024, ge=1024, description="largest request body accepted")
    model_batch_size: int = Field(64, ge=1, description="most contacts scored in one model call (adaptive batching)")
    model_threads: int = Field(1, ge=1, le=64, description="torch and BLAS threads of the model in each worker; "
                               "1 leaves the other cores to HTTP and the journey store, and stays fast when the "
                               "machine is shared (several spinning OpenMP threads collapse under contention)")
    decide_threads: int = Field(8, ge=1, description="threads for journey-store I/O and routing, off the event loop")
    max_request_chars: int = Field(200_000, ge=1, description="characters of text accepted in one request, all its "
                                   "contacts together (a batch over it is a 422 naming `contacts`)")
    long_text_chars: int = Field(1_000, ge=1, description="a contact with more text than this (about one encoder "
                                 "window) is scored in the long lane: its own model thread, one contact per model "
                                 "call, so that long texts never hold up short ones")
    model_batch_chars: int = Field(16_000, ge=1, description="most characters of text in one model call of the short "
                                   "lane (a bigger request is split into several calls)")
    time_budget_s: float = Field(20.0, gt=0, description="seconds a triage request may wait for and spend in the "
                                 "model; past it (or when the queue ahead already needs longer) the answer is 503 "
                                 "overloaded with Retry-After, and nothing is recorded")
    timeout_s: float = Field(30.0, gt=0, description="seconds any request may take before the service answers 503 "
                             "request_timeout (with Retry-After); enforced by the service itself, BentoML's own "
                             "timeout (which would answer 504) is set beyond it")
    max_concurrency: int = Field(1024, ge=1, description="requests in flight (probes and /metrics aside) before the "
                                 "service answers 503 overloaded with Retry-After")
    cors_origins: list[str] = Field(default_factory=list, description="CORS allowed origins; empty = CORS off")

    @model_validator(mode="after")
    def _budget_within_timeout(self) -> ServiceSettings:
        if self.time_budget_s >= self.timeout_s:
            raise ValueError(f"time_budget_s ({self.time_budget_s:g}) must be under timeout_s ({self.timeout_s:g}): "
                             "the journey store needs the rest")
        return self

    def to_env(self) -> str:
        return self.model_dump_json()


def load_settings() -> ServiceSettings:
    """The settings the CLI handed over, or the defaults (a bare `bentoml serve claimtriage.serving.service:TriageService`)."""
    raw = os.environ.get(SETTINGS_ENV)
    return ServiceSettings.model_validate_json(raw) if raw else ServiceSettings()


def read_api_keys(settings: ServiceSettings) -> list[str]:
    """API keys from `CLAIMTRIAGE_API_KEYS` and the key file; blank lines and `#` comments skipped."""
    keys = [k.strip() for k in os.environ.get(API_KEYS_ENV, "").split(",") if k.strip()]
    if settings.api_key_file:
        for line in Path(settings.api_key_file).read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                keys.append(line)
    return keys

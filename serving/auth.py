"""API keys in the `X-API-Key` header, compared in constant time.

Keys are kept as SHA-256 digests and a presented key is compared with every configured digest by
`hmac.compare_digest`, without stopping at the first match, so neither the key's content nor its position in the list
shows in the response time. Probes and the API documentation stay open: they hold no customer data. `/metrics` needs
a key unless the service runs with `--public-metrics` (`public_metrics`): it shows traffic, routes and the model
version, which are the operator's business, not the public's.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

#: paths answered without a key: health and readiness probes, the OpenAPI documentation
PUBLIC_PATHS = frozenset({"/healthz", "/livez", "/readyz", "/docs", "/openapi.json", "/docs.json",
                          "/schema.json", "/", "/docs/oauth2-redirect", "/redoc"})
METRICS_PATH = "/metrics"
PUBLIC_PREFIXES = ("/static_content/", "/assets/")


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


class APIKeyCheck:
    """Holds the configured keys (as digests) and says whether a request's header carries one of them."""

    def __init__(self, keys: Iterable[str], *, required: bool = True, public_metrics: bool = False) -> None:
        self._digests = [_digest(k) for k in keys if k]
        self.required = required
        self.public_metrics = public_metrics
        if required and not self._digests:
            raise ValueError("API keys are required but none is configured: set CLAIMTRIAGE_API_KEYS or "
                             "--api-key-file, or start with --no-auth")

    def is_public(self, path: str) -> bool:
        return (path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)
                or (self.public_metrics and path == METRICS_PATH))

    def allows(self, presented: str | None) -> bool:
        """True when auth is off, or when `presented` equals one of the keys (constant time)."""
        if not self.required:
            return True
        if not presented:
            return False
        candidate = _digest(presented)
        matched = False
        for digest in self._digests:
            matched |= hmac.compare_digest(candidate, digest)
        return matched

"""Public keys another service publishes at a JWKS URL, fetched and kept a while.

Used for the auth service's user-token keys (``AUTH_JWKS_URL``) and for trusted
services that publish theirs (``TRUSTED_SERVICES[name].jwks_url``). Keys are kept
``JWKS_CACHE_SECONDS``; a token naming an unknown ``kid`` (the publisher rotated its
key) makes the set fetch again, at most once per ``MIN_REFETCH_INTERVAL`` seconds, so
made-up kids cannot turn this service into a flood of requests. When the publisher
does not answer, the keys already known stay in use (logged), so a short outage of
the auth service does not log every user out elsewhere.

The URL comes from settings only: a token's ``jku``/``x5u``/``jwk`` headers are never
followed.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from lys.auth.keys import AsymmetricKey, algorithm_for, import_key
from lys.errors import ImproperlyConfigured

logger = logging.getLogger("lys.auth.jwks")

MIN_REFETCH_INTERVAL = 10.0
FETCH_TIMEOUT = 3.0
#: A larger document, or more keys, is not a key set we use.
MAX_JWKS_BYTES = 64 * 1024
MAX_KEYS = 20

#: ``url -> body``; raises on any failure.
Fetcher = Callable[[str], bytes]


def http_fetch(url: str) -> bytes:
    with httpx.stream("GET", url, timeout=FETCH_TIMEOUT, follow_redirects=False) as response:
        response.raise_for_status()
        body = b""
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > MAX_JWKS_BYTES:
                raise ValueError(f"the key set is larger than {MAX_JWKS_BYTES} bytes")
        return body


class RemoteKeySet:
    def __init__(
        self,
        url: str,
        *,
        ttl: float,
        fetch: Fetcher | None = None,
        clock: Callable[[], float] = time.monotonic,
        min_refetch_interval: float = MIN_REFETCH_INTERVAL,
    ) -> None:
        self.url = url
        self.ttl = ttl
        # Looked up at each fetch, so tests can route it to an in-process service.
        self.fetch = fetch or (lambda url: http_fetch(url))
        self.clock = clock
        self.min_refetch_interval = min_refetch_interval
        self._keys: dict[str, AsymmetricKey] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._lock = threading.Lock()

    def key_for(self, kid: str) -> AsymmetricKey | None:
        key = self._keys.get(kid)
        if key is not None and self._fresh():
            return key
        with self._lock:
            key = self._keys.get(kid)
            if (key is None or not self._fresh()) and self._may_fetch():
                self._refresh()
            return self._keys.get(kid)

    def _fresh(self) -> bool:
        return self._fetched_at is not None and self.clock() - self._fetched_at < self.ttl

    def _may_fetch(self) -> bool:
        attempted = self._attempted_at
        return attempted is None or self.clock() - attempted >= self.min_refetch_interval

    def _refresh(self) -> None:
        self._attempted_at = self.clock()
        try:
            keys = parse_jwks(self.fetch(self.url))
        except Exception as exc:  # httpx errors, bad JSON, bad keys
            logger.warning(
                "could not fetch the keys at %s (%s: %s); %d known key(s) stay in use",
                self.url,
                type(exc).__name__,
                exc,
                len(self._keys),
            )
            return
        self._keys = keys
        self._fetched_at = self.clock()
        logger.debug("fetched %d key(s) from %s", len(keys), self.url)


def parse_jwks(body: bytes) -> dict[str, AsymmetricKey]:
    """``kid -> public key`` of a JWKS document; keys we cannot use are skipped."""
    if len(body) > MAX_JWKS_BYTES:
        raise ValueError(f"the key set is larger than {MAX_JWKS_BYTES} bytes")
    document = json.loads(body)
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ValueError("not a JWKS document (no keys list)")
    keys: dict[str, AsymmetricKey] = {}
    for entry in entries[:MAX_KEYS]:
        key = _usable(entry)
        if key is not None:
            keys[str(key.kid)] = key
    return keys


def _usable(entry: Any) -> AsymmetricKey | None:
    if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
        return None
    kid = entry.get("kid")
    if kid is not None and not isinstance(kid, str):
        return None
    try:
        # Only the public part is kept, whatever the document holds.
        key = import_key(entry, private=False, label="JWKS key", kid=kid)
    except ImproperlyConfigured as exc:
        logger.debug("JWKS key %s skipped: %s", kid, exc)
        return None
    declared = entry.get("alg")
    if declared is not None and declared != algorithm_for(key):
        logger.debug("JWKS key %s skipped: declared for %s", kid, declared)
        return None
    return key

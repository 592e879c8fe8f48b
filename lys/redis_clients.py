"""One synchronous Redis client (and connection pool) per URL and timeout, per process.

Token revocation and throttles share it instead of each opening a pool of their own.
"""

from __future__ import annotations

import threading
from typing import Any

_CLIENTS: dict[tuple[str, float], Any] = {}
_LOCK = threading.Lock()


def redis_client(url: str, timeout: float) -> Any:
    key = (url, timeout)
    client = _CLIENTS.get(key)
    if client is None:
        with _LOCK:
            client = _CLIENTS.get(key)
            if client is None:
                from redis import Redis

                client = Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
                _CLIENTS[key] = client
    return client


def close_redis_clients() -> None:
    with _LOCK:
        clients = list(_CLIENTS.values())
        _CLIENTS.clear()
    for client in clients:
        client.close()

"""HTTP hardening (lys.http): security headers, CSP, HSTS, CORS, client addresses behind
proxies and per-client rate limits, in memory and in Redis."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis
from litestar.testing import TestClient

from lys import Application, ImproperlyConfigured, load_settings
from lys.http.app import create_asgi_app
from lys.http.client_ip import ClientAddressResolver
from lys.http.rate_limit import (
    KEY_PREFIX,
    MemoryRateLimitStore,
    RateLimitStore,
    RedisRateLimitStore,
)
from tests.log_records import log_records
from tests.services import REDIS_URL, require

STRICT_CSP = "default-src 'none'; frame-ancestors 'none'"
BASE_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "x-xss-protection": "0",
}
HSTS_PREFIX = "max-age=31536000"
ALLOWED = "https://app.example.com"
# Minute 1000 of the epoch, 15 s in: the window ends 45 s later.
T0 = 1000 * 60 + 15.0
#: A test-only request header the wrapper below turns into the socket peer address.
PEER = "x-test-peer"


class FakeClock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class PeerFromHeader:
    """Sets ``scope["client"]`` from ``x-test-peer``: Litestar's TestClient always
    reports the peer as ``testclient``, and these tests need real addresses."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = [(k, v) for k, v in scope["headers"] if k != PEER.encode()]
            peer = next((v for k, v in scope["headers"] if k == PEER.encode()), None)
            if peer is not None:
                scope = {**scope, "headers": headers, "client": (peer.decode(), 40000)}
        await self.app(scope, receive, send)


Serve = Callable[..., TestClient[Any]]


def build_settings(**overrides: Any) -> Any:
    """Settings from these values and the framework defaults only.

    Not ``tests.conftest.build_settings``: a suite-wide test default (say, rate limits
    off) must not change what these tests check, the production defaults included.
    """
    upper = {key.upper(): value for key, value in overrides.items()}
    return load_settings(None, environ={}, env_file=None, overrides=upper)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Serve]:
    """A started test client over an application built from these settings.

    ``serve(clock=..., store=..., key_prefix=..., base_url=..., **settings)``.
    """
    clients: list[TestClient[Any]] = []
    apps: list[Application] = []

    def factory(
        *,
        clock: FakeClock | None = None,
        store: RateLimitStore | None = None,
        key_prefix: str = KEY_PREFIX,
        base_url: str = "http://testserver.local",
        **settings: Any,
    ) -> TestClient[Any]:
        settings.setdefault("installed_apps", ["apps.catalog"])
        settings.setdefault("database_url", f"sqlite:///{tmp_path / 'security.sqlite3'}")
        application = Application(build_settings(**settings))
        apps.append(application)
        asgi = create_asgi_app(
            application, clock=clock, rate_limit_store=store, rate_limit_key_prefix=key_prefix
        )
        client: TestClient[Any] = TestClient(asgi, base_url=base_url)
        client.app = PeerFromHeader(asgi)  # type: ignore[assignment]  # .app.app: Litestar
        client.__enter__()
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.__exit__(None, None, None)
    for application in apps:
        application.dispose()


@pytest.fixture
def rate_limit_log() -> Iterator[list[logging.LogRecord]]:
    """Records of the rate limiter's logger (Litestar's logging setup drops caplog's)."""
    with log_records("lys.http.rate_limit") as records:
        yield records


def assert_base_headers(response: Any) -> None:
    for name, value in BASE_HEADERS.items():
        assert response.headers.get(name) == value, (name, response.status_code)


def rate_limited(response: Any) -> dict[str, Any]:
    assert response.status_code == 429, response.text
    body = response.json()
    (error,) = body["errors"]
    assert error["message"] == "RATE_LIMIT_ERROR"
    assert error["extensions"]["code"] == "RATE_LIMIT_ERROR"
    assert error["extensions"]["status_code"] == 429
    assert isinstance(error["extensions"]["detail"], str) and error["extensions"]["detail"]
    assert_base_headers(response)
    return body


def page(client: TestClient[Any], **headers: str) -> Any:
    """GET the GraphiQL page (dev): cheap, no database, no authentication involved."""
    return client.get("/graphql", headers=headers)


# -- security headers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "method", "path", "kwargs"),
    [
        (200, "post", "/graphql", {"json": {"query": "{ __typename }"}}),
        (200, "get", "/health", {}),
        (200, "get", "/ready", {}),
        (
            400,
            "post",
            "/graphql",
            {"content": b"{bad", "headers": {"content-type": "application/json"}},
        ),
        (404, "get", "/no/such/page", {}),
        (405, "delete", "/graphql", {}),
        (405, "put", "/graphql", {"json": {"query": "{ __typename }"}}),
        (204, "options", "/graphql", {}),
        (413, "post", "/graphql", {"json": {"query": "{ __typename }" + " " * 600}}),
        (415, "post", "/graphql", {"content": b"x", "headers": {"content-type": "text/plain"}}),
    ],
)
def test_security_headers_and_strict_csp_on_every_status(
    serve: Serve, status: int, method: str, path: str, kwargs: dict[str, Any]
) -> None:
    client = serve(env="preprod", request_max_body_size=500)
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == status, response.text
    assert_base_headers(response)
    assert response.headers["content-security-policy"] == STRICT_CSP
    assert "strict-transport-security" not in response.headers


def test_security_headers_on_429(serve: Serve) -> None:
    client = serve(rate_limit_per_minute=1, env="preprod")
    assert client.post("/graphql", json={"query": "{ __typename }"}).status_code == 200
    response = client.post("/graphql", json={"query": "{ __typename }"})
    rate_limited(response)
    assert response.headers["content-security-policy"] == STRICT_CSP


def test_graphiql_page_gets_a_csp_allowing_exactly_what_it_loads(serve: Serve) -> None:
    response = page(serve(env="dev"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert_base_headers(response)
    csp = response.headers["content-security-policy"]
    assert csp != STRICT_CSP
    directives = {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in csp.split(";")) if part
    }
    assert directives["default-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    scripts = directives["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert "*" not in " ".join(value for values in directives.values() for value in values)

    html = response.text
    # Each inline script (the import map, the loader) is allowed by its exact hash...
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, re.DOTALL)
    assert len(inline) == 2
    for body in inline:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in scripts
    assert sum(value.startswith("'sha256-") for value in scripts) == len(inline)
    # ... and every module and stylesheet the page names comes from an allowed origin.
    import_map = json.loads(re.search(r'type="importmap">(.*?)</script>', html, re.DOTALL)[1])
    module_urls = [*import_map["imports"].values()]
    module_urls += re.findall(r'rel="modulepreload" href="([^"]+)"', html)
    stylesheets = re.findall(r'rel="stylesheet" href="([^"]+)"', html)
    assert module_urls and stylesheets
    for url in module_urls:
        source = "data:" if url.startswith("data:") else _origin(url)
        assert source in scripts, url
    for url in stylesheets:
        assert _origin(url) in directives["style-src"], url
    # The editor's requests go to the API itself.
    assert "'self'" in directives["connect-src"]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.mark.parametrize(
    ("settings", "method", "status"),
    [
        ({"env": "dev"}, "post", 200),  # the API itself, where GraphiQL is on
        ({"env": "preprod"}, "get", 404),  # GraphiQL off: the 404 is data, not a page
        ({"env": "dev", "graphiql": False}, "get", 404),
    ],
)
def test_only_the_graphiql_page_is_relaxed(
    serve: Serve, settings: dict[str, Any], method: str, status: int
) -> None:
    client = serve(**settings)
    kwargs = {"json": {"query": "{ __typename }"}} if method == "post" else {}
    response = getattr(client, method)("/graphql", **kwargs)
    assert response.status_code == status
    assert response.headers["content-security-policy"] == STRICT_CSP


# -- HSTS ------------------------------------------------------------------------------


def test_hsts_only_over_https(serve: Serve) -> None:
    plain = serve()
    assert "strict-transport-security" not in plain.get("/health").headers
    secure = serve(base_url="https://testserver.local")
    response = secure.get("/health")
    assert response.headers["strict-transport-security"].startswith(HSTS_PREFIX)
    assert "includeSubDomains" in response.headers["strict-transport-security"]


@pytest.mark.parametrize(
    ("peer", "proto", "expected"),
    [
        ("10.1.2.3", "https", True),  # a trusted proxy says the client used HTTPS
        ("10.1.2.3", "HTTPS", True),
        ("10.1.2.3", "http", False),
        ("10.1.2.3", "http, https", True),  # the nearest proxy's value counts
        ("10.1.2.3", "https, http", False),
        ("192.0.2.9", "https", False),  # anybody else can write the header
        ("testclient", "https", False),  # not even an address
    ],
)
def test_hsts_from_forwarded_proto_only_through_trusted_proxies(
    serve: Serve, peer: str, proto: str, expected: bool
) -> None:
    client = serve(trusted_proxies=["10.0.0.0/8"])
    response = client.get("/health", headers={PEER: peer, "x-forwarded-proto": proto})
    assert ("strict-transport-security" in response.headers) is expected


def test_forwarded_proto_is_ignored_without_trusted_proxies(serve: Serve) -> None:
    client = serve()
    response = client.get("/health", headers={PEER: "10.1.2.3", "x-forwarded-proto": "https"})
    assert "strict-transport-security" not in response.headers


# -- CORS ------------------------------------------------------------------------------


def preflight(client: TestClient[Any], origin: str) -> Any:
    return client.options(
        "/graphql",
        headers={
            "origin": origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type, authorization, x-xsrf-token",
        },
    )


def test_preflight_from_an_allowed_origin(serve: Serve) -> None:
    client = serve(cors_allowed_origins=[ALLOWED, "http://localhost:3000"])
    response = preflight(client, ALLOWED)
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert response.headers["access-control-allow-credentials"] == "true"
    methods = {m.strip() for m in response.headers["access-control-allow-methods"].split(",")}
    assert methods == {"GET", "POST", "OPTIONS"}
    allowed_headers = {
        h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")
    }
    assert {"content-type", "authorization", "x-xsrf-token"} <= allowed_headers
    assert "origin" in response.headers["vary"].lower()
    assert_base_headers(response)
    assert response.headers["content-security-policy"] == STRICT_CSP
    # The second configured origin works too, and is echoed, never "*".
    other = preflight(client, "http://localhost:3000")
    assert other.headers["access-control-allow-origin"] == "http://localhost:3000"


def test_requests_from_an_allowed_origin_can_read_the_answer(serve: Serve) -> None:
    client = serve(cors_allowed_origins=[ALLOWED])
    response = client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"origin": ALLOWED}
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert response.headers["access-control-allow-credentials"] == "true"


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example.com",
        "https://app.example.com.evil.net",  # a prefix match would let this in
        "http://app.example.com",  # another scheme is another origin
        "null",
    ],
)
def test_disallowed_origins_get_no_allow_origin(serve: Serve, origin: str) -> None:
    client = serve(cors_allowed_origins=[ALLOWED])
    response = preflight(client, origin)
    assert response.status_code != 204
    assert "access-control-allow-origin" not in response.headers
    assert_base_headers(response)
    actual = client.post("/graphql", json={"query": "{ __typename }"}, headers={"origin": origin})
    assert "access-control-allow-origin" not in actual.headers


def test_no_origins_configured_means_no_cors_headers(serve: Serve) -> None:
    client = serve()
    response = preflight(client, ALLOWED)
    assert not [name for name in response.headers if name.startswith("access-control-")]
    actual = client.post("/graphql", json={"query": "{ __typename }"}, headers={"origin": ALLOWED})
    assert actual.status_code == 200
    assert not [name for name in actual.headers if name.startswith("access-control-")]


@pytest.mark.parametrize(
    ("origins", "fragment"),
    [
        (["*"], "wildcard"),
        ([ALLOWED, "*"], "wildcard"),
        (["https://*.example.com"], "wildcard"),
        (["null"], "null"),
        (["https://app.example.com/"], "not an origin"),
        (["app.example.com"], "not an origin"),
    ],
)
def test_bad_cors_origins_refuse_to_start(
    tmp_path: Path, origins: list[str], fragment: str
) -> None:
    application = Application(
        build_settings(
            installed_apps=["apps.catalog"],
            database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}",
            cors_allowed_origins=origins,
        )
    )
    try:
        with pytest.raises(ImproperlyConfigured, match="CORS_ALLOWED_ORIGINS") as caught:
            application.asgi()
        assert fragment in str(caught.value)
    finally:
        application.dispose()


def test_wildcard_origin_from_the_environment_refuses_to_start(tmp_path: Path) -> None:
    settings = load_settings(
        None,
        environ={
            "LYS_INSTALLED_APPS": "apps.catalog",
            "LYS_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
            "LYS_CORS_ALLOWED_ORIGINS": "*",
        },
        env_file=None,
    )
    application = Application(settings)
    try:
        with pytest.raises(ImproperlyConfigured, match="wildcard"):
            application.asgi()
    finally:
        application.dispose()


def test_bad_trusted_proxy_refuses_to_start(tmp_path: Path) -> None:
    application = Application(
        build_settings(
            installed_apps=["apps.catalog"],
            database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}",
            trusted_proxies=["10.0.0.0/8", "proxy.internal"],
        )
    )
    try:
        with pytest.raises(ImproperlyConfigured, match=r"TRUSTED_PROXIES.*proxy\.internal"):
            application.asgi()
    finally:
        application.dispose()


# -- client address --------------------------------------------------------------------


def _scope(peer: str | None, *forwarded: str) -> dict[str, Any]:
    return {
        "type": "http",
        "client": (peer, 1234) if peer is not None else None,
        "headers": [(b"x-forwarded-for", value.encode()) for value in forwarded],
    }


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.5", (), "203.0.113.5"),
        ("203.0.113.5", ("198.51.100.1",), "203.0.113.5"),  # untrusted peer: header ignored
        ("10.0.0.2", (), "10.0.0.2"),
        ("10.0.0.2", ("198.51.100.1",), "198.51.100.1"),
        ("10.0.0.2", ("198.51.100.1, 10.0.0.9",), "198.51.100.1"),  # two proxies
        ("10.0.0.2", ("1.1.1.1, 198.51.100.1",), "198.51.100.1"),  # client-written part skipped
        ("10.0.0.2", ("garbage, 198.51.100.1",), "198.51.100.1"),  # ... even when it is junk
        ("10.0.0.2", ("1.1.1.1", "198.51.100.1"), "198.51.100.1"),  # several header lines
        ("10.0.0.2", ("garbage",), "10.0.0.2"),  # malformed where it matters: the peer
        ("10.0.0.2", ("198.51.100.1, unknown",), "10.0.0.2"),
        ("10.0.0.2", ("",), "10.0.0.2"),
        ("10.0.0.2", ("198.51.100.1:4711",), "198.51.100.1"),
        ("10.0.0.2", ("[2001:db8::7]:4711",), "2001:db8::7"),
        ("10.0.0.2", ("10.0.0.7, 10.0.0.8",), "10.0.0.7"),  # all trusted: the left-most
        ("::ffff:10.0.0.2", ("198.51.100.1",), "198.51.100.1"),  # IPv4-mapped peer
        ("2001:db8::1", ("198.51.100.1",), "198.51.100.1"),  # a trusted IPv6 proxy
        (None, ("198.51.100.1",), "unknown"),
    ],
)
def test_client_address(peer: str | None, forwarded: tuple[str, ...], expected: str) -> None:
    resolver = ClientAddressResolver(["10.0.0.0/8", "2001:db8::1"])
    assert resolver.client_ip(_scope(peer, *forwarded)) == expected


def test_no_trusted_proxies_means_the_socket_peer() -> None:
    resolver = ClientAddressResolver([])
    assert resolver.client_ip(_scope("127.0.0.1", "198.51.100.1")) == "127.0.0.1"


# -- rate limits (in memory) -----------------------------------------------------------


def test_over_the_limit_is_429_with_retry_after(serve: Serve) -> None:
    clock = FakeClock()
    client = serve(rate_limit_per_minute=3, clock=clock)
    for _ in range(3):
        assert page(client).status_code == 200
    response = page(client)
    body = rate_limited(response)
    assert response.headers["retry-after"] == "45"  # T0 is 15 s into its minute
    assert response.headers["content-type"].startswith("application/json")
    assert set(body) == {"errors"}
    assert set(body["errors"][0]) == {"message", "extensions"}
    assert set(body["errors"][0]["extensions"]) == {"code", "status_code", "detail"}
    # POSTing operations counts against the same bucket.
    rate_limited(client.post("/graphql", json={"query": "{ __typename }"}))


def test_the_window_resets(serve: Serve) -> None:
    clock = FakeClock()
    client = serve(rate_limit_per_minute=2, clock=clock)
    assert page(client).status_code == 200
    assert page(client).status_code == 200
    rate_limited(page(client))
    clock.now = T0 + 44.5  # half a second before the window ends
    response = page(client)
    rate_limited(response)
    assert response.headers["retry-after"] == "1"
    clock.now = T0 + 45  # a new window
    assert page(client).status_code == 200
    assert page(client).status_code == 200
    rate_limited(page(client))


def test_service_calls_have_their_own_bucket(serve: Serve) -> None:
    clock = FakeClock()
    client = serve(rate_limit_per_minute=2, rate_limit_service_per_minute=4, clock=clock)
    service = {"authorization": "Service some-token"}
    for _ in range(4):
        assert page(client, **service).status_code == 200
    rate_limited(page(client, **service))
    rate_limited(page(client, authorization="service other-token"))  # scheme is case-insensitive
    # The ordinary bucket was untouched by the service calls...
    assert page(client).status_code == 200
    assert page(client, authorization="Bearer x").status_code == 200
    rate_limited(page(client))
    # ... and filling it did not give service calls more room.
    rate_limited(page(client, **service))


def test_zero_turns_a_bucket_off(serve: Serve) -> None:
    client = serve(rate_limit_per_minute=0, rate_limit_service_per_minute=1, clock=FakeClock())
    for _ in range(70):
        assert page(client).status_code == 200
    assert page(client, authorization="Service t").status_code == 200
    rate_limited(page(client, authorization="Service t"))


def test_both_limits_zero_means_no_limiter(serve: Serve) -> None:
    client = serve(rate_limit_per_minute=0, rate_limit_service_per_minute=0)
    assert client.app.app.state["lys_rate_limiter"] is None
    for _ in range(70):
        assert page(client).status_code == 200


def test_the_default_is_60_per_minute(serve: Serve) -> None:
    client = serve(clock=FakeClock())
    for _ in range(60):
        assert page(client).status_code == 200
    rate_limited(page(client))


def test_probes_are_never_limited(serve: Serve) -> None:
    client = serve(rate_limit_per_minute=1, clock=FakeClock())
    for _ in range(5):
        assert client.get("/health").status_code == 200
        assert client.get("/ready").status_code == 200
    assert page(client).status_code == 200
    rate_limited(page(client))
    assert client.get("/health").status_code == 200
    assert client.get("/ready").status_code == 200


def test_each_client_address_has_its_own_bucket(serve: Serve) -> None:
    client = serve(rate_limit_per_minute=1, clock=FakeClock())
    assert page(client, **{PEER: "192.0.2.1"}).status_code == 200
    rate_limited(page(client, **{PEER: "192.0.2.1"}))
    assert page(client, **{PEER: "192.0.2.2"}).status_code == 200


def test_ipv6_clients_are_counted_per_64(serve: Serve) -> None:
    client = serve(rate_limit_per_minute=1, clock=FakeClock())
    assert page(client, **{PEER: "2001:db8:1:2::1"}).status_code == 200
    rate_limited(page(client, **{PEER: "2001:db8:1:2:ffff::9"}))  # same /64
    assert page(client, **{PEER: "2001:db8:1:3::1"}).status_code == 200


def test_clients_behind_a_trusted_proxy_are_told_apart(serve: Serve) -> None:
    client = serve(rate_limit_per_minute=2, trusted_proxies=["10.0.0.0/8"], clock=FakeClock())
    proxy = {PEER: "10.0.0.5"}
    first = {**proxy, "x-forwarded-for": "203.0.113.7"}
    assert page(client, **first).status_code == 200
    assert page(client, **first).status_code == 200
    rate_limited(page(client, **first))
    # The same client through a second proxy hop, or with a forged prefix: same bucket.
    rate_limited(page(client, **{**proxy, "x-forwarded-for": "203.0.113.7, 10.0.0.9"}))
    rate_limited(page(client, **{**proxy, "x-forwarded-for": "198.51.100.1, 203.0.113.7"}))
    # Another client behind the same proxy has its own.
    assert page(client, **{**proxy, "x-forwarded-for": "203.0.113.8"}).status_code == 200
    # The proxy itself was never counted.
    assert page(client, **proxy).status_code == 200


def test_forwarded_for_from_an_untrusted_peer_is_ignored(serve: Serve) -> None:
    client = serve(rate_limit_per_minute=2, trusted_proxies=["10.0.0.0/8"], clock=FakeClock())
    for n in range(2):
        headers = {PEER: "192.0.2.50", "x-forwarded-for": f"203.0.113.{n}"}
        assert page(client, **headers).status_code == 200
    # A fresh forged address does not buy a fresh bucket.
    rate_limited(page(client, **{PEER: "192.0.2.50", "x-forwarded-for": "203.0.113.99"}))


def test_malformed_forwarded_for_counts_the_proxy(serve: Serve) -> None:
    client = serve(rate_limit_per_minute=1, trusted_proxies=["10.0.0.0/8"], clock=FakeClock())
    assert page(client, **{PEER: "10.0.0.5", "x-forwarded-for": "not-an-ip"}).status_code == 200
    rate_limited(page(client, **{PEER: "10.0.0.5"}))
    assert page(client, **{PEER: "10.0.0.5", "x-forwarded-for": "203.0.113.1"}).status_code == 200


def test_memory_store_is_thread_safe_and_bounded() -> None:
    import threading

    store = MemoryRateLimitStore(max_keys=50)

    def hammer() -> None:
        for _ in range(200):
            asyncio.run(store.increment("k", 0.0, 60.0))

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert asyncio.run(store.increment("k", 0.0, 60.0)) == 801
    assert asyncio.run(store.increment("k", 60.0, 120.0)) == 1  # expired: starts again
    for n in range(200):
        asyncio.run(store.increment(f"ip{n}", 61.0, 120.0))
    assert len(store._counts) <= 50


# -- rate limits (Redis) ---------------------------------------------------------------


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own, and its keys removed afterwards."""
    require("Redis", REDIS_URL)
    prefix = f"{KEY_PREFIX}test-{uuid.uuid4().hex}:"
    yield prefix
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(connection.scan_iter(match=f"{prefix}*"))
        if keys:
            connection.delete(*keys)
    finally:
        connection.close()


def test_settings_pick_the_store(serve: Serve) -> None:
    memory = serve()
    assert isinstance(memory.app.app.state["lys_rate_limiter"].store, MemoryRateLimitStore)
    shared = serve(redis_url="redis://127.0.0.1:6379/0")
    assert isinstance(shared.app.app.state["lys_rate_limiter"].store, RedisRateLimitStore)


def test_redis_limit_is_shared_between_processes(serve: Serve, redis_prefix: str) -> None:
    clock = FakeClock()
    settings = {"redis_url": REDIS_URL, "rate_limit_per_minute": 2, "key_prefix": redis_prefix}
    one = serve(clock=clock, **settings)
    two = serve(clock=clock, **settings)  # a second worker process, in effect
    assert page(one, **{PEER: "192.0.2.1"}).status_code == 200
    assert page(two, **{PEER: "192.0.2.1"}).status_code == 200
    response = page(one, **{PEER: "192.0.2.1"})
    rate_limited(response)
    assert response.headers["retry-after"] == "45"
    rate_limited(page(two, **{PEER: "192.0.2.1"}))
    assert page(two, **{PEER: "192.0.2.2"}).status_code == 200

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        key = f"{redis_prefix}client:192.0.2.1:1000"
        assert int(connection.get(key)) == 4  # refused requests count too
        assert 0 < connection.ttl(key) <= 61  # dies with its window
    finally:
        connection.close()

    clock.now = T0 + 45  # the next window
    assert page(one, **{PEER: "192.0.2.1"}).status_code == 200


def test_redis_service_bucket(serve: Serve, redis_prefix: str) -> None:
    client = serve(
        clock=FakeClock(),
        redis_url=REDIS_URL,
        rate_limit_per_minute=1,
        rate_limit_service_per_minute=2,
        key_prefix=redis_prefix,
    )
    assert page(client, authorization="Service t").status_code == 200
    assert page(client, authorization="Service t").status_code == 200
    rate_limited(page(client, authorization="Service t"))
    assert page(client).status_code == 200
    rate_limited(page(client))


def test_redis_counts_atomically(redis_prefix: str) -> None:
    store = RedisRateLimitStore(REDIS_URL)

    async def burst() -> list[int]:
        try:
            calls = [store.increment(f"{redis_prefix}burst", T0, T0 + 45) for _ in range(50)]
            return await asyncio.gather(*calls)
        finally:
            await store.aclose()

    counts = asyncio.run(burst())
    assert sorted(counts) == list(range(1, 51))


def test_redis_down_fails_open_with_a_warning(
    serve: Serve, rate_limit_log: list[logging.LogRecord]
) -> None:
    clock = FakeClock()
    client = serve(redis_url="redis://127.0.0.1:1/0", rate_limit_per_minute=1, clock=clock)
    for _ in range(3):
        assert page(client).status_code == 200
    warnings = [r for r in rate_limit_log if r.levelno == logging.WARNING]
    # One warning: after a failure the store is left alone for a few seconds.
    assert len(warnings) == 1
    assert "let through" in warnings[0].getMessage()
    clock.now += 6
    assert page(client).status_code == 200
    assert len([r for r in rate_limit_log if r.levelno == logging.WARNING]) == 2


# -- the cheap paths -------------------------------------------------------------------


def test_security_headers_leave_what_a_handler_set() -> None:
    from lys.http.security import SecurityHeaders

    hook = SecurityHeaders(ClientAddressResolver([]), graphql_path="/graphql", graphiql_html=None)
    scope: Any = {"type": "http", "scheme": "https", "method": "GET", "path": "/x"}
    message: Any = {
        "type": "http.response.start",
        "status": 200,
        "headers": (
            (b"X-Frame-Options", b"SAMEORIGIN"),
            (b"content-security-policy", b"default-src 'self'"),
        ),
    }
    asyncio.run(hook(message, scope))
    headers = message["headers"]
    assert isinstance(headers, list)
    names = [name.lower() for name, _ in headers]
    assert len(names) == len(set(names))  # nothing added twice
    as_dict = {name.lower(): value for name, value in headers}
    assert as_dict[b"x-frame-options"] == b"SAMEORIGIN"
    assert as_dict[b"content-security-policy"] == b"default-src 'self'"
    assert as_dict[b"x-content-type-options"] == b"nosniff"
    assert as_dict[b"strict-transport-security"].startswith(HSTS_PREFIX.encode())
    # Body messages are not touched; a start message without headers gets them all.
    body: Any = {"type": "http.response.body", "body": b""}
    asyncio.run(hook(body, scope))
    assert "headers" not in body
    bare: Any = {"type": "http.response.start", "status": 204}
    asyncio.run(hook(bare, {**scope, "scheme": "http"}))
    assert dict(bare["headers"]) == {
        **{name.encode(): value.encode() for name, value in BASE_HEADERS.items()},
        b"content-security-policy": STRICT_CSP.encode(),
    }


def test_set_cookie_headers_are_what_litestar_responses_write() -> None:
    from litestar import Response
    from litestar.datastructures import Cookie

    from lys.http.handlers import _cookie_headers

    cookies: dict[str, Cookie | None] = {
        "access_token": Cookie(
            key="access_token",
            value="a.b.c",
            path="/",
            max_age=300,
            domain="example.com",
            secure=True,
            httponly=True,
            samesite="strict",
        ),
        "XSRF-TOKEN": Cookie(key="XSRF-TOKEN", value="x y;z", path="/", max_age=30),
        "refresh_token": None,
        "old": None,
    }
    response: Response[Any] = Response(None)
    for name, cookie in cookies.items():
        if cookie is None:
            response.delete_cookie(name, path="/", domain="example.com")
        else:
            response.set_cookie(cookie)
    expected = [cookie.to_encoded_header() for cookie in response.cookies]

    def without_expires(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        # A deleted cookie's Expires is "now": equal up to the clock.
        return [(name, re.sub(rb"expires=[^;]*", b"", value)) for name, value in headers]

    assert without_expires(_cookie_headers(cookies, "example.com")) == without_expires(expected)
    assert len(expected) == 4


def test_client_address_is_worked_out_once_per_request() -> None:
    resolver = ClientAddressResolver(["10.0.0.0/8"])
    scope: Any = {**_scope("10.0.0.2", "198.51.100.1"), "state": {}}
    assert resolver.client_ip(scope) == "198.51.100.1"
    scope["headers"] = []  # a second look would now give the proxy
    assert resolver.client_ip(scope) == "198.51.100.1"
    assert resolver.client_ip({**scope, "state": {}}) == "10.0.0.2"  # another request


def test_a_bucket_that_is_off_costs_no_client_address(
    serve: Serve, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = serve(rate_limit_per_minute=0, rate_limit_service_per_minute=1, clock=FakeClock())
    looked_up: list[str] = []
    real = ClientAddressResolver.client_ip

    def spy(self: ClientAddressResolver, scope: Any) -> str:
        looked_up.append(scope["path"])
        return real(self, scope)

    monkeypatch.setattr(ClientAddressResolver, "client_ip", spy)
    for _ in range(3):
        assert page(client).status_code == 200
    assert looked_up == []
    assert page(client, authorization="Service t").status_code == 200
    assert looked_up == ["/graphql"]
    rate_limited(page(client, authorization="Service t"))

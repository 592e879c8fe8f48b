"""The GraphQL route's short way in (lys.http.entry): ``POST <GRAPHQL_PATH>`` served
without Litestar's stack, everything else handed to Litestar.

The promise is that a client cannot tell the difference. Each answer of the short way
is compared with the answer Litestar's own stack gives to the same request (an
application whose ``graphql_entry`` is ``None``): status, every header, body. A spy on
``Litestar.__call__`` shows which way each request really took, so that a comparison
never ends up comparing Litestar with itself.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient

from lys import Application
from lys.http import handlers
from lys.http.app import create_asgi_app
from lys.http.client_ip import client_ip
from lys.http.entry import LysLitestar
from lys.http.rate_limit import rate_limit_body
from tests.conftest import AppFactory, build_settings
from tests.log_records import log_records

Build = Callable[..., Application]
Serve = Callable[..., TestClient[Any]]
#: ``(scope type, method, path)`` of every call that reached Litestar's own entry.
Delegated = list[tuple[str, str, str]]

QUERY = {"query": "{ __typename }"}
ALLOWED = "https://app.example.com"
STRICT_CSP = "default-src 'none'; frame-ancestors 'none'"
BASE_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "x-xss-protection": "0",
}
APPS = ["apps.catalog", "tests.testapps.mut_nullable"]
ERROR_ID = re.compile(r"[0-9a-f]{32}")
# Minute 1000 of the epoch, 15 s in: the window ends 45 s later.
T0 = 1000 * 60 + 15.0
#: A test-only request header :class:`PeerFromHeader` turns into the socket peer.
PEER = "x-test-peer"


class FakeClock:
    """The rate limiter's clock, as tests/integration/test_http_security.py fakes it."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class PeerFromHeader:
    """Sets ``scope["client"]`` from ``x-test-peer`` (TestClient's peer is always
    ``testclient``, and trusted proxies need real addresses)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = [(k, v) for k, v in scope["headers"] if k != PEER.encode()]
            peer = next((v for k, v in scope["headers"] if k == PEER.encode()), None)
            if peer is not None:
                scope = {**scope, "headers": headers, "client": (peer.decode(), 40000)}
        await self.app(scope, receive, send)


@pytest.fixture
def build(tmp_path: Path) -> Iterator[Build]:
    """Applications on a throwaway SQLite file, for checks the database plays no part in."""
    built: list[Application] = []

    def factory(**settings: Any) -> Application:
        settings.setdefault("installed_apps", ["apps.catalog"])
        settings.setdefault("database_url", f"sqlite:///{tmp_path / 'entry.sqlite3'}")
        application = Application(build_settings(**settings))
        application.registry.metadata.create_all(application.engine)
        built.append(application)
        return application

    yield factory
    for application in built:
        application.dispose()


@pytest.fixture
def serve() -> Iterator[Serve]:
    """A started client over a new ASGI app of ``application``.

    ``serve(application, short=False)`` takes the short way away (``graphql_entry =
    None``): every request then goes through Litestar's stack, as before the short way
    existed. ``peer=True`` reads the socket peer from ``x-test-peer``.
    """
    clients: list[TestClient[Any]] = []

    def factory(
        application: Application,
        *,
        short: bool = True,
        clock: FakeClock | None = None,
        base_url: str = "http://testserver.local",
        root_path: str = "",
        peer: bool = False,
    ) -> TestClient[Any]:
        asgi = create_asgi_app(application, clock=clock)
        assert isinstance(asgi, LysLitestar) and asgi.graphql_entry is not None
        if not short:
            asgi.graphql_entry = None
        client: TestClient[Any] = TestClient(asgi, base_url=base_url, root_path=root_path)
        if peer:
            client.app = PeerFromHeader(asgi)
        client.__enter__()
        clients.append(client)
        return client

    yield factory
    while clients:
        clients.pop().__exit__(None, None, None)


def litestar_app(client: TestClient[Any]) -> LysLitestar:
    app = client.app
    app = getattr(app, "app", app)  # under PeerFromHeader
    assert isinstance(app, LysLitestar)
    return app


@pytest.fixture
def delegated(monkeypatch: pytest.MonkeyPatch) -> Delegated:
    """Records every call of Litestar's own ``__call__`` (what ``LysLitestar`` hands on)."""
    calls: Delegated = []
    original = Litestar.__call__

    async def recording(self: Litestar, scope: Any, receive: Any, send: Any) -> None:
        calls.append((scope["type"], scope.get("method", ""), scope.get("path", "")))
        await original(self, scope, receive, send)

    monkeypatch.setattr(Litestar, "__call__", recording)
    return calls


def http_calls(calls: Delegated) -> list[tuple[str, str]]:
    return [(method, path) for kind, method, path in calls if kind == "http"]


@pytest.fixture
def http_log() -> Iterator[list[logging.LogRecord]]:
    """Records of ``lys.http``, caught on the logger itself (Litestar may reset the root)."""
    with log_records("lys.http") as records:
        yield records


def answer(response: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    """What a client sees: the status, every header (sorted: order carries nothing) and
    the body, byte for byte."""
    return response.status_code, sorted(response.headers.multi_items()), response.content


def assert_base_headers(response: Any, *, strict_csp: bool = True) -> None:
    for name, value in BASE_HEADERS.items():
        assert response.headers.get(name) == value, (name, response.status_code)
    if strict_csp:  # everything but the GraphiQL page
        assert response.headers["content-security-policy"] == STRICT_CSP


# -- which way a request takes ---------------------------------------------------------------


def test_a_plain_post_takes_the_short_way(build: Build, serve: Serve, delegated: Delegated) -> None:
    client = serve(build())
    lifespan = list(delegated)
    assert lifespan and all(kind == "lifespan" for kind, _, _ in lifespan)
    assert client.post("/graphql", json=QUERY).json() == {"data": {"__typename": "Query"}}
    # A query string is not part of the path: still the short way.
    assert client.post("/graphql?x=1", json=QUERY).status_code == 200
    # Request errors the endpoint answers itself too.
    assert client.post("/graphql", content=b"x").status_code == 415
    assert delegated == lifespan


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("get", "/graphql", {}, 200),  # GraphiQL
        ("post", "/graphql/", {"json": QUERY}, 200),  # Litestar's router drops the slash
        ("get", "/health", {}, 200),
        ("get", "/ready", {}, 200),
        ("options", "/graphql", {}, 204),
        ("delete", "/graphql", {}, 405),
        ("put", "/graphql", {"json": QUERY}, 405),
        ("post", "/health", {"json": QUERY}, 405),
        ("post", "/no/such/page", {"json": QUERY}, 404),
    ],
)
def test_everything_else_goes_to_litestar(
    build: Build,
    serve: Serve,
    delegated: Delegated,
    method: str,
    path: str,
    kwargs: dict[str, Any],
    status: int,
) -> None:
    client = serve(build())
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == status, response.text
    assert http_calls(delegated) == [(method.upper(), path)]
    assert_base_headers(response, strict_csp=(method, path) != ("get", "/graphql"))


def test_a_root_path_goes_to_litestar(build: Build, serve: Serve, delegated: Delegated) -> None:
    """Litestar strips a root path before routing; the short way leaves that to it."""
    client = serve(build(), root_path="/api")
    response = client.post("/graphql", json=QUERY)
    assert response.json() == {"data": {"__typename": "Query"}}
    assert http_calls(delegated) == [("POST", "/graphql")]


def test_an_origin_goes_to_litestar_only_when_cors_is_configured(
    build: Build, serve: Serve, delegated: Delegated
) -> None:
    """With CORS, Litestar's middleware must see requests carrying an ``Origin``; without
    CORS an ``Origin`` changes nothing, so the short way serves it."""
    with_cors = serve(build(cors_allowed_origins=[ALLOWED]))
    assert with_cors.post("/graphql", json=QUERY, headers={"origin": ALLOWED}).status_code == 200
    assert http_calls(delegated) == [("POST", "/graphql")]
    delegated.clear()
    assert with_cors.post("/graphql", json=QUERY).status_code == 200
    assert http_calls(delegated) == []

    without_cors = serve(build())
    response = without_cors.post("/graphql", json=QUERY, headers={"origin": ALLOWED})
    assert response.status_code == 200
    assert http_calls(delegated) == []
    assert not [name for name in response.headers if name.startswith("access-control-")]


@pytest.mark.parametrize("host", ["bad host!", "evil.example.com/path", "a\tb", "<x>"])
def test_a_host_litestar_refuses_is_refused_by_litestar(
    build: Build, serve: Serve, delegated: Delegated, host: str
) -> None:
    application = build()
    short, stack = serve(application), serve(application, short=False)
    refused = short.post("/graphql", json=QUERY, headers={"host": host})
    assert http_calls(delegated) == [("POST", "/graphql")]
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["detail"] == "Invalid host header"
    assert answer(refused) == answer(stack.post("/graphql", json=QUERY, headers={"host": host}))


@pytest.mark.parametrize(
    "host", ["example.com", "example.com:8443", "[::1]:8000", "127.0.0.1", "xn--bcher-kva.example"]
)
def test_hosts_litestar_accepts_take_the_short_way(
    build: Build, serve: Serve, delegated: Delegated, host: str
) -> None:
    client = serve(build())
    response = client.post("/graphql", json=QUERY, headers={"host": host})
    assert response.json() == {"data": {"__typename": "Query"}}
    assert http_calls(delegated) == []


# -- the same answer both ways ------------------------------------------------------------------

PADDING = " " * 600

#: ``(name, keyword arguments of client.post)``: what clients send, right and wrong.
REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("typename", {"json": QUERY}),
    ("read", {"json": {"query": "{ allProductCategories { id code enabled } }"}}),
    ("mutation", {"json": {"query": 'mutation { addProductCategory(code: "NEW") { id code } }'}}),
    (
        "mutation refused by its resolver",
        {
            "json": {
                "query": "mutation($c: String!) { addProductCategory(code: $c) { code } }",
                "variables": {"c": "lower"},
            }
        },
    ),
    ("bad json", {"content": b"{bad", "headers": {"content-type": "application/json"}}),
    (
        "not utf-8",
        {"content": b'{"query": "\xff"}', "headers": {"content-type": "application/json"}},
    ),
    ("text/plain", {"content": b"{}", "headers": {"content-type": "text/plain"}}),
    ("no content type", {"content": json.dumps(QUERY).encode()}),
    ("too large", {"json": {"query": "{ __typename }" + PADDING}}),
    ("validation", {"json": {"query": "{ nope }"}}),
    ("syntax", {"json": {"query": "{ allProductCategories( }"}}),
    ("missing query", {"json": {"variables": {}}}),
    ("bad variables", {"json": {"query": "{ __typename }", "variables": [1]}}),
    ("missing variable", {"json": {"query": "query($id: ID!) { product(id: $id) { id } }"}}),
    ("batch", {"json": [QUERY, QUERY]}),
]


def forget_new_categories(application: Application) -> None:
    """Back to the seeded rows, so that both ways run on the same data."""
    table = application.model("product_category").__table__
    with application.engine.begin() as connection:
        connection.execute(sa.delete(table).where(table.c.id != "BOOKS"))


@pytest.mark.parametrize("name", [name for name, _ in REQUESTS])
def test_the_short_way_answers_as_litestar_does(
    make_app: AppFactory, serve: Serve, delegated: Delegated, name: str
) -> None:
    application = make_app(APPS, request_max_body_size=400)
    with application.session() as session:
        application.service("product_category").create(session, id="BOOKS")
    kwargs = dict(REQUESTS)[name]
    short, stack = serve(application), serve(application, short=False)

    short_answer = answer(short.post("/graphql", **kwargs))
    assert http_calls(delegated) == []
    forget_new_categories(application)
    stack_answer = answer(stack.post("/graphql", **kwargs))
    assert http_calls(delegated) == [("POST", "/graphql")]
    forget_new_categories(application)

    assert short_answer == stack_answer
    # Not vacuous: the requests that should fail did, with the usual error shape.
    status, headers, body = short_answer
    decoded = json.loads(body)
    if name in ("typename", "read", "mutation"):
        assert status == 200 and "errors" not in decoded, decoded
    else:
        assert decoded["errors"][0]["extensions"]["code"], decoded
    assert dict(headers)["content-security-policy"] == STRICT_CSP


def test_a_streamed_body_over_the_limit_is_refused_the_same_way(build: Build, serve: Serve) -> None:
    """No ``Content-Length``: the limit applies while reading, both ways."""
    application = build(request_max_body_size=200)

    def chunks() -> Iterator[bytes]:
        yield b'{"query": "{ __typename }'
        for _ in range(10):
            yield b" " * 50
        yield b'"}'

    headers = {"content-type": "application/json"}
    short = serve(application).post("/graphql", content=chunks(), headers=headers)
    stack = serve(application, short=False).post("/graphql", content=chunks(), headers=headers)
    assert short.status_code == 413
    assert answer(short) == answer(stack)


# -- security headers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "kwargs"),
    [
        (200, {"json": QUERY}),
        (400, {"json": {"query": "{ nope }"}}),
        (400, {"content": b"{", "headers": {"content-type": "application/json"}}),
        (413, {"json": {"query": "{ __typename }" + PADDING}}),
        (415, {"content": b"x", "headers": {"content-type": "text/plain"}}),
    ],
)
def test_security_headers_on_short_way_answers(
    build: Build, serve: Serve, delegated: Delegated, status: int, kwargs: dict[str, Any]
) -> None:
    client = serve(build(request_max_body_size=500))
    response = client.post("/graphql", **kwargs)
    assert response.status_code == status
    assert_base_headers(response)
    assert "strict-transport-security" not in response.headers
    assert http_calls(delegated) == []


def test_hsts_on_the_short_way_only_over_https(
    build: Build, serve: Serve, delegated: Delegated
) -> None:
    application = build(trusted_proxies=["10.0.0.0/8"])
    secure = serve(application, base_url="https://testserver.local")
    response = secure.post("/graphql", json=QUERY)
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")
    assert answer(response) == answer(
        serve(application, short=False, base_url="https://testserver.local").post(
            "/graphql", json=QUERY
        )
    )

    proxied = serve(application, peer=True)

    def hsts(peer: str, proto: str) -> bool:
        headers = {PEER: peer, "x-forwarded-proto": proto}
        return (
            "strict-transport-security"
            in proxied.post("/graphql", json=QUERY, headers=headers).headers
        )

    assert hsts("10.1.2.3", "https")  # a trusted proxy says the client used HTTPS
    assert not hsts("10.1.2.3", "http")
    assert not hsts("192.0.2.9", "https")  # anybody else can write the header
    assert "strict-transport-security" not in proxied.post("/graphql", json=QUERY).headers
    assert http_calls(delegated) == [("POST", "/graphql")]  # the one answer compared above


# -- rate limits -------------------------------------------------------------------------------


def test_over_the_limit_the_short_way_answers_429_as_before(
    build: Build, serve: Serve, delegated: Delegated
) -> None:
    application = build(rate_limit_per_minute=2)
    short = serve(application, clock=FakeClock())
    stack = serve(application, short=False, clock=FakeClock())  # a limiter of its own
    for client in (short, stack):
        assert client.post("/graphql", json=QUERY).status_code == 200
        assert client.post("/graphql", json=QUERY).status_code == 200
    delegated.clear()
    refused = short.post("/graphql", json=QUERY)
    assert http_calls(delegated) == []
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "45"  # T0 is 15 s into its minute
    assert refused.content == json.dumps(rate_limit_body(45)).encode()
    assert_base_headers(refused)
    assert answer(refused) == answer(stack.post("/graphql", json=QUERY))


def test_both_ways_count_in_the_same_bucket(build: Build, serve: Serve) -> None:
    """GraphiQL (Litestar's way) and operations (the short way) share one limit, and a
    new window lets both through again; the probes are never counted."""
    clock = FakeClock()
    client = serve(build(rate_limit_per_minute=3), clock=clock)
    assert client.get("/graphql").status_code == 200
    assert client.post("/graphql", json=QUERY).status_code == 200
    assert client.get("/health").status_code == 200
    assert client.post("/graphql/", json=QUERY).status_code == 200
    assert client.post("/graphql", json=QUERY).status_code == 429
    assert client.get("/graphql").status_code == 429
    assert client.get("/health").status_code == 200
    clock.now = T0 + 45
    assert client.post("/graphql", json=QUERY).status_code == 200


def test_service_calls_have_their_own_bucket_on_the_short_way(
    build: Build, serve: Serve, delegated: Delegated
) -> None:
    client = serve(
        build(rate_limit_per_minute=1, rate_limit_service_per_minute=2), clock=FakeClock()
    )
    service = {"authorization": "Service not-a-token"}
    for _ in range(2):
        assert client.post("/graphql", json=QUERY, headers=service).status_code != 429
    assert client.post("/graphql", json=QUERY, headers=service).status_code == 429
    assert client.post("/graphql", json=QUERY).status_code == 200
    assert client.post("/graphql", json=QUERY).status_code == 429
    assert http_calls(delegated) == []


# -- CORS ---------------------------------------------------------------------------------------


def test_cors_headers_for_an_allowed_origin(
    build: Build, serve: Serve, delegated: Delegated
) -> None:
    application = build(cors_allowed_origins=[ALLOWED])
    client = serve(application)
    response = client.post("/graphql", json=QUERY, headers={"origin": ALLOWED})
    assert response.json() == {"data": {"__typename": "Query"}}
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert response.headers["access-control-allow-credentials"] == "true"
    assert_base_headers(response)
    # Exactly Litestar's answer: it was Litestar's way.
    stack = serve(application, short=False)
    assert answer(response) == answer(
        stack.post("/graphql", json=QUERY, headers={"origin": ALLOWED})
    )
    # Another origin: no CORS headers, still answered.
    other = client.post("/graphql", json=QUERY, headers={"origin": "https://evil.example.com"})
    assert other.status_code == 200
    assert "access-control-allow-origin" not in other.headers
    # No Origin (same-origin pages, servers): the short way, without CORS headers.
    delegated.clear()
    plain = client.post("/graphql", json=QUERY)
    assert http_calls(delegated) == []
    assert plain.json() == {"data": {"__typename": "Query"}}
    assert not [name for name in plain.headers if name.startswith("access-control-")]
    assert answer(plain) == answer(stack.post("/graphql", json=QUERY))


def test_a_preflight_still_gets_its_cors_answer(build: Build, serve: Serve) -> None:
    client = serve(build(cors_allowed_origins=[ALLOWED]))
    response = client.options(
        "/graphql",
        headers={"origin": ALLOWED, "access-control-request-method": "POST"},
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == ALLOWED


# -- what the handler finds in the scope -------------------------------------------------------


def test_the_handler_finds_what_litestars_router_leaves(
    build: Build, serve: Serve, delegated: Delegated, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app, the route handler and the path template are in the scope, as they are
    when Litestar routes: authenticators and resolvers read ``request.app.state``."""
    seen: list[dict[str, Any]] = []
    original = handlers._authenticate_and_execute

    def spy(application: Application, payload: Any, context: Any) -> Any:
        request = context.request
        seen.append(
            {
                "scope": dict(request.scope),
                "lys": request.app.state["lys"],
                "route_handler": request.route_handler,
                "client": client_ip(request),
            }
        )
        return original(application, payload, context)

    monkeypatch.setattr(handlers, "_authenticate_and_execute", spy)
    application = build()
    client = serve(application)
    asgi = litestar_app(client)
    graphql_handler = asgi.get_handler_index_by_name("graphql")
    assert graphql_handler is not None
    assert client.post("/graphql", json=QUERY).status_code == 200  # the short way
    assert http_calls(delegated) == []
    assert client.post("/graphql/", json=QUERY).status_code == 200  # Litestar's way
    assert http_calls(delegated) == [("POST", "/graphql/")]

    short, stack = seen
    for found in (short, stack):
        scope = found["scope"]
        assert scope["app"] is scope["litestar_app"] is asgi
        assert scope["route_handler"] is found["route_handler"] is graphql_handler["handler"]
        assert scope["path_template"] == "/graphql"
        assert scope["path_params"] == {}
        assert found["lys"] is application
        assert found["client"] == "testclient"
    assert set(short["scope"]) == set(stack["scope"])


# -- unexpected errors ---------------------------------------------------------------------------


def internal_error(response: Any, log: list[logging.LogRecord]) -> str:
    """Checks the INTERNAL_ERROR answer and its log line; returns the error id."""
    assert response.status_code == 500, response.text
    body = response.json()
    (error,) = body["errors"]
    assert error["message"] == error["extensions"]["code"] == "INTERNAL_ERROR"
    error_id: str = error["extensions"]["error_id"]
    assert ERROR_ID.fullmatch(error_id)
    assert error["extensions"] == {
        "code": "INTERNAL_ERROR",
        "status_code": 500,
        "detail": f"An unexpected error occurred. Quote error id {error_id} when reporting it.",
        "error_id": error_id,
    }
    for leak in ("secret", "Traceback", "RuntimeError", ".py"):
        assert leak not in response.text
    assert_base_headers(response)
    (record,) = [r for r in log if r.levelno >= logging.ERROR and error_id in r.getMessage()]
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError
    assert "secret" in record.getMessage()
    return error_id


def same_but_the_id(first: Any, second: Any) -> None:
    def masked(response: Any) -> tuple[int, list[tuple[str, str]], bytes]:
        status, headers, body = answer(response)
        return status, headers, ERROR_ID.sub("<id>", body.decode()).encode()

    assert masked(first) == masked(second)


def test_an_exception_escaping_the_endpoint_is_an_internal_error(
    build: Build,
    serve: Serve,
    delegated: Delegated,
    http_log: list[logging.LogRecord],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def explode(*_args: Any) -> Any:
        raise RuntimeError("secret")

    monkeypatch.setattr(handlers, "_authenticate_and_execute", explode)
    application = build()
    short = serve(application).post("/graphql", json=QUERY)
    assert http_calls(delegated) == []
    first = internal_error(short, http_log)
    stack = serve(application, short=False).post("/graphql", json=QUERY)
    assert http_calls(delegated) == [("POST", "/graphql")]
    second = internal_error(stack, http_log)
    assert first != second  # one id per occurrence
    same_but_the_id(short, stack)


def test_an_exception_on_a_litestar_route_answers_the_same_shape(
    build: Build,
    serve: Serve,
    http_log: list[logging.LogRecord],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``/ready`` raising outside its own try: Litestar's exception handler answers."""

    def explode(_request: Any) -> Any:
        raise RuntimeError("secret")

    application = build()
    client = serve(application)
    reference = client.post("/graphql", json=QUERY)
    assert reference.status_code == 200
    monkeypatch.setattr(handlers, "_application", explode)
    ready = client.get("/ready")
    internal_error(ready, http_log)
    monkeypatch.setattr(handlers, "_authenticate_and_execute", explode)
    same_but_the_id(ready, client.post("/graphql", json=QUERY))


@pytest.mark.parametrize("message_type", ["http.response.start", "http.response.body"])
@pytest.mark.parametrize("short", [True, False])
def test_an_exception_once_the_answer_started_is_raised_to_the_server(
    build: Build,
    serve: Serve,
    http_log: list[logging.LogRecord],
    message_type: str,
    short: bool,
) -> None:
    """Nothing can be answered any more: the server must see the error (and close the
    connection), on the short way as on Litestar's."""
    client = serve(build(), short=short)

    async def failing(message: Any, _scope: Any) -> None:
        if message["type"] == message_type:
            raise RuntimeError("while sending")

    litestar_app(client).before_send.append(failing)
    with pytest.raises(Exception) as caught:
        client.post("/graphql", json=QUERY)
    if short:
        assert isinstance(caught.value, RuntimeError)
        assert str(caught.value) == "while sending"
    else:  # Litestar wraps it (once per exception middleware); the cause is the same
        causes = []
        error: BaseException | None = caught.value
        while error is not None:
            causes.append(error)
            error = error.__cause__
        assert isinstance(causes[-1], RuntimeError)
        assert str(causes[-1]) == "while sending"
    assert not [r for r in http_log if r.levelno >= logging.ERROR]


# -- a client gone mid-body ---------------------------------------------------------------------


def post_then_disconnect(asgi: Any) -> tuple[int, dict[str, Any]]:
    """POST /graphql whose client goes away after the first chunk of the body."""

    async def run() -> tuple[int, dict[str, Any]]:
        events: list[dict[str, Any]] = [
            {"type": "http.request", "body": b'{"query": ', "more_body": True},
            {"type": "http.disconnect"},
        ]

        async def receive() -> dict[str, Any]:
            return events.pop(0)

        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/graphql",
            "raw_path": b"/graphql",
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"testserver"), (b"content-type", b"application/json")],
            "client": ("127.0.0.1", 4000),
            "server": ("testserver", 80),
            "state": {},
        }
        await asgi(scope, receive, send)
        start, body = sent
        return start["status"], json.loads(body["body"])

    return asyncio.run(run())


def test_a_client_gone_mid_body_is_answered_as_litestar_answers_it(
    build: Build, http_log: list[logging.LogRecord]
) -> None:
    application = build()
    short_app = create_asgi_app(application)
    stack_app = create_asgi_app(application)
    assert isinstance(stack_app, LysLitestar)
    stack_app.graphql_entry = None
    stack = post_then_disconnect(stack_app)
    assert stack[0] == 500
    assert not [r for r in http_log if r.levelno >= logging.ERROR]
    assert post_then_disconnect(short_app) == stack
    assert not [r for r in http_log if r.levelno >= logging.ERROR]

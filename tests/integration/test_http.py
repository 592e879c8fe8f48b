"""The HTTP layer (lys.http): request checks, error shapes, environments and probes."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from lys import Application
from tests.conftest import AppFactory, build_settings, gql
from tests.log_records import log_records
from tests.testapps.fx_boom.resolvers import SECRET_TEXT

ClientFor = Callable[[Application], TestClient[Any]]

BOOM_APPS = ["apps.catalog", "tests.testapps.fx_boom"]
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}
INTROSPECTION = "{ __schema { queryType { name } } }"
PROD_SECRET = "p" * 40


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[Callable[..., Application]]:
    """Applications on a throwaway SQLite file, for checks that do not depend on the database."""
    built: list[Application] = []

    def factory(installed_apps: list[str] | None = None, **settings: Any) -> Application:
        settings.setdefault("database_url", f"sqlite:///{tmp_path / 'http.sqlite3'}")
        app = Application(
            build_settings(installed_apps=installed_apps or ["apps.catalog"], **settings)
        )
        app.registry.metadata.create_all(app.engine)
        built.append(app)
        return app

    yield factory
    for app in built:
        app.dispose()


@pytest.fixture
def client(sqlite_app: Callable[..., Application], client_for: ClientFor) -> TestClient[Any]:
    return client_for(sqlite_app())


def request_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert "data" not in body
    (error,) = body["errors"]
    assert error["message"] == error["extensions"]["code"] == code
    assert isinstance(error["extensions"]["detail"], str) and error["extensions"]["detail"]
    return error


def post_raw(client: TestClient[Any], content: bytes | str, content_type: str) -> Any:
    return client.post("/graphql", content=content, headers={"content-type": content_type})


# -- the request -----------------------------------------------------------------


@pytest.mark.parametrize("body", ["{bad json", '{"query": "{ __typename }"', "", "[1, 2"])
def test_malformed_json_is_400(client: TestClient[Any], body: str) -> None:
    error = request_error(post_raw(client, body, "application/json"), 400, "BAD_REQUEST")
    assert "not valid JSON" in error["extensions"]["detail"]


def test_invalid_utf8_is_400(client: TestClient[Any]) -> None:
    request_error(
        post_raw(client, b'{"query": "\xff\xfe"}', "application/json"), 400, "BAD_REQUEST"
    )


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/graphql"]
)
def test_non_json_content_type_is_415(client: TestClient[Any], content_type: str) -> None:
    response = post_raw(client, json.dumps({"query": "{ __typename }"}), content_type)
    error = request_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert "application/json" in error["extensions"]["detail"]


def test_missing_content_type_is_415(client: TestClient[Any]) -> None:
    response = client.post("/graphql", content=b'{"query": "{ __typename }"}')
    request_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "application/graphql-response+json"]
)
def test_json_content_types_are_accepted(client: TestClient[Any], content_type: str) -> None:
    response = post_raw(client, json.dumps({"query": "{ __typename }"}), content_type)
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    "payload",
    [{}, {"query": ""}, {"query": "   "}, {"query": None}, {"query": 42}, "query", None],
)
def test_missing_or_empty_query_is_400(client: TestClient[Any], payload: Any) -> None:
    response = post_raw(client, json.dumps(payload), "application/json")
    error = request_error(response, 400, "BAD_REQUEST")
    assert "query" in error["extensions"]["detail"]


@pytest.mark.parametrize(
    "payload", [[], [{"query": "{ __typename }"}, {"query": "{ __typename }"}]]
)
def test_batched_operations_are_refused(client: TestClient[Any], payload: Any) -> None:
    response = post_raw(client, json.dumps(payload), "application/json")
    error = request_error(response, 400, "BAD_REQUEST")
    assert "one per request" in error["extensions"]["detail"]


@pytest.mark.parametrize("variables", [[1, 2], "x", 3, True])
def test_variables_must_be_an_object(client: TestClient[Any], variables: Any) -> None:
    response = client.post("/graphql", json={"query": "{ __typename }", "variables": variables})
    error = request_error(response, 400, "BAD_REQUEST")
    assert "variables" in error["extensions"]["detail"]


def test_operation_name_must_be_a_string(client: TestClient[Any]) -> None:
    response = client.post("/graphql", json={"query": "{ __typename }", "operationName": 1})
    request_error(response, 400, "BAD_REQUEST")


def test_null_variables_are_fine(client: TestClient[Any]) -> None:
    response = client.post("/graphql", json={"query": "{ __typename }", "variables": None})
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


def test_unknown_field_is_graphql_validation_failed(client: TestClient[Any]) -> None:
    response = client.post("/graphql", json={"query": "{ noSuchField }"})
    error = request_error(response, 400, "GRAPHQL_VALIDATION_FAILED")
    assert "noSuchField" in error["extensions"]["detail"]
    assert error["locations"] == [{"line": 1, "column": 3}]


def test_syntax_error_is_graphql_parse_failed(client: TestClient[Any]) -> None:
    response = client.post("/graphql", json={"query": "{ allProducts( }"})
    error = request_error(response, 400, "GRAPHQL_PARSE_FAILED")
    assert "Syntax Error" in error["extensions"]["detail"]
    assert error["locations"][0]["line"] == 1


def test_the_same_bad_query_twice_gives_the_same_error(client: TestClient[Any]) -> None:
    """Parse and validation results are cached; the cached answer must be the same."""
    first = client.post("/graphql", json={"query": "{ nope }"}).json()
    second = client.post("/graphql", json={"query": "{ nope }"}).json()
    assert first == second
    assert first["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize(
    ("variables", "fragment"),
    [({"first": "abc"}, "Int"), ({"first": 1.5}, "Int"), ({"first": [1]}, "Int")],
)
def test_wrong_variable_types_are_bad_user_input(
    client: TestClient[Any], variables: dict[str, Any], fragment: str
) -> None:
    query = "query($first: Int) { allProducts(first: $first) { totalCount } }"
    body = gql(client, query, variables)
    assert body.get("data") is None
    (error,) = body["errors"]
    assert error["message"] == error["extensions"]["code"] == "BAD_USER_INPUT"
    assert fragment in error["extensions"]["detail"]


def test_missing_required_variable_is_bad_user_input(client: TestClient[Any]) -> None:
    body = gql(client, "query($id: ID!) { product(id: $id) { id } }", {})
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "$id" in error["extensions"]["detail"]


def test_body_bigger_than_the_limit_is_refused(
    sqlite_app: Callable[..., Application], client_for: ClientFor
) -> None:
    client = client_for(sqlite_app(request_max_body_size=200))
    small = client.post("/graphql", json={"query": "{ __typename }"})
    assert small.status_code == 200
    big = client.post("/graphql", json={"query": "{ __typename }" + " " * 500})
    error = request_error(big, 413, "PAYLOAD_TOO_LARGE")
    assert error["extensions"]["detail"]

    def chunks() -> Iterator[bytes]:  # no content-length: the limit applies while reading
        yield b'{"query": "{ __typename }'
        for _ in range(10):
            yield b" " * 50
        yield b'"}'

    streamed = client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    request_error(streamed, 413, "PAYLOAD_TOO_LARGE")


# -- unexpected errors -----------------------------------------------------------


@pytest.fixture
def graphql_log() -> Iterator[list[logging.LogRecord]]:
    """Records of ``lys.graphql``, caught on the logger itself.

    Litestar reconfigures the root logger when an app starts, which drops caplog's handler.
    """
    with log_records("lys.graphql") as records:
        yield records


def test_unexpected_error_hides_its_details_outside_debug(
    sqlite_app: Callable[..., Application],
    client_for: ClientFor,
    graphql_log: list[logging.LogRecord],
) -> None:
    client = client_for(sqlite_app(BOOM_APPS, env="preprod"))
    response = client.post("/graphql", json={"query": "{ boom allProductCategories { id } }"})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"boom": None, "allProductCategories": []}
    (error,) = body["errors"]
    assert error["message"] == error["extensions"]["code"] == "INTERNAL_ERROR"
    assert error["path"] == ["boom"]
    error_id = error["extensions"]["error_id"]
    assert error["extensions"] == {
        "code": "INTERNAL_ERROR",
        "status_code": 500,
        "detail": f"An unexpected error occurred. Quote error id {error_id} when reporting it.",
        "error_id": error_id,
    }
    for leak in ("hunter2", "RuntimeError", "Traceback", "resolvers.py", "SELECT"):
        assert leak not in response.text
    # ... but the server log has it all.
    (record,) = [r for r in graphql_log if r.levelno >= logging.ERROR]
    assert record.exc_info is not None
    assert SECRET_TEXT in record.getMessage()
    assert error_id in record.getMessage()


def test_unexpected_error_shows_debug_details_in_dev(
    sqlite_app: Callable[..., Application], client_for: ClientFor
) -> None:
    client = client_for(sqlite_app(BOOM_APPS, env="dev"))
    body = client.post("/graphql", json={"query": "{ boom }"}).json()
    (error,) = body["errors"]
    assert error["message"] == "INTERNAL_ERROR"
    debug = error["extensions"]["debug"]
    assert debug["exception"] == f"RuntimeError: {SECRET_TEXT}"
    assert any("resolve_boom" in line for line in debug["traceback"])


def test_debug_can_be_turned_off_in_dev(
    sqlite_app: Callable[..., Application], client_for: ClientFor
) -> None:
    client = client_for(sqlite_app(BOOM_APPS, env="dev", debug=False))
    response = client.post("/graphql", json={"query": "{ boom }"})
    assert "debug" not in response.json()["errors"][0]["extensions"]
    assert "hunter2" not in response.text


# -- environments ----------------------------------------------------------------


def test_graphiql_is_served_in_dev(client: TestClient[Any]) -> None:
    response = client.get("/graphql")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()
    assert "<html" in response.text.lower()


@pytest.mark.parametrize(
    "settings",
    [{"env": "demo"}, {"env": "preprod"}, {"env": "prod", "secret_key": PROD_SECRET}],
)
def test_graphiql_is_off_outside_dev(
    sqlite_app: Callable[..., Application], client_for: ClientFor, settings: dict[str, Any]
) -> None:
    client = client_for(sqlite_app(**settings))
    response = client.get("/graphql")
    request_error(response, 404, "NOT_FOUND")
    assert "<html" not in response.text.lower()
    # POSTing operations still works.
    assert gql(client, "{ __typename }") == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("env", ["dev", "demo"])
def test_introspection_allowed_in_dev_and_demo(
    sqlite_app: Callable[..., Application], client_for: ClientFor, env: str
) -> None:
    client = client_for(sqlite_app(env=env))
    body = gql(client, INTROSPECTION)
    assert body == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    body = gql(client, '{ __type(name: "ProductNode") { name } }')
    assert body == {"data": {"__type": {"name": "ProductNode"}}}


@pytest.mark.parametrize(
    "settings", [{"env": "preprod"}, {"env": "prod", "secret_key": PROD_SECRET}]
)
def test_introspection_refused_in_preprod_and_prod(
    sqlite_app: Callable[..., Application], client_for: ClientFor, settings: dict[str, Any]
) -> None:
    client = client_for(sqlite_app(**settings))
    for query in (INTROSPECTION, '{ __type(name: "ProductNode") { name } }'):
        response = client.post("/graphql", json={"query": query})
        error = request_error(response, 400, "GRAPHQL_VALIDATION_FAILED")
        assert "introspection" in error["extensions"]["detail"].lower()
    # __typename is not introspection of the schema.
    assert gql(client, "{ __typename }") == {"data": {"__typename": "Query"}}


def test_introspection_can_be_forced_on_in_preprod(
    sqlite_app: Callable[..., Application], client_for: ClientFor
) -> None:
    client = client_for(sqlite_app(env="preprod", introspection=True))
    assert gql(client, INTROSPECTION) == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


# -- probes and headers ----------------------------------------------------------


def test_health(client: TestClient[Any]) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_with_the_database(make_app: AppFactory, client_for: ClientFor) -> None:
    client = client_for(make_app(["apps.catalog"]))
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_ready_is_503_when_the_database_is_down(client_for: ClientFor) -> None:
    app = Application(
        build_settings(
            installed_apps=["apps.catalog"],
            database_url="postgresql://postgres@127.0.0.1:1/x",
            database_pool_timeout=2,
        )
    )
    client = client_for(app)
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert "127.0.0.1" not in response.text
    # The process itself is still healthy.
    assert client.get("/health").status_code == 200


def test_database_down_during_an_operation_is_service_unavailable(
    client_for: ClientFor, graphql_log: list[logging.LogRecord]
) -> None:
    app = Application(
        build_settings(
            installed_apps=["apps.catalog"],
            database_url="postgresql://postgres@127.0.0.1:1/x",
            env="preprod",
        )
    )
    response = client_for(app).post("/graphql", json={"query": "{ allProductCategories { id } }"})
    (error,) = response.json()["errors"]
    assert error["message"] == error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert "127.0.0.1" not in response.text
    assert "psycopg" not in response.text
    assert any(r.levelno == logging.ERROR for r in graphql_log)


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("post", "/graphql", {"json": {"query": "{ __typename }"}}),
        ("post", "/graphql", {"json": {"query": "{ nope }"}}),
        ("post", "/graphql", {"content": b"x", "headers": {"content-type": "text/plain"}}),
        ("get", "/graphql", {}),
        ("get", "/health", {}),
        ("get", "/ready", {}),
        ("get", "/no/such/page", {}),
    ],
)
def test_security_headers_on_every_response(
    client: TestClient[Any], method: str, path: str, kwargs: dict[str, Any]
) -> None:
    response = getattr(client, method)(path, **kwargs)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (path, name, response.status_code)


def test_unknown_path_is_a_json_404(client: TestClient[Any]) -> None:
    request_error(client.get("/no/such/page"), 404, "NOT_FOUND")


def test_wrong_method_is_405(client: TestClient[Any]) -> None:
    request_error(client.delete("/graphql"), 405, "METHOD_NOT_ALLOWED")


def test_custom_graphql_path(sqlite_app: Callable[..., Application], client_for: ClientFor) -> None:
    client = client_for(sqlite_app(graphql_path="/api/graphql/"))
    response = client.post("/api/graphql", json={"query": "{ __typename }"})
    assert response.json() == {"data": {"__typename": "Query"}}
    assert client.post("/graphql", json={"query": "{ __typename }"}).status_code == 404


def test_wrong_method_names_the_allowed_ones(client: TestClient[Any]) -> None:
    for method in ("put", "patch", "delete", "head"):
        response = client.request(method.upper(), "/graphql")
        assert response.status_code == 405, method
        assert response.headers["allow"] == "GET, OPTIONS, POST"
        if method != "head":
            request_error(response, 405, "METHOD_NOT_ALLOWED")
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value


def test_options_without_cors_lists_the_methods(client: TestClient[Any]) -> None:
    response = client.options("/graphql")
    assert response.status_code == 204
    assert response.headers["allow"] == "GET, OPTIONS, POST"
    assert response.content == b""


# -- the body limit, read by hand ----------------------------------------------------


def _asgi_post(asgi: Any, headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> Any:
    """POST /graphql straight through ASGI; returns (status, headers, body, chunks read)."""
    import asyncio

    async def run() -> Any:
        pending = list(chunks)
        read = 0

        async def receive() -> dict[str, Any]:
            nonlocal read
            if not pending:
                await asyncio.sleep(3600)
            read += 1
            body = pending.pop(0)
            return {"type": "http.request", "body": body, "more_body": bool(pending)}

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
            "headers": [(b"host", b"testserver"), *headers],
            "client": ("127.0.0.1", 4000),
            "server": ("testserver", 80),
            "state": {},
        }
        await asgi(scope, receive, send)
        start, *rest = sent
        body = b"".join(message.get("body", b"") for message in rest)
        return start["status"], dict(start["headers"]), json.loads(body), read

    return asyncio.run(run())


def test_announced_content_length_over_the_limit_is_refused_unread(
    sqlite_app: Callable[..., Application],
) -> None:
    asgi = sqlite_app(request_max_body_size=200).asgi()
    json_type = (b"content-type", b"application/json")
    status, headers, body, read = _asgi_post(
        asgi, [json_type, (b"content-length", b"5000")], [b'{"query": "{ __typename }"}']
    )
    assert (status, read) == (413, 0)
    assert body["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert headers[b"content-type"] == b"application/json"
    assert int(headers[b"content-length"]) == len(json.dumps(body, separators=(",", ":")))
    # An unreadable Content-Length is a bad request, as Litestar words it.
    status, _, body, _ = _asgi_post(asgi, [json_type, (b"content-length", b"abc")], [b"{}"])
    assert status == 400
    assert body["errors"][0]["extensions"]["detail"] == "Invalid content-length: 'abc'"
    # A body in several chunks is read whole; past the limit it stops at the chunk that
    # crosses it.
    parts = [b'{"query": ', b'"{ __typename }"}']
    status, _, body, _ = _asgi_post(asgi, [json_type], parts)
    assert (status, body) == (200, {"data": {"__typename": "Query"}})
    status, _, body, read = _asgi_post(asgi, [json_type], [b" " * 150] * 5)
    assert (status, read) == (413, 2)


# -- HTTP_EXECUTION ------------------------------------------------------------------


def _record_loop_thread(monkeypatch: pytest.MonkeyPatch, application: Application) -> list[bool]:
    """Spies on the executor: for each operation, whether it ran on the event loop thread."""
    import asyncio

    on_loop: list[bool] = []
    executor = application.executor
    execute = executor.execute

    def spy(payload: Any, context: Any) -> Any:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            on_loop.append(False)
        else:
            on_loop.append(True)
        return execute(payload, context)

    monkeypatch.setattr(executor, "execute", spy)
    return on_loop


_SAME_ANSWER_QUERIES = [
    "{ __typename }",
    "{ allProductCategories { id } }",
    "{ nope }",
    "mutation { nope }",
    "query($id: ID!) { product(id: $id) { id } }",
]


def test_http_execution_modes_give_the_same_answers(
    sqlite_app: Callable[..., Application],
    client_for: ClientFor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``inline`` runs operations on the event loop thread, ``threads`` off it; the
    answers are the same."""
    answers = {}
    for mode, on_loop in (("inline", True), ("threads", False)):
        application = sqlite_app(http_execution=mode)
        assert application.settings.http_execution == mode
        seen = _record_loop_thread(monkeypatch, application)
        client = client_for(application)
        responses = [
            client.post("/graphql", json={"query": query}) for query in _SAME_ANSWER_QUERIES
        ]
        answers[mode] = [(r.status_code, r.json()) for r in responses]
        assert seen == [on_loop] * len(_SAME_ANSWER_QUERIES)
    assert answers["inline"] == answers["threads"]
    assert [status for status, _ in answers["inline"]] == [200, 200, 400, 400, 200]


def test_http_execution_is_inline_by_default_and_checked(tmp_path: Path) -> None:
    from lys import ImproperlyConfigured, load_settings

    assert build_settings().http_execution == "inline"
    with pytest.raises(ImproperlyConfigured, match=r"HTTP_EXECUTION.*'inline' or 'threads'"):
        load_settings(None, environ={"LYS_HTTP_EXECUTION": "async"}, env_file=None)

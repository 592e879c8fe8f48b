"""HTTP clients against an application, and GraphQL answers turned into data or errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar.testing import TestClient

if TYPE_CHECKING:
    from lys.application import Application

#: HTTPS, so that ``Secure`` cookies (the session cookies) come back like in a browser.
HTTPS_BASE_URL = "https://testserver.local"


class GraphQLOperationError(AssertionError):
    """The operation answered errors; ``code`` is the first one's ``extensions.code``.

    ``str()`` starts with the code, so ``pytest.raises(GraphQLOperationError,
    match="NOT_FOUND")`` works too.
    """

    def __init__(self, body: dict[str, Any], status_code: int) -> None:
        self.body = body
        self.status_code = status_code
        self.errors: list[dict[str, Any]] = list(body.get("errors") or [])
        self.data: Any = body.get("data")
        first = self.errors[0] if self.errors else {}
        self.code: str | None = (first.get("extensions") or {}).get("code")
        self.message: str = str(first.get("message", ""))
        detail = (first.get("extensions") or {}).get("detail") or self.message
        more = f" (+{len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        super().__init__(f"{self.code}: {detail}{more} [HTTP {status_code}]")


def open_client(application: Application, base_url: str | None = None) -> TestClient[Any]:
    """A started client (lifespan run); close it with ``client.__exit__(None, None, None)``."""
    options: dict[str, Any] = {"base_url": base_url} if base_url else {}
    client: TestClient[Any] = TestClient(application.asgi(), **options)
    client.__enter__()
    return client


class ClientPool:
    """Clients opened during one test, all closed by :meth:`close`."""

    def __init__(self, base_url: str | None = None) -> None:
        self.base_url = base_url
        self.clients: list[TestClient[Any]] = []

    def __call__(self, application: Application) -> TestClient[Any]:
        client = open_client(application, self.base_url)
        self.clients.append(client)
        return client

    def close(self) -> None:
        while self.clients:
            self.clients.pop().__exit__(None, None, None)


def post_graphql(
    client: TestClient[Any],
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any]]:
    """POST an operation; returns the HTTP status and the decoded body."""
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    response = client.post("/graphql", json=payload, headers=headers or {})
    try:
        body = response.json()
    except ValueError:
        raise AssertionError(
            f"/graphql answered HTTP {response.status_code} without JSON: {response.text[:500]}"
        ) from None
    return response.status_code, body


def data_or_raise(status_code: int, body: dict[str, Any]) -> Any:
    """The answer's ``data``; :class:`GraphQLOperationError` when it holds errors."""
    if body.get("errors"):
        raise GraphQLOperationError(body, status_code)
    return body.get("data")

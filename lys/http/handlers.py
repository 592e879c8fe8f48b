"""The HTTP endpoints: GraphQL, the GraphiQL page and the health probes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from litestar import Request, Response, get, post
from litestar.exceptions import ClientException
from sqlalchemy import text

from lys.errors import LysError
from lys.graphql.context import RequestContext
from lys.graphql.errors import request_error

if TYPE_CHECKING:
    from lys.application import Application

_JSON_TYPES = ("application/json", "application/graphql-response+json")


def _application(request: Request[Any, Any, Any]) -> Application:
    return request.app.state["lys"]


def _limiter(request: Request[Any, Any, Any]) -> anyio.CapacityLimiter:
    return request.app.state["lys_limiter"]


def _error_response(status: int, code: str, detail: str) -> Response[dict[str, Any]]:
    return Response({"errors": [request_error(code, detail)]}, status_code=status)


async def graphql_endpoint(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """Reads the body here; the operation itself runs synchronously in a worker thread."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in _JSON_TYPES:
        return _error_response(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "Send the operation as JSON (Content-Type: application/json).",
        )
    try:
        body = await request.body()
    except ClientException as exc:
        code = "PAYLOAD_TOO_LARGE" if exc.status_code == 413 else "BAD_REQUEST"
        return _error_response(exc.status_code, code, str(exc.detail))
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return _error_response(400, "BAD_REQUEST", f"The body is not valid JSON: {exc}.")
    application = _application(request)
    context = RequestContext(
        settings=application.settings,
        registry=application.registry,
        engine=application.engine,
        request=request,
    )
    status, result = await anyio.to_thread.run_sync(
        _authenticate_and_execute, application, payload, context, limiter=_limiter(request)
    )
    response = Response(result, status_code=status)
    _apply_cookies(response, context)
    return response


def _authenticate_and_execute(
    application: Application, payload: Any, context: RequestContext
) -> tuple[int, dict[str, Any]]:
    """In the worker thread: who is calling (may touch Redis or the database), then run."""
    try:
        context.authenticate()
    except LysError as exc:
        context.finish(False)
        error = {"message": exc.code, "extensions": exc.extensions}
        return exc.status_code, {"errors": [error]}
    return application.executor.execute(payload, context)


def _apply_cookies(response: Response[Any], context: RequestContext) -> None:
    for name, cookie in context.response_cookies.items():
        if cookie is None:
            response.delete_cookie(name, path="/", domain=context.settings.cookie_domain)
        else:
            response.set_cookie(cookie)


async def graphiql_page(request: Request[Any, Any, Any]) -> Response[Any]:
    if not _application(request).settings.graphiql:
        return _error_response(
            404, "NOT_FOUND", "GraphiQL is off in this environment; POST operations as JSON."
        )
    return Response(request.app.state["lys_graphiql_html"], media_type="text/html")


@get("/health", sync_to_thread=False)
def health() -> dict[str, str]:
    """The process is up; says nothing about its dependencies."""
    return {"status": "ok"}


@get("/ready")
async def ready(request: Request[Any, Any, Any]) -> Response[dict[str, str]]:
    """The process can serve: the database answers."""
    application = _application(request)

    def ping_database() -> None:
        with application.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    try:
        await anyio.to_thread.run_sync(ping_database, limiter=_limiter(request))
    except Exception:
        return Response(
            {"status": "unavailable", "detail": "The database does not answer."}, status_code=503
        )
    return Response({"status": "ready"})


def graphql_routes(path: str) -> list[Any]:
    return [
        post(path, name="graphql")(graphql_endpoint),
        get(path, name="graphiql", include_in_schema=False)(graphiql_page),
    ]

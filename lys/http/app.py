"""The Litestar application factory."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import anyio
from ariadne.explorer import ExplorerGraphiQL
from litestar import Litestar, Request, Response
from litestar.datastructures import MutableScopeHeaders, State
from litestar.exceptions import HTTPException
from litestar.types import Message, Scope

from lys.graphql.errors import request_error
from lys.http.handlers import graphql_routes, health, ready

if TYPE_CHECKING:
    from lys.application import Application

logger = logging.getLogger("lys.http")

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


def create_asgi_app(application: Application) -> Litestar:
    settings = application.settings
    # Fail at start, not at the first request, when the schema or the apps are broken.
    application.executor  # noqa: B018

    def start_threads(app: Litestar) -> None:
        app.state["lys_limiter"] = anyio.CapacityLimiter(settings.http_thread_pool_size)

    def stop(_app: Litestar) -> None:
        application.dispose()

    return Litestar(
        route_handlers=[*graphql_routes(settings.graphql_path), health, ready],
        state=State(
            {
                "lys": application,
                "lys_graphiql_html": ExplorerGraphiQL(title="Lys GraphiQL").html(None),
            }
        ),
        on_startup=[start_threads],
        on_shutdown=[stop],
        before_send=[_security_headers],
        exception_handlers={HTTPException: _http_error},
        request_max_body_size=settings.request_max_body_size,
        debug=False,
        openapi_config=None,
    )


def _http_error(_request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    codes = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}
    code = codes.get(exc.status_code, "BAD_REQUEST" if exc.status_code < 500 else "INTERNAL_ERROR")
    detail = exc.detail if exc.status_code < 500 else "An unexpected error occurred."
    return Response({"errors": [request_error(code, detail)]}, status_code=exc.status_code)


async def _security_headers(message: Message, _scope: Scope) -> None:
    if message["type"] == "http.response.start":
        headers = MutableScopeHeaders.from_message(message)
        for name, value in SECURITY_HEADERS.items():
            if name not in headers:
                headers[name] = value

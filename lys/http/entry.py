"""The GraphQL route's short way in.

Litestar takes every request through its whole stack: the exception middleware, the
router (host check, route lookup), the middleware of the app (the rate limit), the
route, and every message back through two send wrappers (errors, ``before_send``).
For ``POST`` on the GraphQL path, the route that carries the traffic, the work that
stack does is known and small: check the host, count the request, run the endpoint,
add the security headers, answer an unexpected error. :class:`LysLitestar` does that
work itself for such requests (about a tenth of a small operation's CPU time) and
hands everything else to Litestar: other paths and methods, lifespan events, and the
POSTs it cannot vouch for (an ``Origin`` when CORS is configured, a root path, a host
header Litestar would refuse).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from litestar import Litestar
from litestar._asgi.utils import is_valid_host
from litestar.exceptions import HTTPException
from litestar.types import Message, Receive, Scope, Send

from lys.graphql.errors import INTERNAL_ERROR, unexpected_extensions
from lys.http.handlers import error_body, send_json

if TYPE_CHECKING:
    from lys.http.handlers import GraphQLEndpoint
    from lys.http.rate_limit import RateLimitMiddleware

logger = logging.getLogger("lys.http")


class GraphQLEntry:
    """Serves ``POST <GRAPHQL_PATH>`` as the Litestar stack would, without it."""

    def __init__(
        self,
        path: str,
        endpoint: GraphQLEndpoint,
        *,
        rate_limit: RateLimitMiddleware | None,
        cors: bool,
    ) -> None:
        self.path = path
        self.endpoint = endpoint
        self.rate_limit = rate_limit
        self.cors = cors
        #: The route's handler, as Litestar's router puts it in the scope.
        self.route_handler: Any = None

    def takes(self, scope: Scope) -> bool:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"  # type: ignore[typeddict-item]
            or scope["path"] != self.path
            or scope.get("root_path")
        ):
            return False
        for name, value in scope["headers"]:
            if name == b"host":
                if not is_valid_host(value):
                    return False
            elif name == b"origin" and self.cors:
                return False
        return True

    async def serve(self, app: Litestar, scope: Any, receive: Receive, send: Send) -> None:
        # What Litestar's entry and router leave in the scope for the handler.
        scope["app"] = scope["litestar_app"] = app
        scope.setdefault("state", {})
        scope.setdefault("path_params", {})
        scope["route_handler"] = self.route_handler
        scope["path_template"] = self.path
        hooks = app.before_send
        started = False

        async def send_out(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            for hook in hooks:
                await hook(message, scope)
            await send(message)

        try:
            if self.rate_limit is not None:
                await self.rate_limit.handle(scope, receive, send_out, self.endpoint.handle)
            else:
                await self.endpoint.handle(scope, receive, send_out)
        except Exception as exc:
            if started:
                raise  # nothing can be answered any more: the server closes the response
            if isinstance(exc, HTTPException):
                await send_json(send_out, exc.status_code, http_error_body(exc))
            else:
                where = f"{scope['method']} {scope['path']}"
                await send_json(send_out, 500, internal_error_body(exc, where))


def http_error_body(exc: HTTPException) -> dict[str, Any]:
    """The answer to an HTTP error Litestar or a handler raised (not logged: the
    client's doing, or the client gone)."""
    codes = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}
    code = codes.get(exc.status_code, "BAD_REQUEST" if exc.status_code < 500 else INTERNAL_ERROR)
    detail = exc.detail if exc.status_code < 500 else "An unexpected error occurred."
    return error_body(code, detail)


def internal_error_body(exc: BaseException, where: str) -> dict[str, Any]:
    """The answer to an exception no handler expected (``where``: the request), in the
    shape of GraphQL's INTERNAL_ERROR: the stack goes to the log under a fresh id, the
    client gets the id only."""
    extensions = unexpected_extensions(
        exc, INTERNAL_ERROR, "An unexpected error occurred.", where=where, log=logger
    )
    return {"errors": [{"message": INTERNAL_ERROR, "extensions": extensions}]}


class LysLitestar(Litestar):
    """Litestar, with the GraphQL route's short way in (see the module docstring)."""

    graphql_entry: GraphQLEntry | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        entry = self.graphql_entry
        if entry is not None and entry.takes(scope):
            await entry.serve(self, scope, receive, send)
            return
        await super().__call__(scope, receive, send)

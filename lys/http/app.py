"""The Litestar application factory."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import anyio
from ariadne.explorer import ExplorerGraphiQL
from litestar import Litestar, Request, Response
from litestar.datastructures import State
from litestar.exceptions import HTTPException

from lys.http.client_ip import ClientAddressResolver
from lys.http.cors import cors_config
from lys.http.entry import GraphQLEntry, LysLitestar, http_error_body, internal_error_body
from lys.http.handlers import GraphQLEndpoint, graphql_routes, health, ready
from lys.http.jwks import jwks
from lys.http.rate_limit import (
    KEY_PREFIX,
    Clock,
    RateLimitMiddleware,
    RateLimitStore,
    build_rate_limiter,
)
from lys.http.security import SecurityHeaders

if TYPE_CHECKING:
    from lys.application import Application

logger = logging.getLogger("lys.http")


def create_asgi_app(
    application: Application,
    *,
    clock: Clock | None = None,
    rate_limit_store: RateLimitStore | None = None,
    rate_limit_key_prefix: str = KEY_PREFIX,
) -> Litestar:
    """The ASGI application; ``clock`` and the rate-limit store are for tests."""
    settings = application.settings
    # Fail at start, not at the first request, when the schema or the apps are broken.
    application.executor  # noqa: B018
    # ... or when the HTTP settings are (wildcard CORS origins, bad proxy networks).
    cors = cors_config(settings.cors_allowed_origins)
    resolver = ClientAddressResolver(settings.trusted_proxies)
    limiter = build_rate_limiter(
        per_minute=settings.rate_limit_per_minute,
        service_per_minute=settings.rate_limit_service_per_minute,
        redis_url=settings.redis_url,
        clock=clock,
        store=rate_limit_store,
        key_prefix=rate_limit_key_prefix,
    )
    graphiql_html = ExplorerGraphiQL(title="Lys GraphiQL").html(None)
    endpoint = GraphQLEndpoint(
        application, graphiql_html=graphiql_html if settings.graphiql else None
    )

    def start_threads(app: Litestar) -> None:
        # Operations (HTTP_EXECUTION=threads) and /ready run in these threads.
        app.state["lys_limiter"] = endpoint.limiter = anyio.CapacityLimiter(
            settings.http_thread_pool_size
        )
        # Says once how jobs run when that needs attention (dev without Redis, ...).
        application.jobs.announce()
        for hook in application.registry.server_hooks:
            hook(application)

    async def stop(_app: Litestar) -> None:
        try:
            if limiter is not None:
                await limiter.aclose()
        finally:
            application.dispose()

    rate_limit = RateLimitMiddleware(limiter, resolver) if limiter is not None else None
    app = LysLitestar(
        route_handlers=[*graphql_routes(settings.graphql_path, endpoint), health, ready, jwks],
        state=State(
            {
                "lys": application,
                "lys_graphiql_html": graphiql_html,
                "lys_client_address": resolver,
                "lys_rate_limiter": limiter,
            }
        ),
        on_startup=[start_threads],
        on_shutdown=[stop],
        before_send=[
            SecurityHeaders(
                resolver,
                graphql_path=settings.graphql_path,
                graphiql_html=graphiql_html if settings.graphiql else None,
            )
        ],
        cors_config=cors,
        middleware=[rate_limit] if rate_limit is not None else [],
        exception_handlers={HTTPException: _http_error, Exception: _unexpected_error},
        request_max_body_size=settings.request_max_body_size,
        debug=False,
        openapi_config=None,
        # Lys configures logging itself (LOG_LEVEL); Litestar would reset the root logger.
        logging_config=None,
    )
    entry = GraphQLEntry(
        settings.graphql_path, endpoint, rate_limit=rate_limit, cors=cors is not None
    )
    entry.route_handler = app.get_handler_index_by_name("graphql")["handler"]  # type: ignore[index]
    app.graphql_entry = entry
    return app


def _unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    where = f"{request.method} {request.url.path}"
    return Response(internal_error_body(exc, where), status_code=500)


def _http_error(_request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    return Response(http_error_body(exc), status_code=exc.status_code)

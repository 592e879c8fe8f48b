"""The HTTP endpoints: GraphQL, the GraphiQL page and the health probes.

The GraphQL path is one plain ASGI route (:class:`GraphQLEndpoint`): it reads the body
from ``receive`` itself and sends its answer as two ASGI messages, without Litestar's
per-request machinery (signature model, response objects). Litestar still routes,
runs the middleware (rate limits, CORS) and the ``before_send`` hook (security
headers), and turns exceptions into error responses.

``HTTP_EXECUTION`` says where the (synchronous) operation runs: ``inline`` on the event
loop thread, one at a time per process; ``threads`` in a worker thread, at most
``HTTP_THREAD_POOL_SIZE`` at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anyio.to_thread
import msgspec
from litestar import Request, Response, asgi, get
from litestar.datastructures import Cookie
from litestar.exceptions import ClientException, InternalServerException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.serialization import encode_json
from litestar.types import Receive, Scope, Send
from sqlalchemy import text

from lys.errors import LysError
from lys.graphql.context import RequestContext
from lys.graphql.errors import request_error

if TYPE_CHECKING:
    from lys.application import Application

_JSON_TYPES = ("application/json", "application/graphql-response+json")
#: What the GraphQL path answers to (``Allow`` of its 405 and OPTIONS responses).
ALLOWED_METHODS = ("GET", "OPTIONS", "POST")
_ALLOW = (b"allow", ", ".join(ALLOWED_METHODS).encode())
_JSON_CONTENT_TYPE = (b"content-type", b"application/json")
_HTML_CONTENT_TYPE = (b"content-type", b"text/html; charset=utf-8")
_GRAPHIQL_OFF = "GraphiQL is off in this environment; POST operations as JSON."
_NOT_JSON = "Send the operation as JSON (Content-Type: application/json)."


def _application(request: Request[Any, Any, Any]) -> Application:
    return request.app.state["lys"]


def _limiter(request: Request[Any, Any, Any]) -> anyio.CapacityLimiter:
    return request.app.state["lys_limiter"]


def error_body(code: str, detail: str) -> dict[str, Any]:
    return {"errors": [request_error(code, detail)]}


class GraphQLEndpoint:
    """The ASGI app of the GraphQL path: GET serves GraphiQL, POST runs an operation."""

    def __init__(self, application: Application, *, graphiql_html: str | None) -> None:
        settings = application.settings
        self.application = application
        self.max_body_size = settings.request_max_body_size
        self.inline = settings.http_execution == "inline"
        #: The worker threads' limiter (``threads``), set when the application starts.
        self.limiter: anyio.CapacityLimiter | None = None
        self.graphiql_body = graphiql_html.encode() if graphiql_html is not None else None

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]  # type: ignore[typeddict-item]
        if method == "POST":
            await self.post(scope, receive, send)
        elif method == "GET":
            await self.graphiql(send)
        elif method == "OPTIONS":
            await _send(send, 204, [_ALLOW], b"")
        else:
            body = error_body("METHOD_NOT_ALLOWED", "Method Not Allowed")
            await send_json(send, 405, body, [_ALLOW])

    async def graphiql(self, send: Send) -> None:
        if self.graphiql_body is None:
            await send_json(send, 404, error_body("NOT_FOUND", _GRAPHIQL_OFF))
            return
        body = self.graphiql_body
        headers = [_HTML_CONTENT_TYPE, (b"content-length", str(len(body)).encode())]
        await _send(send, 200, headers, body)

    async def post(self, scope: Scope, receive: Receive, send: Send) -> None:
        content_type: bytes | None = None
        content_length: bytes | None = None
        for name, value in scope["headers"]:
            lowered = name.lower()
            if lowered == b"content-type":
                if content_type is None:
                    content_type = value
            elif lowered == b"content-length" and content_length is None:
                content_length = value
        media_type = (content_type or b"").decode("latin-1").split(";")[0].strip().lower()
        if media_type not in _JSON_TYPES:
            await send_json(send, 415, error_body("UNSUPPORTED_MEDIA_TYPE", _NOT_JSON))
            return
        try:
            body = await self.read_body(receive, content_length)
        except ClientException as exc:
            code = "PAYLOAD_TOO_LARGE" if exc.status_code == 413 else "BAD_REQUEST"
            await send_json(send, exc.status_code, error_body(code, str(exc.detail)))
            return
        try:
            payload = _decode_json(body)
        except (msgspec.DecodeError, UnicodeDecodeError) as exc:
            detail = f"The body is not valid JSON: {exc}."
            await send_json(send, 400, error_body("BAD_REQUEST", detail))
            return
        application = self.application
        request: Request[Any, Any, Any] = Request(scope, receive, send)
        context = RequestContext(
            settings=application.settings,
            registry=application.registry,
            engine=application.engine,
            request=request,
        )
        if self.inline:
            # One request at a time on this thread: it may borrow the kept connection.
            context.kept_connection = application.kept_connection
            status, result = _authenticate_and_execute(application, payload, context)
        else:
            status, result = await anyio.to_thread.run_sync(
                _authenticate_and_execute, application, payload, context, limiter=self.limiter
            )
        cookies = context.response_cookies
        extra = _cookie_headers(cookies, application.settings.cookie_domain) if cookies else None
        await send_json(send, status, result, extra)

    async def read_body(self, receive: Receive, content_length: bytes | None) -> bytes:
        """The whole body, refused (413) past ``REQUEST_MAX_BODY_SIZE``.

        The same checks, errors and messages as Litestar's ``Request.body()``: an
        announced ``Content-Length`` over the limit is refused before reading anything.
        """
        limit = self.max_body_size
        if content_length is not None:
            header = content_length.decode("latin-1")
            try:
                announced = int(header)
            except ValueError:
                raise ClientException(f"Invalid content-length: {header!r}") from None
            if announced > limit:
                raise RequestEntityTooLarge
        chunks: list[bytes] = []
        total = 0
        while event := await receive():
            if event["type"] == "http.request":
                chunk = event["body"]
                if chunk:
                    total += len(chunk)
                    if total > limit:
                        raise RequestEntityTooLarge
                    chunks.append(chunk)
                if not event.get("more_body", False):
                    break
            if event["type"] == "http.disconnect":
                raise InternalServerException("client disconnected prematurely")
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _authenticate_and_execute(
    application: Application, payload: Any, context: RequestContext
) -> tuple[int, dict[str, Any]]:
    """Who is calling (may touch Redis or the database), then run the operation."""
    try:
        context.authenticate()
    except LysError as exc:
        context.finish(False)
        error = {"message": exc.code, "extensions": exc.extensions}
        return exc.status_code, {"errors": [error]}
    return application.executor.execute(payload, context)


_decode_json = msgspec.json.Decoder().decode


def _cookie_headers(
    response_cookies: dict[str, Cookie | None], cookie_domain: str | None
) -> list[tuple[bytes, bytes]]:
    """``Set-Cookie`` headers, as ``Response.set_cookie`` / ``delete_cookie`` write them."""
    cookies: list[Cookie] = []
    for name, cookie in response_cookies.items():
        if cookie is None:
            deleted = Cookie(key=name, path="/", domain=cookie_domain, expires=0, max_age=0)
            cookies = [kept for kept in cookies if kept != deleted]
            cookies.append(deleted)
        else:
            cookies.append(cookie)
    return [cookie.to_encoded_header() for cookie in cookies if not cookie.documentation_only]


async def send_json(
    send: Send,
    status: int,
    content: Any,
    extra_headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """A JSON answer, encoded as Litestar's ``Response`` encodes it (msgspec)."""
    body = encode_json(content)
    headers = [_JSON_CONTENT_TYPE, (b"content-length", str(len(body)).encode())]
    if extra_headers:
        headers.extend(extra_headers)
    await _send(send, status, headers, body)


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


@get("/health", sync_to_thread=False)
def health() -> dict[str, str]:
    """The process is up; says nothing about its dependencies."""
    return {"status": "ok"}


@get("/ready")
async def ready(request: Request[Any, Any, Any]) -> Response[dict[str, str]]:
    """The process can serve: the database answers (asked from a worker thread, so a
    database that does not answer never stalls the event loop)."""
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


def graphql_routes(path: str, endpoint: GraphQLEndpoint) -> list[Any]:
    return [asgi(path, name="graphql", copy_scope=False)(endpoint.handle)]

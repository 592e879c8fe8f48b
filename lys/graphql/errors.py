"""Turns everything that can go wrong in an operation into the error shape clients expect.

``message`` and ``extensions.code`` carry the same stable code, ``extensions.status_code``
the HTTP-like status and ``extensions.detail`` what to do. Unexpected failures never
show their message, stack or SQL outside debug mode; they carry an ``error_id`` that
is also in the log line with the stack.
"""

from __future__ import annotations

import logging
import re
import traceback
import uuid
from typing import Any

import pydantic
from graphql import GraphQLError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from lys.errors import LysError

logger = logging.getLogger("lys.graphql")

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
BAD_USER_INPUT = "BAD_USER_INPUT"
INTERNAL_ERROR = "INTERNAL_ERROR"

STATUS_CODES = {
    "BAD_REQUEST": 400,
    PARSE_FAILED: 400,
    VALIDATION_FAILED: 400,
    QUERY_TOO_COMPLEX: 400,
    BAD_USER_INPUT: 400,
    "VALIDATION_ERROR": 400,
    "INVALID_CURSOR": 400,
    "ACCESS_DENIED_ERROR": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "METHOD_NOT_ALLOWED": 405,
    "CONFLICT": 409,
    "PAYLOAD_TOO_LARGE": 413,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    INTERNAL_ERROR: 500,
    "SERVICE_UNAVAILABLE": 503,
}
_SUGGESTION = re.compile(r"\s*Did you mean .*\?$")


def error_extensions(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "status_code": STATUS_CODES.get(code, 400), "detail": detail, **extra}


def request_error(code: str, detail: str) -> dict[str, Any]:
    """An error about the request itself, before any GraphQL runs."""
    return {"message": code, "extensions": error_extensions(code, detail)}


def format_error(
    error: GraphQLError,
    *,
    code: str | None = None,
    debug: bool = False,
    suggestions: bool = True,
) -> dict[str, Any]:
    original = error.original_error
    extensions: dict[str, Any]
    if isinstance(original, LysError):
        extensions = dict(original.extensions)
    elif isinstance(original, pydantic.ValidationError):
        extensions = error_extensions(
            "VALIDATION_ERROR",
            "The input is not valid; see fields.",
            fields=[
                {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                for e in original.errors()
            ],
        )
    elif isinstance(original, IntegrityError):
        extensions = error_extensions(
            "CONFLICT",
            "The change conflicts with existing data (a duplicate or a missing related row).",
        )
    elif isinstance(original, DataError):
        # A value the database cannot take (a NUL character or a number out of range on
        # PostgreSQL): the client's input, not a failure of the server.
        logger.warning("the database refused a value: %s", str(original.orig).strip())
        extensions = error_extensions(
            "VALIDATION_ERROR",
            "A value is out of range or holds characters the database cannot store.",
        )
    elif isinstance(original, OperationalError) and _is_disconnect(original):
        extensions = _unexpected(error, "SERVICE_UNAVAILABLE", "The database is unavailable.")
    elif isinstance(original, GraphQLError) and original.original_error is None:
        # A GraphQLError raised on purpose, e.g. by a scalar parser.
        detail = original.message if suggestions else _SUGGESTION.sub("", original.message)
        extensions = error_extensions(code or BAD_USER_INPUT, detail)
    elif original is not None:
        extensions = _unexpected(error, INTERNAL_ERROR, "An unexpected error occurred.")
        if debug:
            extensions["debug"] = {
                "exception": f"{type(original).__name__}: {original}",
                "traceback": traceback.format_exception(original),
            }
    else:
        detail = error.message if suggestions else _SUGGESTION.sub("", error.message)
        extensions = error_extensions(code or BAD_USER_INPUT, detail)
    formatted: dict[str, Any] = {"message": extensions["code"]}
    if error.locations:
        formatted["locations"] = [
            {"line": loc.line, "column": loc.column} for loc in error.locations
        ]
    if error.path:
        formatted["path"] = list(error.path)
    formatted["extensions"] = extensions
    return formatted


def _unexpected(error: GraphQLError, code: str, detail: str) -> dict[str, Any]:
    where = ".".join(str(p) for p in error.path or ()) or "operation"
    return unexpected_extensions(error.original_error, code, detail, where=where, log=logger)


def unexpected_extensions(
    exc: BaseException | None,
    code: str,
    detail: str,
    *,
    where: str,
    log: logging.Logger = logger,
) -> dict[str, Any]:
    """Log a failure with its stack under a fresh id, and give the client only the id."""
    error_id = uuid.uuid4().hex
    log.error(
        "unexpected error %s in %s: %s",
        error_id,
        where,
        exc,
        exc_info=(type(exc), exc, exc.__traceback__) if exc else None,
    )
    return error_extensions(
        code, f"{detail} Quote error id {error_id} when reporting it.", error_id=error_id
    )


def _is_disconnect(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return exc.connection_invalidated or any(
        hint in text for hint in ("connection refused", "could not connect", "server closed")
    )

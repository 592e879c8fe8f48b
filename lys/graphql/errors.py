"""Turns everything that can go wrong in an operation into the error shape clients expect.

``message`` and ``extensions.code`` carry the same stable code; ``extensions.detail``
says what to do. Unexpected failures never show their message, stack or SQL outside
debug mode.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

import pydantic
from graphql import GraphQLError
from sqlalchemy.exc import IntegrityError, OperationalError

from lys.errors import LysError

logger = logging.getLogger("lys.graphql")

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT = "BAD_USER_INPUT"
INTERNAL_ERROR = "INTERNAL_ERROR"


def request_error(code: str, detail: str) -> dict[str, Any]:
    """An error about the request itself, before any GraphQL runs."""
    return {"message": code, "extensions": {"code": code, "detail": detail}}


def format_error(error: GraphQLError, *, code: str | None = None, debug: bool = False) -> dict:
    original = error.original_error
    extensions: dict[str, Any]
    if isinstance(original, LysError):
        extensions = dict(original.extensions)
    elif isinstance(original, pydantic.ValidationError):
        extensions = {
            "code": "VALIDATION_ERROR",
            "detail": "The input is not valid; see fields.",
            "fields": [
                {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                for e in original.errors()
            ],
        }
    elif isinstance(original, IntegrityError):
        extensions = {
            "code": "CONFLICT",
            "detail": "The change conflicts with existing data (a duplicate or a missing "
            "related row).",
        }
    elif isinstance(original, OperationalError) and _is_disconnect(original):
        _log_unexpected(error)
        extensions = {"code": "SERVICE_UNAVAILABLE", "detail": "The database is unavailable."}
    elif isinstance(original, GraphQLError) and original.original_error is None:
        # A GraphQLError raised on purpose, e.g. by a scalar parser.
        extensions = {"code": code or BAD_USER_INPUT, "detail": original.message}
    elif original is not None:
        _log_unexpected(error)
        extensions = {"code": INTERNAL_ERROR, "detail": "An unexpected error occurred."}
        if debug:
            extensions["debug"] = {
                "exception": f"{type(original).__name__}: {original}",
                "traceback": traceback.format_exception(original),
            }
    else:
        extensions = {"code": code or BAD_USER_INPUT, "detail": error.message}
    formatted: dict[str, Any] = {"message": extensions["code"]}
    if error.locations:
        formatted["locations"] = [
            {"line": loc.line, "column": loc.column} for loc in error.locations
        ]
    if error.path:
        formatted["path"] = list(error.path)
    formatted["extensions"] = extensions
    return formatted


def _log_unexpected(error: GraphQLError) -> None:
    original = error.original_error
    logger.error(
        "unexpected error in %s: %s",
        ".".join(str(p) for p in error.path or ()) or "operation",
        original,
        exc_info=(type(original), original, original.__traceback__) if original else None,
    )


def _is_disconnect(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return exc.connection_invalidated or any(
        hint in text for hint in ("connection refused", "could not connect", "server closed")
    )

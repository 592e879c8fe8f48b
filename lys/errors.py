"""Errors users can hit, each with a stable code.

Clients of the framework Lys grew from read the code both from ``message`` and from
``extensions.code``; ``detail`` is the sentence a person reads to fix the problem.
"""

from __future__ import annotations

from typing import Any


class ImproperlyConfigured(Exception):
    """The project cannot start: bad settings, a broken app, an invalid schema."""


class LysError(Exception):
    """An error a client can act on; turned into a GraphQL error with its code."""

    code: str = "INTERNAL_ERROR"
    default_detail: str = "An unexpected error occurred."
    #: The HTTP-like status clients of the upstream framework read in extensions.
    status_code: int = 500

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        extensions: dict[str, Any] | None = None,
    ) -> None:
        self.code = code or self.code
        self.detail = detail or self.default_detail
        self.extra = dict(extensions or {})
        super().__init__(self.detail)

    @property
    def extensions(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "status_code": self.status_code,
            "detail": self.detail,
            **self.extra,
        }


class NotFoundError(LysError):
    code = "NOT_FOUND"
    default_detail = "The requested object does not exist."
    status_code = 404


class ValidationError(LysError):
    code = "VALIDATION_ERROR"
    default_detail = "The input is not valid."
    status_code = 400


class BadRequestError(LysError):
    code = "BAD_REQUEST"
    default_detail = "The request could not be understood."
    status_code = 400


class CommandError(Exception):
    """A management command failed; printed as one line, exit code ``returncode``."""

    def __init__(self, message: str, returncode: int = 1) -> None:
        super().__init__(message)
        self.returncode = returncode


class PermissionDeniedError(LysError):
    code = "PERMISSION_DENIED"
    default_detail = "You are not allowed to do this."
    status_code = 403

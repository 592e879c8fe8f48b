"""The error codes of the authentication operations (upstream's, so clients keep working)."""

from __future__ import annotations

from lys.auth.passwords import EmptyPasswordError
from lys.auth.xsrf import InvalidXsrfTokenError
from lys.errors import LysError

__all__ = [
    "BlockedUserError",
    "EmptyLoginError",
    "EmptyPasswordError",
    "InvalidCredentialsError",
    "InvalidRefreshTokenError",
    "InvalidXsrfTokenError",
    "LoginRateLimitError",
    "MissingRefreshTokenError",
    "RefreshRaceLostError",
    "ServiceUnavailableError",
]


class EmptyLoginError(LysError):
    code = "EMPTY_LOGIN_ERROR"
    status_code = 400
    default_detail = "The login is empty."


class InvalidCredentialsError(LysError):
    """Unknown login, wrong password or a user who may not log in: one answer for all."""

    code = "INVALID_CREDENTIALS_ERROR"
    status_code = 401
    default_detail = "The login or the password is wrong."


class LoginRateLimitError(LysError):
    """Too many failed logins in a row: the account is blocked for a while."""

    code = "RATE_LIMIT_ERROR"
    status_code = 429
    default_detail = "Too many failed attempts; try again later."


class MissingRefreshTokenError(LysError):
    code = "MISSING_REFRESH_TOKEN_ERROR"
    status_code = 401
    default_detail = "No refresh token was sent; log in again."


class InvalidRefreshTokenError(LysError):
    code = "INVALID_REFRESH_TOKEN_ERROR"
    status_code = 401
    default_detail = "The refresh token is not valid any more; log in again."


class BlockedUserError(LysError):
    code = "BLOCKED_USER_ERROR"
    status_code = 403
    default_detail = "This account is not enabled."


class RefreshRaceLostError(InvalidRefreshTokenError):
    """Another request consumed the same refresh token a moment earlier.

    Same answer as a spent token, but the session is not revoked and the cookies are
    left alone: the winner's response carries the new ones (two tabs refreshing at once).
    """


class ServiceUnavailableError(LysError):
    """The revocation check could not run: refusing beats letting a revoked token in."""

    code = "SERVICE_UNAVAILABLE"
    status_code = 503
    default_detail = "The service cannot check your session right now; try again shortly."

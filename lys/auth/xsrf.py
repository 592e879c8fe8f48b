"""XSRF protection for cookie-authenticated requests (double submit, bound to the token).

At login and at each refresh a new random token (64 hex characters) is returned as
``xsrfToken`` and in the ``XSRF-TOKEN`` cookie, which scripts can read; the access
token carries its SHA-256 digest. A request authenticated by the access *cookie* with
a method other than GET, HEAD or OPTIONS must send the token in ``x-xsrf-token``:
another site can make the browser send the cookie, not read it to copy it into the
header. A missing or wrong header is refused with HTTP 403 and
``INVALID_XSRF_TOKEN_ERROR`` before the operation runs. Bearer requests carry their
credential explicitly and are not checked; anonymous ones have nothing to protect.

It lives in the framework, not in the user_auth app, because every service that
accepts the access cookie needs it: the auth service, and the services that verify
its tokens with its published keys.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from typing import Any

from lys.errors import LysError

HEADER = "x-xsrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: A header longer than this cannot be a token of ours: refused without hashing it.
MAX_HEADER_LENGTH = 256

security_log = logging.getLogger("lys.security.xsrf")


class InvalidXsrfTokenError(LysError):
    code = "INVALID_XSRF_TOKEN_ERROR"
    status_code = 403
    default_detail = (
        "Requests authenticated by cookie must send the XSRF token in the x-xsrf-token header."
    )


def new_token() -> str:
    return secrets.token_hex(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_guard(enabled: bool) -> Callable[[Any], None]:
    def check_xsrf(context: Any) -> None:
        principal = context.principal
        request = context.request
        if not enabled or principal is None or principal.transport != "cookie":
            return
        if request is None or request.method.upper() in SAFE_METHODS:
            return
        sent = request.headers.get(HEADER)
        if not sent:
            reason = "missing x-xsrf-token header"
        elif len(sent) > MAX_HEADER_LENGTH or not principal.xsrf_token:
            reason = "malformed x-xsrf-token header"
        elif not hmac.compare_digest(digest(sent), principal.xsrf_token):
            reason = "x-xsrf-token does not match the session"
        else:
            return
        security_log.warning(
            "XSRF check failed: %s (user %s, session %s)",
            reason,
            principal.user_id,
            principal.session_id,
        )
        raise InvalidXsrfTokenError()

    return check_xsrf

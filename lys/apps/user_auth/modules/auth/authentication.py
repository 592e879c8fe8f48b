"""Who is calling: the access token of the request, checked and not revoked.

The token comes from ``Authorization: Bearer <jwt>`` when that header is present (then
the cookie is ignored and no XSRF header is needed), else from the ``access_token``
cookie. Anything wrong with it (malformed, another key, ``alg: none``, expired, another
issuer, audience or token type, a revoked session) makes the caller anonymous: the
request goes on, and operations that need a connection answer ACCESS_DENIED_ERROR.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from lys.apps.user_auth.modules.auth.cookies import ACCESS_COOKIE
from lys.apps.user_auth.modules.auth.runtime import AuthRuntime
from lys.auth.principal import Principal, Transport
from lys.auth.tokens import ACCESS, TokenError

logger = logging.getLogger("lys.auth")


def token_from_request(request: Any) -> tuple[str | None, Transport]:
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, credentials = authorization.strip().partition(" ")
        if scheme.lower() == "bearer":
            return credentials.strip() or None, "bearer"
    return request.cookies.get(ACCESS_COOKIE) or None, "cookie"


def make_authenticator(runtime: AuthRuntime) -> Callable[[Any], Principal | None]:
    def authenticate(context: Any) -> Principal | None:
        if context.request is None or not runtime.can_sign:
            return None
        token, transport = token_from_request(context.request)
        if token is None:
            return None
        try:
            claims = runtime.codec.decode(token, ACCESS)
            user_id = uuid.UUID(str(claims["sub"]))
            session_id = uuid.UUID(str(claims["sid"]))
            xsrf = claims["xsrf"]
            issued_at = int(claims["iat"])
        except (TokenError, KeyError, ValueError, TypeError) as exc:
            logger.debug("access token refused: %s", exc)
            return None
        if not isinstance(xsrf, str):
            return None
        if runtime.revocations.is_revoked(context.engine, user_id, session_id, issued_at):
            logger.debug("access token of an ended session %s", session_id)
            return None
        return Principal(
            user_id=user_id,
            session_id=session_id,
            is_super_user=claims.get("su") is True,
            transport=transport,
            xsrf_token=xsrf,
            claims=claims,
        )

    return authenticate

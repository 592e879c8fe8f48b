"""Who is calling: the access token of the request, checked and not revoked.

The token comes from ``Authorization: Bearer <jwt>`` when that header is present (then
the cookie is ignored and no XSRF header is needed), else from the ``access_token``
cookie; a request signed by another service (``Authorization: Service``) is never a
user's. Anything wrong with the token (malformed, another key, ``alg: none``, expired,
another issuer, audience or token type, a revoked session) makes the caller anonymous:
the request goes on, and operations that need a connection answer ACCESS_DENIED_ERROR.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from lys.apps.user_auth.modules.auth.cookies import ACCESS_COOKIE
from lys.apps.user_auth.modules.auth.runtime import AuthRuntime
from lys.auth.principal import Principal, Transport, principal_from_claims
from lys.auth.tokens import ACCESS, TokenError
from lys.auth.transport import user_token

logger = logging.getLogger("lys.auth")


def token_from_request(request: Any) -> tuple[str | None, Transport]:
    return user_token(request, ACCESS_COOKIE)


def make_authenticator(runtime: AuthRuntime) -> Callable[[Any], Principal | None]:
    def authenticate(context: Any) -> Principal | None:
        if context.request is None or not runtime.can_sign:
            return None
        token, transport = token_from_request(context.request)
        if token is None:
            return None
        try:
            claims = runtime.codec.decode(token, ACCESS)
            principal = principal_from_claims(claims, transport)
            issued_at = int(claims["iat"])
        except (TokenError, KeyError, ValueError, TypeError) as exc:
            logger.debug("access token refused: %s", exc)
            return None
        session_id = principal.session_id
        if session_id is None:
            return None
        if runtime.revocations.is_revoked(context.engine, principal.user_id, session_id, issued_at):
            logger.debug("access token of an ended session %s", session_id)
            return None
        return principal

    return authenticate

"""The auth service's users, at a service without ``lys.apps.user_auth``.

The auth service signs access tokens with its SIGNING_KEY (JWT_ALGORITHM ``EdDSA`` or
``RS256``) and publishes the public keys at ``/.well-known/jwks.json``; this service
checks the same tokens (cookie or Bearer, same issuer, audience and type) with those
keys (``AUTH_JWKS_URL``) and builds the same principal, claims included: role and
organization permission classes work here as they do at the auth service.

Ended sessions: with a ``REDIS_URL`` shared with the auth service, the keys it writes
when a session ends or a user is cut off are checked here too (one ``MGET``). Without
it, or while Redis does not answer, a token stays valid here until it expires
(``ACCESS_TOKEN_LIFETIME``, 5 minutes by default): this service has no session table
to ask.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from lys.auth.principal import Principal, principal_from_claims
from lys.auth.tokens import ACCESS, TokenCodec, TokenError
from lys.auth.transport import user_token
from lys.redis_clients import redis_client

logger = logging.getLogger("lys.auth")

#: The keys ``lys.apps.user_auth`` writes (``revocation.py``); tests keep them equal.
SESSION_KEY = "lys:auth:revoked-session:"
USER_KEY = "lys:auth:user-revoked-before:"
REDIS_TIMEOUT = 0.5
#: After Redis failed, it is left alone this long (tokens are then only checked).
REDIS_RETRY_AFTER_FAILURE = 5.0


class SharedRevocations:
    """Sessions the auth service ended, read from the Redis both services use."""

    def __init__(self, redis_url: str | None) -> None:
        self.redis_url = redis_url
        self._skip_until = 0.0

    def is_revoked(self, user_id: uuid.UUID, session_id: uuid.UUID, issued_at: int) -> bool:
        if not self.redis_url or time.monotonic() < self._skip_until:
            return False
        try:
            client = redis_client(self.redis_url, REDIS_TIMEOUT)
            ended, cut = client.mget(SESSION_KEY + str(session_id), USER_KEY + str(user_id))
        except Exception as exc:  # redis.RedisError, OSError
            self._skip_until = time.monotonic() + REDIS_RETRY_AFTER_FAILURE
            logger.warning(
                "Redis did not answer (%s): ended sessions are not checked for %.0f s",
                exc,
                REDIS_RETRY_AFTER_FAILURE,
            )
            return False
        return ended is not None or (cut is not None and issued_at <= int(cut))


def make_remote_authenticator(
    codec: TokenCodec, revocations: SharedRevocations
) -> Callable[[Any], Principal | None]:
    def authenticate(context: Any) -> Principal | None:
        if context.request is None:
            return None
        token, transport = user_token(context.request)
        if token is None:
            return None
        try:
            claims = codec.decode(token, ACCESS)
            principal = principal_from_claims(claims, transport)
            issued_at = int(claims["iat"])
        except (TokenError, KeyError, ValueError, TypeError) as exc:
            logger.debug("access token refused: %s", exc)
            return None
        session_id = principal.session_id
        if session_id is None or revocations.is_revoked(principal.user_id, session_id, issued_at):
            logger.debug("access token of an ended session %s", session_id)
            return None
        return principal

    return authenticate

"""Stopping access tokens before they expire.

An access token is a signed JWT naming its session (``sid``): nothing on the server
needs to exist for its signature to verify, so every authenticated request also asks
whether its session was ended since the token was issued.

- With ``REDIS_URL``: ending a session writes ``lys:auth:revoked-session:<sid>``, and
  cutting a user off (disabled account) writes ``lys:auth:user-revoked-before:<uid>``
  (a Unix time: tokens issued up to that second are refused). Both keys live as long
  as an access token can (``ACCESS_TOKEN_LIFETIME`` plus a margin), since no token
  issued before them outlives that. A request costs one ``MGET``.
- Without Redis, or when Redis fails to answer (then Redis is left alone for a few
  seconds): one query of the session row and its user (ended, expired, or the user not
  ENABLED means refused). If the database cannot answer either, the request is refused
  with SERVICE_UNAVAILABLE (HTTP 503) rather than let an ended session through.

The keys are written at once, not at commit: a revocation whose transaction then
fails still refuses the session's access tokens until they expire (fail closed); the
database rows, which decide about refresh tokens, follow the transaction.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from lys.apps.user_auth.modules.auth.errors import ServiceUnavailableError
from lys.db.session import autocommit_engine
from lys.db.types import utcnow
from lys.redis_clients import redis_client

if TYPE_CHECKING:
    from lys.conf.settings import Settings
    from lys.registry.registry import Registry

logger = logging.getLogger("lys.auth.revocation")

SESSION_KEY = "lys:auth:revoked-session:"
USER_KEY = "lys:auth:user-revoked-before:"
#: Keys outlive the access tokens they refuse by this much (clock skew, slow requests).
TTL_MARGIN = 60
#: Redis must answer fast: it sits in front of every authenticated request.
REDIS_TIMEOUT = 0.5
#: After Redis failed to answer a lookup, lookups go to the database for this long.
REDIS_RETRY_AFTER_FAILURE = 5.0
ENABLED = "ENABLED"


class Revocations:
    def __init__(self, settings: Settings, registry: Registry) -> None:
        self.redis_url = settings.redis_url
        self.ttl = settings.access_token_lifetime + TTL_MARGIN
        self.registry = registry
        self._skip_redis_until = 0.0

    @property
    def uses_redis(self) -> bool:
        return bool(self.redis_url)

    def redis(self) -> Any:
        """The process's shared client for this URL."""
        # Callers check uses_redis first; the cast only narrows the type.
        return redis_client(cast(str, self.redis_url), REDIS_TIMEOUT)

    # -- writing ---------------------------------------------------------------------
    def sessions_ended(self, session_ids: Iterable[uuid.UUID]) -> None:
        """Refuse from now on the access tokens of these sessions."""
        ids = [str(session_id) for session_id in session_ids]
        if not ids or not self.uses_redis:
            return
        try:
            with self.redis().pipeline(transaction=False) as pipe:
                for session_id in ids:
                    pipe.set(SESSION_KEY + session_id, "1", ex=self.ttl)
                pipe.execute()
        except Exception as exc:  # redis.RedisError, OSError
            logger.error(
                "could not record %d ended session(s) in Redis (%s): their access tokens "
                "stay valid until they expire",
                len(ids),
                exc,
            )

    def user_cut_off(self, user_id: uuid.UUID) -> None:
        """Refuse every access token of the user issued up to now."""
        if not self.uses_redis:
            return
        try:
            self.redis().set(USER_KEY + str(user_id), str(int(time.time())), ex=self.ttl)
        except Exception as exc:
            logger.error("could not record the cut-off of user %s in Redis (%s)", user_id, exc)

    # -- reading ---------------------------------------------------------------------
    def is_revoked(
        self, engine: Engine, user_id: uuid.UUID, session_id: uuid.UUID, issued_at: int
    ) -> bool:
        if self.uses_redis and time.monotonic() >= self._skip_redis_until:
            try:
                ended, cut = self.redis().mget(
                    SESSION_KEY + str(session_id), USER_KEY + str(user_id)
                )
            except Exception as exc:
                self._skip_redis_until = time.monotonic() + REDIS_RETRY_AFTER_FAILURE
                logger.warning(
                    "Redis did not answer (%s); sessions are checked in the database for "
                    "the next %.0f s",
                    exc,
                    REDIS_RETRY_AFTER_FAILURE,
                )
            else:
                return ended is not None or (cut is not None and issued_at <= int(cut))
        try:
            return not self._session_alive(engine, user_id, session_id)
        except SQLAlchemyError as exc:
            logger.error("could not check session %s in the database: %s", session_id, exc)
            raise ServiceUnavailableError() from None

    def _session_alive(self, engine: Engine, user_id: uuid.UUID, session_id: uuid.UUID) -> bool:
        sessions = self.registry.model("user_session")
        users = self.registry.model("user")
        stmt = (
            select(sessions.revoked_at, sessions.expires_at, users.status_id)
            .join(users, users.id == sessions.user_id)
            .where(sessions.id == session_id, sessions.user_id == user_id)
        )
        with autocommit_engine(engine).connect() as connection:
            row = connection.execute(stmt).first()
        if row is None:
            return False
        revoked_at, expires_at, status = row
        return revoked_at is None and _after_now(expires_at) and status == ENABLED


def _after_now(moment: datetime) -> bool:
    return moment > utcnow()

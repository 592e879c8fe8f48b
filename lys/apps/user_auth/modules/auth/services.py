"""Sessions, tokens and the login, refresh and logout flows.

``user_session`` (UserSessionService) is also the revocation API of the other modules:

    sessions = context.service("user_session")
    sessions.revoke_session(session, session_id)                   # one session
    sessions.revoke_user_sessions(session, user_id, except_session=current_session_id)
    sessions.disable_user(session, user_id)                        # after a status change

Each marks the database rows (in the caller's transaction) and refuses the affected
access tokens at once (see ``revocation``).

``auth`` (AuthService) runs login, refresh and logout each in a transaction of its own,
committed whatever the answer: a failed login must keep its attempt row and a reused
refresh token must stay revoked although the operation answers an error, and the
cookies sent back always match what was committed.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session
from sqlmodel import col

from lys import EntityService, LysError, Service
from lys.apps.user_auth.modules.auth.errors import (
    BlockedUserError,
    EmptyLoginError,
    EmptyPasswordError,
    InvalidCredentialsError,
    InvalidRefreshTokenError,
    MissingRefreshTokenError,
    RefreshRaceLostError,
)
from lys.apps.user_auth.modules.auth.lockout import LoginAttempts
from lys.apps.user_auth.modules.auth.runtime import AuthRuntime, runtime_of
from lys.apps.user_auth.modules.auth.xsrf import digest, new_token
from lys.apps.user_auth.modules.user.models import UserSession
from lys.auth.passwords import hash_password, needs_rehash, verify_password
from lys.auth.tokens import ACCESS
from lys.db.session import transaction

security_log = logging.getLogger("lys.security.auth")

ENABLED = "ENABLED"


#: Claims the framework sets; providers cannot replace them.
RESERVED_CLAIMS = frozenset(
    {"sub", "sid", "su", "xsrf", "iss", "aud", "iat", "exp", "nbf", "jti", "typ"}
)


def access_claims(
    registry: Any, session: Session, user: Any, session_id: uuid.UUID, xsrf_digest: str
) -> dict[str, Any]:
    """The claims of a user's access token: who, which session, and what the installed
    apps add (roles, memberships...): a snapshot renewed at every refresh, so a change
    reaches the caller within one access token lifetime."""
    claims: dict[str, Any] = {
        "sub": str(user.id),
        "sid": str(session_id),
        "su": bool(user.is_super_user),
        "xsrf": xsrf_digest,
    }
    for provider in registry.claim_providers:
        extra = provider(session, user)
        claims.update({k: v for k, v in extra.items() if k not in RESERVED_CLAIMS})
    return claims


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class ClientInfo:
    """Where a login or refresh comes from, shown in ``mySessions``."""

    user_agent: str | None = None
    ip_address: str | None = None


@dataclass(frozen=True)
class SessionGrant:
    """What a login or refresh hands to the client (as cookies and in the answer)."""

    user_id: uuid.UUID
    session_id: uuid.UUID
    access_token: str
    #: Seconds the access token (and the XSRF token bound to it) stays valid.
    access_expires_in: int
    refresh_token: str
    #: Seconds the session has left: the refresh token cannot outlive it.
    refresh_expires_in: int
    xsrf_token: str


class UserSessionService(EntityService[UserSession]):
    """Sessions (one per login: a family of rotating refresh tokens) and their revocation."""

    @property
    def runtime(self) -> AuthRuntime:
        return runtime_of(self.registry)

    # -- sessions ------------------------------------------------------------------------
    def open(self, session: Session, user_id: uuid.UUID, client: ClientInfo, now: datetime) -> Any:
        lifetime = self.runtime.settings.refresh_token_lifetime
        row = self.model(
            user_id=user_id,
            created_at=now,
            expires_at=now + timedelta(seconds=lifetime),
            last_used_at=now,
            user_agent=(client.user_agent or None) and client.user_agent[:512],
            ip_address=(client.ip_address or None) and client.ip_address[:64],
        )
        session.add(row)
        session.flush()
        return row

    def active(self, session: Session, user_id: uuid.UUID) -> list[Any]:
        """The user's sessions that can still refresh, most recently used first."""
        model = self.model
        stmt = (
            select(model)
            .where(
                col(model.user_id) == user_id,
                col(model.revoked_at).is_(None),
                col(model.expires_at) > self.runtime.now(),
            )
            .order_by(col(model.last_used_at).desc(), col(model.id))
        )
        return list(session.scalars(stmt))

    def is_active(self, user_session: Any, now: datetime) -> bool:
        return user_session.revoked_at is None and user_session.expires_at > now

    # -- revocation API --------------------------------------------------------------------
    def revoke_session(
        self, session: Session, session_id: uuid.UUID, reason: str = "LOGOUT"
    ) -> bool:
        """End one session: its refresh tokens and its access tokens stop working.

        Returns whether the session was active (False if unknown or already ended).
        """
        model = self.model
        result = session.execute(
            update(model)
            .where(col(model.id) == session_id, col(model.revoked_at).is_(None))
            .values(revoked_at=self.runtime.now(), revoked_reason=reason[:64])
        )
        self.runtime.revocations.sessions_ended([session_id])
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def revoke_user_sessions(
        self,
        session: Session,
        user_id: uuid.UUID,
        except_session: uuid.UUID | None = None,
        reason: str = "REVOKED",
    ) -> list[uuid.UUID]:
        """End every session of the user but ``except_session`` (the caller's own, after a
        password change); returns the ids ended."""
        model = self.model
        stmt = select(col(model.id)).where(
            col(model.user_id) == user_id, col(model.revoked_at).is_(None)
        )
        if except_session is not None:
            stmt = stmt.where(col(model.id) != except_session)
        ids = list(session.scalars(stmt))
        if ids:
            session.execute(
                update(model)
                .where(col(model.id).in_(ids), col(model.revoked_at).is_(None))
                .values(revoked_at=self.runtime.now(), revoked_reason=reason[:64])
            )
        self.runtime.revocations.sessions_ended(ids)
        return ids

    def disable_user(
        self, session: Session, user_id: uuid.UUID, reason: str = "USER_DISABLED"
    ) -> list[uuid.UUID]:
        """Cut off a user whose status just left ENABLED (the caller changes the status).

        Every session ends, and every access token issued so far is refused at once, even
        one from a login racing with this call.
        """
        ended = self.revoke_user_sessions(session, user_id, reason=reason)
        self.runtime.revocations.user_cut_off(user_id)
        return ended

    #: The name the user module looks for.
    user_disabled = disable_user

    # -- refresh tokens ----------------------------------------------------------------------
    def _tokens(self) -> Any:
        return self.registry.model("user_refresh_token")

    def issue_refresh_token(self, session: Session, session_id: uuid.UUID) -> str:
        """A new opaque refresh token of the session; only its hash is stored."""
        raw = secrets.token_urlsafe(32)
        session.add(self._tokens()(session_id=session_id, token_hash=hash_token(raw)))
        session.flush()
        return raw

    def find_refresh_token(self, session: Session, raw: str) -> Any:
        if not raw or len(raw) > 256:
            return None
        tokens = self._tokens()
        return session.scalars(select(tokens).where(tokens.token_hash == hash_token(raw))).first()

    def consume_refresh_token(self, session: Session, token_id: uuid.UUID, now: datetime) -> bool:
        """Mark the token used; True for exactly one caller however many race for it."""
        tokens = self._tokens()
        result = session.execute(
            update(tokens)
            .where(tokens.id == token_id, tokens.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]


class AuthService(Service):
    """Login, refresh and logout; each commits on its own (see the module docstring)."""

    service_name = "auth"

    @property
    def runtime(self) -> AuthRuntime:
        return runtime_of(self.registry)

    @property
    def sessions(self) -> UserSessionService:
        return self.service("user_session")

    # -- login ---------------------------------------------------------------------------
    def login(
        self,
        engine: Engine,
        login: str | None,
        password: str | None,
        client: ClientInfo,
        previous_refresh_token: str | None = None,
    ) -> SessionGrant:
        login = (login or "").strip().lower()
        if not login:
            raise EmptyLoginError()
        if not password:
            raise EmptyPasswordError()
        user_id = self._user_id_for_login(engine, login)
        if user_id is None:
            verify_password(None, password)  # costs what a wrong password costs
            raise InvalidCredentialsError()
        with self.runtime.account_lock(user_id), transaction(engine) as session:
            outcome = self._attempt(session, user_id, password, client, previous_refresh_token)
        if isinstance(outcome, LysError):
            raise outcome
        return outcome

    def _user_id_for_login(self, engine: Engine, login: str) -> uuid.UUID | None:
        addresses = self.registry.model("user_email_address")
        with transaction(engine) as session:
            return session.scalars(
                select(addresses.user_id).where(addresses.address == login)
            ).first()

    def _attempt(
        self,
        session: Session,
        user_id: uuid.UUID,
        password: str,
        client: ClientInfo,
        previous_refresh_token: str | None,
    ) -> SessionGrant | LysError:
        users = self.registry.model("user")
        # Locks the account's row until commit where the database can (not SQLite):
        # the lockout check, the password check and the attempt row go together.
        user = session.scalars(select(users).where(users.id == user_id).with_for_update()).first()
        if user is None:
            verify_password(None, password)
            return InvalidCredentialsError()
        now = self.runtime.now()
        attempts = LoginAttempts(
            self.registry.model("user_login_attempt"),
            self.runtime.settings.login_lockout_durations,
        )
        last = attempts.last(session, user.id)
        refusal = attempts.refusal(last, now)
        if refusal is not None:
            security_log.warning("login refused: account %s is locked out", user.id)
            return refusal
        if not user.password:
            verify_password(None, password)  # an external-login account: no password here
            return InvalidCredentialsError()
        if not verify_password(user.password, password):
            row = attempts.record_failure(session, user.id, last, now)
            security_log.warning(
                "failed login for account %s (%d in a row%s)",
                user.id,
                row.attempt_count,
                ", now locked out" if row.blocked_until else "",
            )
            return InvalidCredentialsError()
        if user.status_id != ENABLED:
            return InvalidCredentialsError()
        attempts.record_success(session, user.id)
        if needs_rehash(user.password):
            user.password = hash_password(password)
        if previous_refresh_token:
            # Re-authentication on this client ends the session it held before.
            previous = self.sessions.find_refresh_token(session, previous_refresh_token)
            if previous is not None:
                old = session.get(self.sessions.model, previous.session_id)
                if old is not None and old.user_id == user.id:
                    self.sessions.revoke_session(session, old.id, reason="RELOGIN")
        user_session = self.sessions.open(session, user.id, client, now)
        return self._grant(session, user, user_session, now)

    # -- refresh ---------------------------------------------------------------------------
    def refresh(self, engine: Engine, raw_token: str | None, client: ClientInfo) -> SessionGrant:
        if not raw_token:
            raise MissingRefreshTokenError()
        with transaction(engine) as session:
            outcome = self._rotate(session, raw_token)
        if isinstance(outcome, LysError):
            raise outcome
        return outcome

    def _rotate(self, session: Session, raw_token: str) -> SessionGrant | LysError:
        sessions = self.sessions
        now = self.runtime.now()
        token = sessions.find_refresh_token(session, raw_token)
        if token is None:
            return InvalidRefreshTokenError()
        user_session = session.get(sessions.model, token.session_id)
        if user_session is None or not sessions.is_active(user_session, now):
            return InvalidRefreshTokenError()
        if token.used_at is not None:
            # Only a copy of a token can be presented twice: whoever holds the family's
            # current token may be the thief. End the session for everyone.
            sessions.revoke_session(session, user_session.id, reason="REFRESH_TOKEN_REUSE")
            security_log.warning(
                "refresh token reused: session %s of user %s revoked",
                user_session.id,
                user_session.user_id,
            )
            return InvalidRefreshTokenError()
        user = session.get(self.registry.model("user"), user_session.user_id)
        if user is None or user.status_id != ENABLED:
            return BlockedUserError()
        if not sessions.consume_refresh_token(session, token.id, now):
            return RefreshRaceLostError()
        user_session.last_used_at = now
        return self._grant(session, user, user_session, now)

    # -- logout ----------------------------------------------------------------------------
    def logout(
        self, engine: Engine, raw_refresh_token: str | None, session_id: uuid.UUID | None
    ) -> None:
        """End the session of the refresh token and the one of the access token, if any.

        Never fails on a missing, unknown or spent token: logging out is idempotent.
        """
        with transaction(engine) as session:
            ended = set()
            token = self.sessions.find_refresh_token(session, raw_refresh_token or "")
            if token is not None:
                ended.add(token.session_id)
            if session_id is not None:
                ended.add(session_id)
            for ended_id in ended:
                self.sessions.revoke_session(session, ended_id, reason="LOGOUT")

    def logout_everywhere(self, engine: Engine, user_id: uuid.UUID) -> list[uuid.UUID]:
        with transaction(engine) as session:
            return self.sessions.revoke_user_sessions(session, user_id, reason="LOGOUT_EVERYWHERE")

    def logout_session(self, engine: Engine, user_id: uuid.UUID, session_id: uuid.UUID) -> bool:
        """End one session of the user's (another device); False if it is not theirs."""
        with transaction(engine) as session:
            target = session.get(self.sessions.model, session_id)
            if target is None or target.user_id != user_id:
                return False
            return self.sessions.revoke_session(session, session_id, reason="LOGOUT")

    # -- tokens ----------------------------------------------------------------------------
    def _grant(self, session: Session, user: Any, user_session: Any, now: datetime) -> SessionGrant:
        settings = self.runtime.settings
        xsrf_token = new_token()
        lifetime = settings.access_token_lifetime
        claims = access_claims(self.registry, session, user, user_session.id, digest(xsrf_token))
        access_token = self.runtime.codec.encode(claims, ACCESS, lifetime)
        refresh_token = self.sessions.issue_refresh_token(session, user_session.id)
        remaining = int((user_session.expires_at - now).total_seconds())
        return SessionGrant(
            user_id=user.id,
            session_id=user_session.id,
            access_token=access_token,
            access_expires_in=lifetime,
            refresh_token=refresh_token,
            refresh_expires_in=max(1, remaining),
            xsrf_token=xsrf_token,
        )

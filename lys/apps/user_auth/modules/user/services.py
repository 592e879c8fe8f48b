"""Users: creation, profile changes, status and anonymisation, one-time tokens.

Every method works in the caller's session (a request's, a command's) and never
commits: the caller's transaction keeps or drops everything, emails included (they are
WAITING rows the jobs worker sends once committed).
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import col

from lys.apps.user_auth.modules.user import sessions
from lys.apps.user_auth.modules.user.errors import (
    EmailAlreadyValidatedError,
    ExpiredResetTokenError,
    InvalidCredentialsError,
    InvalidGenderError,
    InvalidLanguageError,
    InvalidNameError,
    InvalidResetTokenError,
    InvalidStatusChangeError,
    InvalidUserStatusError,
    SearchTooLongError,
    UserAlreadyAnonymizedError,
    UserAlreadyExistsError,
)
from lys.apps.user_auth.modules.user.models import (
    Gender,
    User,
    UserAuditLog,
    UserEmailAddress,
    UserOneTimeToken,
    UserPrivateData,
    UserStatus,
)
from lys.apps.user_auth.modules.user.throttle import Throttle
from lys.auth.passwords import check_password_policy, hash_password, verify_password
from lys.db.types import utcnow
from lys.errors import ValidationError
from lys.services import EntityService, ParametricEntityService

if TYPE_CHECKING:
    from lys.conf.settings import Settings

logger = logging.getLogger("lys.auth.users")

ENABLED = "ENABLED"
DISABLED = "DISABLED"
REVOKED = "REVOKED"
DELETED = "DELETED"

STATUS_CHANGE = "STATUS_CHANGE"
ANONYMIZATION = "ANONYMIZATION"

PASSWORD_RESET = "PASSWORD_RESET"
EMAIL_VERIFICATION = "EMAIL_VERIFICATION"
ACTIVATION = "ACTIVATION"

PENDING = "PENDING"
USED = "USED"
REVOKED_TOKEN = "REVOKED"

EMAIL_PASSWORD_RESET = "USER_PASSWORD_RESET"
EMAIL_VERIFICATION_EMAIL = "USER_EMAIL_VERIFICATION"
EMAIL_INVITATION = "USER_INVITATION"

#: Where the front end serves each link sent by email (appended to FRONT_URL).
FRONT_PATHS = {
    PASSWORD_RESET: "/reset-password",
    EMAIL_VERIFICATION: "/verify-email",
    ACTIVATION: "/activate",
}

NAME_PATTERN = re.compile(r"^[a-zA-ZÀ-ÿ\s\-']+$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2}(-[a-z]{2})?$")
SEARCH_MAX_LENGTH = 200
_DOMAIN_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
EMAIL_PATTERN = re.compile(
    r"^(?P<local>[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
    rf"@(?P<domain>(?:{_DOMAIN_LABEL}\.)+[a-z]{{2,63}})$"
)
#: Raw tokens are 43 characters (32 random bytes, URL-safe base64); anything far
#: longer is not one of ours and is not worth hashing.
TOKEN_MAX_LENGTH = 256


def normalize_email(value: str, *, field: str = "email") -> str:
    """The address as stored: trimmed, lower-case, and of a plain ``local@domain`` shape."""
    email = value.strip().lower() if isinstance(value, str) else ""
    match = EMAIL_PATTERN.match(email)
    if match is None or len(email) > 254 or len(match.group("local")) > 64:
        raise ValidationError("This is not a valid email address.", extensions={"field": field})
    return email


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _parametric_search(model: Any, enabled: bool | None) -> Select[Any]:
    stmt = select(model)
    if enabled is not None:
        stmt = stmt.where(model.enabled.is_(enabled))
    return stmt


class UserStatusService(ParametricEntityService[UserStatus]):
    def search(self, enabled: bool | None = None) -> Select[Any]:
        return _parametric_search(self.model, enabled)


class GenderService(ParametricEntityService[Gender]):
    def search(self, enabled: bool | None = None) -> Select[Any]:
        return _parametric_search(self.model, enabled)


class UserEmailAddressService(EntityService[UserEmailAddress]):
    def find(self, session: Session, address: str) -> UserEmailAddress | None:
        model = self.model
        return session.scalars(select(model).where(col(model.address) == address)).first()


class UserPrivateDataService(EntityService[UserPrivateData]):
    pass


class UserAuditLogService(EntityService[UserAuditLog]):
    def record(
        self,
        session: Session,
        *,
        target_user_id: uuid.UUID,
        author_user_id: uuid.UUID | None,
        type_id: str,
        message: str,
    ) -> UserAuditLog:
        log = self.model(
            target_user_id=target_user_id,
            author_user_id=author_user_id,
            type_id=type_id,
            message=message,
        )
        session.add(log)
        session.flush()
        return log


class UserOneTimeTokenService(EntityService[UserOneTimeToken]):
    """Password reset, email verification and activation tokens.

    The raw token goes to the user (by email) and nowhere else: only its SHA-256 is
    stored, so a database leak gives no usable link.
    """

    def issue(self, session: Session, user_id: uuid.UUID, type_id: str) -> str:
        """A new pending token; earlier pending tokens of this type stop working."""
        self.revoke_pending(session, user_id, [type_id])
        lifetime = self.service("one_time_token_type").lifetime(session, type_id)
        token = secrets.token_urlsafe(32)
        row = self.model(
            user_id=user_id,
            type_id=type_id,
            status_id=PENDING,
            token_hash=hash_token(token),
            expires_at=utcnow() + lifetime,
        )
        session.add(row)
        session.flush()
        return token

    def revoke_pending(self, session: Session, user_id: uuid.UUID, type_ids: list[str]) -> None:
        model = self.model
        session.execute(
            update(model)
            .where(
                col(model.user_id) == user_id,
                col(model.type_id).in_(type_ids),
                col(model.status_id) == PENDING,
            )
            .values(status_id=REVOKED_TOKEN)
        )

    def check(self, session: Session, token: str, type_id: str) -> UserOneTimeToken:
        """The pending, unexpired token of this type, or the upstream error."""
        if not isinstance(token, str) or not token or len(token) > TOKEN_MAX_LENGTH:
            raise InvalidResetTokenError()
        model = self.model
        row = session.scalars(
            select(model).where(col(model.token_hash) == hash_token(token))
        ).first()
        if row is None or row.type_id != type_id:
            raise InvalidResetTokenError()
        if row.expires_at <= utcnow():
            raise ExpiredResetTokenError()
        if row.status_id != PENDING:
            raise InvalidResetTokenError()
        return row

    def use(self, session: Session, row: UserOneTimeToken) -> None:
        """Mark the token used; of two requests using it at once, one fails."""
        model = self.model
        now = utcnow()
        result = session.execute(
            update(model)
            .where(col(model.id) == row.id, col(model.status_id) == PENDING)
            .values(status_id=USED, used_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise InvalidResetTokenError()
        session.expire(row)

    def count_since(
        self, session: Session, user_id: uuid.UUID, type_id: str, since: datetime
    ) -> int:
        model = self.model
        stmt = select(func.count()).where(
            col(model.user_id) == user_id,
            col(model.type_id) == type_id,
            col(model.created_at) >= since,
        )
        return int(session.scalar(stmt) or 0)


class UserService(EntityService[User]):
    # -- lookups ---------------------------------------------------------------------
    def get_by_email(self, session: Session, email: str) -> User | None:
        address = self.service("user_email_address").find(session, email.strip().lower())
        return None if address is None else session.get(self.model, address.user_id)

    def search(self, search: str | None = None, status_id: str | None = None) -> Select[Any]:
        """Users whose email or names contain ``search`` (taken literally, any case)."""
        model = self.model
        stmt = select(model)
        if search is not None:
            if len(search) > SEARCH_MAX_LENGTH:
                raise SearchTooLongError(
                    f"Search at most {SEARCH_MAX_LENGTH} characters.",
                    extensions={"field": "search"},
                )
            text = search.strip()
            if text:
                emails = self.service("user_email_address").model
                private = self.service("user_private_data").model
                stmt = stmt.where(
                    or_(
                        col(model.id).in_(
                            select(emails.user_id).where(
                                emails.address.icontains(text.lower(), autoescape=True)
                            )
                        ),
                        col(model.id).in_(
                            select(private.user_id).where(
                                or_(
                                    private.first_name.icontains(text, autoescape=True),
                                    private.last_name.icontains(text, autoescape=True),
                                )
                            )
                        ),
                    )
                )
        if status_id is not None:
            stmt = stmt.where(col(model.status_id) == status_id)
        return stmt

    # -- creation --------------------------------------------------------------------
    def create_user(
        self,
        session: Session,
        settings: Settings,
        *,
        email: str,
        password: str | None,
        language_id: str = "en",
        first_name: str | None = None,
        last_name: str | None = None,
        gender_id: str | None = None,
        is_super_user: bool = False,
        notify: bool = True,
    ) -> User:
        """A new enabled user, with their email address and private data.

        With a password, a verification email is queued; without one, an invitation
        whose link lets the user choose it (``activateUser``). ``notify=False`` queues
        nothing (commands, bootstrap).
        """
        address = normalize_email(email)
        if password is not None:
            check_password_policy(password)
        language_id = self.checked_language(session, language_id)
        names = {
            "first_name": self.checked_name(first_name, "firstName"),
            "last_name": self.checked_name(last_name, "lastName"),
        }
        gender_id = self.checked_gender(session, gender_id)
        if self.service("user_email_address").find(session, address) is not None:
            raise UserAlreadyExistsError(extensions={"field": "email"})
        user = self.model(
            password=hash_password(password) if password is not None else None,
            is_super_user=is_super_user,
            status_id=ENABLED,
            language_id=language_id,
        )
        session.add(user)
        try:
            session.flush()
            session.add(self.service("user_email_address").model(address=address, user_id=user.id))
            session.add(
                self.service("user_private_data").model(
                    user_id=user.id, gender_id=gender_id, **names
                )
            )
            session.flush()
        except IntegrityError:
            # Another request took the address between the check and the insert.
            raise UserAlreadyExistsError(extensions={"field": "email"}) from None
        if notify:
            if password is None:
                self._send_token(session, settings, user, ACTIVATION, EMAIL_INVITATION)
            else:
                self._send_token(
                    session, settings, user, EMAIL_VERIFICATION, EMAIL_VERIFICATION_EMAIL
                )
        return user

    def ensure_super_user(self, session: Session, settings: Settings, email: str) -> User | None:
        """Create a super user with a random password unless the address is taken.

        Returns the new user (a password reset email is queued for it), or ``None``
        when a user with this address exists: it is never changed.
        """
        if self.get_by_email(session, normalize_email(email)) is not None:
            return None
        user = self.create_user(
            session, settings, email=email, password=None, is_super_user=True, notify=False
        )
        # Random and never shown: the way in is the password reset queued below.
        user.password = hash_password(secrets.token_urlsafe(32))
        self._send_token(session, settings, user, PASSWORD_RESET, EMAIL_PASSWORD_RESET)
        return user

    # -- profile ---------------------------------------------------------------------
    def update_email(
        self, session: Session, settings: Settings, user: User, new_email: str
    ) -> User:
        """Change the address; it must be validated again (a verification email is queued)."""
        self._refuse_anonymized(user)
        address = normalize_email(new_email, field="newEmail")
        current = cast(UserEmailAddress, user.email_address)  # every user has one
        if current is not None and current.address == address:
            return user
        taken = self.service("user_email_address").find(session, address)
        if taken is not None:
            raise UserAlreadyExistsError(extensions={"field": "newEmail"})
        current.address = address
        current.validated_at = None
        current.last_validation_request_at = None
        try:
            session.flush()
        except IntegrityError:
            raise UserAlreadyExistsError(extensions={"field": "newEmail"}) from None
        # Links sent to the old address must not act on the account any more.
        self.service("user_one_time_token").revoke_pending(
            session, user.id, [PASSWORD_RESET, EMAIL_VERIFICATION, ACTIVATION]
        )
        self._send_token(session, settings, user, EMAIL_VERIFICATION, EMAIL_VERIFICATION_EMAIL)
        return user

    def update_password(
        self,
        session: Session,
        user: User,
        *,
        current_password: str,
        new_password: str,
        keep_session: uuid.UUID | None = None,
    ) -> User:
        """Change the password; every other session of the user ends."""
        if not verify_password(user.password, current_password):
            raise InvalidCredentialsError(extensions={"field": "currentPassword"})
        check_password_policy(new_password)
        user.password = hash_password(new_password)
        session.flush()
        sessions.revoke_user_sessions(
            self.registry,
            session,
            user.id,
            except_session=keep_session,
            reason=sessions.PASSWORD_CHANGED,
        )
        return user

    def update_private_data(self, session: Session, user: User, **changes: Any) -> User:
        """Change names, gender (None clears them) and language (None leaves it)."""
        self._refuse_anonymized(user)
        private = self._private_data(session, user)
        if "first_name" in changes:
            private.first_name = self.checked_name(changes["first_name"], "firstName")
        if "last_name" in changes:
            private.last_name = self.checked_name(changes["last_name"], "lastName")
        if "gender_id" in changes:
            private.gender_id = self.checked_gender(session, changes["gender_id"])
        if changes.get("language_id") is not None:
            user.language_id = self.checked_language(session, changes["language_id"])
        session.flush()
        return user

    # -- administration --------------------------------------------------------------
    def update_status(
        self,
        session: Session,
        user: User,
        *,
        status_id: str,
        reason: str,
        author_id: uuid.UUID | None,
    ) -> User:
        """Enable, disable or revoke a user, with an audit log; disabling ends every session."""
        if status_id == DELETED:
            raise InvalidStatusChangeError(extensions={"field": "statusCode"})
        if not self.service("user_status").is_enabled(session, status_id):
            raise InvalidUserStatusError(extensions={"field": "statusCode"})
        self._refuse_anonymized(user)
        old = user.status_id
        user.status_id = status_id
        session.flush()
        self.service("user_audit_log").record(
            session,
            target_user_id=user.id,
            author_user_id=author_id,
            type_id=STATUS_CHANGE,
            message=f"{old} → {status_id}\n\n{reason}",
        )
        if status_id != ENABLED:
            sessions.user_disabled(self.registry, session, user.id, reason=sessions.USER_DISABLED)
        return user

    def anonymize(
        self, session: Session, user: User, *, reason: str, author_id: uuid.UUID | None
    ) -> User:
        """Irreversibly remove the user's personal data; the account is DELETED.

        The email address is kept (legal and audit needs, as upstream), the password
        dropped, every session and pending link ended.
        """
        self._refuse_anonymized(user)
        private = self._private_data(session, user)
        private.first_name = None
        private.last_name = None
        private.gender_id = None
        private.anonymized_at = utcnow()
        user.status_id = DELETED
        user.password = None
        session.flush()
        self.service("user_one_time_token").revoke_pending(
            session, user.id, [PASSWORD_RESET, EMAIL_VERIFICATION, ACTIVATION]
        )
        self.service("user_audit_log").record(
            session,
            target_user_id=user.id,
            author_user_id=author_id,
            type_id=ANONYMIZATION,
            message=reason,
        )
        sessions.user_disabled(self.registry, session, user.id, reason=sessions.USER_ANONYMIZED)
        return user

    # -- one-time tokens -------------------------------------------------------------
    def request_password_reset(
        self, session: Session, settings: Settings, email: str, *, client_ip: str | None
    ) -> bool:
        """Queue a reset email if the address belongs to an enabled user.

        The caller answers the same whatever happens (no user enumeration). Requests
        are throttled per client IP and per address (``PASSWORD_RESET_PER_HOUR``), and
        a new link revokes the previous ones. Returns whether an email was queued.
        """
        limit = settings.password_reset_per_hour
        throttle = self._throttle(settings)
        address = email.strip().lower() if isinstance(email, str) else ""
        if client_ip and not throttle.hit(f"ip:{client_ip}", limit):
            logger.warning("password reset requests throttled for client %s", client_ip)
            return False
        if throttle.shared and not throttle.hit(f"email:{hash_token(address)}", limit):
            logger.warning("password reset requests throttled for an address")
            return False
        user = self.get_by_email(session, address) if address else None
        if user is None or user.status_id != ENABLED:
            return False
        if not throttle.shared:
            since = utcnow() - timedelta(seconds=throttle.window)
            tokens = self.service("user_one_time_token")
            if tokens.count_since(session, user.id, PASSWORD_RESET, since) >= limit:
                logger.warning("password reset requests throttled for user %s", user.id)
                return False
        self._send_token(session, settings, user, PASSWORD_RESET, EMAIL_PASSWORD_RESET)
        return True

    def reset_password(self, session: Session, token: str, new_password: str) -> User:
        """Set a new password from a reset link; every session of the user ends."""
        tokens = self.service("user_one_time_token")
        row = tokens.check(session, token, PASSWORD_RESET)
        check_password_policy(new_password)
        user = self.get_or_404(session, row.user_id)
        tokens.use(session, row)
        user.password = hash_password(new_password)
        session.flush()
        sessions.revoke_user_sessions(
            self.registry, session, user.id, reason=sessions.PASSWORD_RESET
        )
        return user

    def verify_email(self, session: Session, token: str) -> User:
        tokens = self.service("user_one_time_token")
        row = tokens.check(session, token, EMAIL_VERIFICATION)
        user = self.get_or_404(session, row.user_id)
        # Every user is created with an address: the relationship is never None here.
        address = cast(UserEmailAddress, user.email_address)
        if address.validated_at is not None:
            raise EmailAlreadyValidatedError()
        tokens.use(session, row)
        address.validated_at = utcnow()
        session.flush()
        return user

    def activate(self, session: Session, token: str, new_password: str) -> User:
        """An invited user chooses a password; the address is validated by the same link."""
        tokens = self.service("user_one_time_token")
        row = tokens.check(session, token, ACTIVATION)
        check_password_policy(new_password)
        user = self.get_or_404(session, row.user_id)
        tokens.use(session, row)
        user.password = hash_password(new_password)
        # Every user is created with an address: the relationship is never None here.
        address = cast(UserEmailAddress, user.email_address)
        if address.validated_at is None:
            address.validated_at = utcnow()
        session.flush()
        return user

    def send_email_verification(self, session: Session, settings: Settings, user: User) -> User:
        self._refuse_anonymized(user)
        if cast(UserEmailAddress, user.email_address).validated_at is not None:
            raise EmailAlreadyValidatedError()
        self._send_token(session, settings, user, EMAIL_VERIFICATION, EMAIL_VERIFICATION_EMAIL)
        return user

    # -- checks ----------------------------------------------------------------------
    def checked_name(self, value: str | None, field: str) -> str | None:
        if value is None:
            return None
        name = value.strip()
        if not NAME_PATTERN.match(name) or len(name) > 255:
            raise InvalidNameError(extensions={"field": field})
        return name

    def checked_gender(self, session: Session, gender_id: str | None) -> str | None:
        if gender_id is None:
            return None
        if not self.service("gender").is_enabled(session, gender_id):
            raise InvalidGenderError(extensions={"field": "genderCode"})
        return gender_id

    def checked_language(self, session: Session, language_id: str) -> str:
        if not (
            isinstance(language_id, str)
            and LANGUAGE_PATTERN.match(language_id)
            and self.service("language").is_enabled(session, language_id)
        ):
            raise InvalidLanguageError(extensions={"field": "languageCode"})
        return language_id

    # -- helpers ---------------------------------------------------------------------
    def _refuse_anonymized(self, user: User) -> None:
        private = user.private_data
        if user.status_id == DELETED or (private is not None and private.anonymized_at):
            raise UserAlreadyAnonymizedError()

    def _private_data(self, session: Session, user: User) -> UserPrivateData:
        private = user.private_data
        if private is None:
            private = self.service("user_private_data").model(user_id=user.id)
            session.add(private)
            session.flush()
            session.expire(user, ["private_data"])
        return private

    def _send_token(
        self, session: Session, settings: Settings, user: User, type_id: str, emailing_type: str
    ) -> None:
        """Issue a one-time token and queue the email carrying its link."""
        token = self.service("user_one_time_token").issue(session, user.id, type_id)
        # Every user is created with an address: the relationship is never None here.
        address = cast(UserEmailAddress, user.email_address)
        if type_id == EMAIL_VERIFICATION:
            address.last_validation_request_at = utcnow()
        link = f"{settings.front_url.rstrip('/')}{FRONT_PATHS[type_id]}?token={quote(token)}"
        private = user.private_data
        self.service("emailing").queue(
            session,
            emailing_type,
            address.address,
            user.language_id,
            {
                "token": token,
                "front_url": settings.front_url,
                "link": link,
                "first_name": private.first_name if private is not None else None,
            },
        )
        session.flush()

    def _throttle(self, settings: Settings) -> Throttle:
        throttle: Throttle | None = getattr(self, "_reset_throttle", None)
        if throttle is None or throttle.redis_url != settings.redis_url:
            secret = settings.secret_key.get_secret_value() if settings.secret_key else ""
            # Keys are scoped to the deployment: projects sharing a Redis count apart.
            scope = hashlib.sha256(f"lys-throttle:{secret}".encode()).hexdigest()[:16]
            throttle = Throttle(settings.redis_url, prefix=f"lys:{scope}:password-reset")
            self._reset_throttle = throttle
        return throttle

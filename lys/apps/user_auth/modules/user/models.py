from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, Relationship

from lys import Entity, ParametricEntity
from lys.apps.base.models import Language
from lys.db.types import UTCDateTime, utcnow
from lys.models.scopes import UserOwned


class UserStatus(ParametricEntity):
    __tablename__ = "user_status"


class Gender(ParametricEntity):
    __tablename__ = "gender"


class LoginAttemptStatus(ParametricEntity):
    __tablename__ = "login_attempt_status"


class UserAuditLogType(ParametricEntity):
    __tablename__ = "user_audit_log_type"


class User(UserOwned, Entity):
    __tablename__ = "user"
    __owner_column__ = "id"

    #: argon2id hash; None for users who only log in through an external provider.
    password: str | None = Field(default=None, max_length=255)
    is_super_user: bool = Field(default=False, nullable=False)
    status_id: str = Field(default="ENABLED", foreign_key="user_status.id", max_length=64)
    language_id: str = Field(default="en", foreign_key="language.id", max_length=64)

    status: UserStatus = Relationship()
    language: Language = Relationship()
    # One row each per user (unique user_id), read as plain attributes.
    email_address: UserEmailAddress | None = Relationship(
        sa_relationship_kwargs={"uselist": False, "viewonly": True}
    )
    private_data: UserPrivateData | None = Relationship(
        sa_relationship_kwargs={"uselist": False, "viewonly": True}
    )


class UserEmailAddress(UserOwned, Entity):
    __tablename__ = "user_email_address"

    #: Stored lower-case; unique across users.
    address: str = Field(max_length=320, unique=True)
    user_id: uuid.UUID = Field(foreign_key="user.id", unique=True)
    validated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_validation_request_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class UserPrivateData(UserOwned, Entity):
    __tablename__ = "user_private_data"

    user_id: uuid.UUID = Field(foreign_key="user.id", unique=True)
    first_name: str | None = Field(default=None, max_length=255)
    last_name: str | None = Field(default=None, max_length=255)
    gender_id: str | None = Field(default=None, foreign_key="gender.id", max_length=64)
    anonymized_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    gender: Gender | None = Relationship()


class UserLoginAttempt(UserOwned, Entity):
    __tablename__ = "user_login_attempt"

    user_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    status_id: str = Field(foreign_key="login_attempt_status.id", max_length=64)
    attempt_count: int = Field(default=1, nullable=False)
    blocked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


class UserSession(UserOwned, Entity):
    """A login: the family of refresh tokens that rotate within it."""

    __tablename__ = "user_session"

    user_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    last_used_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_reason: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=512)
    ip_address: str | None = Field(default=None, max_length=64)


class UserRefreshToken(Entity):
    """One refresh token of a session; only its hash is stored."""

    __tablename__ = "user_refresh_token"

    session_id: uuid.UUID = Field(foreign_key="user_session.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class UserOneTimeToken(UserOwned, Entity):
    """Password reset, email verification or activation; only its hash is stored."""

    __tablename__ = "user_one_time_token"

    user_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    type_id: str = Field(foreign_key="one_time_token_type.id", max_length=64)
    status_id: str = Field(default="PENDING", foreign_key="one_time_token_status.id", max_length=64)
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class UserAuditLog(UserOwned, Entity):
    __tablename__ = "user_audit_log"
    __owner_column__ = "author_user_id"

    target_user_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    author_user_id: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    type_id: str = Field(foreign_key="user_audit_log_type.id", max_length=64)
    message: str = Field(default="")

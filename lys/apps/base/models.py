from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, Relationship

from lys import Entity, ParametricEntity
from lys.db.types import UTCDateTime


class Language(ParametricEntity):
    __tablename__ = "language"


class AccessLevel(ParametricEntity):
    __tablename__ = "access_level"


class WebservicePublicType(ParametricEntity):
    __tablename__ = "webservice_public_type"


class Webservice(ParametricEntity):
    """Mirror of the webservice registry (one row per root field), referenced by roles."""

    __tablename__ = "webservice"

    is_licenced: bool = Field(default=False, nullable=False)
    app_name: str | None = Field(default=None, max_length=255)
    operation_type: str | None = Field(default=None, max_length=32)
    public_type_id: str | None = Field(
        default=None, foreign_key="webservice_public_type.id", max_length=64
    )
    #: Turned off at run time by a super user (``enabled`` mirrors the code).
    switched_off: bool = Field(default=False, nullable=False)

    level_links: list[WebserviceAccessLevel] = Relationship(
        sa_relationship_kwargs={"viewonly": True}
    )


class WebserviceAccessLevel(Entity):
    __tablename__ = "webservice_access_level"
    __table_args__ = (UniqueConstraint("webservice_id", "access_level_id"),)

    webservice_id: str = Field(foreign_key="webservice.id", index=True, max_length=64)
    access_level_id: str = Field(foreign_key="access_level.id", max_length=64)


class OneTimeTokenType(ParametricEntity):
    __tablename__ = "one_time_token_type"

    #: Lifetime in minutes.
    duration: int = Field(default=30, nullable=False)


class OneTimeTokenStatus(ParametricEntity):
    __tablename__ = "one_time_token_status"


class EmailingStatus(ParametricEntity):
    __tablename__ = "emailing_status"


class EmailingType(ParametricEntity):
    __tablename__ = "emailing_type"

    subject: str = Field(default="", max_length=255)
    template: str = Field(default="", max_length=255)


class Emailing(Entity):
    """An email to send (the jobs app delivers WAITING ones and records the outcome)."""

    __tablename__ = "emailing"

    email_address: str = Field(max_length=320, index=True)
    context: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    error: str | None = Field(default=None)
    status_id: str = Field(default="WAITING", foreign_key="emailing_status.id", max_length=64)
    type_id: str = Field(foreign_key="emailing_type.id", max_length=64)
    language_id: str = Field(default="en", foreign_key="language.id", max_length=64)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Log(Entity):
    """An unexpected error, kept for the people who run the service."""

    __tablename__ = "log"

    message: str
    error_id: str | None = Field(default=None, max_length=64, index=True)
    file_name: str | None = Field(default=None, max_length=1024)
    line: int | None = None
    traceback: str | None = None
    context: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    user_id: uuid.UUID | None = None


class JobStatus(ParametricEntity):
    """RUNNING, SUCCEEDED, FAILED (will be retried), DEAD (retries exhausted)."""

    __tablename__ = "job_status"


class Job(ParametricEntity):
    """One row per job the apps declare (its name); ``enabled`` switches a periodic one off."""

    __tablename__ = "job"

    queue: str = Field(default="default", max_length=255)
    cron: str | None = Field(default=None, max_length=255)
    #: Seconds between runs of an interval job.
    every: float | None = None


class JobExecution(Entity):
    """One run of a job: a retry or a redelivery is a new row with the same message id."""

    __tablename__ = "job_execution"

    job_id: str = Field(foreign_key="job.id", index=True, max_length=64)
    message_id: str = Field(max_length=64, index=True)
    attempt: int = Field(default=1, nullable=False)
    status_id: str = Field(foreign_key="job_status.id", max_length=64)
    started_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = None
    traceback: str | None = None
    #: The user the job acted for, if any.
    user_id: uuid.UUID | None = None
    #: The message id, set in the job's own transaction: unique, so of two deliveries
    #: of one message running at once, the second waits and then stands down.
    completed_message_id: str | None = Field(default=None, max_length=64, unique=True)


class JobOutbox(Entity):
    """A job committed but not yet handed to the broker (see ``lys.jobs.outbox``)."""

    __tablename__ = "job_outbox"

    job_name: str = Field(max_length=64)
    queue: str = Field(max_length=255)
    args: list[Any] = Field(default_factory=list, sa_type=JSON)
    kwargs: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    caller: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    delay_ms: int | None = None
    #: When a worker may push it: later than creation, so the committing process goes first.
    available_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    attempts: int = Field(default=0, nullable=False)

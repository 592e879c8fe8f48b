"""Who a job acts for, and what the job function receives.

A job enqueued during a request carries the acting user (id, super-user flag, token
claims) and client; the runner rebuilds a :class:`Principal` from them so the services
the job calls apply the same row scopes as the request did.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lys.auth.principal import Principal

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from lys.conf.settings import Settings

#: ``session.info`` key: the caller jobs enqueued through this session act for.
CALLER_KEY = "lys_job_caller"


@dataclass(frozen=True)
class JobCaller:
    """The part of a request's identity a job message carries (JSON only)."""

    user_id: str | None = None
    is_super_user: bool = False
    claims: dict[str, Any] = field(default_factory=dict)
    client_id: str | None = None

    def to_message(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "is_super_user": self.is_super_user,
            "claims": self.claims,
            "client_id": self.client_id,
        }

    @classmethod
    def from_message(cls, data: Any) -> JobCaller | None:
        if not isinstance(data, dict):
            return None
        return cls(
            user_id=data.get("user_id"),
            is_super_user=bool(data.get("is_super_user")),
            claims=dict(data.get("claims") or {}),
            client_id=data.get("client_id"),
        )

    def principal(self) -> Principal | None:
        if self.user_id is None:
            return None
        return Principal(
            user_id=uuid.UUID(self.user_id),
            session_id=None,
            is_super_user=self.is_super_user,
            transport="job",
            claims=dict(self.claims),
        )


def caller_of(source: Any) -> JobCaller | None:
    """The caller of a request context, a job context, a principal, or ``None``."""
    if source is None or isinstance(source, JobCaller):
        return source
    principal = source if isinstance(source, Principal) else getattr(source, "principal", None)
    client_id = getattr(source, "client_id", None)
    if client_id is None and principal is not None:
        client_id = principal.claims.get("client_id")
    if principal is None and client_id is None:
        return None
    claims = dict(principal.claims) if principal is not None else {}
    return JobCaller(
        user_id=str(principal.user_id) if principal is not None else None,
        is_super_user=bool(principal.is_super_user) if principal is not None else False,
        # Claims come from a token, so they are JSON already; anything else becomes text.
        claims=json.loads(json.dumps(claims, default=str)),
        client_id=str(client_id) if client_id is not None else None,
    )


@dataclass
class JobContext:
    """What a job function receives first: like a request's context, minus HTTP.

    ``access`` stays ``None``: the access policy then derives the caller's default row
    scope from ``principal``, exactly as it does outside a root field of a request.
    """

    settings: Settings
    registry: Any
    session: Session
    job_name: str
    message_id: str
    #: 1 for the first run, 2 for the first retry, ...
    attempt: int = 1
    caller: JobCaller | None = None
    principal: Principal | None = None
    client_id: str | None = None
    access: Any = None
    request: Any = None
    service_caller: Any = None
    read_only: bool = False

    @property
    def user_id(self) -> uuid.UUID | None:
        return self.principal.user_id if self.principal is not None else None

    def model(self, name: str) -> Any:
        return self.registry.model(name)

    def service(self, name: str) -> Any:
        return self.registry.service(name)

    def enqueue(
        self, name: str, *args: Any, delay: float | None = None, **kwargs: Any
    ) -> uuid.UUID:
        """Enqueue another job, acting for the same caller, after this job commits."""
        from lys.jobs.outbox import enqueue

        return enqueue(
            self.session, self.registry, name, *args, caller=self.caller, delay=delay, **kwargs
        )

"""Who is calling: the result of authenticating a request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Literal

Transport = Literal["cookie", "bearer", "service", "job"]


@dataclass(frozen=True)
class Principal:
    """A connected caller. Anonymous callers have no principal (``None``)."""

    user_id: uuid.UUID
    session_id: uuid.UUID | None
    is_super_user: bool = False
    transport: Transport = "cookie"
    #: The XSRF token bound to the session (cookie transport only).
    xsrf_token: str | None = None
    claims: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

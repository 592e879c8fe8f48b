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


def principal_from_claims(claims: dict[str, object], transport: Transport) -> Principal:
    """The caller an access token names; raises ``KeyError``, ``ValueError`` or
    ``TypeError`` for a token without the claims a login writes."""
    xsrf = claims["xsrf"]
    if not isinstance(xsrf, str):
        raise TypeError("the xsrf claim is not a string")
    return Principal(
        user_id=uuid.UUID(str(claims["sub"])),
        session_id=uuid.UUID(str(claims["sid"])),
        is_super_user=claims.get("su") is True,
        transport=transport,
        xsrf_token=xsrf,
        claims=claims,
    )

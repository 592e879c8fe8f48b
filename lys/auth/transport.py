"""Where a request carries its credentials.

- ``Authorization: Service <jwt>``: another service of the deployment. Such a request
  is never a user's: its cookies are ignored.
- ``Authorization: Bearer <jwt>``: a user's access token (the cookie is then ignored).
- the ``access_token`` cookie: a user's access token, from a browser (XSRF-checked).
"""

from __future__ import annotations

from typing import Any

from lys.auth.principal import Transport

#: The access cookie's name (upstream's), as the user_auth app sets it.
ACCESS_COOKIE = "access_token"
SERVICE_SCHEME = "service"
BEARER_SCHEME = "bearer"


def authorization(request: Any) -> tuple[str, str] | None:
    """``(scheme in lower case, credentials)`` of the Authorization header, if any."""
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, credentials = header.strip().partition(" ")
    return scheme.lower(), credentials.strip()


def service_token(request: Any) -> str | None:
    found = authorization(request)
    if found is None or found[0] != SERVICE_SCHEME:
        return None
    return found[1] or None


def user_token(request: Any, cookie: str = ACCESS_COOKIE) -> tuple[str | None, Transport]:
    """A user's access token: Bearer first, else the cookie; none for service calls."""
    found = authorization(request)
    if found is not None:
        scheme, credentials = found
        if scheme == BEARER_SCHEME:
            return credentials or None, "bearer"
        if scheme == SERVICE_SCHEME:
            return None, "service"
    return request.cookies.get(cookie) or None, "cookie"

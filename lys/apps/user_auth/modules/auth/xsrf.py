"""XSRF protection for cookie-authenticated requests (double submit, bound to the token).

At login and at each refresh a new random token (64 hex characters) is returned as
``xsrfToken`` and in the ``XSRF-TOKEN`` cookie, which scripts can read; the access
token carries its SHA-256 digest. A request authenticated by the access *cookie* with
a method other than GET, HEAD or OPTIONS must send the token in ``x-xsrf-token``:
another site can make the browser send the cookie, not read it to copy it into the
header. A missing or wrong header is refused with HTTP 403 and
``INVALID_XSRF_TOKEN_ERROR`` before the operation runs. Bearer requests carry their
credential explicitly and are not checked; anonymous ones have nothing to protect.

The guard lives in ``lys.auth.xsrf``: services that verify this app's tokens with its
published keys need it too.
"""

from __future__ import annotations

from lys.auth.xsrf import HEADER, MAX_HEADER_LENGTH, SAFE_METHODS, digest, make_guard, new_token

__all__ = ["HEADER", "MAX_HEADER_LENGTH", "SAFE_METHODS", "digest", "make_guard", "new_token"]

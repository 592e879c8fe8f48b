"""CORS from ``CORS_ALLOWED_ORIGINS``: Litestar's ``CORSConfig`` with an explicit allow-list.

Credentials (the session cookies) are allowed, so a wildcard can never be: ``"*"``
anywhere in an origin stops the start. No origins configured means no CORS at all;
browsers then only let pages of the API's own origin read its responses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from litestar.config.cors import CORSConfig

from lys.errors import ImproperlyConfigured

ALLOWED_METHODS = ["GET", "POST", "OPTIONS"]
ALLOWED_HEADERS = ["content-type", "authorization", "x-xsrf-token"]
PREFLIGHT_MAX_AGE = 600

# scheme://host[:port], nothing after: what a browser sends in Origin.
_ORIGIN = re.compile(r"[a-z][a-z0-9+.-]*://[^/?#\s*@]+", re.IGNORECASE)


def validate_origins(origins: Sequence[str]) -> list[str]:
    """The configured origins, or ImproperlyConfigured naming the bad one."""
    checked: list[str] = []
    for origin in origins:
        if "*" in origin:
            raise ImproperlyConfigured(
                f"CORS_ALLOWED_ORIGINS contains {origin!r}: wildcards are refused because "
                "credentials (cookies) are allowed; list each origin, e.g. "
                "https://app.example.com"
            )
        if origin.strip().lower() == "null":
            raise ImproperlyConfigured(
                "CORS_ALLOWED_ORIGINS contains 'null': sandboxed iframes and file:// pages "
                "all send it, so it cannot identify a trusted site"
            )
        if not _ORIGIN.fullmatch(origin):
            raise ImproperlyConfigured(
                f"CORS_ALLOWED_ORIGINS contains {origin!r}, which is not an origin: write "
                "scheme://host[:port] with no path or trailing slash, e.g. "
                "https://app.example.com"
            )
        # Browsers send scheme and host in lower case; Litestar compares exactly.
        checked.append(origin.lower())
    return checked


def cors_config(origins: Sequence[str]) -> CORSConfig | None:
    """Litestar's CORS settings, or ``None`` (no CORS headers) without origins."""
    allowed = validate_origins(origins)
    if not allowed:
        return None
    return CORSConfig(
        allow_origins=allowed,
        allow_methods=list(ALLOWED_METHODS),  # type: ignore[arg-type]
        allow_headers=list(ALLOWED_HEADERS),
        allow_credentials=True,
        max_age=PREFLIGHT_MAX_AGE,
    )

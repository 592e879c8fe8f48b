"""The three session cookies (upstream's names).

``access_token`` and ``refresh_token`` are HttpOnly; ``XSRF-TOKEN`` is readable by the
front-end's scripts, which copy it into the ``x-xsrf-token`` header. All are ``Path=/``,
``Secure`` unless ``COOKIE_SECURE`` is off (local HTTP development), ``SameSite`` from
``COOKIE_SAMESITE`` (lax) and ``Domain`` from ``COOKIE_DOMAIN``. Lifetimes follow the
tokens: the access and XSRF cookies live as long as the access token, the refresh
cookie as long as the session has left.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar.datastructures import Cookie

if TYPE_CHECKING:
    from lys.apps.user_auth.modules.auth.services import SessionGrant

ACCESS_COOKIE = "access_token"
REFRESH_COOKIE = "refresh_token"
XSRF_COOKIE = "XSRF-TOKEN"
NAMES = (ACCESS_COOKIE, REFRESH_COOKIE, XSRF_COOKIE)


def read(context: Any, name: str) -> str | None:
    request = context.request
    if request is None:
        return None
    value = request.cookies.get(name)
    return value or None


def set_session_cookies(context: Any, grant: SessionGrant) -> None:
    settings = context.settings

    def cookie(name: str, value: str, max_age: int, httponly: bool) -> Cookie:
        return Cookie(
            key=name,
            value=value,
            path="/",
            max_age=max_age,
            domain=settings.cookie_domain,
            secure=settings.cookie_secure,
            httponly=httponly,
            samesite=settings.cookie_samesite,
        )

    context.response_cookies.update(
        {
            ACCESS_COOKIE: cookie(ACCESS_COOKIE, grant.access_token, grant.access_expires_in, True),
            REFRESH_COOKIE: cookie(
                REFRESH_COOKIE, grant.refresh_token, grant.refresh_expires_in, True
            ),
            XSRF_COOKIE: cookie(XSRF_COOKIE, grant.xsrf_token, grant.access_expires_in, False),
        }
    )


def clear_session_cookies(context: Any) -> None:
    context.response_cookies.update(dict.fromkeys(NAMES))

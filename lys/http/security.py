"""Security headers on every response, from a Litestar ``before_send`` hook.

``before_send`` sees every message the application sends: handler responses, error
responses, router 404/405, CORS preflights and 429s from the rate limiter. Response
headers configured on routes or middleware would miss some of these.

Every response gets ``X-Content-Type-Options``, ``X-Frame-Options``, ``Referrer-Policy``
and ``X-XSS-Protection``, a strict ``Content-Security-Policy``, and
``Strict-Transport-Security`` when the request came over HTTPS. The one exception to
the strict policy is the GraphiQL page, which loads its code from a CDN: it gets a
policy allowing exactly what that page loads (see ``graphiql_csp``).
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litestar.types import Message, Scope

    from lys.http.client_ip import ClientAddressResolver

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    # The old XSS auditors are gone or harmful; "0" turns off any that remain (OWASP).
    "x-xss-protection": "0",
}
#: For responses that are data, never documents: nothing may load, nothing may frame them.
STRICT_CSP = "default-src 'none'; frame-ancestors 'none'"
HSTS = "max-age=31536000; includeSubDomains"

#: Where ariadne's ExplorerGraphiQL page loads from. The HTML names esm.sh; GraphiQL's
#: stylesheet imports its fonts (Roboto, Fira Code) from Google Fonts.
GRAPHIQL_CDN = "https://esm.sh"
GRAPHIQL_FONT_CSS = "https://fonts.googleapis.com"
GRAPHIQL_FONT_FILES = "https://fonts.gstatic.com"

_INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE
)


def inline_script_hashes(html: str) -> list[str]:
    """CSP hash sources for each inline ``<script>`` (the import map and the loader)."""
    hashes = []
    for body in _INLINE_SCRIPT.findall(html):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    return hashes


def graphiql_csp(html: str) -> str:
    """The policy for the GraphiQL page served as ``html``.

    - scripts: the page's two inline scripts by hash, modules from the CDN, and
      ``data:`` for the one module the import map stubs out as a data URL;
    - styles: the CDN and Google Fonts, plus inline styles, which the page and its
      editor (Monaco) create at run time;
    - fonts from Google Fonts and the CDN; editor workers from blob URLs or the CDN;
    - requests only to the API itself (and the CDN).
    """
    scripts = " ".join([*inline_script_hashes(html), GRAPHIQL_CDN, "data:"])
    directives = [
        "default-src 'none'",
        f"script-src {scripts}",
        f"style-src 'unsafe-inline' {GRAPHIQL_CDN} {GRAPHIQL_FONT_CSS}",
        f"font-src {GRAPHIQL_FONT_FILES} {GRAPHIQL_CDN} data:",
        "img-src 'self' data:",
        f"connect-src 'self' {GRAPHIQL_CDN}",
        f"worker-src blob: {GRAPHIQL_CDN}",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
    return "; ".join(directives)


class SecurityHeaders:
    """The ``before_send`` hook. Headers a handler set itself are left alone.

    It runs for every response, so it works on the raw header list of the start
    message with header pairs encoded once, and only adds what is missing.
    """

    def __init__(
        self,
        resolver: ClientAddressResolver,
        *,
        graphql_path: str,
        graphiql_html: str | None,
    ) -> None:
        self.resolver = resolver
        self.graphql_path = graphql_path
        self.graphiql_csp = graphiql_csp(graphiql_html) if graphiql_html is not None else None
        self._base = tuple(
            (name.encode("latin-1"), value.encode("latin-1"))
            for name, value in SECURITY_HEADERS.items()
        )
        self._base_names = frozenset(name for name, _ in self._base)
        self._strict_csp = (b"content-security-policy", STRICT_CSP.encode("latin-1"))
        self._graphiql_csp = (
            (b"content-security-policy", self.graphiql_csp.encode("latin-1"))
            if self.graphiql_csp is not None
            else None
        )
        self._hsts = (b"strict-transport-security", HSTS.encode("latin-1"))

    def content_security_policy(self, message: Message, scope: Scope) -> str:
        if (
            self.graphiql_csp is not None
            and message.get("status") == 200
            and scope.get("method") in ("GET", "HEAD")
            and (scope["path"].rstrip("/") or "/") == self.graphql_path
        ):
            return self.graphiql_csp
        return STRICT_CSP

    async def __call__(self, message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = message.get("headers")
        if not isinstance(headers, list):
            headers = message["headers"] = list(headers or ())
        present = {name.lower() for name, _ in headers}
        if present.isdisjoint(self._base_names):
            headers.extend(self._base)
        else:
            headers.extend(pair for pair in self._base if pair[0] not in present)
        if b"content-security-policy" not in present:
            csp = self._strict_csp
            if self._graphiql_csp is not None and (
                self.content_security_policy(message, scope) is self.graphiql_csp
            ):
                csp = self._graphiql_csp
            headers.append(csp)
        if b"strict-transport-security" not in present and self.resolver.is_https(scope):
            headers.append(self._hsts)

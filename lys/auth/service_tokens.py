"""Service tokens: short-lived JWTs one service of the deployment sends another.

Sent as ``Authorization: Service <jwt>``. Claims: ``type`` = ``service``,
``service_name`` and ``iss`` (the sender's SERVICE_NAME), ``aud`` (the receiver's),
``iat``, ``exp`` (SERVICE_TOKEN_LIFETIME, 60 s) and ``jti``; signed with the sender's
own SIGNING_KEY (EdDSA or RS256).

A receiver accepts a token only from a service its TRUSTED_SERVICES lists, checked
with that service's public key (or the keys it publishes), for its own name as the
audience, of type ``service``, not expired, living no longer than its own
SERVICE_TOKEN_LIFETIME, and never seen before. Anything else leaves the request
anonymous. A valid token makes the request a *service caller*: not a user (no
principal, no rows through row scopes), allowed exactly the webservices that declare
INTERNAL_SERVICE.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError

from lys.auth.jwks import RemoteKeySet
from lys.auth.keys import (
    AsymmetricKey,
    KeyLookup,
    KeyRing,
    algorithm_for,
    import_key,
    require_key_ring,
)
from lys.auth.replay import ReplayGuard
from lys.auth.tokens import TokenError, check_shape, key_by_kid, peek, sign, validate_claims
from lys.auth.transport import service_token
from lys.conf.settings import Settings
from lys.errors import ImproperlyConfigured

logger = logging.getLogger("lys.auth.service")

SERVICE = "service"
#: Clocks of two machines disagree a little: this much is forgiven on ``exp``/``iat``.
CLOCK_SKEW = 5
MAX_JTI_LENGTH = 64


@dataclass(frozen=True)
class ServiceCaller:
    """Another service of the deployment, as its token says (``context.service_caller``)."""

    name: str
    jti: str


class ServiceTokenIssuer:
    """Signs this service's tokens, one per request."""

    def __init__(self, ring: KeyRing, service_name: str, lifetime: int) -> None:
        self.ring = ring
        self.service_name = service_name
        self.lifetime = lifetime

    @classmethod
    def from_settings(cls, settings: Settings) -> ServiceTokenIssuer:
        ring = require_key_ring(settings)
        return cls(ring, settings.service_name, settings.service_token_lifetime)

    def issue(self, audience: str) -> str:
        now = int(time.time())
        payload = {
            "type": SERVICE,
            "service_name": self.service_name,
            "iss": self.service_name,
            "aud": audience,
            "iat": now,
            "exp": now + self.lifetime,
            "jti": secrets.token_hex(16),
        }
        return sign(payload, self.ring.signing, self.ring.algorithm)

    def header(self, audience: str) -> dict[str, str]:
        return {"Authorization": f"Service {self.issue(audience)}"}


class FixedKey:
    """A trusted service's one configured public key, whatever ``kid`` its tokens name."""

    def __init__(self, key: AsymmetricKey) -> None:
        self.key = key

    def key_for(self, kid: str) -> AsymmetricKey | None:
        return self.key


class ServiceTokenVerifier:
    def __init__(
        self,
        audience: str,
        trusted: Mapping[str, KeyLookup],
        *,
        max_lifetime: int,
        replay: ReplayGuard | None = None,
    ) -> None:
        self.audience = audience
        self.trusted = dict(trusted)
        self.max_lifetime = max_lifetime
        self.replay = replay

    @classmethod
    def from_settings(
        cls, settings: Settings, fetch: Callable[[str], bytes] | None = None
    ) -> ServiceTokenVerifier:
        """Loads the listed public keys now: a bad one stops the start, naming it."""
        trusted: dict[str, KeyLookup] = {}
        for name, source in settings.trusted_services.items():
            if source.public_key is not None:
                label = f"TRUSTED_SERVICES[{name!r}].public_key"
                trusted[name] = FixedKey(import_key(source.public_key, private=False, label=label))
            elif source.jwks_url is not None:
                ttl = settings.jwks_cache_seconds
                trusted[name] = RemoteKeySet(source.jwks_url, ttl=ttl, fetch=fetch)
        replay = ReplayGuard(settings.redis_url, settings.redis_key_prefix)
        return cls(
            settings.service_name,
            trusted,
            max_lifetime=settings.service_token_lifetime,
            replay=replay,
        )

    def verify(self, token: str) -> ServiceCaller:
        check_shape(token)
        header, unverified = peek(token)
        name = unverified.get("service_name")
        source = self.trusted.get(name) if isinstance(name, str) else None
        if source is None or not isinstance(name, str):
            raise TokenError(f"service {name!r} is not trusted")
        try:
            key = source.key if isinstance(source, FixedKey) else key_by_kid(source, header)
            decoded = jwt.decode(token, key, algorithms=[algorithm_for(key)])
            claims = dict(decoded.claims)
            validate_claims(
                claims, issuer=name, audience=self.audience, token_type=SERVICE, leeway=CLOCK_SKEW
            )
        except (JoseError, ValueError, TypeError, ImproperlyConfigured) as exc:
            raise TokenError(f"{type(exc).__name__}: {exc}") from None
        return self._caller(name, claims)

    def _caller(self, name: str, claims: dict[str, Any]) -> ServiceCaller:
        if claims.get("service_name") != name:
            raise TokenError("service_name changed under the signature")
        issued_at, expires_at, jti = claims["iat"], claims["exp"], claims["jti"]
        if expires_at - issued_at > self.max_lifetime:
            raise TokenError(f"the token lives longer than {self.max_lifetime} s")
        if not isinstance(jti, str) or not jti or len(jti) > MAX_JTI_LENGTH:
            raise TokenError("malformed jti")
        if self.replay is not None and not self.replay.first_use(name, jti, expires_at):
            raise TokenError(f"token {jti} of {name} was already used")
        return ServiceCaller(name, jti)


def make_service_authenticator(verifier: ServiceTokenVerifier) -> Callable[[Any], None]:
    """Sets ``context.service_caller`` for a valid service token; never a principal."""

    def authenticate(context: Any) -> None:
        request = context.request
        token = service_token(request) if request is not None else None
        if token is None:
            return None
        try:
            context.service_caller = verifier.verify(token)
        except TokenError as exc:
            logger.debug("service token refused: %s", exc)
        return None

    return authenticate

"""The one place tokens are signed and checked (joserfc).

The algorithm comes from settings, never from the token; ``exp``, ``iat``, ``iss``,
``aud``, ``jti`` and the token type are required and checked, so a token of one kind
(refresh, reset, service) is never accepted as another.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from joserfc.jwt import JWTClaimsRegistry

from lys.conf.settings import Settings
from lys.errors import ImproperlyConfigured

ACCESS = "access"


class TokenError(Exception):
    """The token is not one this server issued for this purpose, or it expired."""


@dataclass(frozen=True)
class TokenCodec:
    key: OctKey
    algorithm: str
    issuer: str
    audience: str

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenCodec:
        if settings.secret_key is None:
            raise ImproperlyConfigured("SECRET_KEY is required to sign tokens")
        key = OctKey.import_key(settings.secret_key.get_secret_value().encode())
        return cls(key, settings.jwt_algorithm, settings.jwt_issuer, settings.jwt_audience)

    def encode(self, claims: dict[str, Any], token_type: str, lifetime: int) -> str:
        now = int(time.time())
        payload = {
            **claims,
            "type": token_type,
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "exp": now + lifetime,
            "jti": secrets.token_hex(16),
        }
        return jwt.encode(
            {"alg": self.algorithm, "typ": "JWT"}, payload, self.key, algorithms=[self.algorithm]
        )

    def decode(self, token: str, token_type: str) -> dict[str, Any]:
        if not isinstance(token, str) or len(token) > 4096 or token.count(".") != 2:
            raise TokenError("malformed token")
        try:
            decoded = jwt.decode(token, self.key, algorithms=[self.algorithm])
            registry = JWTClaimsRegistry(
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.audience},
                exp={"essential": True},
                iat={"essential": True},
                jti={"essential": True},
                type={"essential": True, "value": token_type},
                leeway=0,
            )
            registry.validate(decoded.claims)
        except (JoseError, ValueError, TypeError) as exc:
            raise TokenError(f"{type(exc).__name__}: {exc}") from None
        return dict(decoded.claims)

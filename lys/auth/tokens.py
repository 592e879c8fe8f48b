"""The one place tokens are signed and checked (joserfc).

The algorithm comes from settings (HS*: ``SECRET_KEY``) or from the verifying key's
type (EdDSA, RS256: ``SIGNING_KEY``, or another service's published keys), never from
the token; ``exp``, ``iat``, ``iss``, ``aud``, ``jti`` and the token type are required
and checked, so a token of one kind (refresh, reset, service) is never accepted as
another.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any, cast

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import Key, OctKey
from joserfc.jwt import JWTClaimsRegistry

from lys.auth.keys import (
    MAX_KID_LENGTH,
    AsymmetricKey,
    KeyLookup,
    algorithm_for,
    require_key_ring,
)
from lys.conf.settings import ASYMMETRIC_JWT_ALGORITHMS, Settings
from lys.errors import ImproperlyConfigured

ACCESS = "access"
#: A longer token is not one of ours: refused before any parsing.
MAX_TOKEN_LENGTH = 4096


class TokenError(Exception):
    """The token is not one this server issued for this purpose, or it expired."""


@dataclass(frozen=True)
class TokenCodec:
    #: Signs (and, without ``keys``, verifies); ``None`` for a codec that only verifies.
    key: Key | None
    algorithm: str
    issuer: str
    audience: str
    #: Verification keys by ``kid`` (asymmetric algorithms): the current and previous
    #: signing keys, or another service's published keys.
    keys: KeyLookup | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenCodec:
        issuer, audience = settings.jwt_issuer, settings.jwt_audience
        if settings.jwt_algorithm in ASYMMETRIC_JWT_ALGORITHMS:
            ring = require_key_ring(settings)
            if ring.algorithm != settings.jwt_algorithm:
                raise ImproperlyConfigured(
                    f"JWT_ALGORITHM is {settings.jwt_algorithm} but SIGNING_KEY is a "
                    f"{ring.algorithm} key"
                )
            return cls(ring.signing, ring.algorithm, issuer, audience, ring)
        if settings.secret_key is None:
            raise ImproperlyConfigured("SECRET_KEY is required to sign tokens")
        key = OctKey.import_key(settings.secret_key.get_secret_value().encode())
        return cls(key, settings.jwt_algorithm, issuer, audience)

    @classmethod
    def verifier(cls, keys: KeyLookup, issuer: str, audience: str) -> TokenCodec:
        """Checks tokens signed elsewhere with the keys ``keys`` holds; never signs."""
        return cls(None, "", issuer, audience, keys)

    def encode(self, claims: dict[str, Any], token_type: str, lifetime: int) -> str:
        if self.key is None:
            raise ImproperlyConfigured("this token codec only verifies tokens")
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
        return sign(payload, self.key, self.algorithm)

    def decode(self, token: str, token_type: str) -> dict[str, Any]:
        check_shape(token)
        try:
            if self.keys is None:
                key, algorithm = self.key, self.algorithm
            else:
                header, _claims = peek(token)
                key = key_by_kid(self.keys, header)
                algorithm = algorithm_for(key)
            # A codec without key nor key set fails inside decode, as it always did.
            decoded = jwt.decode(token, cast(Key, key), algorithms=[algorithm])
            validate_claims(
                decoded.claims, issuer=self.issuer, audience=self.audience, token_type=token_type
            )
        except (JoseError, ValueError, TypeError, ImproperlyConfigured) as exc:
            raise TokenError(f"{type(exc).__name__}: {exc}") from None
        return dict(decoded.claims)


def sign(payload: dict[str, Any], key: Key, algorithm: str) -> str:
    header = {"alg": algorithm, "typ": "JWT"}
    if not isinstance(key, OctKey) and key.kid:
        header["kid"] = key.kid
    return jwt.encode(header, payload, key, algorithms=[algorithm])


def check_shape(token: Any) -> None:
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:
        raise TokenError("malformed token")


def peek(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims *before* any check: only to pick a key, never to trust."""
    try:
        compact = jws.extract_compact(token.encode())
        claims = json.loads(compact.payload)
    except (JoseError, ValueError, TypeError) as exc:
        raise TokenError(f"malformed token: {exc}") from None
    if not isinstance(claims, dict):
        raise TokenError("malformed token: the claims are not an object")
    return dict(compact.headers()), claims


def key_by_kid(keys: KeyLookup, header: dict[str, Any]) -> AsymmetricKey:
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid or len(kid) > MAX_KID_LENGTH:
        raise TokenError("the token names no key (kid)")
    key = keys.key_for(kid)
    if key is None:
        raise TokenError("the token was signed with an unknown key")
    return key


def validate_claims(
    claims: dict[str, Any], *, issuer: str, audience: str, token_type: str, leeway: int = 0
) -> None:
    """The registered claims every token must carry, and its type (raises JoseError)."""
    JWTClaimsRegistry(
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": audience},
        exp={"essential": True},
        iat={"essential": True},
        jti={"essential": True},
        type={"essential": True, "value": token_type},
        leeway=leeway,
    ).validate(claims)

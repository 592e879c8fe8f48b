"""Asymmetric keys: this service's signing key, the keys it still publishes after a
rotation, other services' public keys, and the JWKS document.

Keys are PEM or JWK (JSON) text: Ed25519 keys sign with ``EdDSA``, RSA keys (2048 bits
or more) with ``RS256``. Each key is used with the one algorithm its type gives, never
the one a token's header names (RFC 8725 §3.1), and is known by its RFC 7638 thumbprint
(``kid``), which only ever selects a key among those already loaded.
"""

from __future__ import annotations

import hashlib
import json
import logging
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey, RSAKey

from lys.conf.environments import Environment
from lys.conf.settings import Settings
from lys.errors import ImproperlyConfigured

logger = logging.getLogger("lys.auth.keys")

# RFC 9864 prefers the name "Ed25519", but "EdDSA" is what JWT libraries verify today.
warnings.filterwarnings("ignore", message="EdDSA is deprecated", module="joserfc")

AsymmetricKey = OKPKey | RSAKey
EDDSA = "EdDSA"
RS256 = "RS256"
MIN_RSA_BITS = 2048
#: A ``kid`` longer than this is not one of ours: refused without a lookup.
MAX_KID_LENGTH = 128


class KeyLookup(Protocol):
    """Verification keys by ``kid``; ``None`` for a key it does not hold."""

    def key_for(self, kid: str) -> AsymmetricKey | None: ...


def algorithm_for(key: AsymmetricKey) -> str:
    """The one algorithm a key is used with."""
    if isinstance(key, OKPKey) and key.curve_name == "Ed25519":
        return EDDSA
    if isinstance(key, RSAKey):
        return RS256
    raise ImproperlyConfigured(f"unsupported key type {key.key_type}; use Ed25519 or RSA")


def import_key(
    text: str | bytes | dict[str, Any], *, private: bool, label: str, kid: str | None = None
) -> AsymmetricKey:
    """A key from PEM or JWK, with its ``kid`` (the thumbprint unless given), ``alg``
    and ``use`` set.

    ``private``: the text must hold a private key. Otherwise only the public part is
    kept, so a private key given where a public one is expected never signs anything.
    """
    try:
        key = _parse(text)
    except (JoseError, ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"{label}: not a PEM or JWK key ({exc})") from None
    try:
        algorithm = algorithm_for(key)
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(f"{label}: {exc}") from None
    if isinstance(key, RSAKey) and key.raw_value.key_size < MIN_RSA_BITS:
        raise ImproperlyConfigured(f"{label}: RSA keys need {MIN_RSA_BITS} bits or more")
    if private and not key.is_private:
        raise ImproperlyConfigured(f"{label}: a private key is needed, this one is public")
    data = key.as_dict(private=private)
    for member in ("kid", "alg", "use", "key_ops"):
        data.pop(member, None)
    parameters = {"kid": kid or key.thumbprint(), "alg": algorithm, "use": "sig"}
    # joserfc types parameters as its KeyParameters TypedDict; a plain dict of the same keys.
    return type(key).import_key(data, parameters)  # type: ignore[arg-type]


def _parse(text: str | bytes | dict[str, Any]) -> AsymmetricKey:
    if isinstance(text, dict):
        return _from_jwk(text)
    raw = text.strip() if isinstance(text, str) else text.strip().decode()
    if raw.startswith("{"):
        return _from_jwk(json.loads(raw))
    for key_class in (OKPKey, RSAKey):
        try:
            return key_class.import_key(raw.encode())
        except (JoseError, ValueError, TypeError):
            continue
    raise ValueError("unreadable as an Ed25519 or RSA key in PEM")


def _from_jwk(data: dict[str, Any]) -> AsymmetricKey:
    kinds: dict[str, type[AsymmetricKey]] = {"OKP": OKPKey, "RSA": RSAKey}
    kind = kinds.get(str(data.get("kty")))
    if kind is None:
        raise ValueError(f"key type {data.get('kty')!r} is not OKP (Ed25519) or RSA")
    return kind.import_key(data)


def public_jwk(key: AsymmetricKey) -> dict[str, Any]:
    return key.as_dict(private=False)


@dataclass(frozen=True)
class KeyRing:
    """This service's signing key and the keys it signed with before (public parts)."""

    signing: AsymmetricKey
    previous: tuple[AsymmetricKey, ...] = ()

    @property
    def algorithm(self) -> str:
        return algorithm_for(self.signing)

    @property
    def kid(self) -> str:
        return str(self.signing.kid)

    def key_for(self, kid: str) -> AsymmetricKey | None:
        for key in (self.signing, *self.previous):
            if key.kid == kid:
                return key
        return None

    def jwks(self) -> dict[str, Any]:
        """The public keys, current first, as served at ``/.well-known/jwks.json``."""
        keys = [public_jwk(self.signing)]
        keys += [public_jwk(key) for key in self.previous if key.kid != self.kid]
        return {"keys": keys}


def key_ring(settings: Settings) -> KeyRing | None:
    """This service's keys, or ``None`` when it has none and needs none.

    In ``dev`` a service that signs without SIGNING_KEY uses a key derived from its
    SECRET_KEY and SERVICE_NAME (stable across processes and restarts, so tokens keep
    verifying); every other environment must set SIGNING_KEY (``prod`` refuses to start).
    """
    secret = settings.signing_key.get_secret_value() if settings.signing_key else None
    return _key_ring(
        secret,
        settings.signing_key_file,
        tuple(key.get_secret_value() for key in settings.signing_keys_previous),
        settings.signs_tokens,
        settings.env,
        settings.secret_key.get_secret_value() if settings.secret_key else None,
        settings.service_name,
    )


def require_key_ring(settings: Settings) -> KeyRing:
    ring = key_ring(settings)
    if ring is None:
        raise ImproperlyConfigured(
            "SIGNING_KEY is required to sign service tokens and asymmetric access tokens "
            "(set LYS_SIGNING_KEY or LYS_SIGNING_KEY_FILE; see docs/services.md)"
        )
    return ring


@lru_cache(maxsize=32)
def _key_ring(
    secret: str | None,
    path: str | None,
    previous: tuple[str, ...],
    signs: bool,
    env: Environment,
    secret_key: str | None,
    service_name: str,
) -> KeyRing | None:
    if path:
        try:
            secret = Path(path).read_text()
        except OSError as exc:
            raise ImproperlyConfigured(f"SIGNING_KEY_FILE: cannot read {path}: {exc}") from None
    if secret is not None:
        signing = import_key(secret, private=True, label="SIGNING_KEY")
    elif signs and env is Environment.DEV and secret_key:
        logger.warning(
            "SIGNING_KEY is not set: signing with a development key derived from SECRET_KEY "
            "(dev only; other environments refuse to start without SIGNING_KEY)"
        )
        signing = import_key(
            _derived_pem(secret_key, service_name), private=True, label="SIGNING_KEY"
        )
    elif signs and env is not Environment.DEV:
        raise ImproperlyConfigured(
            f"SIGNING_KEY is required in {env.value} (an asymmetric JWT_ALGORITHM or "
            "AUTH_SERVICE_URL signs tokens); set LYS_SIGNING_KEY or LYS_SIGNING_KEY_FILE"
        )
    else:
        return None
    older = tuple(
        import_key(text, private=False, label=f"SIGNING_KEYS_PREVIOUS[{index}]")
        for index, text in enumerate(previous)
    )
    return KeyRing(signing, older)


def _derived_pem(secret_key: str, service_name: str) -> bytes:
    seed = hashlib.sha256(
        b"lys development signing key\0" + service_name.encode() + b"\0" + secret_key.encode()
    ).digest()
    return Ed25519PrivateKey.from_private_bytes(seed).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def generate_private_pem(algorithm: str = EDDSA) -> str:
    """A new private key in PEM (for ``manage.py`` helpers and tests)."""
    key = OKPKey.generate_key("Ed25519") if algorithm == EDDSA else RSAKey.generate_key(2048)
    return key.as_pem(private=True).decode()

"""Keys, asymmetric access tokens and service tokens, without a server.

Every key is generated here, at run time: the repository holds none.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.jwk import OctKey

from lys.auth.keys import (
    EDDSA,
    RS256,
    KeyRing,
    generate_private_pem,
    import_key,
    key_ring,
    require_key_ring,
)
from lys.auth.replay import ReplayGuard
from lys.auth.service_tokens import (
    SERVICE,
    FixedKey,
    ServiceCaller,
    ServiceTokenIssuer,
    ServiceTokenVerifier,
)
from lys.auth.tokens import ACCESS, TokenCodec, TokenError, sign
from lys.conf.loader import load_settings
from lys.conf.settings import Settings
from lys.errors import ImproperlyConfigured

SECRET = "insecure-dev-only-unit-secret-key-0123456789"


def ring(algorithm: str = EDDSA, *previous: str) -> KeyRing:
    signing = import_key(generate_private_pem(algorithm), private=True, label="test")
    older = tuple(import_key(text, private=False, label="old") for text in previous)
    return KeyRing(signing, older)


def public_pem(keys: KeyRing) -> str:
    return keys.signing.as_pem(private=False).decode()


# -- keys ----------------------------------------------------------------------------


def test_keys_load_from_pem_or_jwk_and_are_known_by_their_thumbprint():
    pem = generate_private_pem()
    key = import_key(pem, private=True, label="SIGNING_KEY")
    assert key.kid == key.thumbprint()
    assert key.as_dict(private=False)["alg"] == EDDSA
    as_jwk = json.dumps(key.as_dict(private=False))
    public = import_key(as_jwk, private=False, label="x")
    assert (public.kid, public.is_private) == (key.kid, False)
    # A private key given where a public one is expected keeps only its public part.
    assert not import_key(pem, private=False, label="x").is_private


@pytest.mark.filterwarnings("ignore:Key size should be")
def test_unusable_keys_stop_the_start_naming_the_setting():
    public = import_key(generate_private_pem(), private=False, label="x").as_dict()
    with pytest.raises(ImproperlyConfigured, match="SIGNING_KEY: a private key is needed"):
        import_key(public, private=True, label="SIGNING_KEY")
    with pytest.raises(ImproperlyConfigured, match="SIGNING_KEY: not a PEM or JWK key"):
        import_key("not a key", private=True, label="SIGNING_KEY")
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(ImproperlyConfigured, match="2048 bits"):
        import_key(small, private=True, label="SIGNING_KEY")
    with pytest.raises(ImproperlyConfigured, match="not OKP"):
        import_key({"kty": "oct", "k": "c2VjcmV0"}, private=False, label="x")


def test_the_jwks_lists_the_current_then_the_previous_public_keys():
    old = generate_private_pem()
    keys = ring(EDDSA, old)
    document = keys.jwks()
    kids = [entry["kid"] for entry in document["keys"]]
    assert kids == [keys.kid, import_key(old, private=False, label="x").kid]
    assert all("d" not in entry for entry in document["keys"])
    assert all(entry["use"] == "sig" and entry["alg"] == EDDSA for entry in document["keys"])


def test_settings_decide_the_key_ring():
    pem = generate_private_pem(RS256)
    configured = key_ring(Settings(signing_key=pem))
    assert configured is not None and configured.algorithm == RS256
    assert key_ring(Settings(signing_key=pem)) is configured  # loaded once
    # Nothing to sign with, nothing needed.
    assert key_ring(Settings()) is None
    # dev: derived from SECRET_KEY and SERVICE_NAME, the same in every process.
    dev = Settings(jwt_algorithm=EDDSA, secret_key=SECRET, service_name="auth")
    derived = require_key_ring(dev)
    again = key_ring(Settings(jwt_algorithm=EDDSA, secret_key=SECRET, service_name="auth"))
    other = key_ring(Settings(jwt_algorithm=EDDSA, secret_key=SECRET, service_name="catalog"))
    assert again is not None and again.kid == derived.kid
    assert other is not None and other.kid != derived.kid
    # Anywhere else it must be set.
    with pytest.raises(ImproperlyConfigured, match="SIGNING_KEY is required in preprod"):
        key_ring(Settings(env="preprod", jwt_algorithm=EDDSA, secret_key=SECRET))


def test_signing_key_file_and_previous_keys(tmp_path):
    path = tmp_path / "signing.pem"
    path.write_text(generate_private_pem())
    old = generate_private_pem()
    keys = require_key_ring(Settings(signing_key_file=str(path), signing_keys_previous=[old]))
    assert keys.key_for(import_key(old, private=False, label="x").kid) is not None
    with pytest.raises(ImproperlyConfigured, match="cannot read"):
        key_ring(Settings(signing_key_file=str(tmp_path / "missing.pem")))
    with pytest.raises(ValueError, match="exclude each other"):
        Settings(signing_key="x", signing_key_file=str(path))


def test_prod_refuses_to_sign_without_a_signing_key():
    base = {"env": "prod", "secret_key": "k" * 40, "debug": False, "graphiql": False}
    problems = Settings(**base, jwt_algorithm=EDDSA).production_problems()
    assert any("SIGNING_KEY is not set" in problem for problem in problems)
    problems = Settings(**base, auth_service_url="http://auth/graphql").production_problems()
    assert any("SIGNING_KEY is not set" in problem for problem in problems)
    assert Settings(**base).production_problems() == []
    keyed = Settings(**base, jwt_algorithm=EDDSA, signing_key=generate_private_pem())
    assert keyed.production_problems() == []


def test_trusted_services_from_the_environment():
    trusted = {"catalog": {"jwks_url": "http://catalog/.well-known/jwks.json"}}
    settings = load_settings(
        None, environ={"LYS_TRUSTED_SERVICES": json.dumps(trusted)}, env_file=None
    )
    assert settings.trusted_services["catalog"].jwks_url == trusted["catalog"]["jwks_url"]
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_SERVICES"):
        load_settings(None, environ={"LYS_TRUSTED_SERVICES": "{nope"}, env_file=None)
    with pytest.raises(ValueError, match="exactly one"):
        Settings(trusted_services={"x": {"public_key": "a", "jwks_url": "b"}})


# -- access tokens signed with EdDSA / RS256 ----------------------------------------------


@pytest.mark.parametrize("algorithm", [EDDSA, RS256])
def test_asymmetric_access_tokens_round_trip_with_a_kid(algorithm: str):
    keys = ring(algorithm)
    codec = TokenCodec(keys.signing, algorithm, "lys", "lys-api", keys)
    token = codec.encode({"sub": "u"}, ACCESS, 60)
    assert jwt.decode(token, keys.signing, algorithms=[algorithm]).header["kid"] == keys.kid
    assert codec.decode(token, ACCESS)["sub"] == "u"
    verifier = TokenCodec.verifier(keys, "lys", "lys-api")
    assert verifier.decode(token, ACCESS)["sub"] == "u"
    with pytest.raises(ImproperlyConfigured):
        verifier.encode({}, ACCESS, 60)


def test_tokens_of_the_previous_key_verify_after_a_rotation():
    before = ring()
    old_codec = TokenCodec(before.signing, EDDSA, "lys", "lys-api", before)
    token = old_codec.encode({"sub": "u"}, ACCESS, 60)
    after = ring(EDDSA, public_pem(before))
    new_codec = TokenCodec(after.signing, EDDSA, "lys", "lys-api", after)
    assert new_codec.decode(token, ACCESS)["sub"] == "u"
    forgotten = ring()
    with pytest.raises(TokenError, match="unknown key"):
        TokenCodec(forgotten.signing, EDDSA, "lys", "lys-api", forgotten).decode(token, ACCESS)


def test_jwt_algorithm_and_key_type_must_agree():
    settings = Settings(jwt_algorithm=RS256, signing_key=generate_private_pem(EDDSA))
    with pytest.raises(ImproperlyConfigured, match="JWT_ALGORITHM is RS256"):
        TokenCodec.from_settings(settings)
    codec = TokenCodec.from_settings(
        Settings(jwt_algorithm=EDDSA, signing_key=generate_private_pem())
    )
    assert codec.algorithm == EDDSA


def forged_hs256(keys: KeyRing, payload: dict[str, Any]) -> str:
    """HS256 keyed with the public key's bytes, naming the real kid (key confusion)."""
    secret = OctKey.import_key(json.dumps(keys.signing.as_dict(private=False)).encode())
    return jwt.encode({"alg": "HS256", "kid": keys.kid}, payload, secret, algorithms=["HS256"])


def unsigned(header: dict[str, Any], payload: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        import base64

        raw = json.dumps(value).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part(header)}.{part(payload)}."


def access_claims() -> dict[str, Any]:
    now = int(time.time())
    return {
        "type": ACCESS,
        "iss": "lys",
        "aud": "lys-api",
        "iat": now,
        "exp": now + 60,
        "jti": "j",
        "sub": "u",
    }


def test_algorithm_confusion_and_none_are_refused():
    keys = ring()
    codec = TokenCodec.verifier(keys, "lys", "lys-api")
    for token in (
        forged_hs256(keys, access_claims()),
        unsigned({"alg": "none", "kid": keys.kid}, access_claims()),
        unsigned({"alg": "EdDSA", "kid": keys.kid}, access_claims()),
    ):
        with pytest.raises(TokenError):
            codec.decode(token, ACCESS)


def test_untrusted_kids_are_only_looked_up_in_memory():
    keys = ring()
    codec = TokenCodec.verifier(keys, "lys", "lys-api")
    assert codec.decode(sign(access_claims(), keys.signing, EDDSA), ACCESS)
    for kid in ("../../dev/null", "' OR '1'='1", "k" * 1000, None):
        header = {"alg": EDDSA} if kid is None else {"alg": EDDSA, "kid": kid}
        forged = jwt.encode(header, access_claims(), keys.signing, algorithms=[EDDSA])
        with pytest.raises(TokenError):
            codec.decode(forged, ACCESS)


# -- service tokens --------------------------------------------------------------------


class Deployment:
    """Two services' keys, and the auth service's verifier trusting the catalog."""

    def __init__(self, replay: ReplayGuard | None = None) -> None:
        self.catalog = ring()
        self.auth = ring()
        self.stranger = ring()
        self.verifier = ServiceTokenVerifier(
            "auth",
            {
                "catalog": FixedKey(import_key(public_pem(self.catalog), private=False, label="c")),
                "auth-tools": self.auth,
            },
            max_lifetime=60,
            replay=replay,
        )

    def claims(self, **changes: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "type": SERVICE,
            "service_name": "catalog",
            "iss": "catalog",
            "aud": "auth",
            "iat": now,
            "exp": now + 60,
            "jti": f"jti-{time.monotonic_ns()}",
        }
        claims.update(changes)
        return {key: value for key, value in claims.items() if value is not None}

    def token(self, keys: KeyRing | None = None, **changes: Any) -> str:
        keys = keys or self.catalog
        return sign(self.claims(**changes), keys.signing, keys.algorithm)


def test_a_listed_service_with_a_valid_token_is_a_service_caller():
    world = Deployment()
    issuer = ServiceTokenIssuer(world.catalog, "catalog", 60)
    caller = world.verifier.verify(issuer.issue("auth"))
    assert isinstance(caller, ServiceCaller) and caller.name == "catalog"
    assert issuer.header("auth")["Authorization"].startswith("Service ")


@pytest.mark.parametrize(
    "case",
    [
        "expired",
        "unlisted signer",
        "another service's name",
        "user token",
        "wrong audience",
        "wrong issuer",
        "no expiry",
        "too long",
        "issued in the future",
        "hs256 confusion",
        "alg none",
        "malformed",
    ],
)
def test_service_tokens_are_refused(case: str):
    world = Deployment()
    now = int(time.time())
    tokens = {
        "expired": lambda: world.token(iat=now - 120, exp=now - 60),
        "unlisted signer": lambda: world.token(
            world.stranger, service_name="billing", iss="billing"
        ),
        # Signed with the catalog's key, claiming to be another listed service.
        "another service's name": lambda: world.token(service_name="auth-tools", iss="auth-tools"),
        "user token": lambda: sign(
            {**access_claims(), "service_name": "catalog", "iss": "catalog", "aud": "auth"},
            world.catalog.signing,
            EDDSA,
        ),
        "wrong audience": lambda: world.token(aud="billing"),
        "wrong issuer": lambda: world.token(iss="auth-tools"),
        "no expiry": lambda: world.token(exp=None),
        "too long": lambda: world.token(exp=now + 3600),
        "issued in the future": lambda: world.token(iat=now + 120, exp=now + 180),
        "hs256 confusion": lambda: forged_hs256(world.catalog, world.claims()),
        "alg none": lambda: unsigned({"alg": "none"}, world.claims()),
        "malformed": lambda: "a.b",
    }
    with pytest.raises(TokenError):
        world.verifier.verify(tokens[case]())


def test_a_service_token_is_accepted_once():
    world = Deployment(replay=ReplayGuard(None, "test"))
    token = world.token()
    assert world.verifier.verify(token).name == "catalog"
    with pytest.raises(TokenError, match="already used"):
        world.verifier.verify(token)
    assert world.verifier.verify(world.token()).name == "catalog"


def test_replay_memory_forgets_expired_tokens():
    now = [1000.0]
    guard = ReplayGuard(None, "test", clock=lambda: now[0])
    assert guard.first_use("catalog", "a", expires_at=1060)
    assert not guard.first_use("catalog", "a", expires_at=1060)
    assert guard.first_use("other", "a", expires_at=1060)  # per service
    now[0] = 1100.0
    assert guard.first_use("catalog", "a", expires_at=1160)


def test_replay_guard_lets_tokens_through_when_redis_is_down(caplog):
    guard = ReplayGuard("redis://127.0.0.1:1/0", "test")
    assert guard.first_use("catalog", "a", expires_at=time.time() + 60)
    assert guard.first_use("catalog", "a", expires_at=time.time() + 60)
    assert "not checked for replay" in caplog.text


def test_the_verifier_loads_listed_keys_from_settings():
    catalog = ring()
    settings = Settings(
        service_name="auth",
        trusted_services={
            "catalog": {"public_key": public_pem(catalog)},
            "billing": {"jwks_url": "http://billing/.well-known/jwks.json"},
        },
    )
    verifier = ServiceTokenVerifier.from_settings(settings, fetch=lambda url: b'{"keys": []}')
    issuer = ServiceTokenIssuer(catalog, "catalog", 60)
    assert verifier.verify(issuer.issue("auth")).name == "catalog"
    billing = ServiceTokenIssuer(ring(), "billing", 60)
    with pytest.raises(TokenError, match="unknown key"):
        verifier.verify(billing.issue("auth"))
    broken = Settings(trusted_services={"catalog": {"public_key": "garbage"}})
    with pytest.raises(ImproperlyConfigured, match=r"TRUSTED_SERVICES\['catalog'\]"):
        ServiceTokenVerifier.from_settings(broken)


def test_revocation_keys_match_the_user_auth_app():
    from lys.apps.user_auth.modules.auth import revocation
    from lys.auth import remote_users

    assert remote_users.SESSION_KEY == revocation.SESSION_KEY
    assert remote_users.USER_KEY == revocation.USER_KEY

"""Calling other services: published keys (cache, rotation), the GraphQL client's retries
and errors, roles read from the auth service, and the start-up registration loop.

No server: HTTP goes through ``httpx.MockTransport`` or fake fetchers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from lys.apps.base.self_registration import Registration, registration_payload
from lys.auth.jwks import MAX_JWKS_BYTES, RemoteKeySet, parse_jwks
from lys.auth.keys import KeyRing, generate_private_pem, import_key
from lys.auth.remote_roles import RemoteRoles
from lys.auth.service_tokens import ServiceTokenVerifier
from lys.client import RemoteServiceError, RemoteServiceUnavailableError, ServiceClient
from lys.conf.settings import Settings
from lys.errors import LysError, NotFoundError
from lys.permissions import Webservice


def ring(*previous: KeyRing) -> KeyRing:
    signing = import_key(generate_private_pem(), private=True, label="test")
    return KeyRing(signing, tuple(r.signing for r in previous))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Publisher:
    """A JWKS endpoint whose keys the test rotates; counts the fetches."""

    def __init__(self, keys: KeyRing) -> None:
        self.keys = keys
        self.fetches = 0
        self.down = False

    def __call__(self, url: str) -> bytes:
        self.fetches += 1
        if self.down:
            raise httpx.ConnectError("down")
        return json.dumps(self.keys.jwks()).encode()


# -- published keys ----------------------------------------------------------------------


def test_published_keys_are_cached_then_fetched_again_after_the_ttl():
    publisher, clock = Publisher(ring()), Clock()
    keys = RemoteKeySet("http://auth/jwks", ttl=300, fetch=publisher, clock=clock)
    kid = publisher.keys.kid
    assert keys.key_for(kid) is not None
    assert keys.key_for(kid) is not None
    assert publisher.fetches == 1
    clock.now += 301
    assert keys.key_for(kid) is not None
    assert publisher.fetches == 2


def test_an_unknown_kid_fetches_again_at_most_every_ten_seconds():
    old = ring()
    publisher, clock = Publisher(old), Clock()
    keys = RemoteKeySet("http://auth/jwks", ttl=300, fetch=publisher, clock=clock)
    assert keys.key_for(old.kid) is not None
    clock.now += 11
    publisher.keys = new = ring(old)  # rotation: new key first, the old one still listed
    assert keys.key_for(new.kid) is not None
    assert publisher.fetches == 2
    assert keys.key_for(old.kid) is not None
    # Made-up kids do not turn into a flood of fetches.
    for number in range(50):
        assert keys.key_for(f"made-up-{number}") is None
    assert publisher.fetches == 2
    clock.now += 11
    assert keys.key_for("made-up-again") is None
    assert publisher.fetches == 3


def test_known_keys_stay_in_use_while_the_publisher_is_down(caplog):
    publisher, clock = Publisher(ring()), Clock()
    keys = RemoteKeySet("http://auth/jwks", ttl=60, fetch=publisher, clock=clock)
    kid = publisher.keys.kid
    assert keys.key_for(kid) is not None
    publisher.down = True
    clock.now += 61
    assert keys.key_for(kid) is not None
    assert "could not fetch the keys" in caplog.text


def test_key_sets_we_cannot_use_are_refused_or_skipped():
    with pytest.raises(ValueError, match="larger"):
        parse_jwks(b" " * (MAX_JWKS_BYTES + 1))
    with pytest.raises(ValueError, match="not a JWKS"):
        parse_jwks(b"[]")
    good = ring()
    entry = good.signing.as_dict(private=False)
    document = {
        "keys": [
            {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"},
            {**entry, "kid": "encryption", "use": "enc"},
            {**entry, "kid": "wrong-alg", "alg": "RS256"},
            {**entry, "kid": "mine"},
        ]
    }
    assert list(parse_jwks(json.dumps(document).encode())) == ["mine"]


# -- the GraphQL client ------------------------------------------------------------------


def client_settings() -> Settings:
    return Settings(service_name="catalog", signing_key=generate_private_pem())


def make_client(handler: Callable[[httpx.Request], httpx.Response], **options: Any) -> Any:
    sleeps: list[float] = []
    client = ServiceClient(
        "http://auth/graphql",
        client_settings(),
        service="auth",
        transport=httpx.MockTransport(handler),
        sleep=sleeps.append,
        **options,
    )
    return client, sleeps


def test_queries_are_retried_on_connection_errors_with_a_new_token_each_time():
    tokens: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        tokens.append(request.headers["authorization"])
        if len(tokens) < 3:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json={"data": {"ping": "pong"}})

    client, sleeps = make_client(handler, retries=2)
    assert client.query("query { ping }") == {"ping": "pong"}
    assert len(tokens) == 3 and len(set(tokens)) == 3
    assert all(token.startswith("Service ") for token in tokens)
    assert sleeps == [0.2, 0.4]


def test_queries_give_up_after_the_retries():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client, sleeps = make_client(handler, retries=1)
    with pytest.raises(RemoteServiceUnavailableError) as caught:
        client.query("{ ping }")
    assert caught.value.code == "SERVICE_UNAVAILABLE" and caught.value.status_code == 503
    assert len(sleeps) == 1


def test_mutations_are_never_retried():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ReadTimeout("slow", request=request)

    client, sleeps = make_client(handler, retries=5)
    with pytest.raises(RemoteServiceUnavailableError, match="may or may not have run"):
        client.mutate("mutation { doIt }")
    assert len(calls) == 1 and sleeps == []
    with pytest.raises(ValueError, match="mutate"):
        client.query("  # a comment\n mutation { doIt }")


def test_remote_errors_come_back_with_their_code_and_detail():
    error = {
        "message": "PERMISSION_DENIED",
        "extensions": {"code": "PERMISSION_DENIED", "status_code": 403, "detail": "No."},
    }

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": None, "errors": [error]})

    client, _ = make_client(handler)
    with pytest.raises(RemoteServiceError) as caught:
        client.query("{ secret }")
    raised = caught.value
    assert isinstance(raised, LysError)
    assert (raised.code, raised.status_code, raised.detail) == ("PERMISSION_DENIED", 403, "No.")
    assert raised.extensions["service"] == "auth"


def test_answers_without_a_graphql_body_are_bad_gateway():
    client, _ = make_client(lambda request: httpx.Response(502, text="<html>proxy</html>"))
    with pytest.raises(RemoteServiceError) as caught:
        client.query("{ ping }")
    assert (caught.value.code, caught.value.status_code) == ("BAD_GATEWAY", 502)


def test_the_receiver_accepts_what_the_client_sends():
    settings = client_settings()
    public = import_key(settings.signing_key.get_secret_value(), private=False, label="x")
    receiver = ServiceTokenVerifier.from_settings(
        Settings(
            service_name="auth",
            trusted_services={"catalog": {"public_key": public.as_pem(private=False).decode()}},
        )
    )
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        token = request.headers["authorization"].partition(" ")[2]
        seen.append(receiver.verify(token).name)
        return httpx.Response(200, json={"data": {}})

    client = ServiceClient(
        "http://auth/graphql", settings, service="auth", transport=httpx.MockTransport(handler)
    )
    client.query("{ ping }")
    assert seen == ["catalog"]


# -- roles read from the auth service ----------------------------------------------------------


class FakeAuth:
    """What ``allRoles`` answers, page by page; counts the reads."""

    def __init__(self, roles: dict[str, list[str]]) -> None:
        self.roles = roles
        self.reads = 0
        self.down = False

    def __call__(self) -> FakeAuth:
        return self

    def __enter__(self) -> FakeAuth:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def query(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        if self.down:
            raise RemoteServiceUnavailableError()
        self.reads += 1
        items = sorted(self.roles.items())
        start = int(variables["after"] or 0)
        page = items[start : start + 1]
        return {
            "allRoles": {
                "edges": [{"node": {"code": c, "webservices": w}} for c, w in page],
                "pageInfo": {"hasNextPage": start + 1 < len(items), "endCursor": str(start + 1)},
            }
        }


class Registry:
    webservices = {
        "create_product": Webservice(
            "create_product", "createProduct", "mutation", access_levels=("ROLE",)
        ),
        "secret": Webservice("secret", "secret", "query"),
    }


def test_roles_open_what_the_auth_service_says_cached_for_a_while():
    auth, clock = FakeAuth({"MANAGER": ["create_product", "secret"], "OTHER": ["x"]}), Clock()
    roles = RemoteRoles(auth, Registry(), ttl=30, clock=clock)
    assert roles.opened_by(None, ["MANAGER"]) == {"create_product", "secret"}
    assert roles.opened_by(None, ["MANAGER", "OTHER"]) == {"create_product", "secret", "x"}
    assert roles.opened_by(None, ["UNKNOWN"]) == frozenset()
    assert auth.reads == 2  # two pages, read once
    # allAccessibleWebservices(roleCode): only this service's ROLE webservices.
    assert roles.webservice_names(None, "MANAGER") == {"create_product"}
    with pytest.raises(NotFoundError):
        roles.webservice_names(None, "UNKNOWN")
    clock.now += 31
    roles.opened_by(None, ["MANAGER"])
    assert auth.reads == 4


def test_roles_fail_closed_then_keep_the_last_copy(caplog):
    auth, clock = FakeAuth({"MANAGER": ["create_product"]}), Clock()
    auth.down = True
    roles = RemoteRoles(auth, Registry(), ttl=30, clock=clock)
    assert roles.opened_by(None, ["MANAGER"]) == frozenset()
    assert "roles open nothing yet" in caplog.text
    auth.down = False
    clock.now += 6
    assert roles.opened_by(None, ["MANAGER"]) == {"create_product"}
    auth.down = True
    clock.now += 31
    assert roles.opened_by(None, ["MANAGER"]) == {"create_product"}


# -- registering at start ----------------------------------------------------------------------


class FakeApplication:
    def __init__(self) -> None:
        self.settings = Settings(
            service_name="catalog", auth_service_url="http://auth/graphql", secret_key="s" * 40
        )
        self.registry = Registry()
        self.schema = None


class Answers:
    """``registerWebservices`` answering the given errors, then success."""

    def __init__(self, *errors: LysError) -> None:
        self.errors = list(errors)
        self.sent: list[Any] = []

    def __call__(self) -> Answers:
        return self

    def __enter__(self) -> Answers:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def mutate(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        self.sent.append(variables["webservices"])
        if self.errors:
            raise self.errors.pop(0)
        count = len(variables["webservices"])
        return {"registerWebservices": {"success": True, "registeredCount": count}}


def test_registration_sends_the_registry_and_retries_with_capped_backoff():
    answers = Answers(*(RemoteServiceUnavailableError() for _ in range(8)))
    sleeps: list[float] = []
    registration = Registration(FakeApplication(), client=answers, sleep=sleeps.append)
    assert registration.run() is True
    assert len(answers.sent) == 9
    assert len(sleeps) == 8
    assert 0.8 <= sleeps[0] <= 1.2 and 1.6 <= sleeps[1] <= 2.4
    assert max(sleeps) <= 60 * 1.2
    payload = answers.sent[-1]
    assert payload == registration_payload(Registry(), "catalog")
    assert payload[0] == {
        "id": "create_product",
        "attributes": {
            "publicType": None,
            "isLicenced": False,
            "enabled": True,
            "accessLevels": ["ROLE"],
            "operationType": "mutation",
            "description": None,
        },
    }


def test_registration_stops_on_answers_waiting_cannot_change(caplog):
    answers = Answers(RemoteServiceError("auth", "WEBSERVICE_CONFLICT", "taken", 409))
    registration = Registration(FakeApplication(), client=answers, sleep=lambda s: None)
    assert registration.run() is False
    assert len(answers.sent) == 1
    assert "refused this service's webservices" in caplog.text

"""Two services in one process: an auth service signing EdDSA access tokens and trusting
the catalog's service tokens, and a catalog service checking the auth service's users
with its published keys. Over HTTP (Litestar's test client), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt
from litestar.testing import TestClient

from lys import Application, ImproperlyConfigured
from lys.auth.keys import EDDSA, generate_private_pem, import_key
from lys.auth.service_tokens import SERVICE, ServiceTokenIssuer
from lys.auth.tokens import TokenCodec, sign
from lys.conf.settings import Settings
from lys.fixtures import load_fixtures
from lys.graphql.global_ids import encode_global_id
from tests.conftest import AppFactory
from tests.integration.test_users_support import (
    SECRET_KEY,
    Actor,
    anonymous,
    gid,
    logged_in,
    make_user,
    rows,
    users_app,
)
from tests.services import REDIS_URL, require

Clients = Callable[[Application], TestClient[Any]]

AUTH_KEY = generate_private_pem()
CATALOG_KEY = generate_private_pem()
STRANGER_KEY = generate_private_pem()
ALL_WEBSERVICES = """
query ($appName: String) {
  allWebservices(appName: $appName) {
    edges { node { code enabled appName operationType accessLevels isLicenced } }
    totalCount
  }
}"""
REGISTER = """
mutation ($webservices: [WebserviceFixturesInput!]!) {
  registerWebservices(webservices: $webservices) { success registeredCount message }
}"""
ALL_PRODUCTS = "{ allProducts { totalCount } }"
CREATE_PRODUCT = """
mutation ($inputs: CreateProductInput!) { createProduct(inputs: $inputs) { name } }"""
BOOKS = encode_global_id("ProductCategoryNode", "BOOKS")


def public_pem(private_pem: str) -> str:
    return import_key(private_pem, private=False, label="x").as_pem(private=False).decode()


@pytest.fixture
def auth(make_app: AppFactory) -> Application:
    return users_app(
        make_app,
        service_name="auth",
        jwt_algorithm=EDDSA,
        signing_key=AUTH_KEY,
        trusted_services={"catalog": {"public_key": public_pem(CATALOG_KEY)}},
    )


def service_headers(name: str = "catalog", key: str = CATALOG_KEY, audience: str = "auth") -> Any:
    settings = Settings(service_name=name, signing_key=key)
    return ServiceTokenIssuer.from_settings(settings).header(audience)


class ServiceActor(Actor):
    """Another service: a new service token for every call, as ``lys.client`` sends."""

    def call(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        self.headers = service_headers()
        return super().call(query, variables)


def as_service(client_for: Clients, app: Application) -> Actor:
    return ServiceActor(anonymous(client_for, app).client)


def webservice(name: str, **attributes: Any) -> dict[str, Any]:
    return {
        "id": name,
        "attributes": {
            "operationType": "query",
            "accessLevels": ["ROLE"],
            "isLicenced": False,
            **attributes,
        },
    }


# -- the published keys -----------------------------------------------------------------


def test_the_auth_service_publishes_its_public_keys(auth: Application, client_for: Clients):
    response = client_for(auth).get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=300"
    (key,) = response.json()["keys"]
    assert key["kid"] == import_key(AUTH_KEY, private=False, label="x").kid
    assert (key["kty"], key["crv"], key["alg"], key["use"]) == ("OKP", "Ed25519", EDDSA, "sig")
    assert "d" not in key


def test_users_log_in_with_eddsa_access_tokens(auth: Application, client_for: Clients):
    make_user(auth, "ada@example.org")
    actor = logged_in(client_for, auth, "ada@example.org")
    token = actor.client.cookies.get("access_token")
    assert token is not None
    key = import_key(AUTH_KEY, private=True, label="x")
    decoded = jwt.decode(token, key, algorithms=[EDDSA])
    assert decoded.header["alg"] == EDDSA and decoded.header["kid"] == key.kid
    assert actor.call("{ connectedUser { id } }").data["connectedUser"] is not None


# -- service callers -----------------------------------------------------------------


def test_a_trusted_service_calls_internal_service_webservices(
    auth: Application, client_for: Clients
):
    answer = as_service(client_for, auth).call(ALL_WEBSERVICES)
    assert answer.errors == [], answer.body
    assert answer.data["allWebservices"]["totalCount"] > 0


def test_a_service_token_opens_nothing_else(auth: Application, client_for: Clients):
    service = as_service(client_for, auth)
    for query in (
        "{ allUsers { totalCount } }",  # super users only
        'mutation { setWebserviceEnabled(code: "all_languages", enabled: false) { code } }',
    ):
        assert service.call(query).code == "PERMISSION_DENIED"
    # A service caller is not a user, and reaches no row outside its webservices.
    assert service.call("{ connectedUser { id } }").data == {"connectedUser": None}
    user = make_user(auth, "ada@example.org")
    node = service.call("query ($id: ID!) { node(id: $id) { id } }", {"id": gid(user)})
    assert node.data == {"node": None}


def test_a_service_request_is_never_a_users_even_with_their_cookie(
    auth: Application, client_for: Clients
):
    make_user(auth, "root@example.org", super_user=True)
    actor = logged_in(client_for, auth, "root@example.org")
    service = ServiceActor(actor.client, xsrf=actor.xsrf)
    assert service.call("{ connectedUser { id } }").data == {"connectedUser": None}
    assert service.call("{ allUsers { totalCount } }").code == "PERMISSION_DENIED"


def refused_tokens(auth: Application, client_for: Clients) -> dict[str, str]:
    now = int(time.time())
    claims = {
        "type": SERVICE,
        "service_name": "catalog",
        "iss": "catalog",
        "aud": "auth",
        "iat": now - 120,
        "exp": now - 60,
        "jti": "expired-one",
    }
    catalog = import_key(CATALOG_KEY, private=True, label="x")
    make_user(auth, "eve@example.org")
    user_token = logged_in(client_for, auth, "eve@example.org").client.cookies["access_token"]
    return {
        "expired": sign(claims, catalog, EDDSA),
        "unlisted signer": ServiceTokenIssuer.from_settings(
            Settings(service_name="billing", signing_key=STRANGER_KEY)
        ).issue("auth"),
        "another service's name": ServiceTokenIssuer.from_settings(
            Settings(service_name="catalog", signing_key=STRANGER_KEY)
        ).issue("auth"),
        "the auth service's own key": ServiceTokenIssuer.from_settings(
            Settings(service_name="catalog", signing_key=AUTH_KEY)
        ).issue("auth"),
        "a user token": user_token,
        "another audience": ServiceTokenIssuer.from_settings(
            Settings(service_name="catalog", signing_key=CATALOG_KEY)
        ).issue("billing"),
    }


def test_refused_service_tokens_leave_the_request_anonymous(auth: Application, client_for: Clients):
    for case, token in refused_tokens(auth, client_for).items():
        actor = anonymous(client_for, auth)
        actor.headers = {"Authorization": f"Service {token}"}
        answer = actor.call(ALL_WEBSERVICES)
        assert answer.code == "ACCESS_DENIED_ERROR", case


def test_a_service_token_is_accepted_once(auth: Application, client_for: Clients):
    actor = anonymous(client_for, auth)
    actor.headers = service_headers()
    assert actor.call(ALL_WEBSERVICES).errors == []
    assert actor.call(ALL_WEBSERVICES).code == "ACCESS_DENIED_ERROR"


# -- registerWebservices ----------------------------------------------------------------


def registered(auth: Application, app_name: str) -> dict[str, Any]:
    return {row.id: row for row in rows(auth, "webservice", app_name=app_name)}


def levels(auth: Application, name: str) -> set[str]:
    return {
        link.access_level_id for link in rows(auth, "webservice_access_level", webservice_id=name)
    }


def test_a_service_registers_its_webservices_under_its_token_name(
    auth: Application, client_for: Clients
):
    first = [
        webservice("all_widgets", description="Products"),
        webservice(
            "create_widget", operationType="mutation", accessLevels=["ROLE", "ORGANIZATION_ROLE"]
        ),
        webservice("catalog_stats", accessLevels=["INTERNAL_SERVICE"]),
        webservice("price_list", accessLevels=None, publicType="NO_LIMITATION"),
    ]
    answer = as_service(client_for, auth).call(REGISTER, {"webservices": first})
    assert answer.errors == [], answer.body
    assert answer.data["registerWebservices"] == {
        "success": True,
        "registeredCount": 4,
        "message": "4 added, 0 updated, 0 unchanged, 0 disabled, 0 shared with auth",
    }
    rows_now = registered(auth, "catalog")
    assert set(rows_now) == {"all_widgets", "create_widget", "catalog_stats", "price_list"}
    assert rows_now["create_widget"].operation_type == "mutation"
    assert rows_now["price_list"].public_type_id == "NO_LIMITATION"
    assert levels(auth, "create_widget") == {"ROLE", "ORGANIZATION_ROLE"}
    # A registration without the licence flag stays licensed (fail closed).
    unsaid = webservice("all_widgets")
    del unsaid["attributes"]["isLicenced"]

    # Registering again: changes applied, the webservices left out disabled.
    again = [unsaid, webservice("create_widget", operationType="mutation")]
    answer = as_service(client_for, auth).call(REGISTER, {"webservices": again})
    assert answer.data["registerWebservices"]["message"] == (
        "0 added, 2 updated, 0 unchanged, 2 disabled, 0 shared with auth"
    )
    rows_now = registered(auth, "catalog")
    assert rows_now["all_widgets"].is_licenced is True
    assert levels(auth, "create_widget") == {"ROLE"}
    assert rows_now["catalog_stats"].enabled is False

    listed = as_service(client_for, auth).call(ALL_WEBSERVICES, {"appName": "catalog"})
    codes = {edge["node"]["code"] for edge in listed.data["allWebservices"]["edges"]}
    assert codes == set(rows_now)


def test_registering_refuses_names_of_other_services_and_bad_declarations(
    auth: Application, client_for: Clients
):
    service = as_service(client_for, auth)
    # Webservices both services declare (their common apps') keep this service's rows.
    shared = service.call(REGISTER, {"webservices": [webservice("login"), webservice("node")]})
    assert shared.data["registerWebservices"]["registeredCount"] == 0
    assert shared.data["registerWebservices"]["message"].endswith("2 shared with auth")
    assert rows(auth, "webservice", id="login")[0].app_name == "auth"
    # Another service's names are refused.
    with auth.session() as session:
        session.add(auth.model("webservice")(id="all_invoices", app_name="billing"))
    taken = service.call(REGISTER, {"webservices": [webservice("all_invoices")]})
    assert taken.code == "WEBSERVICE_CONFLICT"
    assert taken.extensions["webservices"] == ["all_invoices"]
    for bad in (
        webservice("Not-A-Name"),
        webservice("x", accessLevels=["ADMIN"]),
        webservice("x", accessLevels=["ROLE"], publicType="NO_LIMITATION"),
        webservice("x", publicType="EVERYONE", accessLevels=[]),
        webservice("x", operationType="subscription!"),
    ):
        assert service.call(REGISTER, {"webservices": [bad]}).code == "VALIDATION_ERROR", bad
    twice = [webservice("x"), webservice("x")]
    assert service.call(REGISTER, {"webservices": twice}).code == "VALIDATION_ERROR"
    assert registered(auth, "catalog") == {}


def test_only_services_register(auth: Application, client_for: Clients):
    payload = {"webservices": [webservice("all_widgets")]}
    assert anonymous(client_for, auth).call(REGISTER, payload).code == "ACCESS_DENIED_ERROR"
    make_user(auth, "root@example.org", super_user=True)
    # Super users pass every webservice, but a registration needs a service's name.
    root = logged_in(client_for, auth, "root@example.org")
    assert root.call(REGISTER, payload).code == "PERMISSION_DENIED"
    assert registered(auth, "catalog") == {}


# -- the catalog service: the auth service's users, checked with its published keys -----


@pytest.fixture
def catalog_factory(
    auth: Application,
    make_app: AppFactory,
    client_for: Clients,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., Application]:
    """The catalog service on its own database; its JWKS fetches reach ``auth``."""
    auth_client = client_for(auth)

    def fetch(url: str) -> bytes:
        assert url == "http://auth.test/.well-known/jwks.json"
        response = auth_client.get("/.well-known/jwks.json")
        response.raise_for_status()
        return response.content

    monkeypatch.setattr("lys.auth.jwks.http_fetch", fetch)

    def build(**settings: Any) -> Application:
        app = make_app(
            ["lys.apps.base", "apps.catalog"],
            database_url=f"sqlite:///{tmp_path / 'catalog.sqlite3'}",
            service_name="catalog",
            secret_key=SECRET_KEY,
            auth_jwks_url="http://auth.test/.well-known/jwks.json",
            **settings,
        )
        load_fixtures(app)
        return app

    return build


def bearer(actor: Actor) -> dict[str, str]:
    return {"Authorization": f"Bearer {actor.client.cookies['access_token']}"}


def test_the_catalog_service_knows_the_auth_services_users(
    auth: Application, catalog_factory: Callable[..., Application], client_for: Clients
):
    catalog = catalog_factory()
    make_user(auth, "root@example.org", super_user=True)
    make_user(auth, "ada@example.org")
    root = logged_in(client_for, auth, "root@example.org")
    ada = logged_in(client_for, auth, "ada@example.org")

    # The same Bearer token: super users pass, others need a grant; nobody is open.
    at_catalog = anonymous(client_for, catalog)
    at_catalog.headers = bearer(root)
    assert at_catalog.call(ALL_PRODUCTS).errors == []
    at_catalog.headers = bearer(ada)
    assert at_catalog.call(ALL_PRODUCTS).code == "PERMISSION_DENIED"
    assert anonymous(client_for, catalog).call(ALL_PRODUCTS).code == "ACCESS_DENIED_ERROR"

    # The same cookie: writes need the XSRF header, as at the auth service.
    browser = anonymous(client_for, catalog)
    browser.client.cookies.set("access_token", root.client.cookies["access_token"])
    inputs = {"inputs": {"name": "Dune", "price": "9.90", "categoryId": BOOKS}}
    assert browser.call(CREATE_PRODUCT, inputs).code == "INVALID_XSRF_TOKEN_ERROR"
    browser.xsrf = root.xsrf
    assert browser.call(CREATE_PRODUCT, inputs).data == {"createProduct": {"name": "Dune"}}


def test_the_catalog_refuses_tokens_it_cannot_check(
    auth: Application, catalog_factory: Callable[..., Application], client_for: Clients
):
    catalog = catalog_factory()
    make_user(auth, "root@example.org", super_user=True)
    root = logged_in(client_for, auth, "root@example.org")
    # A token signed with another key, or HS256 with the auth service's secret.
    stranger = TokenCodec.from_settings(
        Settings(jwt_algorithm=EDDSA, signing_key=STRANGER_KEY)
    ).encode(
        {"sub": str(root.user_id), "sid": str(root.user_id), "xsrf": "x", "su": True}, "access", 60
    )
    hs256 = TokenCodec.from_settings(Settings(secret_key=SECRET_KEY)).encode(
        {"sub": str(root.user_id), "sid": str(root.user_id), "xsrf": "x", "su": True}, "access", 60
    )
    for token in (stranger, hs256, root.client.cookies["access_token"] + "x"):
        actor = anonymous(client_for, catalog)
        actor.headers = {"Authorization": f"Bearer {token}"}
        assert actor.call(ALL_PRODUCTS).code == "ACCESS_DENIED_ERROR"


def test_sessions_ended_at_the_auth_service_end_at_the_catalog_with_shared_redis(
    make_app: AppFactory, catalog_factory: Callable[..., Application], client_for: Clients
):
    require("Redis", REDIS_URL)
    auth = users_app(
        make_app,
        service_name="auth",
        jwt_algorithm=EDDSA,
        signing_key=AUTH_KEY,
        redis_url=REDIS_URL,
    )
    catalog = catalog_factory(redis_url=REDIS_URL)
    make_user(auth, "root@example.org", super_user=True)
    root = logged_in(client_for, auth, "root@example.org")
    at_catalog = anonymous(client_for, catalog)
    at_catalog.headers = bearer(root)
    assert at_catalog.call(ALL_PRODUCTS).errors == []
    assert root.call("mutation { logout { succeed } }").errors == []
    assert at_catalog.call(ALL_PRODUCTS).code == "ACCESS_DENIED_ERROR"


def test_a_service_with_user_auth_cannot_also_take_remote_users(make_app: AppFactory):
    with pytest.raises(ImproperlyConfigured, match="AUTH_JWKS_URL is for services without"):
        users_app(make_app, auth_jwks_url="http://auth.test/.well-known/jwks.json")

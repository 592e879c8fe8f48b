"""The reference project split in two services, each a ``manage.py runserver`` process
with its own settings module and PostgreSQL database, sharing Redis (docs/services.md).

A user signs up and logs in at the auth service, then calls the catalog service with the
same cookie or Bearer token and sees only their client's products; the catalog's
webservices appear in the auth service's table; a role granted at the auth service
opens a catalog operation; logging out at the auth service ends the session at the
catalog too. Keys are generated here: the repository holds none.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from lys.auth.keys import generate_private_pem
from lys.client import ServiceClient
from lys.conf.settings import Settings
from lys.graphql.global_ids import encode_global_id
from lys.testing.databases import create_database, drop_database, worker_database_name
from tests.e2e.conftest import Server, ServerPool, free_port, manage_ok
from tests.services import POSTGRES_ADMIN_URL, REDIS_URL, require

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

ADMIN = "root@example.org"
PASSWORD = "e2e-Secret-2026"
REGISTRATION_TIMEOUT = 60.0

LOGIN = """mutation ($login: String!, $password: String!) {
  login(inputs: {login: $login, password: $password}) { success xsrfToken }
}"""
SIGN_UP = """mutation ($inputs: CreateClientInput!) { createClient(inputs: $inputs) { id name } }"""
CREATE_USER = """mutation ($inputs: CreateUserInput!) { createUser(inputs: $inputs) { id } }"""
GRANT = """mutation ($id: ID!, $roles: [String!]!) {
  updateUserRoles(id: $id, inputs: {roleCodes: $roles}) { id }
}"""
CREATE_PRODUCT = """mutation ($inputs: CreateProductInput!) {
  createProduct(inputs: $inputs) { id name clientId }
}"""
ALL_PRODUCTS = """query ($search: String) {
  allProducts(search: $search, first: 100) { edges { node { name clientId } } totalCount }
}"""
CATALOG_WEBSERVICES = """query {
  allWebservices(appName: "catalog", first: 100) {
    edges { node { code appName enabled accessLevels } }
  }
}"""
BOOKS = encode_global_id("ProductCategoryNode", "BOOKS")


@dataclass
class Deployment:
    auth: Server
    catalog: Server
    #: Settings the test signs service tokens with, as the catalog service.
    as_catalog: Settings


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    require("PostgreSQL", POSTGRES_ADMIN_URL)
    require("Redis", REDIS_URL)
    workdir = tmp_path_factory.mktemp("two-services")
    names = {service: worker_database_name(f"lys_e2e_{service}") for service in ("auth", "catalog")}
    urls = {service: create_database(POSTGRES_ADMIN_URL, name) for service, name in names.items()}
    ports = {"auth": free_port(), "catalog": free_port()}
    keys = {"auth": generate_private_pem(), "catalog": generate_private_pem("RS256")}
    auth_url = f"http://127.0.0.1:{ports['auth']}"
    catalog_url = f"http://127.0.0.1:{ports['catalog']}"
    common = {
        "LYS_REDIS_URL": REDIS_URL,
        # Throttles (sign-ups per IP) are scoped by the secret: each run counts apart
        # from earlier runs against the same Redis.
        "LYS_SECRET_KEY": secrets.token_hex(32),
        # Emails (sign-up verification) are logged by the server itself, not queued in
        # the Redis other tests share.
        "LYS_JOB_BROKER": "eager",
        "LYS_RATE_LIMIT_PER_MINUTE": "0",
        "LYS_ARGON2_TIME_COST": "1",
        "LYS_ARGON2_MEMORY_COST": "1024",
        "LYS_ARGON2_PARALLELISM": "1",
        "LYS_LOG_LEVEL": "INFO",
    }
    env = {
        "auth": {
            **common,
            "LYS_SETTINGS_MODULE": "apps.services.auth_settings",
            "LYS_DATABASE_URL": urls["auth"],
            "LYS_MIGRATIONS_DIR": str(workdir / "auth-migrations"),
            "LYS_SIGNING_KEY": keys["auth"],
            "LYS_TRUSTED_SERVICES": json.dumps(
                {"catalog": {"jwks_url": f"{catalog_url}/.well-known/jwks.json"}}
            ),
        },
        "catalog": {
            **common,
            "LYS_SETTINGS_MODULE": "apps.services.catalog_settings",
            "LYS_DATABASE_URL": urls["catalog"],
            "LYS_MIGRATIONS_DIR": str(workdir / "catalog-migrations"),
            "LYS_SIGNING_KEY": keys["catalog"],
            "LYS_AUTH_SERVICE_URL": f"{auth_url}/graphql",
            "LYS_AUTH_JWKS_URL": f"{auth_url}/.well-known/jwks.json",
        },
    }
    for service in ("auth", "catalog"):
        manage_ok("makemigrations", "-m", "initial", env=env[service])
        manage_ok("migrate", env=env[service])
        manage_ok("loadfixtures", env=env[service])
    manage_ok("createsuperuser", "--email", ADMIN, env=env["auth"], input=PASSWORD + "\n")
    pool = ServerPool(workdir)
    try:
        # The catalog first: it registers its webservices once the auth service answers.
        catalog = pool(["runserver", "--port", str(ports["catalog"])], env=env["catalog"])
        catalog.wait_until_up()
        auth = pool(["runserver", "--port", str(ports["auth"])], env=env["auth"])
        auth.wait_until_up()
        as_catalog = Settings(service_name="catalog", signing_key=keys["catalog"])
        yield Deployment(auth, catalog, as_catalog)
    finally:
        try:
            pool.stop_all()
        finally:
            for name in names.values():
                drop_database(POSTGRES_ADMIN_URL, name)


class Browser:
    """An HTTP client with a cookie jar: logs in at the auth service, then calls any
    service with the cookies it got and the XSRF header."""

    def __init__(self) -> None:
        self.http = httpx.Client(timeout=10.0)
        self.xsrf: str | None = None
        self.bearer = False

    def call(self, server: Server, query: str, variables: dict[str, Any] | None = None) -> Any:
        headers = {}
        if self.bearer:
            headers["Authorization"] = f"Bearer {self.http.cookies['access_token']}"
        elif self.xsrf:
            headers["x-xsrf-token"] = self.xsrf
        return server.graphql(query, variables, client=self.http, headers=headers)

    def log_in(self, server: Server, email: str, password: str = PASSWORD) -> Browser:
        self.http.cookies.clear()
        body = server.graphql(LOGIN, {"login": email, "password": password}, client=self.http)
        assert body["data"]["login"]["success"], body
        self.xsrf = body["data"]["login"]["xsrfToken"]
        return self


def data(body: dict[str, Any]) -> Any:
    assert not body.get("errors"), body
    return body["data"]


def code(body: dict[str, Any]) -> str | None:
    errors = body.get("errors") or []
    return errors[0]["extensions"]["code"] if errors else None


def eventually(check: Callable[[], Any], timeout: float, what: str, server: Server) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {timeout} s; the server said:\n{server.output()}")
        time.sleep(0.5)


def test_the_catalog_registers_its_webservices_with_the_auth_service(deployment: Deployment):
    def registered() -> dict[str, Any]:
        with ServiceClient(
            f"{deployment.auth.url}/graphql", deployment.as_catalog, service="auth"
        ) as auth:
            edges = auth.query(CATALOG_WEBSERVICES)["allWebservices"]["edges"]
        return {edge["node"]["code"]: edge["node"] for edge in edges}

    rows = eventually(
        registered,
        REGISTRATION_TIMEOUT,
        "the catalog's webservices did not reach the auth service",
        deployment.catalog,
    )
    assert {"all_products", "product", "create_product", "all_product_categories"} <= set(rows)
    assert rows["create_product"]["appName"] == "catalog"
    assert rows["create_product"]["enabled"] is True
    assert set(rows["create_product"]["accessLevels"]) == {"ROLE", "ORGANIZATION_ROLE"}
    assert "registered" in deployment.catalog.output()


def sign_up(deployment: Deployment, name: str) -> tuple[str, Browser]:
    email = f"owner-{name.lower()}-{uuid.uuid4().hex[:6]}@example.org"
    inputs = {"clientName": name, "email": email, "password": PASSWORD, "languageCode": "en"}
    data(deployment.auth.graphql(SIGN_UP, {"inputs": inputs}))
    return email, Browser().log_in(deployment.auth, email)


def test_users_of_the_auth_service_see_their_clients_products_at_the_catalog(
    deployment: Deployment,
):
    auth, catalog = deployment.auth, deployment.catalog
    _, alice = sign_up(deployment, "Acme")
    _, bob = sign_up(deployment, "Globex")
    bob.bearer = True  # Bob calls with the Bearer token, Alice with her cookie

    marker = uuid.uuid4().hex[:8]
    for browser, product in ((alice, f"Acme anvil {marker}"), (bob, f"Globex widget {marker}")):
        inputs = {"name": product, "price": "10.00", "categoryId": BOOKS}
        created = data(browser.call(catalog, CREATE_PRODUCT, {"inputs": inputs}))
        assert created["createProduct"]["clientId"] is not None

    def names(browser: Browser) -> set[str]:
        page = data(browser.call(catalog, ALL_PRODUCTS, {"search": marker}))["allProducts"]
        return {edge["node"]["name"] for edge in page["edges"]}

    assert names(alice) == {f"Acme anvil {marker}"}
    assert names(bob) == {f"Globex widget {marker}"}
    # The cookie without the XSRF header writes nothing.
    alice_without_xsrf = Browser()
    alice_without_xsrf.http.cookies = alice.http.cookies
    inputs = {"name": f"Forged {marker}", "price": "1.00", "categoryId": BOOKS}
    forged = alice_without_xsrf.call(catalog, CREATE_PRODUCT, {"inputs": inputs})
    assert code(forged) == "INVALID_XSRF_TOKEN_ERROR"
    # Anonymous callers see nothing; other tokens are not users.
    assert code(catalog.graphql(ALL_PRODUCTS)) == "ACCESS_DENIED_ERROR"
    # Logging out at the auth service ends the session at the catalog (shared Redis).
    data(alice.call(auth, "mutation { logout { succeed } }"))
    stale = Browser()
    stale.http.cookies.set("access_token", bob.http.cookies["access_token"])
    stale.bearer = True
    data(bob.call(auth, "mutation { logout { succeed } }"))
    assert code(stale.call(catalog, ALL_PRODUCTS)) == "ACCESS_DENIED_ERROR"


def test_a_role_granted_at_the_auth_service_opens_a_catalog_operation(deployment: Deployment):
    auth, catalog = deployment.auth, deployment.catalog
    root = Browser().log_in(auth, ADMIN)
    email = f"manager-{uuid.uuid4().hex[:6]}@example.org"
    created = data(root.call(auth, CREATE_USER, {"inputs": {"email": email, "password": PASSWORD}}))
    manager = Browser().log_in(auth, email)
    manager.bearer = True
    assert code(manager.call(catalog, ALL_PRODUCTS)) == "PERMISSION_DENIED"

    user_id = created["createUser"]["id"]
    data(root.call(auth, GRANT, {"id": user_id, "roles": ["CATALOG_MANAGER_ROLE"]}))
    manager.log_in(auth, email)  # roles travel in the new access token
    page = data(manager.call(catalog, ALL_PRODUCTS))["allProducts"]
    assert page["totalCount"] > 0
    inputs = {"name": f"Managed {uuid.uuid4().hex[:6]}", "price": "3.50", "categoryId": BOOKS}
    made = data(manager.call(catalog, CREATE_PRODUCT, {"inputs": inputs}))["createProduct"]
    assert made["clientId"] is None  # a global role reaches every row, of no client


def test_a_service_token_opens_only_internal_service_webservices(deployment: Deployment):
    with ServiceClient(
        f"{deployment.catalog.url}/graphql", deployment.as_catalog, service="catalog"
    ) as catalog:
        # The catalog trusts no service: its own name does not make the test a caller.
        with pytest.raises(Exception) as caught:
            catalog.query(ALL_PRODUCTS)
        assert getattr(caught.value, "code", None) == "ACCESS_DENIED_ERROR"
    with ServiceClient(
        f"{deployment.auth.url}/graphql", deployment.as_catalog, service="auth"
    ) as auth:
        with pytest.raises(Exception) as caught:
            auth.query("{ allUsers { totalCount } }")
        assert getattr(caught.value, "code", None) == "PERMISSION_DENIED"


def test_both_services_publish_their_keys(deployment: Deployment):
    for server, kty in ((deployment.auth, "OKP"), (deployment.catalog, "RSA")):
        keys = httpx.get(f"{server.url}/.well-known/jwks.json").json()["keys"]
        assert [key["kty"] for key in keys] == [kty]

"""Who may do what to a user: anonymous, the user, another user, a super user.

Another user's id answers NOT_FOUND, exactly like an id that does not exist, so ids
cannot be probed; anonymous callers are asked to log in (ACCESS_DENIED_ERROR).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from lys import Application
from lys.fixtures import load_fixtures
from lys.graphql.global_ids import encode_global_id
from lys.permissions.scopes import RowScopePolicy
from tests.conftest import AppFactory
from tests.integration.prepared_database import (
    DATABASES,
    USERS_APP_SETTINGS,
    PreparedDatabase,
    module_application_fixtures,
    module_database,
)
from tests.integration.test_users_support import (
    NEW_PASSWORD,
    PASSWORD,
    Actor,
    anonymous,
    can_log_in,
    gid,
    logged_in,
    make_user,
    rows,
)

Clients = Callable[[Application], TestClient[Any]]

ADMIN = "admin@example.com"
ALICE = "alice@example.com"
BOB = "bob@example.com"

USER = "query($id: ID!) { user(id: $id) { id email privateData { firstName } } }"
NODE = "query($id: ID!) { node(id: $id) { id ... on UserNode { email } } }"
ALL_USERS = "{ allUsers { edges { node { email } } totalCount } }"
UPDATE_PASSWORD = """
mutation($id: ID!, $current: String!, $new: String!) {
  updatePassword(id: $id, inputs: {currentPassword: $current, newPassword: $new}) { id }
}"""
UPDATE_STATUS = """
mutation($id: ID!) {
  updateUserStatus(id: $id, inputs: {statusCode: "DISABLED", reason: "Fraud suspected here"}) {
    status { code }
  }
}"""


def prepare(app: Application) -> uuid.UUID:
    """What ``users_app`` loads; Alice (the target), Bob (another user), an admin."""
    load_fixtures(app)
    alice = make_user(app, ALICE, first_name="Alice")
    make_user(app, BOB)
    make_user(app, ADMIN, super_user=True)
    return alice


@pytest.fixture(scope="module", params=DATABASES)
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PreparedDatabase]:
    yield from module_database(
        request,
        tmp_path_factory,
        prepare,
        **USERS_APP_SETTINGS,
    )


shared_app, app = module_application_fixtures()


@pytest.fixture
def world(app: Application, database: PreparedDatabase, client_for: Clients) -> dict[str, Any]:
    """The prepared users on a new application; actors log in when first used."""
    alice = database.data
    logins = {
        "anonymous": lambda: anonymous(client_for, app),
        "self": lambda: logged_in(client_for, app, ALICE),
        "other": lambda: logged_in(client_for, app, BOB),
        "super_user": lambda: logged_in(client_for, app, ADMIN),
    }
    return {"app": app, "alice": alice, "logins": logins, "actors": {}}


def actor(world: dict[str, Any], name: str) -> Actor:
    actors = world["actors"]
    if name not in actors:
        actors[name] = world["logins"][name]()
    return actors[name]


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("anonymous", "ACCESS_DENIED_ERROR"),
        ("self", None),
        ("other", "NOT_FOUND"),
        ("super_user", None),
    ],
)
def test_user(world: dict[str, Any], who: str, code: str | None):
    answer = actor(world, who).call(USER, {"id": gid(world["alice"])})
    assert answer.code == code
    if code is None:
        assert answer.data["user"]["email"] == ALICE
        assert answer.data["user"]["privateData"] == {"firstName": "Alice"}
    else:
        assert answer.data is None


def test_another_users_id_answers_like_a_missing_one(world: dict[str, Any]):
    bob = actor(world, "other")
    hidden = bob.call(USER, {"id": gid(world["alice"])})
    missing = bob.call(USER, {"id": gid(uuid.uuid4())})
    assert hidden.code == missing.code == "NOT_FOUND"
    assert hidden.extensions["detail"] == missing.extensions["detail"]


@pytest.mark.parametrize(
    ("who", "visible"),
    [("anonymous", False), ("self", True), ("other", False), ("super_user", True)],
)
def test_node_shows_a_user_to_the_same_people(world: dict[str, Any], who: str, visible: bool):
    answer = actor(world, who).call(NODE, {"id": gid(world["alice"])})
    assert answer.errors == []
    assert (answer.data["node"] is not None) is visible
    # The email address and private data are nodes of their own: same audience.
    app = world["app"]
    (private,) = rows(app, "user_private_data", user_id=world["alice"])
    answer = actor(world, who).call(
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": encode_global_id("UserPrivateDataNode", private.id)},
    )
    assert (answer.data["node"] is not None) is visible


def test_user_auth_ready_turns_row_scopes_on(make_app: AppFactory):
    app = make_app(["lys.apps.base", "lys.apps.user_auth"], secret_key="x" * 40)
    assert isinstance(app.registry.access_policy, RowScopePolicy)
    assert app.registry.access_control.enforced


@pytest.mark.parametrize(
    ("who", "code", "total"),
    [
        ("anonymous", "ACCESS_DENIED_ERROR", None),
        ("self", "PERMISSION_DENIED", None),
        ("other", "PERMISSION_DENIED", None),
        ("super_user", None, 3),
    ],
)
def test_all_users(world: dict[str, Any], who: str, code: str | None, total: int | None):
    answer = actor(world, who).call(ALL_USERS)
    assert answer.code == code
    if total is None:
        assert answer.data is None
    else:
        assert answer.data["allUsers"]["totalCount"] == total


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("anonymous", "ACCESS_DENIED_ERROR"),
        ("self", None),
        ("other", "NOT_FOUND"),
        ("super_user", None),
    ],
)
def test_update_password(world: dict[str, Any], client_for: Clients, who: str, code: str | None):
    app = world["app"]
    variables = {"id": gid(world["alice"]), "current": PASSWORD, "new": NEW_PASSWORD}
    answer = actor(world, who).call(UPDATE_PASSWORD, variables)
    assert answer.code == code
    changed = code is None
    assert can_log_in(client_for, app, ALICE, NEW_PASSWORD) is changed
    assert can_log_in(client_for, app, ALICE, PASSWORD) is not changed


def test_a_user_cannot_change_another_password_even_knowing_it(
    world: dict[str, Any], client_for: Clients
):
    """Bob knows Alice's password (same as his): the OWNER level still keeps him out."""
    bob = actor(world, "other")
    answer = bob.call(
        UPDATE_PASSWORD, {"id": gid(world["alice"]), "current": PASSWORD, "new": NEW_PASSWORD}
    )
    assert answer.code == "NOT_FOUND"
    assert can_log_in(client_for, world["app"], ALICE, PASSWORD)


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("anonymous", "ACCESS_DENIED_ERROR"),
        ("self", "PERMISSION_DENIED"),
        ("other", "PERMISSION_DENIED"),
        ("super_user", None),
    ],
)
def test_update_user_status(world: dict[str, Any], who: str, code: str | None):
    answer = actor(world, who).call(UPDATE_STATUS, {"id": gid(world["alice"])})
    assert answer.code == code
    (alice,) = rows(world["app"], "user", id=world["alice"])
    assert alice.status_id == ("DISABLED" if code is None else "ENABLED")
    assert len(rows(world["app"], "user_audit_log")) == (1 if code is None else 0)


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("anonymous", "ACCESS_DENIED_ERROR"),
        ("self", None),
        ("other", "NOT_FOUND"),
        ("super_user", None),
    ],
)
def test_update_private_data_and_email(world: dict[str, Any], who: str, code: str | None):
    alice = gid(world["alice"])
    private = actor(world, who).call(
        'mutation($id: ID!) { updateUserPrivateData(id: $id, inputs: {firstName: "Zoé"}) '
        "{ privateData { firstName } } }",
        {"id": alice},
    )
    email = actor(world, who).call(
        'mutation($id: ID!) { updateUserEmail(id: $id, inputs: {newEmail: "z@example.com"}) '
        "{ email } }",
        {"id": alice},
    )
    assert private.code == email.code == code
    (data,) = rows(world["app"], "user_private_data", user_id=world["alice"])
    (address,) = rows(world["app"], "user_email_address", user_id=world["alice"])
    assert data.first_name == ("Zoé" if code is None else "Alice")
    assert address.address == ("z@example.com" if code is None else ALICE)

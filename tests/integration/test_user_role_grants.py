"""How role grants reach callers: the ``roles`` claim (renewed at each token refresh),
the role -> webservices mapping (a short-lived copy per process), and only for
webservices that declare ROLE."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lys.fixtures import load_fixtures
from tests.integration.test_users_support import Actor, gid, rows
from tests.integration.user_role_support import (
    SUPERVISOR,
    World,
    grant,
    make_role,
    module_world,
    refresh,
)

ALL_USERS = "{ allUsers { totalCount } }"
ACCESSIBLE = """
query($role: String) {
  allAccessibleWebservices(roleCode: $role, first: 100) {
    edges { node { code userAccessLevels } }
  }
}"""
UPDATE_ROLES = """
mutation($id: ID!, $codes: [String!]!) {
  updateUserRoles(id: $id, inputs: {roleCodes: $codes}) { id }
}"""
DISABLE = """
mutation($id: ID!) {
  updateUserStatus(id: $id, inputs: {statusCode: "DISABLED", reason: "Left the company"}) { id }
}"""


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    yield from module_world(request, tmp_path_factory.mktemp("user_role"))


@pytest.fixture
def world(shared: World) -> World:
    shared.reset()
    return shared


def accessible(actor: Actor, role: str | None = None) -> dict[str, list[str]]:
    answer = actor.call(ACCESSIBLE, {"role": role})
    assert answer.code is None, answer.body
    edges = answer.data["allAccessibleWebservices"]["edges"]
    return {e["node"]["code"]: e["node"]["userAccessLevels"] for e in edges}


# -- claims: a role change reaches the holder at the next refresh ----------------------


def test_a_granted_role_takes_effect_at_the_next_refresh(world: World):
    bob = world.fresh_actor("plain")
    assert bob.call(ALL_USERS).code == "PERMISSION_DENIED"
    answer = world.call(
        "super_user", UPDATE_ROLES, {"id": gid(world.ids["plain"]), "codes": [SUPERVISOR]}
    )
    assert answer.code is None
    assert bob.call(ALL_USERS).code == "PERMISSION_DENIED"  # the token predates the grant
    refresh(bob)
    assert bob.call(ALL_USERS).code is None


def test_a_withdrawn_role_stops_at_the_next_refresh(world: World):
    hugo = world.fresh_actor("holder")
    assert hugo.call(ALL_USERS).code is None
    answer = world.call("super_user", UPDATE_ROLES, {"id": gid(world.ids["holder"]), "codes": []})
    assert answer.code is None
    refresh(hugo)
    assert hugo.call(ALL_USERS).code == "PERMISSION_DENIED"


def test_a_disabled_role_holder_is_refused_at_once(world: World):
    hugo = world.fresh_actor("holder")
    assert hugo.call(ALL_USERS).code is None
    assert world.call("super_user", DISABLE, {"id": gid(world.ids["holder"])}).code is None
    assert hugo.call(ALL_USERS).code == "ACCESS_DENIED_ERROR"
    assert hugo.call("mutation { refreshAccessToken { success } }").code is not None


def test_the_claim_lists_enabled_roles_only(world: World):
    make_role(world.app, "SLEEPING_ROLE", ["all_users"], enabled=False)
    grant(world.app, world.ids["plain"], "SLEEPING_ROLE")
    bob = world.fresh_actor("plain")  # logged in after the grant
    assert bob.call(ALL_USERS).code == "PERMISSION_DENIED"


# -- the mapping: only webservices declaring ROLE; changes seen quickly ----------------


def test_a_role_grants_nothing_on_webservices_that_do_not_declare_role(world: World):
    """create_super_user and anonymize_user are for super users only (they declare no
    level): a role listing them opens nothing."""
    make_role(world.app, "OVERREACH_ROLE", ["create_super_user", "anonymize_user", "all_users"])
    grant(world.app, world.ids["plain"], "OVERREACH_ROLE")
    bob = world.fresh_actor("plain")  # logged in after the grant
    answer = bob.call('mutation { createSuperUser(inputs: {email: "evil@example.com"}) { id } }')
    assert answer.code == "PERMISSION_DENIED"
    assert rows(world.app, "user_email_address", address="evil@example.com") == []
    assert bob.call(ALL_USERS).code is None
    names = accessible(bob)
    assert "all_users" in names and names["all_users"] == ["ROLE"]
    assert "create_super_user" not in names and "anonymize_user" not in names
    assert set(accessible(bob, "OVERREACH_ROLE")) == {"all_users"}
    assert set(accessible(world.actor("super_user"), "OVERREACH_ROLE")) == {"all_users"}


def test_a_role_holder_sees_what_the_role_opens(world: World):
    names = accessible(world.actor("holder"))
    assert names["update_user_roles"] == ["ROLE"]
    assert names["user"] == ["OWNER", "ROLE"]
    assert "create_super_user" not in names
    assert "update_user_roles" not in accessible(world.actor("plain"))


def test_all_accessible_webservices_of_an_unknown_role(world: World):
    answer = world.call("holder", ACCESSIBLE, {"role": "NO_SUCH_ROLE"})
    assert answer.code == "NOT_FOUND"
    assert answer.extensions["field"] == "roleCode"


def test_a_webservice_added_to_a_role_by_this_process_takes_effect_at_once(world: World):
    make_role(world.app, "READER_ROLE")
    grant(world.app, world.ids["plain"], "READER_ROLE")
    bob = world.fresh_actor("plain")  # logged in after the grant
    assert bob.call(ALL_USERS).code == "PERMISSION_DENIED"
    with world.app.session() as session:
        world.app.service("role").set_webservices(session, "READER_ROLE", ["all_users"])
    assert bob.call(ALL_USERS).code is None


def test_a_change_made_elsewhere_is_seen_once_the_copy_expires(world: World):
    """Another process wrote the link: this process sees it within grants_seconds."""
    make_role(world.app, "READER_ROLE")
    grant(world.app, world.ids["plain"], "READER_ROLE")
    bob = world.fresh_actor("plain")  # logged in after the grant
    assert bob.call(ALL_USERS).code == "PERMISSION_DENIED"
    with world.app.session() as session:
        session.add(
            world.app.model("role_webservice")(role_id="READER_ROLE", webservice_id="all_users")
        )
    assert bob.call(ALL_USERS).code == "PERMISSION_DENIED"  # the copy is still fresh
    grants = world.app.service("role").grants
    assert 0 < grants.ttl <= 5
    grants._loaded_at -= grants.ttl + 0.01  # as if ttl seconds went by
    assert bob.call(ALL_USERS).code is None


def test_a_disabled_role_stops_granting_once_the_copy_expires(world: World):
    hugo = world.actor("holder")
    assert hugo.call(ALL_USERS).code is None
    with world.app.session() as session:
        session.get(world.app.model("role"), SUPERVISOR).enabled = False
    grants = world.app.service("role").grants
    grants._loaded_at -= grants.ttl + 0.01
    assert hugo.call(ALL_USERS).code == "PERMISSION_DENIED"


# -- fixtures ------------------------------------------------------------------------


def test_reloading_fixtures_changes_nothing_and_keeps_role_links(world: World):
    reports = {r.fixture: r for r in load_fixtures(world.app)}
    role = reports["UserRoleFixture"]
    assert (role.added, role.updated, role.disabled, role.unchanged) == (0, 0, 0, 1)
    links = rows(world.app, "role_webservice", role_id=SUPERVISOR)
    assert len(links) == 9


def test_fixtures_own_the_role_list_and_refresh_the_copy(world: World, monkeypatch):
    """A shorter list in the fixture withdraws the rest at the next loadfixtures, and
    this process drops its copy when the load commits."""
    from lys.apps.user_role.fixtures import UserRoleFixture

    hugo = world.actor("holder")
    assert hugo.call(ALL_USERS).code is None
    (row,) = UserRoleFixture.rows
    monkeypatch.setattr(
        UserRoleFixture, "rows", [{**row, "webservices": ["user", "update_user_roles"]}]
    )
    reports = {r.fixture: r for r in load_fixtures(world.app)}
    assert reports["UserRoleFixture"].updated == 1
    links = {link.webservice_id for link in rows(world.app, "role_webservice", role_id=SUPERVISOR)}
    assert links == {"user", "update_user_roles"}
    assert hugo.call(ALL_USERS).code == "PERMISSION_DENIED"

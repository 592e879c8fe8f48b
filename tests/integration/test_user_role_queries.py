"""The role queries' filters and fields: allRoles, allUsers(search, roleCode),
UserNode.roles and RoleNode.webservices, batched (no query per user or role)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.test_users_support import make_user
from tests.integration.user_role_support import (
    EMAILS,
    SUPERVISOR,
    World,
    grant,
    make_role,
    module_world,
)


def with_roles(world: World) -> None:
    make_role(world.app, "AUDITOR_ROLE", ["all_users", "user"])
    make_role(world.app, "RETIRED_ROLE", enabled=False)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    yield from module_world(request, tmp_path_factory.mktemp("user_role"), build=with_roles)


@pytest.fixture
def world(shared: World) -> World:
    shared.reset()
    return shared


ALL_ROLES = """
query($enabled: Boolean, $supervisorOnly: Boolean) {
  allRoles(enabled: $enabled, supervisorOnly: $supervisorOnly) {
    edges { node { code enabled supervisorOnly webservices } }
  }
}"""


@pytest.mark.parametrize(
    ("variables", "codes"),
    [
        ({}, ["AUDITOR_ROLE", "RETIRED_ROLE", SUPERVISOR]),
        ({"enabled": True}, ["AUDITOR_ROLE", SUPERVISOR]),
        ({"enabled": False}, ["RETIRED_ROLE"]),
        ({"supervisorOnly": True}, [SUPERVISOR]),
        ({"supervisorOnly": False}, ["AUDITOR_ROLE", "RETIRED_ROLE"]),
    ],
)
def test_all_roles_filters(world: World, variables: dict[str, Any], codes: list[str]):
    answer = world.call("plain", ALL_ROLES, variables)
    assert answer.code is None
    nodes = [e["node"] for e in answer.data["allRoles"]["edges"]]
    assert [n["code"] for n in nodes] == codes
    by_code = {n["code"]: n for n in nodes}
    if "AUDITOR_ROLE" in by_code:
        assert by_code["AUDITOR_ROLE"]["webservices"] == ["all_users", "user"]


ALL_USERS = """
query($search: String, $role: String) {
  allUsers(search: $search, roleCode: $role) { totalCount edges { node { email } } }
}"""


@pytest.mark.parametrize(
    ("search", "role", "expected"),
    [
        (None, SUPERVISOR, {"holder"}),
        (None, "AUDITOR_ROLE", {"owner", "plain"}),
        ("ali", None, {"owner"}),
        ("example.com", "AUDITOR_ROLE", {"owner", "plain"}),
        ("bob", "AUDITOR_ROLE", {"plain"}),
        (None, "NO_SUCH_ROLE", set()),
    ],
)
def test_all_users_filters(world: World, search: str | None, role: str | None, expected: set[str]):
    grant(world.app, world.ids["owner"], "AUDITOR_ROLE")
    grant(world.app, world.ids["plain"], "AUDITOR_ROLE")
    answer = world.call("holder", ALL_USERS, {"search": search, "role": role})
    assert answer.code is None
    emails = {e["node"]["email"] for e in answer.data["allUsers"]["edges"]}
    assert emails == {EMAILS[who] for who in expected}


def test_all_users_search_is_checked_like_user_auths(world: World):
    answer = world.call("holder", ALL_USERS, {"search": "x" * 201})
    assert answer.code == "SEARCH_TOO_LONG"


def test_a_super_user_holding_a_role_is_not_listed_to_holders(world: World):
    grant(world.app, world.ids["super_user"], SUPERVISOR)
    answer = world.call("holder", ALL_USERS, {"role": SUPERVISOR})
    assert {e["node"]["email"] for e in answer.data["allUsers"]["edges"]} == {EMAILS["holder"]}


USERS_WITH_ROLES = """
{ allUsers(first: 100) { edges { node { email roles { code webservices } } } } }
"""


def test_user_roles_field(world: World):
    grant(world.app, world.ids["owner"], "AUDITOR_ROLE", "RETIRED_ROLE")
    answer = world.call("super_user", USERS_WITH_ROLES)
    assert answer.code is None
    roles = {
        e["node"]["email"]: [r["code"] for r in e["node"]["roles"]]
        for e in answer.data["allUsers"]["edges"]
    }
    assert roles[EMAILS["owner"]] == ["AUDITOR_ROLE", "RETIRED_ROLE"]
    assert roles[EMAILS["holder"]] == [SUPERVISOR]
    assert roles[EMAILS["plain"]] == []


def test_all_users_with_roles_costs_the_same_for_2_or_12_users(world: World, count_queries: Any):
    def statements() -> int:
        world.call("super_user", USERS_WITH_ROLES)  # warm up (login, pool)
        counter = count_queries(world.app)
        answer = world.call("super_user", USERS_WITH_ROLES)
        counter.stop()
        assert answer.code is None
        return len(counter)

    few = statements()
    for i in range(10):
        user_id = make_user(world.app, f"user{i}@example.com")
        grant(world.app, user_id, "AUDITOR_ROLE", SUPERVISOR)
    many = statements()
    assert many == few

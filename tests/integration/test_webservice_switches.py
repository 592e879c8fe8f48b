"""Webservices switched at run time by super users, and the webservice table mirror."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from lys import Application
from lys.fixtures import load_fixtures
from lys.redis_clients import redis_client
from tests.integration.test_permissions_scopes import APPS
from tests.integration.test_users_support import Actor, anonymous, logged_in, make_user
from tests.services import REDIS_URL, require

Clients = Callable[[Application], TestClient[Any]]
SWITCH = """mutation($code: String!, $enabled: Boolean!) {
  setWebserviceEnabled(code: $code, enabled: $enabled) { code enabled }
}"""
LABELS = "{ allLabels { name } }"


def build(make_app: Callable[..., Application], **settings: Any) -> Application:
    settings.setdefault("secret_key", "x" * 40)
    return make_app(APPS, **settings)


@pytest.fixture
def redis_settings() -> dict[str, Any]:
    require("Redis", REDIS_URL)
    prefix = f"lys-test-{uuid.uuid4().hex}"
    yield {"redis_url": REDIS_URL, "redis_key_prefix": prefix}
    client = redis_client(REDIS_URL, 1.0)
    client.delete(f"{prefix}:webservices:off")


def root_and_user(app: Application, client_for: Clients) -> tuple[Actor, Actor]:
    make_user(app, "root@example.com", super_user=True)
    make_user(app, "alice@example.com")
    return (
        logged_in(client_for, app, "root@example.com"),
        logged_in(client_for, app, "alice@example.com"),
    )


def wait_for(predicate: Callable[[], bool], seconds: float) -> float:
    """Seconds until ``predicate`` held; fails after ``seconds``."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > seconds:
            pytest.fail(f"not within {seconds} s")
        time.sleep(0.05)
    return time.monotonic() - start


def test_a_switch_reaches_every_process_within_a_second(
    make_app: Callable[..., Application], client_for: Clients, redis_settings: dict[str, Any]
):
    first = build(make_app, **redis_settings)
    load_fixtures(first)
    root, alice = root_and_user(first, client_for)
    # Another server process: its own application object, same database and Redis.
    second = build(make_app, create_tables=False, **redis_settings)
    alice_there = logged_in(client_for, second, "alice@example.com")
    assert alice_there.call(LABELS).code is None

    answer = root.call(SWITCH, {"code": "all_labels", "enabled": False})
    assert answer.data == {"setWebserviceEnabled": {"code": "all_labels", "enabled": False}}
    assert alice.call(LABELS).code == "UNKNOWN_WEBSERVICE"
    assert root.call(LABELS).code == "UNKNOWN_WEBSERVICE"  # super users too
    wait_for(lambda: alice_there.call(LABELS).code == "UNKNOWN_WEBSERVICE", 1.0)

    root.call(SWITCH, {"code": "all_labels", "enabled": True})
    wait_for(lambda: alice_there.call(LABELS).code is None, 1.0)


def test_switches_survive_a_redis_that_lost_them(
    make_app: Callable[..., Application], client_for: Clients, redis_settings: dict[str, Any]
):
    app = build(make_app, **redis_settings)
    load_fixtures(app)
    root, _alice = root_and_user(app, client_for)
    root.call(SWITCH, {"code": "all_labels", "enabled": False})
    redis_client(REDIS_URL, 1.0).delete(f"{redis_settings['redis_key_prefix']}:webservices:off")
    restarted = build(make_app, create_tables=False, **redis_settings)
    alice = logged_in(client_for, restarted, "alice@example.com")
    assert alice.call(LABELS).code == "UNKNOWN_WEBSERVICE"


def test_without_redis_the_table_keeps_the_switch_across_restarts(
    make_app: Callable[..., Application], client_for: Clients
):
    app = build(make_app)
    load_fixtures(app)
    root, alice = root_and_user(app, client_for)
    root.call(SWITCH, {"code": "all_labels", "enabled": False})
    assert alice.call(LABELS).code == "UNKNOWN_WEBSERVICE"
    restarted = build(make_app, create_tables=False)
    again = logged_in(client_for, restarted, "alice@example.com")
    assert again.call(LABELS).code == "UNKNOWN_WEBSERVICE"
    # Reloading fixtures mirrors the code again but keeps run-time switches.
    load_fixtures(restarted)
    with restarted.session() as session:
        row = session.get(restarted.model("webservice"), "all_labels")
        assert row.enabled and row.switched_off


def test_a_rolled_back_switch_switches_nothing(
    make_app: Callable[..., Application], client_for: Clients, redis_settings: dict[str, Any]
):
    app = build(make_app, **redis_settings)
    load_fixtures(app)
    root, alice = root_and_user(app, client_for)
    missing = "Tm90ZU5vZGU6MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw"
    answer = root.call(
        """mutation($id: ID!) {
          setWebserviceEnabled(code: "all_labels", enabled: false) { code }
          updateNote(id: $id, text: "x") { text }
        }""",
        {"id": missing},
    )
    assert answer.code == "NOT_FOUND"
    time.sleep(0.6)  # longer than the refresh period
    assert alice.call(LABELS).code is None
    with app.session() as session:
        assert not session.get(app.model("webservice"), "all_labels").switched_off


@pytest.mark.parametrize(
    ("who", "code", "enabled", "error"),
    [
        ("anonymous", "all_labels", False, "ACCESS_DENIED_ERROR"),
        ("alice", "all_labels", False, "PERMISSION_DENIED"),
        ("root", "no_such_thing", False, "NOT_FOUND"),
        ("root", "set_webservice_enabled", False, "VALIDATION_ERROR"),
        ("root", "all_labels", False, None),
    ],
)
def test_who_may_switch(
    make_app: Callable[..., Application],
    client_for: Clients,
    who: str,
    code: str,
    enabled: bool,
    error: str | None,
):
    app = build(make_app)
    load_fixtures(app)
    root, alice = root_and_user(app, client_for)
    caller = {"root": root, "alice": alice, "anonymous": anonymous(client_for, app)}[who]
    answer = caller.call(SWITCH, {"code": code, "enabled": enabled})
    assert answer.code == error, answer.body


def test_the_table_mirrors_the_registry(make_app: Callable[..., Application]):
    app = build(make_app)
    reports = load_fixtures(app)
    mirror = [r for r in reports if r.model == "webservice" and r.fixture.startswith("webservices")]
    assert mirror and mirror[0].added == len(app.registry.webservices)
    model, links = app.model("webservice"), app.model("webservice_access_level")
    with app.session() as session:
        rows = {row.id: row for row in session.scalars(select(model))}
        levels: dict[str, set[str]] = {}
        for link in session.scalars(select(links)):
            levels.setdefault(link.webservice_id, set()).add(link.access_level_id)
        assert set(rows) == set(app.registry.webservices)
        assert levels["all_notes"] == {"OWNER", "ORGANIZATION_ROLE"}
        assert levels["all_folders"] == {"OWNER"}  # the override, not the SDL
        assert "login" not in levels and rows["login"].public_type_id == "DISCONNECTED"
        assert rows["retired_notes"].enabled is False
        assert rows["all_notes"].app_name == "api"
        assert rows["all_notes"].operation_type == "query"
        assert rows["update_note"].operation_type == "mutation"
        assert session.get(app.model("access_level"), "ORGANIZATION_ROLE") is not None

    # A webservice that left the code is disabled, never deleted (roles may name it).
    del app.registry.webservices["all_labels"]
    again = load_fixtures(app)
    report = next(r for r in again if r.fixture.startswith("webservices"))
    assert report.disabled == 1 and report.added == 0
    with app.session() as session:
        assert session.get(model, "all_labels").enabled is False

"""The base app: languages and access levels over HTTP, the emailing queue, token types."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from lys import Application, ImproperlyConfigured
from lys.graphql.global_ids import encode_global_id
from tests.conftest import AppFactory
from tests.integration.test_users_support import (
    anonymous,
    logged_in,
    make_user,
    rows,
    update_rows,
    users_app,
)

Clients = Callable[[Application], TestClient[Any]]

LANGUAGES = """
query Languages($enabled: Boolean) {
  allLanguages(enabled: $enabled) {
    edges { node { id code enabled description } }
    totalCount
  }
}"""
ACCESS_LEVELS = """
query Levels($enabled: Boolean) {
  allAccessLevels(enabled: $enabled) { edges { node { id code enabled } } totalCount }
}"""


@pytest.fixture
def app(make_app: AppFactory) -> Application:
    return users_app(make_app)


def codes(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["code"] for edge in connection["edges"]]


def test_all_languages_is_public_and_filters_on_enabled(app: Application, client_for: Clients):
    actor = anonymous(client_for, app)
    answer = actor.call(LANGUAGES)
    assert answer.errors == []
    connection = answer.data["allLanguages"]
    assert codes(connection) == ["en", "fr"]
    assert connection["totalCount"] == 2
    english = connection["edges"][0]["node"]
    assert english == {
        "id": encode_global_id("LanguageNode", "en"),
        "code": "en",
        "enabled": True,
        "description": "English",
    }

    update_rows(app, "language", {"enabled": False}, id="fr")
    assert codes(actor.call(LANGUAGES, {"enabled": True}).data["allLanguages"]) == ["en"]
    assert codes(actor.call(LANGUAGES, {"enabled": False}).data["allLanguages"]) == ["fr"]
    assert codes(actor.call(LANGUAGES).data["allLanguages"]) == ["en", "fr"]


def test_language_nodes_resolve_by_global_id(app: Application, client_for: Clients):
    answer = anonymous(client_for, app).call(
        "query($id: ID!) { node(id: $id) { ... on LanguageNode { code } } }",
        {"id": encode_global_id("LanguageNode", "fr")},
    )
    assert answer.data == {"node": {"code": "fr"}}


def test_all_access_levels_is_public(app: Application, client_for: Clients):
    answer = anonymous(client_for, app).call(ACCESS_LEVELS)
    assert answer.errors == []
    every = ["CONNECTED", "INTERNAL_SERVICE", "ORGANIZATION_ROLE", "OWNER", "ROLE"]
    assert codes(answer.data["allAccessLevels"]) == every

    update_rows(app, "access_level", {"enabled": False}, id="INTERNAL_SERVICE")
    enabled = anonymous(client_for, app).call(ACCESS_LEVELS, {"enabled": True})
    assert codes(enabled.data["allAccessLevels"]) == [c for c in every if c != "INTERNAL_SERVICE"]


def test_connected_callers_may_list_languages_too(app: Application, client_for: Clients):
    make_user(app, "someone@example.com")
    actor = logged_in(client_for, app, "someone@example.com")
    answer = actor.call(LANGUAGES)
    assert answer.errors == []
    assert codes(answer.data["allLanguages"]) == ["en", "fr"]


def test_emailing_queue_writes_a_waiting_row(app: Application):
    with app.session() as session:
        emailing = app.service("emailing").queue(
            session,
            "USER_PASSWORD_RESET",
            "someone@example.com",
            "fr",
            {"token": "abc", "link": "https://front/reset?token=abc"},
        )
        emailing_id = emailing.id
    (row,) = rows(app, "emailing")
    assert row.id == emailing_id
    assert row.status_id == "WAITING"
    assert row.type_id == "USER_PASSWORD_RESET"
    assert row.email_address == "someone@example.com"
    assert row.language_id == "fr"
    assert row.context == {"token": "abc", "link": "https://front/reset?token=abc"}
    assert row.sent_at is None


def test_emailing_queue_follows_the_callers_transaction(app: Application):
    with pytest.raises(RuntimeError), app.session() as session:
        app.service("emailing").queue(session, "USER_INVITATION", "a@example.com", "en", {})
        raise RuntimeError("the operation failed")
    assert rows(app, "emailing") == []


def test_one_time_token_lifetimes_come_from_the_types(app: Application):
    service = app.service("one_time_token_type")
    with app.session() as session:
        assert service.lifetime(session, "PASSWORD_RESET") == timedelta(minutes=30)
        assert service.lifetime(session, "EMAIL_VERIFICATION") == timedelta(hours=24)
        assert service.lifetime(session, "ACTIVATION") == timedelta(days=7)
    update_rows(app, "one_time_token_type", {"enabled": False}, id="ACTIVATION")
    with app.session() as session, pytest.raises(ImproperlyConfigured, match="ACTIVATION"):
        service.lifetime(session, "ACTIVATION")

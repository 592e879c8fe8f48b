"""The permission chain and row scopes end to end, over HTTP, on a small notes app.

Alice owns a note shared with team T2 and belongs to team T1; Bob's note is shared
with T1; Carol's with T2. Alice reaches her own rows (OWNER) and T1's (team grant): the
union, in lists, single fetches, nested lists, ``node``/``nodes`` and writes alike.
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
from tests.integration.prepared_database import (
    DATABASES,
    PreparedDatabase,
    module_application_fixtures,
    module_database,
)
from tests.integration.test_users_support import (
    Actor,
    anonymous,
    logged_in,
    make_user,
)

Clients = Callable[[Application], TestClient[Any]]
APPS = ["lys.apps.base", "lys.apps.user_auth", "tests.testapps.perm_notes"]
T1, T2, T3 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def prepare(app: Application) -> dict[str, Any]:
    """Reference data, the users, their teams, a folder and notes."""
    load_fixtures(app)
    users = {
        name: make_user(app, f"{name}@example.com", super_user=(name == "root"))
        for name in ("alice", "bob", "carol", "root")
    }
    ids: dict[str, uuid.UUID] = {}
    with app.session() as session:
        for user, team in (("alice", T1), ("bob", T1), ("carol", T2)):
            session.add(app.model("team_member")(team_id=team, user_id=users[user]))
        folder = app.model("folder")(name="alice's", user_id=users["alice"], team_id=T3)
        session.add(folder)
        session.flush()
        ids["folder"] = folder.id
        for key, owner, team, in_folder in (
            ("alice_t2", "alice", T2, True),
            ("bob_t1", "bob", T1, True),
            ("carol_t2", "carol", T2, True),
        ):
            note = app.model("note")(
                text=key,
                user_id=users[owner],
                team_id=team,
                folder_id=folder.id if in_folder else None,
            )
            session.add(note)
            session.flush()
            ids[key] = note.id
        session.add(app.model("label")(name="red"))
    return {"users": users, "ids": ids}


@pytest.fixture(scope="module", params=DATABASES)
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PreparedDatabase]:
    yield from module_database(
        request, tmp_path_factory, prepare, installed_apps=APPS, secret_key="x" * 40
    )


shared_app, app = module_application_fixtures()


@pytest.fixture
def world(app: Application, database: PreparedDatabase, client_for: Clients) -> dict[str, Any]:
    return {"app": app, **database.data, "client_for": client_for}


def actor(world: dict[str, Any], who: str) -> Actor:
    if who == "anonymous":
        return anonymous(world["client_for"], world["app"])
    return logged_in(world["client_for"], world["app"], f"{who}@example.com")


def note_id(world: dict[str, Any], key: str) -> str:
    return encode_global_id("NoteNode", world["ids"][key])


ALL_NOTES = "{ allNotes { totalCount edges { node { text } } } }"
NOTE = "query($id: ID!) { note(id: $id) { text } }"


def texts(answer: Any) -> set[str]:
    return {edge["node"]["text"] for edge in answer.data["allNotes"]["edges"]}


def test_a_list_shows_the_union_of_the_grants(world: dict[str, Any]):
    answer = actor(world, "alice").call(ALL_NOTES)
    assert texts(answer) == {"alice_t2", "bob_t1"}
    assert answer.data["allNotes"]["totalCount"] == 2
    carol = actor(world, "carol").call(ALL_NOTES)
    assert texts(carol) == {"alice_t2", "carol_t2"}
    root = actor(world, "root").call(ALL_NOTES)
    assert root.data["allNotes"]["totalCount"] == 3


@pytest.mark.parametrize(
    ("key", "visible"), [("alice_t2", True), ("bob_t1", True), ("carol_t2", False)]
)
def test_a_single_fetch_agrees_with_the_list(world: dict[str, Any], key: str, visible: bool):
    answer = actor(world, "alice").call(NOTE, {"id": note_id(world, key)})
    if visible:
        assert answer.data["note"]["text"] == key
    else:
        assert answer.code == "NOT_FOUND"


def test_a_hidden_row_answers_exactly_like_a_missing_one(world: dict[str, Any]):
    alice = actor(world, "alice")
    hidden = alice.call(NOTE, {"id": note_id(world, "carol_t2")})
    missing = alice.call(NOTE, {"id": encode_global_id("NoteNode", uuid.uuid4())})
    strip = [{k: v for k, v in e.items() if k != "extensions"} for e in hidden.errors]
    assert strip == [{k: v for k, v in e.items() if k != "extensions"} for e in missing.errors]
    assert {**hidden.extensions, "error_id": None} == {**missing.extensions, "error_id": None}


def test_node_and_nodes_apply_the_same_scopes(world: dict[str, Any]):
    alice = actor(world, "alice")
    ids = [note_id(world, key) for key in ("alice_t2", "bob_t1", "carol_t2")]
    answer = alice.call(
        "query($ids: [ID!]!) { nodes(ids: $ids) { ... on NoteNode { text } } }", {"ids": ids}
    )
    assert answer.data["nodes"] == [{"text": "alice_t2"}, {"text": "bob_t1"}, None]
    single = alice.call(
        "query($id: ID!) { node(id: $id) { id } }", {"id": note_id(world, "carol_t2")}
    )
    assert single.data == {"node": None}
    assert actor(world, "anonymous").call(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids}
    ).data == {"nodes": [None, None, None]}
    root = actor(world, "root").call(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids}
    )
    assert None not in root.data["nodes"]


def test_nested_lists_show_only_rows_the_caller_reaches(world: dict[str, Any]):
    """The folder holds three notes. allFolders grants Alice her own rows only (OWNER):
    under it she sees her note, not Bob's (her team's) nor Carol's."""
    query = "{ allFolders { edges { node { name notes { text } } } } }"
    alice = actor(world, "alice").call(query)
    [folder] = [edge["node"] for edge in alice.data["allFolders"]["edges"]]
    assert [n["text"] for n in folder["notes"]] == ["alice_t2"]
    root = actor(world, "root").call(query)
    [folder] = [edge["node"] for edge in root.data["allFolders"]["edges"]]
    assert sorted(n["text"] for n in folder["notes"]) == ["alice_t2", "bob_t1", "carol_t2"]


def test_an_override_from_code_narrows_a_webservice(world: dict[str, Any]):
    """all_folders declares OWNER and ORGANIZATION_ROLE; the app narrowed it to OWNER,
    so Bob (team T1... but the folder's team is T3) and Carol see no folder."""
    webservice = world["app"].registry.webservices["all_folders"]
    assert webservice.access_levels == ("OWNER",)
    assert webservice.app == "perm_notes"
    carol = actor(world, "carol").call("{ allFolders { totalCount } }")
    assert carol.data["allFolders"]["totalCount"] == 0


UPDATE = "mutation($id: ID!, $team: UUID) { updateNote(id: $id, teamId: $team) { teamId } }"


def test_a_write_may_not_move_a_row_out_of_reach(world: dict[str, Any]):
    alice = actor(world, "alice")
    answer = alice.call(UPDATE, {"id": note_id(world, "bob_t1"), "team": str(T3)})
    assert answer.code == "PERMISSION_DENIED"
    assert answer.data is None
    with world["app"].session() as session:
        note = session.get(world["app"].model("note"), world["ids"]["bob_t1"])
        assert note.team_id == T1  # rolled back


def test_a_write_within_reach_is_kept(world: dict[str, Any]):
    alice = actor(world, "alice")
    # Alice owns this note: it stays hers whatever its team.
    answer = alice.call(UPDATE, {"id": note_id(world, "alice_t2"), "team": str(T3)})
    assert answer.data == {"updateNote": {"teamId": str(T3)}}
    hidden = alice.call(UPDATE, {"id": note_id(world, "carol_t2"), "team": str(T1)})
    assert hidden.code == "NOT_FOUND"


@pytest.mark.parametrize(
    ("who", "field", "code"),
    [
        ("anonymous", "allNotes { totalCount }", "ACCESS_DENIED_ERROR"),
        ("anonymous", "allLabels { name }", "ACCESS_DENIED_ERROR"),
        ("alice", "allLabels { name }", None),
        ("anonymous", "secretCount", "ACCESS_DENIED_ERROR"),
        ("alice", "secretCount", "PERMISSION_DENIED"),
        ("root", "secretCount", None),
        ("anonymous", "welcome", None),
        ("alice", "welcome", "PERMISSION_DENIED"),
        ("root", "welcome", None),
        ("anonymous", "retiredNotes { text }", "UNKNOWN_WEBSERVICE"),
        ("alice", "retiredNotes { text }", "UNKNOWN_WEBSERVICE"),
        ("root", "retiredNotes { text }", "UNKNOWN_WEBSERVICE"),
    ],
)
def test_who_may_call_what(world: dict[str, Any], who: str, field: str, code: str | None):
    answer = actor(world, who).call("{ " + field + " }")
    assert answer.code == code, answer.body
    if code is not None:
        assert answer.errors[0]["message"] == code
        assert answer.extensions["detail"]


def test_unscoped_models_are_not_filtered(world: dict[str, Any]):
    answer = actor(world, "alice").call("{ allLabels { name } }")
    assert answer.data == {"allLabels": [{"name": "red"}]}


ACCESSIBLE = "{ allAccessibleWebservices { edges { node { code userAccessLevels } } } }"


def accessible(answer: Any) -> dict[str, list[str]]:
    edges = answer.data["allAccessibleWebservices"]["edges"]
    return {edge["node"]["code"]: edge["node"]["userAccessLevels"] for edge in edges}


def test_accessible_webservices_follow_the_chain(world: dict[str, Any]):
    anonymous_view = accessible(actor(world, "anonymous").call(ACCESSIBLE))
    assert "welcome" in anonymous_view and "login" in anonymous_view
    assert "all_notes" not in anonymous_view and "all_labels" not in anonymous_view
    alice = accessible(actor(world, "alice").call(ACCESSIBLE))
    assert alice["all_notes"] == ["OWNER", "ORGANIZATION_ROLE"]
    assert alice["all_folders"] == ["OWNER"]
    assert alice["all_labels"] == ["CONNECTED"]
    assert "secret_count" not in alice and "welcome" not in alice and "login" not in alice
    assert "retired_notes" not in alice
    root = accessible(actor(world, "root").call(ACCESSIBLE))
    assert "secret_count" in root and "retired_notes" not in root


def test_bob_without_own_notes_reaches_through_his_team_only(world: dict[str, Any]):
    bob = accessible(actor(world, "bob").call(ACCESSIBLE))
    assert bob["all_notes"] == ["OWNER", "ORGANIZATION_ROLE"]
    answer = actor(world, "bob").call(ALL_NOTES)
    assert texts(answer) == {"bob_t1"}

"""The ``lys.testing`` pytest plugin, run by pytest itself on a tiny project of its own.

The project has a ``note`` table, a public ``allNotes`` query and a ``createNote``
mutation for connected users. Its tests use the plugin's fixtures (``graphql`` with
``as_user``, the access levels, ``count_queries``) and the factories, and check that
every test starts from the same database, on SQLite and, with ``--lys-db``, on
PostgreSQL with a database per xdist worker.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

# Loaded before pytester snapshots the modules: re-imported after its restore, the
# dialect would register its SQL functions twice (warnings in later tests).
import sqlalchemy.dialects.postgresql

from lys.testing import use_application
from lys.testing.factories import ClientFactory, ParametricFactory
from tests.conftest import AppFactory
from tests.services import POSTGRES_ADMIN_URL, require

pytest_plugins = ["pytester"]

PROJECT: dict[str, str] = {
    "pytest.ini": """
        [pytest]
        pythonpath = .
        lys_settings = tinyproj.settings
        addopts = -p no:cacheprovider
        """,
    "tinyproj/__init__.py": "",
    "tinyproj/settings.py": """
        INSTALLED_APPS = [
            "lys.apps.base",
            "lys.apps.user_auth",
            "tinyproj.notes",
            "tinyproj.clients",
        ]
        """,
    "tinyproj/notes/__init__.py": "",
    "tinyproj/notes/models.py": """
        from sqlmodel import Field

        from lys import Entity, ParametricEntity


        class NoteKind(ParametricEntity):
            __tablename__ = "note_kind"


        class Note(Entity):
            __tablename__ = "note"

            text: str = Field(max_length=200)
        """,
    "tinyproj/notes/schema.graphql": """
        type NoteNode {
          text: String!
        }

        extend type Query {
          allNotes: [NoteNode!]! @access(public: NO_LIMITATION)
        }

        extend type Mutation {
          createNote(text: String!): NoteNode! @access(levels: [CONNECTED])
        }
        """,
    "tinyproj/notes/resolvers.py": """
        from ariadne import MutationType, QueryType
        from sqlalchemy import select

        query = QueryType()
        mutation = MutationType()


        @query.field("allNotes")
        def all_notes(_obj, info):
            note = info.context.model("note")
            return list(info.context.session.scalars(select(note).order_by(note.text)))


        @mutation.field("createNote")
        def create_note(_obj, info, text):
            note = info.context.model("note")(text=text)
            info.context.session.add(note)
            info.context.session.flush()
            return note
        """,
    # What the organization app's client table will look like, for ClientFactory.
    "tinyproj/clients/__init__.py": "",
    "tinyproj/clients/models.py": """
        import uuid

        from sqlmodel import Field

        from lys import Entity


        class Client(Entity):
            __tablename__ = "client"

            name: str = Field(max_length=100)
            owner_id: uuid.UUID = Field(foreign_key="user.id")
        """,
    "tests/test_features.py": """
        import os
        from pathlib import Path

        import factory
        import pytest
        from sqlalchemy import func, select

        from lys.testing import DEFAULT_PASSWORD, GraphQLOperationError
        from lys.testing.factories import (
            ClientFactory,
            EntityFactory,
            ParametricFactory,
            UserFactory,
        )

        ALL_NOTES = "{ allNotes { text } }"
        CREATE_NOTE = "mutation ($text: String!) { createNote(text: $text) { text } }"
        ME = "{ connectedUser { email isSuperUser } }"


        class NoteFactory(EntityFactory):
            class Meta:
                model = "note"

            text = factory.Sequence(lambda n: f"note {n}")


        class NoteKindFactory(ParametricFactory):
            class Meta:
                model = "note_kind"


        def count(app, session, model):
            return session.scalar(select(func.count()).select_from(app.model(model)))


        def test_a_writes_through_http_and_factories(graphql, user):
            assert graphql(CREATE_NOTE, {"text": "by http"}, as_user=user)["createNote"]
            NoteFactory(text="by factory")
            NoteKindFactory(id="PLAIN")
            texts = [note["text"] for note in graphql(ALL_NOTES)["allNotes"]]
            assert texts == ["by factory", "by http"]


        def test_b_starts_from_the_same_database(graphql, lys_app, db_session):
            assert graphql(ALL_NOTES) == {"allNotes": []}
            assert count(lys_app, db_session, "user") == 0
            assert count(lys_app, db_session, "note_kind") == 0
            # The reference data is there for every test.
            assert db_session.get(lys_app.model("user_status"), "ENABLED") is not None


        def test_errors_raise_with_their_code(graphql):
            with pytest.raises(GraphQLOperationError) as refused:
                graphql(CREATE_NOTE, {"text": "anonymous"})
            assert refused.value.code == "ACCESS_DENIED_ERROR"
            assert refused.value.errors[0]["path"] == ["createNote"]
            with pytest.raises(GraphQLOperationError, match="ACCESS_DENIED_ERROR"):
                graphql(ME)


        def test_as_user_takes_a_row_an_email_or_a_caller(graphql, login_as):
            ada = UserFactory(email="ada@example.test")
            for who in (ada, "ada@example.test", ada.id, login_as(ada)):
                me = graphql(ME, as_user=who)["connectedUser"]
                assert me == {"email": "ada@example.test", "isSuperUser": False}


        def test_access_levels(anonymous, user, super_user, lys_users):
            with pytest.raises(GraphQLOperationError):
                anonymous.graphql(ME)
            assert user.graphql(ME)["connectedUser"] == {"email": user.email, "isSuperUser": False}
            assert super_user.graphql(ME)["connectedUser"]["isSuperUser"] is True
            assert lys_users.at_level("user").email != user.email


        LOGIN = (
            "mutation ($login: String!, $password: String!) "
            "{ login(inputs: {login: $login, password: $password}) { success } }"
        )


        def log_in(client, email):
            client.cookies.clear()
            variables = {"login": email, "password": DEFAULT_PASSWORD}
            return client.post("/graphql", json={"query": LOGIN, "variables": variables}).json()


        def test_user_factory_users_log_in_for_real(client):
            UserFactory(email="bob@example.test")
            UserFactory(email="off@example.test", status="DISABLED")
            assert log_in(client, "bob@example.test")["data"]["login"]["success"] is True
            refused = log_in(client, "off@example.test")["errors"][0]
            assert refused["extensions"]["code"] == "INVALID_CREDENTIALS_ERROR"


        def test_parametric_factory_reuses_a_code(lys_app, db_session):
            assert NoteKindFactory(id="PLAIN") is NoteKindFactory(id="PLAIN")
            assert NoteKindFactory().id.startswith("CODE_")
            assert count(lys_app, db_session, "note_kind") == 2


        def test_client_factory_gives_the_client_an_owner(lys_app, db_session):
            client = ClientFactory()
            owner = db_session.get(lys_app.model("user"), client.owner_id)
            assert client.name.startswith("Client ") and owner is not None


        def test_count_queries(graphql, count_queries):
            NoteFactory.create_batch(3)
            with count_queries() as queries:
                assert len(graphql(ALL_NOTES)["allNotes"]) == 3
            assert len(queries) == 1


        def test_database_of_this_worker(lys_settings):
            folder = Path(os.environ["TINYPROJ_DATABASES"])
            worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
            (folder / worker).write_text(lys_settings.database_url)
        """,
}
INNER_TESTS = 10


def write_project(root: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content).lstrip(), encoding="utf-8")


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tiny project; each run records its databases' URLs in ``databases/``."""
    write_project(pytester.path, PROJECT)
    databases = pytester.path / "databases"
    databases.mkdir()
    monkeypatch.setenv("TINYPROJ_DATABASES", str(databases))
    monkeypatch.delenv("LYS_SETTINGS_MODULE", raising=False)
    return databases


def recorded_databases(databases: Path) -> dict[str, str]:
    return {path.name: path.read_text() for path in databases.iterdir()}


def test_the_fixtures_on_sqlite(pytester: pytest.Pytester, project: Path) -> None:
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=INNER_TESTS)
    (url,) = recorded_databases(project).values()
    assert url.startswith("sqlite:///") and url.endswith("test.sqlite3")


@pytest.mark.postgres
def test_the_fixtures_on_postgresql_with_a_database_per_worker(
    pytester: pytest.Pytester, project: Path
) -> None:
    require("PostgreSQL", POSTGRES_ADMIN_URL)
    # Every test on each of two workers, in order: each worker needs a database of its own.
    result = pytester.runpytest_subprocess(
        "-n", "2", "--dist", "each", f"--lys-db={POSTGRES_ADMIN_URL}"
    )
    result.assert_outcomes(passed=2 * INNER_TESTS)

    urls = recorded_databases(project)
    names = {sa.engine.make_url(url).database for url in urls.values()}
    assert len(names) == len(urls) == 2, urls
    assert all(name and name.startswith("lys_test_gw") for name in names)
    engine = sa.create_engine(POSTGRES_ADMIN_URL)
    try:
        with engine.connect() as connection:
            left = connection.execute(
                sa.text("SELECT datname FROM pg_database WHERE datname = ANY(:names)"),
                {"names": list(names)},
            ).all()
    finally:
        engine.dispose()
    assert left == [], "the per-worker databases are dropped at the end"


def test_without_settings_only_the_tests_that_need_them_fail(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LYS_SETTINGS_MODULE", raising=False)
    pytester.makepyfile(
        test_plain="""
        def test_plain():
            assert True

        def test_needs_an_application(graphql):
            graphql("{ __typename }")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*no settings module for the Lys fixtures*lys_settings*"])


class CategoryFactory(ParametricFactory):
    class Meta:
        model = "product_category"


def test_factories_work_on_any_application(make_app: AppFactory) -> None:
    """Suites building their own applications activate one with ``use_application``."""
    app = make_app(["apps.catalog"])
    with use_application(app) as active:
        category = CategoryFactory(id="BOOKS")
        assert isinstance(category, app.model("product_category"))
        assert active.session.get(app.model("product_category"), "BOOKS") is category
        with pytest.raises(LookupError) as missing:
            ClientFactory()
    assert "ClientFactory makes 'client' rows" in str(missing.value)
    assert "lys.apps.organization" in str(missing.value)


def test_factories_need_an_active_application() -> None:
    with pytest.raises(RuntimeError, match="no Lys application is active"):
        ClientFactory()

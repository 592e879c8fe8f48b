"""Building the executable schema: merging apps' SDL, binding resolvers, naming, scalars.

Errors must name the app and the file (and the line when it is known).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from ariadne import MutationType, QueryType
from graphql import GraphQLSchema, graphql_sync

from lys import Application, ImproperlyConfigured
from lys.graphql.context import RequestContext
from lys.graphql.global_ids import encode_global_id
from lys.graphql.schema import BASE_SDL, build_schema, print_sdl
from lys.registry import Registry
from lys.registry.registry import Bindables, SchemaFile
from tests.conftest import build_settings
from tests.testapps.reg_support import forget_modules, unique_name, write_package

AppWriter = Callable[[str, Mapping[str, str]], str]


@pytest.fixture
def apps_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "apps_root"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    return root


@pytest.fixture
def write_app(apps_root: Path) -> Iterator[AppWriter]:
    """Write a throwaway app package; returns its (unique, importable) name."""
    names: list[str] = []

    def write(stem: str, files: Mapping[str, str]) -> str:
        name = unique_name(stem)
        write_package(apps_root, name, files)
        names.append(name)
        return name

    yield write
    forget_modules(names)


def build(apps: list[str]) -> Application:
    return Application(build_settings(installed_apps=apps, database_url="sqlite://"))


def schema_error(apps: list[str]) -> str:
    with pytest.raises(ImproperlyConfigured) as info:
        build(apps).schema  # noqa: B018
    return str(info.value)


def registry_with(
    tmp_path: Path, sdl: str, *bindables: Any, app: str = "demo"
) -> tuple[Registry, Path]:
    """A registry holding one app's SDL file and resolvers, without any import."""
    path = tmp_path / f"{app}.graphql"
    path.write_text(sdl, encoding="utf-8")
    registry = Registry()
    registry.schema_files.append(SchemaFile(app, path))
    if bindables:
        registry.bindables.append(Bindables(app, f"/somewhere/{app}/resolvers.py", bindables))
    return registry, path


def run(schema: GraphQLSchema, query: str, variables: dict[str, Any] | None = None) -> Any:
    return graphql_sync(schema, query, variable_values=variables)


# -- errors name the app and the file ---------------------------------------------------


def test_sdl_syntax_error_names_app_file_and_line(write_app: AppWriter, apps_root: Path) -> None:
    name = write_app(
        "bad_sdl",
        {
            "schema.graphql": """
                type Fine {
                  id: ID!
                  broken: [String!
                }
                """,
        },
    )
    message = schema_error(["apps.catalog", name])
    path = apps_root / name / "schema.graphql"
    assert message.startswith(f"app {name}: {path}:4:")
    assert "GraphQL syntax error" in message


def test_syntax_error_in_the_second_of_several_files(write_app: AppWriter, apps_root: Path) -> None:
    name = write_app(
        "two_files",
        {
            "a.graphql": "type GoodOne { id: ID! }\n",
            "b.graphql": "# one\n# two\nextend type Query {\n  nope(: Int): String\n}\n",
        },
    )
    message = schema_error([name])
    assert f"{apps_root / name / 'b.graphql'}:4:" in message
    assert "a.graphql" not in message


def test_type_defined_twice_names_both_apps_and_files(
    write_app: AppWriter, apps_root: Path
) -> None:
    first = write_app("first", {"schema.graphql": "type Widget {\n  id: ID!\n}\n"})
    second = write_app("second", {"types.graphql": "type Widget {\n  size: Int\n}\n"})
    message = schema_error([first, second])
    assert f"app {second}: {apps_root / second / 'types.graphql'}" in message
    assert f"type 'Widget' is already defined by app {first}" in message
    assert str(apps_root / first / "schema.graphql") in message
    assert "extend type Widget" in message


def test_redefining_a_catalog_type_names_the_catalog(write_app: AppWriter) -> None:
    name = write_app("clash", {"schema.graphql": "type ProductNode {\n  id: ID!\n}\n"})
    message = schema_error(["apps.catalog", name])
    assert "type 'ProductNode' is already defined by app apps.catalog" in message
    assert "apps/catalog/schema.graphql" in message


def test_redefining_a_framework_type_names_the_framework(write_app: AppWriter) -> None:
    name = write_app("pageinfo", {"schema.graphql": "type PageInfo {\n  page: Int\n}\n"})
    message = schema_error([name])
    assert f"type 'PageInfo' is already defined by app lys in {BASE_SDL}" in message


def test_resolver_for_a_field_the_sdl_lacks_names_app_and_resolvers(
    write_app: AppWriter, apps_root: Path
) -> None:
    name = write_app(
        "ghost_field",
        {
            "schema.graphql": "extend type Query {\n  present: String\n}\n",
            "resolvers.py": """
                from ariadne import MutationType, QueryType

                query = QueryType()


                @query.field("absent")
                def resolve_absent(*_):
                    return "never"
                """,
        },
    )
    message = schema_error(["apps.catalog", name])
    assert f"app {name}: {apps_root / name / 'resolvers.py'}" in message
    assert "absent" in message
    assert "Query" in message


def test_resolver_for_a_type_the_sdl_lacks(write_app: AppWriter, apps_root: Path) -> None:
    name = write_app(
        "ghost_type",
        {
            "resolvers.py": """
                from ariadne import ObjectType

                ghost = ObjectType("GhostNode")
                """,
        },
    )
    message = schema_error(["apps.catalog", name])
    assert f"app {name}: {apps_root / name / 'resolvers.py'}" in message
    assert "GhostNode" in message


def test_explicit_bindables_must_be_bindables(write_app: AppWriter, apps_root: Path) -> None:
    name = write_app("not_bindable", {"resolvers.py": "bindables = ['query']\n"})
    message = schema_error([name])
    assert f"app {name}: {apps_root / name / 'resolvers.py'}" in message
    assert "'query' is not an Ariadne bindable" in message


def test_extending_an_unknown_type_names_file_and_line(
    write_app: AppWriter, apps_root: Path
) -> None:
    name = write_app(
        "extend_unknown", {"schema.graphql": "# one\n# two\nextend type Nowhere {\n  x: Int\n}\n"}
    )
    message = schema_error([name])
    path = apps_root / name / "schema.graphql"
    assert message.startswith(f"invalid GraphQL schema: app {name}: {path}:3: ")
    assert "Cannot extend type 'Nowhere'" in message


def test_unknown_field_type_names_file_and_line(write_app: AppWriter, apps_root: Path) -> None:
    name = write_app(
        "unknown_type",
        {"schema.graphql": "type Holder {\n  id: ID!\n  thing: Missing\n}\n"},
    )
    message = schema_error([name])
    path = apps_root / name / "schema.graphql"
    assert message == f"invalid GraphQL schema: app {name}: {path}:3: Unknown type 'Missing'."


def test_a_field_added_twice_names_both_apps(write_app: AppWriter, apps_root: Path) -> None:
    first = write_app("field_a", {"schema.graphql": "extend type Query {\n  same: Int\n}\n"})
    second = write_app("field_b", {"x.graphql": "# -\nextend type Query {\n  same: Int\n}\n"})
    message = schema_error([first, second])
    assert f"app {first}: {apps_root / first / 'schema.graphql'}:2" in message
    assert f"app {second}: {apps_root / second / 'x.graphql'}:3" in message
    assert "Query.same" in message


def test_an_invalid_type_system_names_the_file(write_app: AppWriter, apps_root: Path) -> None:
    name = write_app(
        "bad_interface",
        {
            "schema.graphql": """
                interface Named {
                  name: String!
                }

                type Person implements Named {
                  id: ID!
                }
                """,
        },
    )
    message = schema_error([name])
    assert f"app {name}: {apps_root / name / 'schema.graphql'}" in message
    assert "Named.name" in message


def test_an_app_may_not_redefine_query(write_app: AppWriter) -> None:
    first = write_app("query_a", {"schema.graphql": "type Query {\n  a: Int\n}\n"})
    second = write_app("query_b", {"schema.graphql": "type Query {\n  b: Int\n}\n"})
    message = schema_error([first, second])
    assert f"type 'Query' is already defined by app {first}" in message
    assert "extend type Query" in message


# -- extend type Query / Mutation -------------------------------------------------------


def test_apps_extend_query_and_mutation(write_app: AppWriter) -> None:
    sdl_a = "extend type Query {\n  fromA: String!\n}\n"
    sdl_b = (
        "extend type Query {\n  fromB: String!\n}\n"
        "extend type Mutation {\n  doB(times: Int!): Int!\n}\n"
    )
    resolvers_a = """
        from ariadne import MutationType, QueryType

        query = QueryType()
        query.set_field("fromA", lambda *_: "a")
        """
    resolvers_b = """
        from ariadne import MutationType, QueryType

        query = QueryType()
        query.set_field("fromB", lambda *_: "b")
        mutation = MutationType()
        mutation.set_field("doB", lambda *_, times: times * 2)
        """
    first = write_app("ext_a", {"schema.graphql": sdl_a, "resolvers.py": resolvers_a})
    second = write_app("ext_b", {"schema.graphql": sdl_b, "resolvers.py": resolvers_b})
    schema = build([first, second]).schema
    assert schema.query_type is not None
    # The framework's node and nodes first, then each app's fields in app order.
    assert list(schema.query_type.fields) == ["node", "nodes", "fromA", "fromB"]
    assert run(schema, "{ fromA fromB }").data == {"fromA": "a", "fromB": "b"}
    assert run(schema, "mutation { doB(times: 21) }").data == {"doB": 42}


def test_no_mutation_type_unless_an_app_extends_it(write_app: AppWriter) -> None:
    name = write_app("query_only", {"schema.graphql": "extend type Query {\n  x: Int\n}\n"})
    schema = build([name]).schema
    assert schema.mutation_type is None
    assert "type Mutation" not in print_sdl(schema)


def test_catalog_schema_has_its_roots() -> None:
    schema = build(["apps.catalog"]).schema
    assert schema.query_type is not None and schema.mutation_type is not None
    assert {"product", "allProducts", "allProductCategories"} <= set(schema.query_type.fields)
    assert {"createProduct", "updateProductPrice"} <= set(schema.mutation_type.fields)


def assert_framework_query_root(schema: GraphQLSchema) -> None:
    """The Query type the framework always provides: node and nodes, answering."""
    query_type = schema.query_type
    assert query_type is not None
    assert list(query_type.fields) == ["node", "nodes"]
    assert str(query_type.fields["node"].type) == "Node"
    assert str(query_type.fields["node"].args["id"].type) == "ID!"
    assert str(query_type.fields["nodes"].type) == "[Node]!"
    assert str(query_type.fields["nodes"].args["ids"].type) == "[ID!]!"
    assert query_type.fields["node"].resolve is not None
    assert query_type.fields["nodes"].resolve is not None
    # The cheap probe a client can always send.
    assert run(schema, "{ __typename }").data == {"__typename": "Query"}


def execute(
    app: Application, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Run an operation through the application's executor, as the HTTP layer does."""
    context = RequestContext(app.settings, app.registry, app.engine)
    status, body = app.executor.execute({"query": query, "variables": variables}, context)
    assert status == 200, body
    return body


def test_empty_project_has_a_query_root_with_node_and_nodes() -> None:
    app = build([])
    schema = app.schema
    assert_framework_query_root(schema)
    assert schema.mutation_type is None
    # The framework's resolvers answer; with no node type, no global id is one of ours.
    body = execute(
        app, "query($id: ID!) { node(id: $id) { id } }", {"id": encode_global_id("Lonely", 1)}
    )
    assert body["data"] == {"node": None}
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
    assert execute(app, "{ nodes(ids: []) { id } }") == {"data": {"nodes": []}}


def test_query_root_exists_when_no_app_extends_query(write_app: AppWriter) -> None:
    name = write_app(
        "types_only",
        {
            "schema.graphql": "# only a type\ntype Lonely {\n  id: ID!\n}\n",
            "empty.graphql": "# -\n",
        },
    )
    schema = build([name]).schema
    assert "Lonely" in schema.type_map
    assert_framework_query_root(schema)
    assert "type Query {" in print_sdl(schema)


def test_an_app_may_answer_node_itself(tmp_path: Path) -> None:
    """A resolver an app binds to node wins over the framework's default one."""
    asked: list[str] = []
    query = QueryType()

    @query.field("node")
    def resolve_node(_obj: Any, _info: Any, id: str) -> None:
        asked.append(id)

    registry, _ = registry_with(tmp_path, "type Lonely {\n  id: ID!\n}\n", query)
    schema = build_schema(registry)
    # The framework's resolver would refuse this id (not base64 of "Type:key").
    result = run(schema, '{ node(id: "not a global id") { id } }')
    assert result.errors is None
    assert result.data == {"node": None}
    assert asked == ["not a global id"]


def test_an_app_may_add_query_fields_beside_node(tmp_path: Path) -> None:
    query = QueryType()
    query.set_field("hello", lambda *_: "world")
    registry, _ = registry_with(tmp_path, "extend type Query {\n  hello: String!\n}\n", query)
    schema = build_schema(registry)
    assert schema.query_type is not None
    assert list(schema.query_type.fields) == ["node", "nodes", "hello"]
    assert run(schema, "{ hello __typename }").data == {"hello": "world", "__typename": "Query"}


def test_a_later_app_replaces_a_resolver(write_app: AppWriter) -> None:
    base = write_app(
        "base",
        {
            "schema.graphql": "extend type Query {\n  who: String!\n}\n",
            "resolvers.py": """
                from ariadne import MutationType, QueryType

                query = QueryType()
                query.set_field("who", lambda *_: "base")
                """,
        },
    )
    override = write_app(
        "override",
        {
            "resolvers.py": """
                from ariadne import MutationType, QueryType

                query = QueryType()
                query.set_field("who", lambda *_: "override")
                """,
        },
    )
    # Re-exports the first app's bindable: already bound, it must not win back the field.
    reexport = write_app(
        "reexport", {"resolvers.py": f"from {base}.resolvers import query\n\nbindables = [query]\n"}
    )
    assert run(build([base]).schema, "{ who }").data == {"who": "base"}
    assert run(build([base, override]).schema, "{ who }").data == {"who": "override"}
    assert run(build([base, override, reexport]).schema, "{ who }").data == {"who": "override"}


# -- names: camelCase in SDL, snake_case in Python --------------------------------------

NAMING_SDL = """
type Item {
  itemName: String!
  createdAt: DateTime!
  isFeatured: Boolean!
}

input NewItemInput {
  itemName: String!
  clientId: UUID
}

extend type Query {
  itemsIn(categoryId: ID!, maxCount: Int = 2): [Item!]!
}

extend type Mutation {
  addItem(newItem: NewItemInput!): String!
}
"""


def test_camel_case_sdl_meets_snake_case_python(tmp_path: Path) -> None:
    received: dict[str, Any] = {}
    query = QueryType()
    mutation_type = MutationType()
    created = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)

    @query.field("itemsIn")
    def resolve_items_in(_obj: Any, _info: Any, category_id: str, max_count: int) -> list[Any]:
        received.update(category_id=category_id, max_count=max_count)
        return [
            SimpleNamespace(item_name=f"{category_id}-{n}", created_at=created, is_featured=n == 0)
            for n in range(max_count)
        ]

    @mutation_type.field("addItem")
    def resolve_add_item(_obj: Any, _info: Any, new_item: dict[str, Any]) -> str:
        received["new_item"] = new_item
        return "ok"

    registry, _ = registry_with(tmp_path, NAMING_SDL, query, mutation_type)
    schema = build_schema(registry)
    result = run(schema, '{ itemsIn(categoryId: "BOOKS") { itemName createdAt isFeatured } }')
    assert result.errors is None
    assert received == {"category_id": "BOOKS", "max_count": 2}
    assert result.data == {
        "itemsIn": [
            {"itemName": "BOOKS-0", "createdAt": "2026-01-02T03:04:05+00:00", "isFeatured": True},
            {"itemName": "BOOKS-1", "createdAt": "2026-01-02T03:04:05+00:00", "isFeatured": False},
        ]
    }

    client = uuid.uuid4()
    result = run(
        schema,
        "mutation($input: NewItemInput!) { addItem(newItem: $input) }",
        {"input": {"itemName": "pen", "clientId": str(client)}},
    )
    assert result.errors is None
    assert received["new_item"] == {"item_name": "pen", "client_id": client}


def test_dict_results_are_read_by_snake_case_key(tmp_path: Path) -> None:
    query = QueryType()
    query.set_field(
        "itemsIn",
        lambda *_, category_id, max_count: (
            [{"item_name": category_id, "created_at": datetime(2026, 1, 1, tzinfo=UTC)}] * max_count
        ),
    )
    registry, _ = registry_with(tmp_path, NAMING_SDL.split("extend type Mutation")[0], query)
    result = run(build_schema(registry), '{ itemsIn(categoryId: "X", maxCount: 1) { itemName } }')
    assert result.data == {"itemsIn": [{"itemName": "X"}]}


def test_printed_schema_keeps_camel_case(tmp_path: Path) -> None:
    registry, _ = registry_with(tmp_path, NAMING_SDL)
    sdl = print_sdl(build_schema(registry))
    assert "itemsIn(categoryId: ID!, maxCount: Int = 2): [Item!]!" in sdl
    assert "item_name" not in sdl
    assert sdl.endswith("}\n")


# -- scalars ----------------------------------------------------------------------------

SCALAR_SDL = """
type Sample {
  at: DateTime!
  naive: DateTime!
  id: UUID!
  amount: Decimal!
  tiny: Decimal!
  meta: JSON
}

extend type Query {
  sample: Sample!
  echo(at: DateTime, id: UUID, amount: Decimal, meta: JSON): String!
}
"""

SAMPLE_ID = uuid.UUID("12345678-1234-5678-1234-567812345678")


def _describe(value: Any) -> Any:
    if isinstance(value, datetime):
        return ["datetime", value.isoformat()]
    if isinstance(value, uuid.UUID | Decimal):
        return [type(value).__name__, str(value)]
    return value


@pytest.fixture
def scalar_schema(tmp_path: Path) -> GraphQLSchema:
    query = QueryType()
    query.set_field(
        "sample",
        lambda *_: {
            "at": datetime(2026, 5, 6, 7, 8, 9, tzinfo=timezone(timedelta(hours=2))),
            "naive": datetime(2026, 5, 6, 7, 8, 9),
            "id": SAMPLE_ID,
            "amount": Decimal("12345678901234567890.10"),
            "tiny": Decimal("0.1") + Decimal("0.2"),
            "meta": {"tags": ["a", "b"], "nested": {"n": 1, "ok": True, "none": None}},
        },
    )
    query.set_field(
        "echo",
        lambda *_, **kwargs: json.dumps({k: _describe(v) for k, v in sorted(kwargs.items())}),
    )
    registry, _ = registry_with(tmp_path, SCALAR_SDL, query)
    return build_schema(registry)


def test_scalars_serialize(scalar_schema: GraphQLSchema) -> None:
    result = run(scalar_schema, "{ sample { at naive id amount tiny meta } }")
    assert result.errors is None
    assert result.data == {
        "sample": {
            "at": "2026-05-06T07:08:09+02:00",
            "naive": "2026-05-06T07:08:09+00:00",
            "id": "12345678-1234-5678-1234-567812345678",
            # Decimals are strings: every digit survives, no float rounding.
            "amount": "12345678901234567890.10",
            "tiny": "0.3",
            "meta": {"tags": ["a", "b"], "nested": {"n": 1, "ok": True, "none": None}},
        }
    }


def test_scalars_parse_literals(scalar_schema: GraphQLSchema) -> None:
    result = run(
        scalar_schema,
        '{ echo(at: "2026-05-06T07:08:09Z", id: "12345678123456781234567812345678",'
        ' amount: "0.10", meta: {a: [1, "two"], b: null}) }',
    )
    assert result.errors is None
    assert json.loads(result.data["echo"]) == {
        "amount": ["Decimal", "0.10"],
        "at": ["datetime", "2026-05-06T07:08:09+00:00"],
        "id": ["UUID", str(SAMPLE_ID)],
        "meta": {"a": [1, "two"], "b": None},
    }


def test_scalars_parse_variables(scalar_schema: GraphQLSchema) -> None:
    result = run(
        scalar_schema,
        "query($at: DateTime, $id: UUID, $amount: Decimal, $meta: JSON)"
        " { echo(at: $at, id: $id, amount: $amount, meta: $meta) }",
        {
            "at": "2026-05-06T07:08:09.5-03:00",
            "id": str(SAMPLE_ID),
            "amount": 7,
            "meta": [{"x": 1}],
        },
    )
    assert result.errors is None
    assert json.loads(result.data["echo"]) == {
        "amount": ["Decimal", "7"],
        "at": ["datetime", "2026-05-06T07:08:09.500000-03:00"],
        "id": ["UUID", str(SAMPLE_ID)],
        "meta": [{"x": 1}],
    }


def test_decimal_from_a_float_keeps_its_short_form(scalar_schema: GraphQLSchema) -> None:
    result = run(scalar_schema, "query($a: Decimal) { echo(amount: $a) }", {"a": 0.1})
    assert json.loads(result.data["echo"]) == {"amount": ["Decimal", "0.1"]}


@pytest.mark.parametrize(
    ("variable", "value", "complaint"),
    [
        ("at", "2026-05-06T07:08:09", "lacks a UTC offset"),
        ("at", "yesterday", "is not ISO 8601"),
        ("at", 1700000000, "DateTime must be an ISO 8601 string"),
        ("id", "not-a-uuid", "is not a UUID"),
        ("amount", "twelve", "is not a decimal number"),
        ("amount", "NaN", "is not a finite decimal number"),
        ("amount", True, "Decimal must be a string"),
    ],
)
def test_invalid_scalar_values_are_refused(
    scalar_schema: GraphQLSchema, variable: str, value: Any, complaint: str
) -> None:
    kinds = {"at": "DateTime", "id": "UUID", "amount": "Decimal"}
    result = run(
        scalar_schema,
        f"query($v: {kinds[variable]}) {{ echo({variable}: $v) }}",
        {"v": value},
    )
    assert result.data is None
    assert result.errors
    assert complaint in result.errors[0].message


def test_invalid_scalar_literal_is_refused(scalar_schema: GraphQLSchema) -> None:
    result = run(scalar_schema, '{ echo(id: "nope") }')
    assert result.errors
    assert "is not a UUID" in result.errors[0].message


def test_framework_scalars_are_in_every_schema() -> None:
    schema = build([]).schema
    for name in ("DateTime", "UUID", "Decimal", "JSON", "PageInfo"):
        assert name in schema.type_map

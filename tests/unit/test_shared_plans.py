"""lys.graphql.execution: execution plans shared by every execution of a cached operation.

Lys caches parsed documents by query text, so the same operation node comes back with
every request of a query. ``LeanExecutionContext`` keeps the plan of such an operation
(its root steps, each filling in its objects' steps as it runs) when no directive of
the document takes a variable, and reuses it on the next execution. Every test here
runs one parsed document several times, as that cache does, and compares each result
with graphql-core's own ``ExecutionContext`` (data, errors with their paths and
locations, original exceptions). Counting tests check that the plan really is reused
(the second execution collects and plans nothing) and that it is not reused where
which fields run depends on the variables.
"""

from __future__ import annotations

import importlib
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLSchema,
    OperationDefinitionNode,
    build_schema,
    execute,
    parse,
    validate,
)
from graphql.execution.execute import ExecutionContext

from lys.graphql import execution
from lys.graphql.execution import LeanExecutionContext, plain
from tests.unit.test_lean_execution import described

SDL = """
directive @note(text: String) on QUERY | FIELD

interface Named { name: String! }

type Person implements Named { name: String! friend: Person }

type Robot implements Named { name: String! model: Int }

type Item {
  id: ID!
  name: String!
  price: Int
  tags: [String!]!
  maker: Person
  strict: String!
  broken: String
}

type Shop {
  name: String!
  owner: Person
  items: [Item!]!
  loose: [Item]
}

type Query {
  shop: Shop
  strictShop: Shop!
  items: [Item!]!
  loose: [Item]
  item(id: ID!): Item
  search(term: String!, limit: Int = 2): [Item!]!
  named: [Named!]!
  count: Int!
  fail: String
}

type AddPayload {
  item: Item
  count: Int!
  log: [String!]!
  broken: String
}

type Mutation {
  add(name: String!): AddPayload!
  maybe(name: String!): AddPayload
  remove(id: ID!): Boolean
  explode: AddPayload
}
"""


class Boom(Exception):
    pass


class Explode:
    """In the data: reading this value raises ``Boom(message)``."""

    def __init__(self, message: str) -> None:
        self.message = message


def value_of(obj: dict[str, Any], key: str) -> Any:
    value = obj.get(key)
    if isinstance(value, Explode):
        raise Boom(value.message)
    return value


def plain_field(key: str) -> Callable[..., Any]:
    """A resolver marked plain: Lys reads it directly, graphql-core calls it."""

    def read(obj: dict[str, Any], _context: Any) -> Any:
        return value_of(obj, key)

    @plain(read)
    def resolve(obj: dict[str, Any], info: Any) -> Any:
        return read(obj, info.context)

    return resolve


def full_field(key: str) -> Callable[..., Any]:
    """An ordinary resolver (not plain): graphql-core's path in both contexts."""

    def resolve(obj: dict[str, Any], _info: Any) -> Any:
        return value_of(obj, key)

    return resolve


def resolve_item(root: dict[str, Any], _info: Any, id: str) -> Any:
    return next((item for item in root["items"] if item["id"] == id), None)


def resolve_search(root: dict[str, Any], _info: Any, term: str, limit: int) -> Any:
    return [item for item in root["items"] if term in item["name"]][:limit]


def resolve_fail(_root: Any, _info: Any) -> Any:
    raise Boom("root fail")


def resolve_broken(obj: dict[str, Any], _info: Any) -> Any:
    raise Boom(f"broken {obj['id']}")


def resolve_add(root: dict[str, Any], _info: Any, name: str) -> Any:
    """Records the call in the root's log; the payload says what the log held then."""
    root["log"].append(f"add {name}")
    if name == "none":
        return None
    if name == "raise":
        raise Boom("add raised")
    item = {**root["items"][0], "id": f"new-{name}", "name": name}
    return {"item": item, "count": len(root["log"]), "log": list(root["log"]), "bad": name}


def resolve_remove(root: dict[str, Any], _info: Any, id: str) -> bool:
    root["log"].append(f"remove {id}")
    return id != "missing"


def resolve_explode(root: dict[str, Any], _info: Any) -> Any:
    root["log"].append("explode")
    raise Boom("mutation exploded")


def resolve_payload_broken(payload: dict[str, Any], _info: Any) -> Any:
    if payload["bad"] == "bad":
        raise Boom("payload broken")
    return "fine"


def make_schema(*, shout: bool = False) -> GraphQLSchema:
    """The schema, with resolvers; ``shout`` makes a second schema whose names differ."""
    schema = build_schema(SDL)
    types: Any = schema.type_map
    plain_fields = {
        "Query": ["items", "loose", "count"],
        "Shop": ["name", "owner", "items", "loose"],
        "Item": ["name", "price", "maker", "strict"],
        "Person": ["name", "friend"],
    }
    for type_name, names in plain_fields.items():
        for name in names:
            types[type_name].fields[name].resolve = plain_field(name)
    query = types["Query"].fields
    query["shop"].resolve = full_field("shop")
    query["strictShop"].resolve = full_field("strictShop")
    query["item"].resolve = resolve_item
    query["search"].resolve = resolve_search
    query["named"].resolve = full_field("named")
    query["fail"].resolve = resolve_fail
    types["Item"].fields["broken"].resolve = resolve_broken
    types["Named"].resolve_type = lambda obj, _info, _type: obj["kind"]
    mutation = types["Mutation"].fields
    mutation["add"].resolve = resolve_add
    mutation["maybe"].resolve = resolve_add
    mutation["remove"].resolve = resolve_remove
    mutation["explode"].resolve = resolve_explode
    types["AddPayload"].fields["broken"].resolve = resolve_payload_broken
    if shout:

        def loud(obj: dict[str, Any], _context: Any) -> Any:
            return str(value_of(obj, "name")).upper()

        for type_name in ("Item", "Person", "Shop"):
            types[type_name].fields["name"].resolve = plain(loud)(
                lambda obj, info: loud(obj, info.context)
            )
    return schema


SCHEMA = make_schema()
#: The module, not the ``execute`` function ``graphql.execution`` exports by that name.
graphql_execute = importlib.import_module("graphql.execution.execute")


def person(name: str, friend: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"kind": "Person", "name": name, "friend": friend}


def item(id: str, name: str, **values: Any) -> dict[str, Any]:
    return {
        "id": id,
        "name": name,
        "price": values.get("price", len(name)),
        "tags": values.get("tags", [name[:1]]),
        "maker": values.get("maker", person(f"maker of {name}")),
        "strict": values.get("strict", f"strict {name}"),
    }


def make_root() -> dict[str, Any]:
    """Fresh data for one execution (mutations write to ``log``)."""
    alice = person("alice", person("bob", person("carol")))
    items = [
        item("1", "apple", maker=alice),
        item("2", "apricot", price=Explode("price of apricot")),
        item("3", "banana", maker=None),
        item("4", "cherry", tags=[], strict=None),
    ]
    loose = [item("5", "lemon"), item("6", "lime", strict=None), None, item("7", "mango")]
    shop = {"name": "corner", "owner": alice, "items": items, "loose": loose}
    return {
        "shop": shop,
        "strictShop": shop,
        "items": items,
        "loose": loose,
        "count": len(items),
        "named": [alice, {"kind": "Robot", "name": "r2", "model": 2}],
        "log": [],
    }


@pytest.fixture(autouse=True)
def fresh_plans() -> Iterator[None]:
    """No plan or argument kept from another test (or another test module)."""
    execution._ROOT_PLANS.clear()
    execution._LITERAL_ARGUMENTS.clear()
    yield
    execution._ROOT_PLANS.clear()
    execution._LITERAL_ARGUMENTS.clear()


def valid(source: str, schema: GraphQLSchema = SCHEMA) -> DocumentNode:
    document = parse(source)
    assert validate(schema, document) == []
    return document


def run(
    document: DocumentNode,
    variables: dict[str, Any] | None = None,
    *,
    schema: GraphQLSchema = SCHEMA,
    context_class: type[ExecutionContext] = LeanExecutionContext,
    root: dict[str, Any] | None = None,
    operation_name: str | None = None,
    middleware: Any = None,
) -> ExecutionResult:
    result = execute(
        schema,
        document,
        root_value=make_root() if root is None else root,
        context_value=object(),
        variable_values=variables,
        operation_name=operation_name,
        execution_context_class=context_class,
        middleware=middleware,
    )
    assert isinstance(result, ExecutionResult)
    return result


def assert_as_graphql_core(
    document: DocumentNode,
    variables: dict[str, Any] | None = None,
    *,
    schema: GraphQLSchema = SCHEMA,
    operation_name: str | None = None,
) -> ExecutionResult:
    """Runs ``document`` with Lys's context and with graphql-core's; same outcome."""
    lean = run(document, variables, schema=schema, operation_name=operation_name)
    stock = run(
        document,
        variables,
        schema=schema,
        context_class=ExecutionContext,
        operation_name=operation_name,
    )
    assert described(lean) == described(stock)
    return lean


def operation_of(document: DocumentNode, index: int = 0) -> OperationDefinitionNode:
    operation = document.definitions[index]
    assert isinstance(operation, OperationDefinitionNode)
    return operation


def is_shared(document: DocumentNode, index: int = 0) -> bool:
    operation = operation_of(document, index)
    shared = execution._ROOT_PLANS.get(id(operation))
    return shared is not None and shared[0] is operation


# -- the same answers on every execution -------------------------------------------------------

#: ``name -> (document, the variables of each execution)``.
CASES: dict[str, tuple[str, list[dict[str, Any] | None]]] = {
    "nested objects and lists": (
        """{
          shop { name owner { name friend { name friend { name } } }
                 items { id name price tags maker { name friend { name } } } }
          items { name maker { name } }
          count
        }""",
        [None] * 3,
    ),
    "fragments and inline fragments": (
        """{
          ...Top
          shop { ... on Shop { name } ...ShopFields owner { ...PersonFields } }
          named { __typename name ... on Robot { model } ...PersonFields }
        }
        fragment Top on Query { count items { ...ItemFields } }
        fragment ShopFields on Shop { items { ...ItemFields tags } }
        fragment ItemFields on Item { id name ... on Item { maker { ...PersonFields } } }
        fragment PersonFields on Person { name friend { name } }""",
        [None] * 3,
    ),
    "aliases and merged fields": (
        """{
          a: items { n: name p: price }
          b: items { name maker { who: name } }
          shop { first: name second: name }
          shop { owner { name } items { id } }
          again: shop { name }
          total: count
        }""",
        [None] * 3,
    ),
    "variables as arguments": (
        """query($id: ID!, $term: String!, $limit: Int) {
          item(id: $id) { id name maker { name } }
          search(term: $term, limit: $limit) { name }
          other: search(term: "a") { id }
        }""",
        [
            {"id": "1", "term": "ap", "limit": 1},
            {"id": "3", "term": "an", "limit": None},
            {"id": "9", "term": "e", "limit": 5},
            {"id": "1", "term": "ap", "limit": 1},
        ],
    ),
    "literal directives": (
        """{
          items { name @include(if: true) price @skip(if: true) tags @include(if: false) }
          shop @skip(if: false) { name @skip(if: false) owner @include(if: false) { name } }
          count @include(if: false)
          ... @include(if: true) { loose { name } }
          ...Hidden @skip(if: true)
        }
        fragment Hidden on Query { named { name } }""",
        [None] * 3,
    ),
    "everything skipped": (
        "{ count @skip(if: true) items @include(if: false) { id } ...F @skip(if: true) }"
        " fragment F on Query { shop { name } }",
        [None] * 3,
    ),
    "__typename": (
        """{
          __typename
          shop { __typename items { __typename name } owner { __typename } }
          named { __typename }
          ... on Query { t: __typename }
        }""",
        [None] * 3,
    ),
    "errors in nested fields": (
        """{
          items { id price broken }
          loose { name strict }
          shop { loose { id strict } items { maker { name } broken } }
          fail
          count
        }""",
        [None] * 3,
    ),
    "null propagating to a non-null root": (
        "{ count strictShop { name items { strict broken } } }",
        [None] * 3,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_execution_of_one_document_answers_as_graphql_core(case: str) -> None:
    source, runs = CASES[case]
    document = valid(source)
    results = [described(assert_as_graphql_core(document, variables)) for variables in runs]
    assert is_shared(document)
    if case == "variables as arguments":
        # Different variables, different answers; the same variables, the same answer.
        assert results[0] != results[1] != results[2]
        assert results[3] == results[0]
    else:
        assert all(result == results[0] for result in results)


def test_the_cases_do_go_wrong_where_they_should() -> None:
    """The comparisons above are not between two empty answers."""
    result = run(valid(CASES["errors in nested fields"][0]))
    paths = sorted(str(error.path) for error in result.errors or [])
    assert "['items', 1, 'price']" in paths
    assert "['items', 0, 'broken']" in paths
    assert "['loose', 1, 'strict']" in paths
    assert "['shop', 'loose', 1, 'strict']" in paths
    assert "['fail']" in paths
    assert result.data is not None
    assert result.data["loose"][1] is None and result.data["loose"][2] is None
    assert result.data["count"] == 4

    result = run(valid(CASES["null propagating to a non-null root"][0]))
    assert result.data is None and result.errors

    data = run(valid(CASES["literal directives"][0])).data
    assert data is not None
    assert data["items"][0] == {"name": "apple"}
    assert data["shop"] == {"name": "corner"}
    assert set(data) == {"items", "shop", "loose"}

    data = run(valid(CASES["__typename"][0])).data
    assert data is not None
    assert data["__typename"] == data["t"] == "Query"
    assert data["named"] == [{"__typename": "Person"}, {"__typename": "Robot"}]


# -- directives taking variables: planned per execution -----------------------------------------

VARIABLE_DIRECTIVES = {
    "in the operation": "query($show: Boolean!) { items { name @include(if: $show) id } count }",
    "only inside a fragment": (
        "query($show: Boolean!) { items { ...F } count }"
        " fragment F on Item { id price @include(if: $show) }"
    ),
    "nested deep": (
        "query($show: Boolean!) { shop { owner { friend { name friend @include(if: $show)"
        " { name } } } } }"
    ),
    "on a fragment spread": (
        "query($show: Boolean!) { shop { name ...Owner @include(if: $show) } }"
        " fragment Owner on Shop { owner { name } }"
    ),
    "on an inline fragment": (
        "query($show: Boolean!) { ... @skip(if: $show) { count } items { id } }"
    ),
    "a skip with a default value": (
        "query($show: Boolean = true) { count items { id name @skip(if: $show) } }"
    ),
}


@pytest.fixture
def planning(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts what planning costs: Lys's root ``collect_fields`` (imported by name into
    lys.graphql.execution), graphql-core's own, ``collect_subfields`` and ``_plan``."""
    counts: Counter[str] = Counter()

    def counting(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return original(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(
        execution, "collect_fields", counting("root collect_fields", execution.collect_fields)
    )
    monkeypatch.setattr(
        graphql_execute,
        "collect_fields",
        counting("graphql-core collect_fields", graphql_execute.collect_fields),
    )
    monkeypatch.setattr(
        LeanExecutionContext, "_plan", counting("_plan", LeanExecutionContext._plan)
    )
    monkeypatch.setattr(
        ExecutionContext,
        "collect_subfields",
        counting("collect_subfields", ExecutionContext.collect_subfields),
    )
    return counts


@pytest.mark.parametrize("case", list(VARIABLE_DIRECTIVES))
def test_directives_taking_variables_are_not_shared(planning: Counter[str], case: str) -> None:
    document = valid(VARIABLE_DIRECTIVES[case])
    answers = []
    for show in (True, False, True, False):
        planning.clear()
        answers.append(described(assert_as_graphql_core(document, {"show": show})))
        # Planned by graphql-core's path each time, never from a shared plan.
        assert planning["root collect_fields"] == 0
        assert planning["graphql-core collect_fields"] == 2  # Lys's run and graphql-core's
        assert not is_shared(document)
    assert answers[0] != answers[1]
    assert answers[0] == answers[2] and answers[1] == answers[3]


def test_a_default_value_for_the_directive_variable_is_used() -> None:
    document = valid(VARIABLE_DIRECTIVES["a skip with a default value"])
    shown = run(document, {"show": False}).data
    hidden = run(document).data
    assert shown is not None and hidden is not None
    assert shown["items"][0] == {"id": "1", "name": "apple"}
    assert hidden["items"][0] == {"id": "1"}


def test_which_variables_stop_sharing() -> None:
    """Variables in arguments and in the operation's own directives decide no field:
    the plan stays shared. Any field directive taking one stops it, even a directive
    that decides nothing (cautious, and still right)."""
    in_arguments = valid("query($id: ID!) { item(id: $id) { name } count }")
    on_the_operation = valid('query($t: String = "x") @note(text: $t) { count shop { name } }')
    on_a_field = valid('query($t: String = "x") { count @note(text: $t) shop { name } }')
    for variables in ({"id": "1", "t": "a"}, {"id": "2", "t": "b"}):
        for document in (in_arguments, on_the_operation, on_a_field):
            assert_as_graphql_core(document, variables)
    assert is_shared(in_arguments)
    assert is_shared(on_the_operation)
    assert not is_shared(on_a_field)


# -- the plan is shared where allowed ------------------------------------------------------------

SHARED = """{
  __typename
  count
  shop { name owner { name friend { name } } items { id name tags maker { name } } }
  items { name price maker { name friend { name } } }
  ... on Query { strictShop { name } }
  ...More
  first: item(id: "1") { name }
}
fragment More on Query { shop { owner { name } } items @include(if: true) { id } }"""


def test_the_second_execution_collects_and_plans_nothing(planning: Counter[str]) -> None:
    document = valid(SHARED)
    first = run(document)
    assert planning["root collect_fields"] == 1
    assert planning["_plan"] > 1
    assert planning["collect_subfields"] > 1
    assert is_shared(document)
    for _ in range(3):
        planning.clear()
        again = run(document)
        assert described(again) == described(first)
        assert planning == Counter(), planning
    stock = run(document, context_class=ExecutionContext)
    assert described(stock) == described(first)


def test_the_shared_plan_is_the_operations_own() -> None:
    document = valid(SHARED)
    run(document)
    operation = operation_of(document)
    kept, schema, root_type, steps = execution._ROOT_PLANS[id(operation)]
    assert kept is operation and schema is SCHEMA and root_type is SCHEMA.query_type
    assert [step.name for step in steps] == [
        "__typename",
        "count",
        "shop",
        "items",
        "strictShop",
        "first",
    ]
    # Objects' steps are kept on the steps, plain ones and full ones alike.
    by_name = {step.name: step for step in steps}
    assert by_name["shop"].sub_steps is not None  # a full resolver's object
    assert by_name["items"].sub_steps is not None  # a plain list of objects
    assert [s.name for s in by_name["shop"].sub_steps] == ["name", "owner", "items"]
    # A second execution keeps them.
    sub_steps = by_name["shop"].sub_steps
    run(document)
    assert execution._ROOT_PLANS[id(operation)][3] is steps
    assert by_name["shop"].sub_steps is sub_steps


def test_the_same_text_parsed_again_gets_its_own_plan(planning: Counter[str]) -> None:
    one, two = valid(SHARED), valid(SHARED)
    run(one)
    planning.clear()
    assert described(run(two)) == described(run(one))
    assert planning["root collect_fields"] == 1  # for ``two`` only
    assert is_shared(one) and is_shared(two)


def test_fields_outside_the_short_path_still_plan_per_execution(
    planning: Counter[str],
) -> None:
    """An abstract type's objects, a list from a full resolver and a list holding a
    null go through graphql-core's completion, which plans them on each execution; the
    root plan is still shared, and the answers stay right."""
    document = valid(
        '{ named { name ... on Robot { model } } search(term: "a") { name } loose { id } }'
    )
    stock = described(run(document, context_class=ExecutionContext))
    for n in range(3):
        planning.clear()
        assert described(run(document)) == stock
        assert planning["root collect_fields"] == (1 if n == 0 else 0)
        assert planning["_plan"] >= 4  # Person, Robot, Item, Item
    assert is_shared(document)


# -- two schemas, one document -----------------------------------------------------------------


def test_two_schemas_executing_one_document_get_their_own_answers() -> None:
    loud = make_schema(shout=True)
    document = valid("{ shop { name items { name maker { name } } } items { name } }")
    quiet_answers = []
    loud_answers = []
    for _ in range(3):
        quiet_answers.append(assert_as_graphql_core(document).data)
        loud_answers.append(assert_as_graphql_core(document, schema=loud).data)
    assert quiet_answers[0] is not None and loud_answers[0] is not None
    assert quiet_answers[0]["shop"]["name"] == "corner"
    assert loud_answers[0]["shop"]["name"] == "CORNER"
    assert all(answer == quiet_answers[0] for answer in quiet_answers)
    assert all(answer == loud_answers[0] for answer in loud_answers)


def test_each_operation_of_a_document_has_its_own_plan() -> None:
    document = valid(
        "query A { count shop { name } } query B { items { name } }"
        ' mutation C { add(name: "x") { count } }'
    )
    for _ in range(2):
        for name in ("A", "B", "C", "B", "A"):
            assert_as_graphql_core(document, operation_name=name)
    assert is_shared(document, 0) and is_shared(document, 1) and is_shared(document, 2)
    data = run(document, operation_name="B").data
    assert data is not None and set(data) == {"items"}


def test_an_operation_the_schema_cannot_run_fails_each_time() -> None:
    schema = build_schema("type Query { a: Int }")
    document = parse("mutation { a }")
    for _ in range(3):
        lean = run(document, schema=schema)
        stock = run(document, schema=schema, context_class=ExecutionContext)
        assert described(lean) == described(stock)
        assert lean.data is None and lean.errors
    assert not is_shared(document)


def test_middleware_is_never_bypassed_by_a_shared_plan() -> None:
    """With middleware Lys runs graphql-core's path, even when a plan is kept."""
    document = valid("{ shop { name owner { name } } items { name } }")
    run(document)
    assert is_shared(document)
    seen: list[str] = []

    def middleware(next_: Any, root: Any, info: Any, **arguments: Any) -> Any:
        seen.append(info.field_name)
        value = next_(root, info, **arguments)
        return value.upper() if isinstance(value, str) else value

    lean = run(document, middleware=[middleware])
    lean_seen, seen[:] = list(seen), []
    stock = run(document, middleware=[middleware], context_class=ExecutionContext)
    assert described(lean) == described(stock)
    assert lean_seen == seen and "name" in seen
    assert lean.data is not None and lean.data["shop"]["name"] == "CORNER"
    # ... and the plain run afterwards still answers plainly.
    data = run(document).data
    assert data is not None and data["shop"]["name"] == "corner"


# -- mutations ----------------------------------------------------------------------------------

MUTATION = """mutation($name: String!) {
  first: add(name: "a") { count log item { name maker { name } } }
  remove(id: "missing")
  second: add(name: $name) { count item { id name } broken }
  none: maybe(name: "none") { count }
  third: add(name: "c") { log }
}"""


def test_a_mutation_runs_its_fields_in_order_on_every_execution(
    planning: Counter[str],
) -> None:
    document = valid(MUTATION)
    for n, name in enumerate(("b", "bad", "b")):
        planning.clear()
        root = make_root()
        lean = run(document, {"name": name}, root=root)
        if n:  # the plan, the payloads' steps included, is kept from the first run
            assert planning == Counter(), planning
        assert root["log"] == ["add a", "remove missing", f"add {name}", "add none", "add c"]
        stock_root = make_root()
        stock = run(document, {"name": name}, root=stock_root, context_class=ExecutionContext)
        assert stock_root["log"] == root["log"]
        assert described(lean) == described(stock)
        assert lean.data == {
            "first": {
                "count": 1,
                "log": ["add a"],
                "item": {"name": "a", "maker": {"name": "alice"}},
            },
            "remove": False,
            "second": {
                "count": 3,
                "item": {"id": f"new-{name}", "name": name},
                "broken": None if name == "bad" else "fine",
            },
            "none": None,
            "third": {"log": root["log"]},
        }
        if name == "bad":
            (error,) = lean.errors or []
            assert error.path == ["second", "broken"]
            assert error.message == "payload broken"
        else:
            assert lean.errors is None
    assert is_shared(document)


@pytest.mark.parametrize(
    "source",
    [
        'mutation { a: add(name: "a") { count } explode { count } z: add(name: "z") { count } }',
        'mutation { first: add(name: "a") { count } failing: add(name: "raise") { count } }',
        'mutation { m: maybe(name: "raise") { count } n: maybe(name: "bad") { broken count } }',
        'mutation { add(name: "a") { item { strict broken price } } }',
    ],
)
def test_mutation_errors_are_located_as_graphql_core_locates_them(source: str) -> None:
    document = valid(source)
    outcomes = []
    for _ in range(3):
        root, stock_root = make_root(), make_root()
        lean = run(document, root=root)
        stock = run(document, root=stock_root, context_class=ExecutionContext)
        assert described(lean) == described(stock)
        assert root["log"] == stock_root["log"]
        assert lean.errors
        outcomes.append(described(lean))
    assert outcomes[0] == outcomes[1] == outcomes[2]
    assert is_shared(document)


# -- bounded ------------------------------------------------------------------------------------


def test_root_plans_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(execution, "_MAX_ROOT_PLANS", 3)
    documents = [valid(f"{{ count a{n}: items {{ name }} }}") for n in range(10)]
    for document in documents:
        assert_as_graphql_core(document)
        assert 1 <= len(execution._ROOT_PLANS) <= 3
        assert is_shared(document)
    # Forgotten plans are made again, and answer the same.
    assert not is_shared(documents[0])
    assert_as_graphql_core(documents[0])
    assert is_shared(documents[0])
    assert len(execution._ROOT_PLANS) <= 3


# -- threads ------------------------------------------------------------------------------------


def test_threads_sharing_a_plan_get_right_answers() -> None:
    """With HTTP_EXECUTION=threads, executions of one cached document run at once; the
    steps they share fill in their objects' steps as they go."""
    document = valid(SHARED)
    expected = described(run(document, context_class=ExecutionContext))
    failures: list[Any] = []
    barrier = threading.Barrier(8)

    def work() -> None:
        barrier.wait()
        for _ in range(30):
            got = described(run(document))
            if got != expected:
                failures.append(got)

    execution._ROOT_PLANS.clear()
    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert is_shared(document)

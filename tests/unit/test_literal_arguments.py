"""lys.graphql.execution: literal arguments coerced once per document node.

Lys caches parsed documents by query text, so the same field nodes come back with every
request of a query, and ``field_arguments`` keeps the coerced arguments of fields
written with literals only. Every test here reuses one parsed document across
executions, as that cache does, and checks that what a resolver receives is what
graphql-core's ``get_argument_values`` would give: fresh containers each time, variables
coerced each time, defaults applied, errors unchanged and not remembered, one schema's
arguments never served to another. The last tests compare whole results, errors
included, with graphql-core's own ``ExecutionContext``.
"""

from __future__ import annotations

import copy
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLError,
    GraphQLField,
    GraphQLSchema,
    OperationDefinitionNode,
    build_schema,
    execute,
    parse,
    validate,
)
from graphql.execution.execute import ExecutionContext
from graphql.execution.values import get_argument_values

from lys.graphql import execution
from lys.graphql.execution import LeanExecutionContext, field_arguments

SDL = """
enum Color { RED GREEN }

input Inner { n: Int, words: [String] }

input Filter { name: String, tags: [String!], inner: Inner, limit: Int = 5 }

type Payload {
  name: String
  strictName: String!
  fail: String
  strictFail: String!
  child: Payload
  items: [Payload!]
}

type Query {
  echo(
    filter: Filter
    list: [Int]
    x: Int
    color: Color
    limit: Int = LIMIT
    defaults: [String] = ["a", "b"]
    object: Filter = {name: "d", tags: ["t"]}
  ): String
  strict(x: Int!): String
  payload: Payload!
  fail(x: Int): String
}

type Mutation {
  create(input: Filter!): Payload!
  maybe(input: Filter): Payload
}
"""

#: The arguments each ``echo`` call received, before it changed them.
RECEIVED: list[dict[str, Any]] = []
#: Whether ``echo`` then changes them (see the ``careless`` fixture).
CARELESS = False


def vandalize(value: Any) -> None:
    """Change every dict and list in ``value``, as a careless resolver might."""
    if isinstance(value, dict):
        for item in list(value.values()):
            vandalize(item)
        value["vandalized"] = True
    elif isinstance(value, list):
        for item in value:
            vandalize(item)
        value.append("vandalized")


def resolve_echo(_root: Any, _info: Any, **arguments: Any) -> str:
    RECEIVED.append(copy.deepcopy(arguments))
    answer = json.dumps(arguments, sort_keys=True)
    if CARELESS:
        for value in arguments.values():
            vandalize(value)
    return answer


def resolve_strict(_root: Any, _info: Any, x: int) -> str:
    return str(x)


class Boom(Exception):
    pass


def boom(message: str) -> Callable[..., Any]:
    """A dict value graphql-core's default resolver calls: this sub-field raises."""

    def raising(_info: Any, **_arguments: Any) -> Any:
        raise Boom(message)

    return raising


def payload(name: str, depth: int = 1) -> dict[str, Any]:
    """A ``Payload`` read by the default resolver; ``nameless`` has no ``strictName``."""
    return {
        "name": name,
        "strictName": None if name == "nameless" else name,
        "fail": boom(f"fail of {name}"),
        "strictFail": boom(f"strict fail of {name}"),
        "child": payload(f"{name}.child", depth - 1) if depth else None,
        "items": [payload(f"{name}.{n}", 0) for n in range(2)] if depth else [],
    }


def resolve_create(_root: Any, _info: Any, input: dict[str, Any]) -> Any:
    name = input.get("name") or "unnamed"
    if name == "none":
        return None
    if name == "error":
        return Boom("given as the value")
    if name == "raise":
        raise Boom("raised by the resolver")
    return payload(name)


def resolve_fail(_root: Any, _info: Any, x: int | None = None) -> str:
    raise Boom(f"fail {x}")


def make_schema(limit: int = 10) -> GraphQLSchema:
    schema = build_schema(SDL.replace("LIMIT", str(limit)))
    assert schema.query_type is not None
    assert schema.mutation_type is not None
    query = schema.query_type.fields
    query["echo"].resolve = resolve_echo
    query["strict"].resolve = resolve_strict
    query["payload"].resolve = lambda _root, _info: payload("root")
    query["fail"].resolve = resolve_fail
    schema.mutation_type.fields["create"].resolve = resolve_create
    schema.mutation_type.fields["maybe"].resolve = resolve_create
    return schema


#: For validation and for tests whose resolvers change nothing.
SCHEMA = make_schema()


def run(
    document: DocumentNode,
    variables: dict[str, Any] | None = None,
    *,
    schema: GraphQLSchema = SCHEMA,
    context_class: type[ExecutionContext] = LeanExecutionContext,
) -> ExecutionResult:
    result = execute(
        schema,
        document,
        variable_values=variables,
        execution_context_class=context_class,
    )
    assert isinstance(result, ExecutionResult)
    return result


def valid(source: str) -> DocumentNode:
    document = parse(source)
    assert validate(SCHEMA, document) == []
    return document


def first_field(document: DocumentNode) -> FieldNode:
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    node = operation.selection_set.selections[0]
    assert isinstance(node, FieldNode)
    return node


def echo_def(schema: GraphQLSchema = SCHEMA) -> GraphQLField:
    assert schema.query_type is not None
    return schema.query_type.fields["echo"]


def echoed(result: ExecutionResult, key: str = "echo") -> dict[str, Any]:
    assert result.errors is None, result.errors
    assert result.data is not None
    answer: dict[str, Any] = json.loads(result.data[key])
    return answer


@pytest.fixture(autouse=True)
def fresh_state() -> Iterator[None]:
    """Nothing remembered from another test (documents of other tests included)."""
    execution._LITERAL_ARGUMENTS.clear()
    RECEIVED.clear()
    yield
    execution._LITERAL_ARGUMENTS.clear()
    RECEIVED.clear()


@pytest.fixture
def careless(monkeypatch: pytest.MonkeyPatch) -> GraphQLSchema:
    """``echo`` changes every dict and list it gets; a schema of the test's own, since
    graphql-core hands resolvers the schema's own default values."""
    monkeypatch.setattr(sys.modules[__name__], "CARELESS", True)
    return make_schema()


@pytest.fixture
def coerced(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often Lys asks graphql-core to coerce a field's arguments, per field name."""
    counts: Counter[str] = Counter()
    original = execution.get_argument_values

    def counting(
        field_def: GraphQLField, node: FieldNode, variable_values: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        counts[node.name.value] += 1
        return original(field_def, node, variable_values)

    monkeypatch.setattr(execution, "get_argument_values", counting)
    return counts


LITERALS = (
    '{ echo(filter: {name: "n", tags: ["a"], inner: {n: 1, words: ["w"]}}, '
    "list: [1, 2], x: 3, color: RED) }"
)
LITERALS_COERCED = {
    "filter": {"name": "n", "tags": ["a"], "inner": {"n": 1, "words": ["w"]}, "limit": 5},
    "list": [1, 2],
    "x": 3,
    "color": "RED",
    "limit": 10,
    "defaults": ["a", "b"],
    "object": {"name": "d", "tags": ["t"], "limit": 5},
}


# -- literal arguments -------------------------------------------------------------------------


def test_literal_arguments_are_coerced_once_per_document_node(coerced: Counter[str]) -> None:
    document = valid(LITERALS)
    first = echoed(run(document))
    second = echoed(run(document))
    assert first == second == LITERALS_COERCED
    assert RECEIVED == [LITERALS_COERCED, LITERALS_COERCED]
    assert coerced["echo"] == 1


def test_the_same_text_parsed_again_is_coerced_again(coerced: Counter[str]) -> None:
    """The cache follows the node, not the text: a new parse is a new node."""
    assert echoed(run(valid(LITERALS))) == echoed(run(valid(LITERALS)))
    assert coerced["echo"] == 2


def test_what_a_resolver_changes_does_not_reach_the_next_execution(
    careless: GraphQLSchema,
) -> None:
    document = valid(LITERALS)
    for _ in range(3):
        assert echoed(run(document, schema=careless)) == LITERALS_COERCED
    assert RECEIVED == [LITERALS_COERCED] * 3


def test_each_call_gets_its_own_containers() -> None:
    node = first_field(valid(LITERALS))
    first = field_arguments(echo_def(), node, {})
    second = field_arguments(echo_def(), node, {})
    assert first == second == LITERALS_COERCED
    assert first is not second
    for key in ("filter", "list", "defaults", "object"):
        assert first[key] is not second[key], key
    assert first["filter"]["inner"] is not second["filter"]["inner"]
    assert first["filter"]["inner"]["words"] is not second["filter"]["inner"]["words"]


def test_a_field_with_the_same_literals_twice_in_one_document() -> None:
    """Two nodes, two entries: aliases each get their own arguments."""
    document = valid("{ a: echo(x: 1) b: echo(x: 2) c: echo(x: 1, list: [7]) }")
    for _ in range(2):
        result = run(document)
        assert [echoed(result, key)["x"] for key in "abc"] == [1, 2, 1]
        assert echoed(result, "c")["list"] == [7]


def test_default_arguments_appear_and_mutable_defaults_are_copied(
    coerced: Counter[str], careless: GraphQLSchema
) -> None:
    document = valid("{ echo }")
    expected = {
        "limit": 10,
        "defaults": ["a", "b"],
        "object": {"name": "d", "tags": ["t"], "limit": 5},
    }
    for _ in range(3):
        assert echoed(run(document, schema=careless)) == expected
    assert coerced["echo"] == 1
    # The resolver changed every copy it got; the schema's defaults are untouched.
    arguments = echo_def(careless).args
    assert arguments["defaults"].default_value == ["a", "b"]
    assert arguments["object"].default_value == {"name": "d", "tags": ["t"], "limit": 5}


# -- variables ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "variables", "key", "expected"),
    [
        pytest.param(
            "query($v: Int) { echo(x: $v) }",
            [{"v": 1}, {"v": 2}, {}],
            "x",
            [1, 2, None],
            id="argument",
        ),
        pytest.param(
            'query($v: String) { echo(filter: {name: "n", inner: {words: [$v]}}) }',
            [{"v": "one"}, {"v": "two"}],
            "filter",
            [
                {"name": "n", "inner": {"words": ["one"]}, "limit": 5},
                {"name": "n", "inner": {"words": ["two"]}, "limit": 5},
            ],
            id="inside-an-input-object",
        ),
        pytest.param(
            "query($v: Int) { echo(list: [1, $v]) }",
            [{"v": 5}, {"v": 6}],
            "list",
            [[1, 5], [1, 6]],
            id="inside-a-list",
        ),
        pytest.param(
            "query($f: Filter) { echo(filter: $f) }",
            [{"f": {"name": "a"}}, {"f": {"tags": ["b"]}}],
            "filter",
            [{"name": "a", "limit": 5}, {"tags": ["b"], "limit": 5}],
            id="a-whole-input-object",
        ),
    ],
)
def test_variables_are_coerced_on_every_execution(
    coerced: Counter[str],
    source: str,
    variables: list[dict[str, Any]],
    key: str,
    expected: list[Any],
) -> None:
    document = valid(source)
    answers = [echoed(run(document, values)).get(key) for values in variables]
    assert answers == expected
    assert coerced["echo"] == len(variables)


def test_only_the_fields_with_variables_are_coerced_again(coerced: Counter[str]) -> None:
    document = valid("query($v: Int) { a: echo(x: 1) b: echo(x: $v) c: strict(x: 3) }")
    for value in (1, 2, 3):
        result = run(document, {"v": value})
        assert echoed(result, "b")["x"] == value
        assert echoed(result, "a")["x"] == 1
    assert coerced == Counter({"echo": 1 + 3, "strict": 1})


def test_a_mutable_default_is_copied_for_fields_with_variables_too(
    careless: GraphQLSchema,
) -> None:
    document = valid("query($v: Int) { echo(x: $v) }")
    run(document, {"v": 1}, schema=careless)  # the resolver changes the list it got
    assert echo_def(careless).args["defaults"].default_value == ["a", "b"]
    assert echoed(run(document, {"v": 2}, schema=careless))["defaults"] == ["a", "b"]


# -- invalid literals --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        '{ echo(x: "not an int") }',
        '{ echo(list: [1, "two"]) }',
        "{ echo(filter: {tags: [null]}) }",
        "{ echo(color: BLUE) }",
        "{ strict }",
    ],
)
def test_invalid_literals_raise_graphql_cores_error_every_time(
    coerced: Counter[str], source: str
) -> None:
    """Validation catches these first; called directly, nothing is remembered."""
    node = first_field(parse(source))
    assert SCHEMA.query_type is not None
    field_def = SCHEMA.query_type.fields[node.name.value]
    with pytest.raises(GraphQLError) as expected:
        get_argument_values(field_def, node, {})
    for attempt in (1, 2):
        with pytest.raises(GraphQLError) as raised:
            field_arguments(field_def, node, {})
        assert raised.value.message == expected.value.message
        assert raised.value.nodes == expected.value.nodes
        assert coerced[node.name.value] == attempt


def test_an_invalid_literal_leaves_valid_calls_right() -> None:
    bad = first_field(parse('{ echo(x: "no") }'))
    good = first_field(parse("{ echo(x: 4) }"))
    with pytest.raises(GraphQLError):
        field_arguments(echo_def(), bad, {})
    assert field_arguments(echo_def(), good, {})["x"] == 4
    with pytest.raises(GraphQLError):
        field_arguments(echo_def(), bad, {})
    assert field_arguments(echo_def(), good, {})["x"] == 4


def test_an_invalid_literal_is_reported_as_graphql_core_reports_it() -> None:
    document = parse('{ ok: echo(x: 1) bad: echo(x: "no") other: echo(list: [1, "x"]) }')
    stock = run(document, context_class=ExecutionContext)
    assert stock.errors
    for _ in range(2):
        assert outcome(run(document)) == outcome(stock)


# -- two schemas -------------------------------------------------------------------------------


def test_two_schemas_sharing_a_document_do_not_share_arguments(coerced: Counter[str]) -> None:
    other = make_schema(limit=20)
    document = valid("{ echo(x: 1) }")
    limits = [
        echoed(run(document, schema=schema))["limit"]
        for schema in (SCHEMA, other, SCHEMA, SCHEMA, other)
    ]
    assert limits == [10, 20, 10, 10, 20]

    node = first_field(document)
    assert field_arguments(echo_def(other), node, {})["limit"] == 20
    assert field_arguments(echo_def(SCHEMA), node, {})["limit"] == 10


def test_input_objects_with_an_out_type_are_fresh_on_every_call() -> None:
    class Bag:
        def __init__(self, values: dict[str, Any]) -> None:
            self.values = values

    schema = make_schema()
    schema.type_map["Filter"].out_type = Bag  # type: ignore[attr-defined]
    received: list[Any] = []

    def resolve(_root: Any, _info: Any, **arguments: Any) -> str:
        bag = arguments["filter"]
        received.append(bag)
        bag.values["name"] = "changed"
        return "ok"

    assert schema.query_type is not None
    schema.query_type.fields["echo"].resolve = resolve
    document = valid('{ echo(filter: {name: "n"}) }')
    run(document, schema=schema)
    run(document, schema=schema)
    assert received[0] is not received[1]


# -- whole results, compared with graphql-core -------------------------------------------------


def outcome(result: ExecutionResult) -> dict[str, Any]:
    """Data and errors as a client sees them, plus each error's original exception."""
    errors = result.errors or []
    return {
        "formatted": result.formatted,
        "originals": [(type(error.original_error), str(error.original_error)) for error in errors],
    }


DOCUMENTS: dict[str, tuple[str, dict[str, Any] | None]] = {
    "payload with a failing sub-field": (
        'mutation { create(input: {name: "a"}) { name strictName fail child { name fail } } }',
        None,
    ),
    "non-null sub-field failing up to the root": (
        'mutation { create(input: {name: "a"}) { name strictFail } }',
        None,
    ),
    "non-null sub-field nulling a nullable payload": (
        'mutation { maybe(input: {name: "a"}) { name child { strictFail } } }',
        None,
    ),
    "null sub-field in a non-null payload": (
        'mutation { a: maybe(input: {name: "none"}) { name } '
        'b: create(input: {name: "nameless"}) { strictName } }',
        None,
    ),
    "payload resolvers failing": (
        'mutation { a: maybe(input: {name: "error"}) { name } '
        'b: maybe(input: {name: "raise"}) { name } c: create(input: {name: "raise"}) { name } }',
        None,
    ),
    "null non-null payload": ('mutation { create(input: {name: "none"}) { name } }', None),
    "lists of payloads": (
        "{ payload { name items { name fail } child { items { strictFail } } } }",
        None,
    ),
    "arguments, variables and a raising resolver": (
        "query($n: String, $x: Int) { echo(x: 1) e: echo(filter: {name: $n}) "
        "fail(x: $x) f: fail(x: 2) payload { child { fail } } }",
        {"n": "var", "x": 7},
    ),
    "a missing variable": ("query($v: Int!) { strict(x: $v) }", {}),
    "a variable of the wrong type": ("query($v: Int!) { strict(x: $v) }", {"v": "seven"}),
}


@pytest.mark.parametrize("case", list(DOCUMENTS))
def test_results_are_graphql_cores(case: str) -> None:
    source, variables = DOCUMENTS[case]
    document = valid(source)
    stock = run(document, variables, context_class=ExecutionContext)
    for _ in range(2):  # the second time with what the first remembered
        assert outcome(run(document, variables)) == outcome(stock)


def test_the_documents_do_go_wrong_where_they_should() -> None:
    """The equality above is not the trivial one: errors are located deep in payloads."""
    source, _ = DOCUMENTS["payload with a failing sub-field"]
    result = run(valid(source))
    assert result.data == {
        "create": {
            "name": "a",
            "strictName": "a",
            "fail": None,
            "child": {"name": "a.child", "fail": None},
        }
    }
    assert [(error.path, error.message) for error in result.errors or []] == [
        (["create", "fail"], "fail of a"),
        (["create", "child", "fail"], "fail of a.child"),
    ]
    columns = [source.index("fail") + 1, source.index("fail", source.index("child")) + 1]
    assert [
        [(location.line, location.column) for location in error.locations or []]
        for error in result.errors or []
    ] == [[(1, columns[0])], [(1, columns[1])]]

    source, _ = DOCUMENTS["non-null sub-field failing up to the root"]
    result = run(valid(source))
    assert result.data is None
    assert [error.path for error in result.errors or []] == [["create", "strictFail"]]

    source, _ = DOCUMENTS["non-null sub-field nulling a nullable payload"]
    result = run(valid(source))
    assert result.data == {"maybe": {"name": "a", "child": None}}


def test_object_results_run_their_sub_fields_without_graphql_cores_dispatch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A resolver's object result (a mutation payload) goes straight to its sub-fields."""
    completed: Counter[str] = Counter()
    original = ExecutionContext.complete_object_value

    def counting(self: Any, return_type: Any, *args: Any) -> Any:
        completed[return_type.name] += 1
        return original(self, return_type, *args)

    monkeypatch.setattr(ExecutionContext, "complete_object_value", counting)
    document = valid('mutation { create(input: {name: "a"}) { name child { name } } }')
    lean = run(document)
    assert completed == Counter()
    stock = run(document, context_class=ExecutionContext)
    assert completed == Counter({"Payload": 2})
    assert lean.data == stock.data == {"create": {"name": "a", "child": {"name": "a.child"}}}

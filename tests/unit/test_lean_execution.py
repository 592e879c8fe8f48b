"""lys.graphql.execution: the short path for plain fields gives what graphql-core gives.

Every document runs twice on the same schema and root value: with graphql-core's own
``ExecutionContext`` and with ``LeanExecutionContext``. Data and errors (message, path,
locations, original error) must be identical, whatever goes wrong: readers raising,
nulls in non-null fields, scalars refusing values, null items in lists of non-null
objects, abstract types, ``is_type_of`` checks. Separate tests check that the short
path is really taken (no resolve info built, the full resolver never called).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from graphql import (
    ExecutionResult,
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLError,
    GraphQLField,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    GraphQLUnionType,
    execute,
    parse,
    validate,
)
from graphql.execution.execute import ExecutionContext
from graphql.pyutils import Undefined

from lys.graphql.execution import LeanExecutionContext, plain
from lys.graphql.relay import _global_id_resolver
from lys.graphql.resolvers import attribute_resolver

#: Calls per ``(kind, field)``: ``read`` for the plain reader, ``resolve`` for the full
#: resolver (which graphql-core's own path calls).
CALLS: Counter[tuple[str, str]] = Counter()


class Explode:
    """In the data: reading this field raises ``Boom(message)``."""

    def __init__(self, message: str) -> None:
        self.message = message


class Boom(Exception):
    pass


class Custom(Exception):
    """Not a builtin: ``String`` would serialise it with ``str()`` if it were a value."""


def read_key(key: str) -> Callable[[Any, Any], Any]:
    def read(obj: Any, _context: Any) -> Any:
        value = obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)
        if isinstance(value, Explode):
            raise Boom(value.message)
        return value

    return read


def counted(key: str, name: str) -> Any:
    """A plain resolver reading ``key``, counting reads and full resolutions apart."""
    read = read_key(key)

    def reader(obj: Any, context: Any) -> Any:
        CALLS["read", name] += 1
        return read(obj, context)

    @plain(reader)
    def resolve(obj: Any, info: Any, **_kwargs: Any) -> Any:
        CALLS["resolve", name] += 1
        return read(obj, info.context)

    return resolve


def field(type_: Any, key: str, owner: str = "Item", **kwargs: Any) -> GraphQLField:
    return GraphQLField(type_, resolve=counted(key, f"{owner}.{key}"), **kwargs)


def serialize_picky(value: Any) -> Any:
    if value == "refuse":
        raise GraphQLError(f"Picky cannot represent {value!r}.")
    if value == "crash":
        raise ValueError("picky crashed")
    if value == "none":
        return None
    if value == "undefined":
        return Undefined
    return f"<{value}>"


def serialize_raw(value: Any) -> Any:
    return value  # like a JSON scalar: whatever the resolver gives


Picky = GraphQLScalarType("Picky", serialize=serialize_picky)
Raw = GraphQLScalarType("Raw", serialize=serialize_raw)
Color = GraphQLEnumType(
    "Color", {"RED": GraphQLEnumValue("red"), "GREEN": GraphQLEnumValue("green")}
)


def resolve_abstract(obj: Any, _info: Any, _type: Any) -> Any:
    return obj.get("__typename") if isinstance(obj, dict) else None


Pet = GraphQLInterfaceType(
    "Pet",
    lambda: {"name": GraphQLField(GraphQLString)},
    resolve_type=resolve_abstract,
)
Dog = GraphQLObjectType(
    "Dog",
    lambda: {
        "name": field(GraphQLString, "name", "Dog"),
        "barks": field(GraphQLNonNull(GraphQLInt), "barks", "Dog"),
        "friend": field(Item, "friend", "Dog"),
    },
    interfaces=[Pet],
)
Cat = GraphQLObjectType(
    "Cat",
    lambda: {
        "name": field(GraphQLString, "name", "Cat"),
        "lives": field(GraphQLInt, "lives", "Cat"),
    },
    interfaces=[Pet],
)
Animal = GraphQLUnionType("Animal", [Dog, Cat], resolve_type=resolve_abstract)
Checked = GraphQLObjectType(
    "Checked",
    {"label": field(GraphQLString, "label", "Checked")},
    is_type_of=lambda obj, _info: isinstance(obj, dict) and obj.get("kind") == "checked",
)


def greet(obj: Any, _context: Any) -> str:
    CALLS["read", "Item.greet"] += 1
    return f"Hello, {obj.get('name')}"


@plain(greet)
def resolve_greet(obj: Any, _info: Any, greeting: str = "Hello") -> str:
    """Plain when called without arguments; with them, only the resolver can answer."""
    CALLS["resolve", "Item.greet"] += 1
    return f"{greeting}, {obj.get('name')}"


Item: GraphQLObjectType = GraphQLObjectType(
    "Item",
    lambda: {
        "id": GraphQLField(GraphQLNonNull(GraphQLString), resolve=_global_id_resolver("Item")),
        "name": field(GraphQLString, "name"),
        # lys's own default resolver (plain), as schemas built by lys bind it.
        "title": GraphQLField(GraphQLString, resolve=attribute_resolver("title")),
        "label": field(GraphQLNonNull(GraphQLString), "label"),
        "count": field(GraphQLInt, "count"),
        "strictCount": field(GraphQLNonNull(GraphQLInt), "strict_count"),
        "picky": field(Picky, "picky"),
        "strictPicky": field(GraphQLNonNull(Picky), "strict_picky"),
        "raw": field(Raw, "raw"),
        "color": field(Color, "color"),
        "strictColor": field(GraphQLNonNull(Color), "strict_color"),
        "child": field(Item, "child"),
        "strictChild": field(GraphQLNonNull(Item), "strict_child"),
        "children": field(GraphQLList(Item), "children"),
        "strictChildren": field(
            GraphQLNonNull(GraphQLList(GraphQLNonNull(Item))), "strict_children"
        ),
        "halfStrict": field(GraphQLList(GraphQLNonNull(Item)), "half_strict"),
        "looseStrict": field(GraphQLNonNull(GraphQLList(Item)), "loose_strict"),
        "tags": field(GraphQLList(GraphQLString), "tags"),
        "checked": field(Checked, "checked"),
        "pet": field(Pet, "pet"),
        "pets": field(GraphQLList(Pet), "pets"),
        "animals": field(GraphQLList(Animal), "animals"),
        "greet": GraphQLField(
            GraphQLString,
            args={"greeting": GraphQLArgument(GraphQLString)},
            resolve=resolve_greet,
        ),
    },
)
Query = GraphQLObjectType(
    "Query",
    {
        "item": field(Item, "item", "Query"),
        "strictItem": field(GraphQLNonNull(Item), "strict_item", "Query"),
        "items": field(GraphQLNonNull(GraphQLList(GraphQLNonNull(Item))), "items", "Query"),
        "looseItems": field(GraphQLList(Item), "loose_items", "Query"),
        "hello": field(GraphQLString, "hello", "Query"),
        "pet": field(Pet, "pet", "Query"),
        "boom": field(GraphQLString, "boom", "Query"),
    },
)
Mutation = GraphQLObjectType(
    "Mutation",
    {
        "touch": field(Item, "item", "Mutation"),
        "strictTouch": field(GraphQLNonNull(Item), "strict_item", "Mutation"),
    },
)
SCHEMA = GraphQLSchema(Query, Mutation, types=[Dog, Cat])


def item(name: str, /, **values: Any) -> dict[str, Any]:
    """An item with every non-null field filled; ``values`` override."""
    base: dict[str, Any] = {
        "id": name,
        "name": name,
        "title": f"title of {name}",
        "label": f"label {name}",
        "count": len(name),
        "strict_count": 1,
        "picky": name,
        "strict_picky": name,
        "raw": {"n": name},
        "color": "red",
        "strict_color": "green",
        "strict_children": [],
        "loose_strict": [],
    }
    base.update(values)
    return base


def dog(name: str, /, **values: Any) -> dict[str, Any]:
    return {"__typename": "Dog", "name": name, "barks": 3, **values}


def cat(name: str, /, **values: Any) -> dict[str, Any]:
    return {"__typename": "Cat", "name": name, "lives": 9, **values}


def healthy() -> dict[str, Any]:
    leaf = item("leaf")
    mid = item(
        "mid",
        child=leaf,
        strict_child=leaf,
        children=[leaf, item("leaf2")],
        strict_children=[item("sc", strict_child=leaf)],
        half_strict=[leaf],
        loose_strict=[leaf],
        tags=["a", "b"],
        checked={"kind": "checked", "label": "ok"},
        pet=dog("rex", friend=leaf),
        pets=[dog("rex"), cat("tom")],
        animals=[cat("felix"), dog("fido", friend=leaf)],
    )
    return {
        "item": mid,
        "strict_item": mid,
        "items": [mid, item("other", strict_child=leaf)],
        "loose_items": [leaf, mid],
        "hello": "world",
        "pet": cat("tom"),
    }


EVERYTHING = """
fragment Leaves on Item {
  id name title label count strictCount picky strictPicky raw color strictColor
}
query Everything {
  hello
  __typename
  item {
    ...Leaves
    __typename
    first: name
    child { ...Leaves child { name } }
    strictChild { ...Leaves }
    children { ...Leaves }
    strictChildren { ...Leaves strictChild { name } }
    halfStrict { name ... on Item { label } }
    looseStrict { name }
    tags
    checked { label }
    pet { __typename name ... on Dog { barks friend { name } } ... on Cat { lives } }
    pets { name ... on Cat { lives } }
    animals { __typename ... on Dog { name friend { label } } ... on Cat { lives } }
    greet(greeting: "Hi")
    again: greet
  }
  items { name strictChild { name } }
  looseItems { name label }
  pet { name }
}
"""


# -- the cases: (root value, document) --------------------------------------------------------


def with_item(**values: Any) -> dict[str, Any]:
    """The healthy root, its ``item`` (and ``strict_item``) changed."""
    root = healthy()
    changed = {**root["item"], **values}
    root["item"] = root["strict_item"] = changed
    return root


def with_root(**values: Any) -> dict[str, Any]:
    return {**healthy(), **values}


ITEM_LEAVES = "{ item { name label picky strictPicky count color } }"
STRICT_LEAVES = "{ hello strictItem { name label strictPicky strictCount strictColor } }"

CASES: dict[str, tuple[Callable[[], dict[str, Any]], str]] = {
    "everything": (healthy, EVERYTHING),
    "aliases and merged fields": (
        healthy,
        "{ a: item { n: name } a: item { c: count n: name } b: item { child { name } } "
        "item { child { label } } item { child { count } } }",
    ),
    "skip and include": (
        healthy,
        "query($yes: Boolean = true) { item { name @skip(if: $yes) label @include(if: $yes) "
        "child @include(if: false) { name } } }",
    ),
    # -- readers raising
    "raising nullable leaf": (lambda: with_item(name=Explode("no name")), ITEM_LEAVES),
    "raising non-null leaf nulls the parent": (
        lambda: with_item(label=Explode("no label")),
        ITEM_LEAVES,
    ),
    "raising non-null leaf up to a non-null root": (
        lambda: with_item(label=Explode("no label"), strict_picky=Explode("no picky")),
        STRICT_LEAVES.replace("strictPicky", "label strictPicky"),
    ),
    "raising root field": (lambda: with_root(boom=Explode("root boom")), "{ hello boom }"),
    "raising object field": (
        lambda: with_item(child=Explode("no child"), strict_child=Explode("no strict child")),
        "{ item { name child { name } } looseItems { name } }",
    ),
    "raising non-null object field": (
        lambda: with_item(strict_child=Explode("no strict child")),
        "{ hello item { name strictChild { name } } }",
    ),
    "null propagating through non-null objects": (
        lambda: with_item(
            strict_child=item("s", label=None),
            strict_children=[item("a", strict_child=item("x", strict_count=None))],
        ),
        "{ hello item { name strictChild { label } } "
        "a: item { strictChildren { strictChild { strictCount } } } }",
    ),
    "raising list fields": (
        lambda: with_item(
            children=Explode("no children"),
            strict_children=Explode("no strict children"),
        ),
        "{ item { children { name } } looseItems { strictChildren { name } } }",
    ),
    "raising inside list items": (
        lambda: with_root(
            loose_items=[
                item("a"),
                item("b", label=Explode("b label")),
                item("c", name=Explode("c name")),
                item("d", label=Explode("d label")),
            ]
        ),
        "{ looseItems { name label } }",
    ),
    "raising inside non-null list items": (
        lambda: with_item(
            half_strict=[item("a"), item("b", label=Explode("b label")), item("c")],
            strict_children=[item("a", name=Explode("a name")), item("b")],
        ),
        "{ item { name halfStrict { name label } strictChildren { name label } } }",
    ),
    "raising inside non-null list items up to the root": (
        lambda: with_root(items=[item("a"), item("b", label=Explode("b label"))]),
        "{ hello items { name label } }",
    ),
    # -- nulls
    "null in nullable and non-null leaves": (
        lambda: with_item(name=None, label=None, strict_picky=None),
        ITEM_LEAVES,
    ),
    "null up to a non-null root": (
        lambda: with_item(strict_count=None),
        STRICT_LEAVES,
    ),
    "null objects and lists": (
        lambda: with_item(
            child=None,
            strict_child=None,
            children=None,
            half_strict=None,
            loose_strict=None,
            strict_children=None,
        ),
        "{ item { child { name } children { name } halfStrict { name } } "
        "looseItems { name strictChild { name } } a: item { looseStrict { name } } "
        "b: item { strictChildren { name } } }",
    ),
    "null root fields": (
        lambda: with_root(item=None, loose_items=None, hello=None),
        "{ hello item { name } looseItems { name } }",
    ),
    "null non-null root": (lambda: with_root(strict_item=None), "{ hello strictItem { name } }"),
    "null in a non-null mutation root": (
        lambda: with_root(strict_item=None),
        "mutation { touch { name } strictTouch { name } }",
    ),
    # -- scalars refusing values
    "scalar refusals": (
        lambda: with_item(
            picky="refuse", count="not a number", color="blue", raw=None, name=object()
        ),
        ITEM_LEAVES,
    ),
    "scalar returning None": (
        lambda: with_item(picky="none"),
        "{ item { picky } a: item { p: picky } }",
    ),
    "scalar returning Undefined": (lambda: with_item(picky="undefined"), ITEM_LEAVES),
    "scalar crashing": (lambda: with_item(picky="crash"), ITEM_LEAVES),
    "non-null scalar refusals": (
        lambda: with_item(strict_picky="none", strict_count=1.5, strict_color="blue"),
        "{ item { name strictPicky } a: item { strictCount } b: item { strictColor } }",
    ),
    "non-null scalar refusal up to the root": (
        lambda: with_item(strict_picky="refuse"),
        STRICT_LEAVES,
    ),
    "float in an Int field": (lambda: with_item(count=2.5), ITEM_LEAVES),
    "big int": (lambda: with_item(count=2**40), ITEM_LEAVES),
    # -- lists with null items and odd values
    "null items": (
        lambda: with_item(
            children=[item("a"), None, item("c")],
            strict_children=[item("a"), None],
            half_strict=[None, item("b")],
            loose_strict=[None],
        ),
        "{ item { children { name } looseStrict { name } } a: item { halfStrict { name } } "
        "b: item { strictChildren { name } } }",
    ),
    "null item in a non-null root list": (
        lambda: with_root(items=[item("a"), None]),
        "{ hello items { name } }",
    ),
    "null item in a nullable root list": (
        lambda: with_root(loose_items=[None, item("b"), None]),
        "{ looseItems { name } }",
    ),
    "tuples and empty lists": (
        lambda: with_item(children=(item("a"), item("b")), half_strict=(), tags=("x",)),
        "{ item { children { name } halfStrict { name } tags } }",
    ),
    "not a list": (
        lambda: with_item(children=5, half_strict=item("x"), strict_children="abc"),
        "{ item { children { name } halfStrict { name } } a: item { strictChildren { name } } }",
    ),
    "generator": (
        lambda: with_item(children=(x for x in [item("g1"), item("g2")])),
        "{ item { children { name } } }",
    ),
    # -- exceptions and Undefined given as values (graphql-core raises them)
    "exception values in leaves": (
        lambda: with_item(
            name=Custom("custom as a name"),
            raw=Custom("custom as raw"),
            picky=Boom("boom as picky"),
            label=Custom("custom as a label"),
        ),
        "{ item { name raw picky } a: item { label } }",
    ),
    "exception values in objects and lists": (
        lambda: with_item(
            child=Custom("custom as a child"),
            children=[item("a"), Custom("custom as an item")],
            half_strict=[Custom("custom as a non-null item")],
        ),
        "{ item { child { name } children { name } } a: item { halfStrict { name } } }",
    ),
    "undefined values": (
        lambda: with_item(child=Undefined, name=Undefined, children=[Undefined]),
        "{ item { name child { name } children { name } } }",
    ),
    # -- abstract types and is_type_of
    "abstract types": (
        lambda: with_item(
            pet=dog("rex", barks=None),
            pets=[cat("tom"), {"__typename": "Fish"}, None, {"name": "untyped"}],
            animals=[dog("fido", friend=item("f", label=None)), cat("c", lives="many")],
        ),
        "{ item { pet { name ... on Dog { barks } } pets { name } "
        "animals { ... on Dog { friend { name label } } ... on Cat { lives } } } }",
    ),
    "is_type_of refusing": (
        lambda: with_item(checked={"kind": "other", "label": "x"}),
        "{ item { name checked { label } } }",
    ),
    # -- arguments take graphql-core's path
    "arguments": (
        healthy,
        'query($g: String) { item { greet(greeting: "Yo") g: greet(greeting: $g) d: greet } }',
    ),
    # -- mutations: serial at the root, short below
    "mutation": (
        lambda: with_item(child=item("c", label=Explode("c label"))),
        "mutation { touch { name child { name label } } strictTouch { label } }",
    ),
}


def run(
    context_class: type[ExecutionContext],
    document: str,
    root: dict[str, Any],
    variables: dict[str, Any] | None = None,
) -> ExecutionResult:
    ast = parse(document)
    assert validate(SCHEMA, ast) == []
    result = execute(
        SCHEMA,
        ast,
        root_value=root,
        context_value=object(),
        variable_values=variables,
        execution_context_class=context_class,
    )
    assert isinstance(result, ExecutionResult)
    return result


def described(result: ExecutionResult) -> dict[str, Any]:
    """Data and errors as a client sees them, plus each error's original exception."""
    errors = result.errors or []
    return {
        "formatted": result.formatted,
        "originals": [(type(error.original_error), str(error.original_error)) for error in errors],
    }


@pytest.fixture(autouse=True)
def clear_calls() -> Iterator[None]:
    CALLS.clear()
    yield
    CALLS.clear()


@pytest.mark.parametrize("case", list(CASES))
def test_lean_execution_answers_as_graphql_core(case: str) -> None:
    make_root, document = CASES[case]
    variables = {"g": "Hey"}
    stock = run(ExecutionContext, document, make_root(), variables)
    lean = run(LeanExecutionContext, document, make_root(), variables)
    assert described(lean) == described(stock)


def test_the_cases_do_go_wrong_where_they_should() -> None:
    """The equality above is not the trivial one: the cases produce errors, nulls and
    propagated nulls, and the healthy document none."""
    healthy_result = run(LeanExecutionContext, EVERYTHING, healthy())
    assert healthy_result.errors is None
    data = healthy_result.data
    assert data is not None
    assert data["item"]["child"]["name"] == "leaf"
    assert data["item"]["child"]["child"] is None
    assert data["item"]["pet"] == {
        "__typename": "Dog",
        "name": "rex",
        "barks": 3,
        "friend": {"name": "leaf"},
    }
    assert data["item"]["greet"] == "Hi, mid"
    assert data["item"]["again"] == "Hello, mid"
    assert data["item"]["picky"] == "<mid>"
    assert data["item"]["raw"] == {"n": "mid"}
    assert data["item"]["color"] == "RED"
    assert data["item"]["title"] == "title of mid"
    assert data["item"]["id"] == "SXRlbTptaWQ="  # base64("Item:mid")

    make_root, document = CASES["raising inside list items"]
    result = run(LeanExecutionContext, document, make_root())
    assert result.data == {
        "looseItems": [
            {"name": "a", "label": "label a"},
            None,  # a non-null label failed: the item is nulled
            {"name": None, "label": "label c"},  # a nullable name failed
            None,
        ]
    }
    assert sorted((e.path, e.message) for e in result.errors or []) == [
        (["looseItems", 1, "label"], "b label"),
        (["looseItems", 2, "name"], "c name"),
        (["looseItems", 3, "label"], "d label"),
    ]

    make_root, document = CASES["raising non-null leaf up to a non-null root"]
    result = run(LeanExecutionContext, document, make_root())
    assert result.data is None
    assert len(result.errors or []) == 1

    make_root, document = CASES["null items"]
    result = run(LeanExecutionContext, document, make_root())
    assert result.data is not None
    assert result.data["item"]["children"] == [{"name": "a"}, None, {"name": "c"}]
    assert result.data["a"] == {"halfStrict": None}
    assert result.data["b"] is None


# -- the short path is taken -------------------------------------------------------------------


@pytest.fixture
def resolve_infos(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many resolve infos graphql-core builds, per field name."""
    built: Counter[str] = Counter()
    original = ExecutionContext.build_resolve_info

    def counting(self: Any, field_def: Any, field_nodes: Any, *args: Any) -> Any:
        built[field_nodes[0].name.value] += 1
        return original(self, field_def, field_nodes, *args)

    monkeypatch.setattr(ExecutionContext, "build_resolve_info", counting)
    return built


def test_plain_fields_are_read_without_their_resolver(resolve_infos: Counter[str]) -> None:
    root = with_root(
        loose_items=[item(f"i{n}", child=item(f"c{n}"), children=[item("x")]) for n in range(5)]
    )
    document = (
        "{ hello looseItems { id name title label picky color child { name strictCount } "
        "children { name } } }"
    )
    result = run(LeanExecutionContext, document, root)
    assert result.errors is None
    assert result.data is not None
    assert len(result.data["looseItems"]) == 5
    # No field went through graphql-core's per-field machinery.
    assert resolve_infos == Counter()
    assert not [key for key in CALLS if key[0] == "resolve"], CALLS
    assert CALLS["read", "Item.name"] == 15
    assert CALLS["read", "Query.loose_items"] == 1

    # graphql-core's own path resolves the same document field by field.
    CALLS.clear()
    stock = run(ExecutionContext, document, root)
    assert stock.data == result.data
    assert resolve_infos["name"] == 15
    assert CALLS["resolve", "Item.name"] == 15
    assert not [key for key in CALLS if key[0] == "read"], CALLS


def test_fields_the_short_path_cannot_take_go_through_graphql_core(
    resolve_infos: Counter[str],
) -> None:
    """Arguments, ``__typename``, abstract types and ``is_type_of`` objects: resolved by
    graphql-core, the plain fields of the objects they give still read directly."""
    document = (
        '{ item { __typename greet(greeting: "Yo") pet { name ... on Dog { barks } } '
        "checked { label } tags name } }"
    )
    result = run(LeanExecutionContext, document, healthy())
    assert result.errors is None
    assert result.data is not None
    assert result.data["item"]["greet"] == "Yo, mid"
    assert resolve_infos == Counter(
        {"__typename": 1, "greet": 1, "pet": 1, "checked": 1, "tags": 1}
    )
    assert CALLS["resolve", "Item.greet"] == 1
    assert CALLS["resolve", "Item.name"] == 0
    assert CALLS["read", "Item.name"] == 1
    # Inside the abstract and checked objects, plain fields are read again.
    assert CALLS["read", "Dog.barks"] == 1
    assert CALLS["read", "Checked.label"] == 1


def test_a_failed_read_is_not_read_again() -> None:
    root = with_item(name=Explode("once"))
    result = run(LeanExecutionContext, "{ item { name } }", root)
    assert result.data == {"item": {"name": None}}
    assert [e.message for e in result.errors or []] == ["once"]
    assert CALLS["read", "Item.name"] == 1
    assert CALLS["resolve", "Item.name"] == 0


def test_plain_marks_the_resolver_with_its_reader() -> None:
    def reader(obj: Any, _context: Any) -> Any:
        return obj

    def resolver(obj: Any, _info: Any) -> Any:
        return obj

    assert plain(reader)(resolver) is resolver
    assert resolver.lys_plain is reader  # type: ignore[attr-defined]
    assert attribute_resolver("x").lys_plain({"x": 1}, None) == 1
    assert _global_id_resolver("T").lys_plain({"id": 7}, None) == "VDo3"  # base64("T:7")

"""lys.graphql.limits on parsed documents: static limits at their boundaries and the cost."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import build_schema, parse

from lys.graphql.limits import QueryLimits, check_static_limits, operation_cost

SCHEMA = build_schema(
    """
    type Query {
      item: Item
      items(first: Int, last: Int): ItemConnection
      list(first: Int): [Item]
      loop: Loop
      node: Node
    }
    type Mutation { a: Int b: Int c: Int }
    interface Node { id: ID }
    type Item implements Node {
      id: ID
      name: String
      children(first: Int, last: Int): ItemConnection
    }
    type ItemConnection { edges: [ItemEdge] totalCount: Int }
    type ItemEdge { cursor: String node: Item }
    type Loop { value: Int next: Loop }
    """
)
LIMITS = QueryLimits()


def static(document: str, **limits: Any) -> list[str]:
    return [e.message for e in check_static_limits(parse(document), QueryLimits(**limits))]


def cost(
    document: str,
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
    **limits: Any,
) -> int:
    return operation_cost(SCHEMA, parse(document), operation_name, variables, QueryLimits(**limits))


def loop(depth: int) -> str:
    return "{ loop { " + "next { " * (depth - 1) + "value" + " }" * (depth - 1) + " } }"


# -- depth ---------------------------------------------------------------------------------


def test_root_fields_are_depth_zero_and_each_selection_set_adds_one() -> None:
    assert static("{ __typename }", max_depth=1) == []
    assert static("{ loop { value } }", max_depth=1) == []
    assert static("{ loop { next { value } } }", max_depth=1) == [
        "'anonymous' is nested 2 levels deep; the limit is 1."
    ]


def test_depth_at_the_default_boundary() -> None:
    assert static(loop(10)) == []
    assert static(loop(11)) == ["'anonymous' is nested 11 levels deep; the limit is 10."]


def test_depth_through_fragments_and_inline_fragments() -> None:
    fragment = "fragment F on Loop { next { next { value } } }"  # 2 levels
    assert static("{ loop { ...F } } " + fragment, max_depth=3) == []
    assert static("{ loop { next { ...F } } } " + fragment, max_depth=3) != []
    inline = "{ loop { ... on Loop { ... { next { value } } } } }"
    assert static(inline, max_depth=2) == []
    assert static(inline, max_depth=1) != []


def test_each_operation_is_measured_and_named() -> None:
    document = "query Shallow { loop { value } } query Deep " + loop(3)
    assert static(document, max_depth=2) == ["'Deep' is nested 3 levels deep; the limit is 2."]


# -- aliases -------------------------------------------------------------------------------


def aliases(count: int) -> str:
    return "{ loop { " + " ".join(f"a{i}: value" for i in range(count)) + " } }"


def test_aliases_at_the_default_boundary() -> None:
    assert static(aliases(15)) == []
    assert static(aliases(16)) == ["'anonymous' uses 16 aliases; the limit is 15."]


def test_aliases_in_a_fragment_count_once_per_spread() -> None:
    document = (
        "{ loop { ...A next { ...A next { ...A } } } } fragment A on Loop { x: value y: value }"
    )
    assert static(document, max_aliases=6) == []
    assert static(document, max_aliases=5) == ["'anonymous' uses 6 aliases; the limit is 5."]


def test_aliases_of_nested_fields_and_inline_fragments_count() -> None:
    document = "{ l: loop { n: next { ... on Loop { v: value } } } }"
    assert static(document, max_aliases=3) == []
    assert static(document, max_aliases=2) != []


# -- directives ----------------------------------------------------------------------------


def directives(count: int) -> str:
    return "{ loop { " + " ".join(["value @include(if: true)"] * count) + " } }"


def test_directives_at_the_default_boundary() -> None:
    assert static(directives(50)) == []
    assert static(directives(51)) == ["'anonymous' uses 51 directives; the limit is 50."]


def test_directives_everywhere_count() -> None:
    document = (
        "query Q @skip(if: false) { loop @include(if: true) { ...F @include(if: true) "
        "... @skip(if: false) { value } } } fragment F on Loop @include(if: true) { value }"
    )
    assert static(document, max_directives=5) == []
    assert static(document, max_directives=4) == ["'Q' uses 5 directives; the limit is 4."]


# -- mutations -----------------------------------------------------------------------------


def test_mutations_per_document() -> None:
    four = "mutation { a b c x: a }"
    assert static(four) == []
    assert static("mutation { a b c x: a y: b }") == [
        "'anonymous' runs 5 mutations; the limit is 4."
    ]
    assert static(four, max_mutations=3) == ["'anonymous' runs 4 mutations; the limit is 3."]


def test_mutations_in_fragments_and_inline_fragments_count_but_typename_does_not() -> None:
    document = (
        "mutation M { __typename ...F ... on Mutation { c } } "
        "fragment F on Mutation { a b __typename }"
    )
    assert static(document, max_mutations=3) == []
    assert static(document, max_mutations=2) == ["'M' runs 3 mutations; the limit is 2."]


def test_queries_are_not_counted_as_mutations() -> None:
    assert static("{ a: loop { value } b: loop { value } c: item { id } }", max_mutations=1) == []


# -- fragment bombs and cycles -------------------------------------------------------------


def bomb(on: str, leaf: str, levels: int = 15, fan_out: int = 10) -> str:
    fragments = [f"fragment F0 on {on} {{ {leaf} }}"]
    for level in range(1, levels + 1):
        spreads = " ".join([f"...F{level - 1}"] * fan_out)
        fragments.append(f"fragment F{level} on {on} {{ {spreads} }}")
    return " ".join(fragments)


def test_a_fragment_bomb_is_measured_without_being_expanded() -> None:
    document = "{ ...F15 } " + bomb("Query", "x: loop { y: value @include(if: true) }")
    assert static(document) == [
        f"'anonymous' uses {2 * 10**15} aliases; the limit is 15.",
        f"'anonymous' uses {10**15} directives; the limit is 50.",
    ]
    assert cost(document) == 2 * 10**15


def test_a_mutation_fragment_bomb_is_counted_without_being_expanded() -> None:
    assert static("mutation { ...F15 } " + bomb("Mutation", "a")) == [
        f"'anonymous' runs {10**15} mutations; the limit is 4."
    ]
    assert static("mutation { ...F15 } " + bomb("Mutation", "__typename")) == []


@pytest.mark.parametrize(
    "document",
    [
        "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
        "{ loop { ...L } } fragment L on Loop { next { ...L } }",
        "mutation { ...A } fragment A on Mutation { a ...A }",
        "{ ...Missing }",
    ],
)
def test_cycles_and_unknown_fragments_are_left_to_validation(document: str) -> None:
    # No recursion error and no limit reported: graphql-core's rules report these.
    assert static(document) == []
    assert cost(document) >= 0


# -- cost ----------------------------------------------------------------------------------


def test_each_field_costs_one() -> None:
    assert cost("{ __typename }") == 0
    assert cost("{ item { id name __typename } }") == 3
    assert cost("{ item { id } loop { next { value } } }") == 2 + 3


def test_page_sizes_multiply_what_is_below_them() -> None:
    connection = "{ items(first: 10) { edges { node { id } } } }"  # 1 + 10 x 3
    assert cost(connection) == 31
    assert cost(connection.replace("first", "last")) == 31
    assert cost("{ items { edges { node { id } } } }") == 1 + 100 * 3  # the default page
    assert cost("{ list { id name } }") == 3  # a list without a size is not a page
    assert cost("{ list(first: 5) { id name } }") == 1 + 5 * 2
    assert cost("{ items(first: 1000) { totalCount } }") == 1 + 100  # capped at the max page
    assert cost("{ items(first: 0) { totalCount } }") == 2
    assert cost("{ items(first: -5) { totalCount } }") == 2


def test_nested_pages_multiply() -> None:
    document = """
    { items(first: 10) { edges { node { children(first: 20) { edges { node { id } } } } } } }
    """
    # children: 1 + 20 x 3 = 61; node: 62; edges: 63; items: 1 + 10 x 63
    assert cost(document) == 631


def test_variables_feed_page_sizes() -> None:
    document = "query($n: Int) { items(first: $n) { edges { node { id } } } }"
    assert cost(document, {"n": 4}) == 13
    assert cost(document, {"n": 100}) == 301
    assert cost(document, {"n": 10_000}) == 301
    assert cost(document, {"n": None}) == 301
    assert cost(document, {}) == 301
    assert cost(document, {"n": True}) == 301  # not an integer
    assert cost(document, {"n": "3"}) == 301


def test_fragments_cost_what_they_select_each_time_they_are_spread() -> None:
    fragment = "fragment F on Item { id name }"
    assert cost("{ item { ...F } } " + fragment) == 3
    assert cost("{ a: item { ...F } b: item { ...F } } " + fragment) == 6
    assert cost("{ items(first: 2) { edges { node { ...F } } } } " + fragment) == 1 + 2 * 4
    assert cost("{ node { ... on Item { id name } } }") == 3
    assert cost("{ node { id ... { id } } }") == 3


def test_the_operation_named_is_the_one_measured() -> None:
    document = "query Small { item { id } } query Big { items { edges { node { id } } } }"
    assert cost(document, operation_name="Small") == 2
    assert cost(document, operation_name="Big") == 301
    assert cost(document) == 0  # ambiguous: graphql-core refuses it
    assert cost(document, operation_name="Missing") == 0


def test_field_cost_and_page_sizes_follow_the_limits() -> None:
    document = "{ items { edges { node { id } } } }"
    assert cost(document, default_field_cost=2) == 2 + 100 * 6
    assert cost(document, default_page_size=7) == 1 + 7 * 3
    assert cost("{ items(first: 50) { totalCount } }", max_page_size=20) == 1 + 20


def test_mutations_cost_like_queries() -> None:
    assert cost("mutation { a b c }") == 3

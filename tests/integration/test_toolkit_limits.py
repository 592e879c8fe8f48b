"""Query limits over HTTP, at their boundaries: depth, aliases, directives, tokens,
cost, mutations per document; fragment bombs and cycles; what each environment
reveals; and what never runs an operation (GET, batches, other media types)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from litestar.testing import TestClient

from lys import Application
from tests.conftest import AppFactory
from tests.testapps.tk_support import (
    CATALOG,
    PROD_SECRET,
    TK_LIBRARY,
    TK_MISC,
    ClientFor,
    add_categories,
    call,
    error_of,
    errors_of,
    gid,
    post,
    product_table,
)

APPS = [CATALOG, TK_LIBRARY, TK_MISC]
BOOKS = gid("ProductCategoryNode", "BOOKS")


@pytest.fixture
def app(make_app: AppFactory) -> Application:
    app = make_app(APPS)
    add_categories(app, "BOOKS")
    return app


@pytest.fixture
def client(app: Application, client_for: ClientFor) -> TestClient[Any]:
    return client_for(app)


def limited(client: TestClient[Any], query: str, variables: dict[str, Any] | None = None) -> str:
    """The detail of the one QUERY_TOO_COMPLEX error the operation must be refused with."""
    response = post(client, query, variables)
    body = response.json()
    assert response.status_code == 400, body
    assert "data" not in body
    return error_of(body, "QUERY_TOO_COMPLEX")["extensions"]["detail"]


def loop(depth: int, leaf: str = "value") -> str:
    """``tkLoop`` nested so the operation is ``depth`` levels deep (root fields are 0)."""
    return "{ tkLoop { " + "next { " * (depth - 1) + leaf + " }" * (depth - 1) + " } }"


def loop_value(data: dict[str, Any]) -> int:
    node = data["tkLoop"]
    while "next" in node:
        node = node["next"]
    return node["value"]


# -- depth ------------------------------------------------------------------------------


def test_depth_ten_passes_and_eleven_is_refused(client: TestClient[Any]) -> None:
    assert call(client, "{ tkLoop { value } }") == {"tkLoop": {"value": 1}}  # depth 1
    assert loop_value(call(client, loop(10))) == 1
    detail = limited(client, loop(11))
    assert "11" in detail and "10" in detail


def test_depth_counts_through_fragments_but_not_for_fragments_themselves(
    client: TestClient[Any],
) -> None:
    # Depth 10, split between a spread and an inline fragment: neither adds a level.
    fragment = "fragment Deep on TkLoop { " + "next { " * 5 + "value" + " }" * 5 + " }"
    inline = "... on TkLoop { " + "next { " * 4 + "...Deep" + " }" * 4 + " }"
    assert loop_value(call(client, "{ tkLoop { " + inline + " } } " + fragment)) == 1
    deeper = inline.replace("...Deep", "next { ...Deep }")
    detail = limited(client, "{ tkLoop { " + deeper + " } } " + fragment)
    assert "11" in detail


def test_depth_limit_is_a_setting(make_app: AppFactory, client_for: ClientFor) -> None:
    client = client_for(make_app(APPS, graphql_max_depth=3))
    assert loop_value(call(client, loop(3))) == 1
    assert "the limit is 3" in limited(client, loop(4))


# -- aliases -----------------------------------------------------------------------------


def aliased(count: int) -> str:
    return "{ " + " ".join(f"a{i}: allProductCategories {{ id }}" for i in range(count)) + " }"


def test_fifteen_aliases_pass_and_sixteen_are_refused(client: TestClient[Any]) -> None:
    data = call(client, aliased(15))
    assert sorted(data) == sorted(f"a{i}" for i in range(15))
    detail = limited(client, aliased(16))
    assert "16" in detail and "15" in detail


def test_aliases_in_fragments_count_for_every_spread(client: TestClient[Any]) -> None:
    def document(count: int) -> str:
        fields = " ".join(f"v{i}: value" for i in range(count))
        return (
            "{ tkLoop { ...Values next { ...Values } } } "
            f"fragment Values on TkLoop {{ {fields} }}"
        )

    call(client, document(7))  # 14 aliases
    assert "16" in limited(client, document(8))
    inline = "{ tkLoop { ... on TkLoop { %s } } }"
    call(client, inline % " ".join(f"v{i}: value" for i in range(15)))
    limited(client, inline % " ".join(f"v{i}: value" for i in range(16)))


def test_alias_limit_is_a_setting(make_app: AppFactory, client_for: ClientFor) -> None:
    client = client_for(make_app(APPS, graphql_max_aliases=2))
    call(client, aliased(2))
    assert "the limit is 2" in limited(client, aliased(3))


# -- directives ----------------------------------------------------------------------------


def directives(count: int) -> str:
    return "{ tkLoop { " + " ".join(["value @include(if: true)"] * count) + " } }"


def test_fifty_directives_pass_and_fifty_one_are_refused(client: TestClient[Any]) -> None:
    assert call(client, directives(50)) == {"tkLoop": {"value": 1}}
    detail = limited(client, directives(51))
    assert "51" in detail and "50" in detail


def test_directives_in_fragments_count(client: TestClient[Any]) -> None:
    fragment = "fragment D on TkLoop { " + " ".join(["value @skip(if: false)"] * 25) + " }"
    call(client, "{ tkLoop { ...D next { ...D } } } " + fragment)  # 50
    limited(client, "{ tkLoop { ...D next { ...D @include(if: true) } } } " + fragment)


def test_directive_limit_is_a_setting(make_app: AppFactory, client_for: ClientFor) -> None:
    client = client_for(make_app(APPS, graphql_max_directives=1))
    call(client, directives(1))
    limited(client, directives(2))


# -- tokens -----------------------------------------------------------------------------------


def tokens(count: int) -> str:
    """A valid document of exactly ``count`` tokens (punctuators, names and values)."""
    return "{ tkCount(values: [" + " 7" * (count - 9) + " ]) }"


def test_two_thousand_tokens_pass_and_more_are_refused_at_parse(client: TestClient[Any]) -> None:
    assert call(client, tokens(2000)) == {"tkCount": 1991}
    detail = limited(client, tokens(2001))
    assert "2000" in detail
    # Refused while parsing: a document broken after its 2000th token is refused for
    # its size, not its syntax.
    assert "2000" in limited(client, tokens(2003)[:-4] + " {{{")


def test_token_limit_is_a_setting(make_app: AppFactory, client_for: ClientFor) -> None:
    client = client_for(make_app(APPS, graphql_max_tokens=50))
    assert call(client, tokens(50)) == {"tkCount": 41}
    assert "50" in limited(client, tokens(51))


# -- cost ----------------------------------------------------------------------------------------

#: 1 + 100 x 12 = 1201 with first: 100 (10 fields under each node, node and edges).
CONNECTION = (
    "allProducts(first: 100) { edges { node { "
    "id name price clientId createdAt updatedAt category { id code description } } } }"
)


def connections(count: int, size: str = "100") -> str:
    field = CONNECTION.replace("100", size)
    header = "query($n: Int)" if size == "$n" else "query"
    return header + " { " + " ".join(f"c{i}: {field}" for i in range(count)) + " }"


def test_cost_within_the_limit_passes_and_beyond_is_refused(client: TestClient[Any]) -> None:
    data = call(client, connections(4))  # 4804
    assert len(data) == 4
    detail = limited(client, connections(5))  # 6005
    assert "6005" in detail and "5000" in detail


def test_cost_counts_default_page_sizes_and_last(client: TestClient[Any]) -> None:
    limited(client, connections(5).replace("(first: 100)", ""))
    limited(client, connections(5, size="100").replace("first:", "last:"))
    call(client, connections(5, size="10"))


def test_variables_feed_the_cost(client: TestClient[Any]) -> None:
    query = connections(5, size="$n")
    assert len(call(client, query, {"n": 10})) == 5
    assert "6005" in limited(client, query, {"n": 100})
    limited(client, query, {"n": None})  # no size given: the default page size counts
    limited(client, query)


def test_nested_connections_multiply(client: TestClient[Any]) -> None:
    query = """
    query($a: Int, $b: Int) {
      allTkAuthors(first: $a) {
        edges { node { bookPage(first: $b) { edges { node { id } } } } }
      }
    }
    """
    assert call(client, query, {"a": 100, "b": 15}) == {"allTkAuthors": {"edges": []}}  # 4801
    assert "5101" in limited(client, query, {"a": 100, "b": 16})
    assert "30301" in limited(client, query, {"a": 100, "b": 100})
    assert "30301" in limited(client, query, {})


def test_cost_limit_is_a_setting(make_app: AppFactory, client_for: ClientFor) -> None:
    query = "{ " + CONNECTION + " }"  # 1201
    call(client_for(make_app(APPS, graphql_max_cost=1201)), query)
    assert "1201" in limited(client_for(make_app(APPS, graphql_max_cost=1200)), query)


def test_field_cost_is_a_setting(make_app: AppFactory, client_for: ClientFor) -> None:
    query = "{ " + CONNECTION + " }"  # 2402 when each field costs 2
    client = client_for(make_app(APPS, graphql_default_field_cost=2, graphql_max_cost=2402))
    call(client, query)
    client = client_for(make_app(APPS, graphql_default_field_cost=2, graphql_max_cost=2401))
    assert "2402" in limited(client, query)


# -- mutations per document --------------------------------------------------------------------


def creations(count: int) -> str:
    return (
        "mutation($i: CreateProductInput!) { "
        + " ".join(f"m{i}: createProduct(inputs: $i) {{ id }}" for i in range(count))
        + " }"
    )


INPUT = {"i": {"name": "Made", "price": "1.00", "categoryId": BOOKS}}


def test_four_mutations_run_and_five_are_refused(app: Application, client: TestClient[Any]) -> None:
    detail = limited(client, creations(5), INPUT)
    assert "5" in detail and "4" in detail
    assert product_table(app) == []
    assert len(call(client, creations(4), INPUT)) == 4
    assert len(product_table(app)) == 4


def creation_fields(prefix: str, count: int) -> str:
    return " ".join(f"{prefix}{i}: createProduct(inputs: $i) {{ id }}" for i in range(count))


def test_mutations_in_fragments_count(app: Application, client: TestClient[Any]) -> None:
    def spread_and_inline(inline: str, fragment: str) -> str:
        return (
            "mutation($i: CreateProductInput!) { ...M ... on Mutation { " + inline + " } } "
            "fragment M on Mutation { " + fragment + " }"
        )

    refused = spread_and_inline(creation_fields("x", 2), creation_fields("y", 3))
    assert "5 mutations" in limited(client, refused, INPUT)
    two_spreads = (
        "mutation($i: CreateProductInput!) { ...M ...N } "
        f"fragment M on Mutation {{ {creation_fields('y', 3)} }} "
        f"fragment N on Mutation {{ {creation_fields('z', 3)} }}"
    )
    assert "6 mutations" in limited(client, two_spreads, INPUT)
    assert product_table(app) == []

    accepted = spread_and_inline(creation_fields("x", 1), creation_fields("y", 3))
    assert len(call(client, accepted, INPUT)) == 4
    assert len(product_table(app)) == 4


def test_mutation_limit_is_a_setting(make_app: AppFactory, client_for: ClientFor) -> None:
    app = make_app(APPS, graphql_max_mutations=1)
    add_categories(app, "BOOKS")
    client = client_for(app)
    call(client, creations(1), INPUT)
    limited(client, creations(2), INPUT)
    assert len(product_table(app)) == 1


# -- fragment bombs and cycles -------------------------------------------------------------------


def bomb(on: str, leaf: str, levels: int = 15, fan_out: int = 10) -> str:
    """Fragments each spreading the previous one ``fan_out`` times: ``fan_out**levels``
    copies of ``leaf`` once expanded."""
    fragments = [f"fragment F0 on {on} {{ {leaf} }}"]
    for level in range(1, levels + 1):
        spreads = " ".join([f"...F{level - 1}"] * fan_out)
        fragments.append(f"fragment F{level} on {on} {{ {spreads} }}")
    return " ".join(fragments)


def test_a_fragment_bomb_is_refused(client: TestClient[Any]) -> None:
    detail = limited(client, "{ ...F15 } " + bomb("Query", "allProductCategories { id }"))
    assert "5000" in detail
    assert "15" in limited(client, "{ ...F15 } " + bomb("Query", "a: allProductCategories { id }"))
    limited(client, "{ tkLoop { ...F15 } } " + bomb("TkLoop", "value @include(if: true)"))


def test_a_fragment_bomb_in_a_mutation_is_refused(
    app: Application, client: TestClient[Any]
) -> None:
    document = "mutation($i: CreateProductInput!) { ...F15 } " + bomb(
        "Mutation", "createProduct(inputs: $i) { id }"
    )
    assert "mutations" in limited(client, document, INPUT)
    assert product_table(app) == []


def test_a_harmless_fragment_bomb_is_answered(client: TestClient[Any]) -> None:
    # Only __typename at the bottom: free, within every limit, and answered without
    # expanding the fragments (also where the connection looks for totalCount).
    data = call(client, "{ allProducts { ...F15 } } " + bomb("ProductNodeConnection", "__typename"))
    assert data == {"allProducts": {"__typename": "ProductNodeConnection"}}
    assert call(client, "mutation { ...F15 } " + bomb("Mutation", "__typename")) == {
        "__typename": "Mutation"
    }


@pytest.mark.parametrize(
    "document",
    [
        "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
        "{ ...A } fragment A on Query { tkLoop { value } ...A }",
        "{ tkLoop { ...L } } fragment L on TkLoop { next { ...L } }",
        "mutation { ...A } fragment A on Mutation { tkBoom ...B } fragment B on Mutation { ...A }",
    ],
    ids=["two-fragments", "self", "through-a-field", "mutation"],
)
def test_fragment_cycles_are_refused(client: TestClient[Any], document: str) -> None:
    response = post(client, document)
    assert response.status_code == 400
    errors = errors_of(response.json(), "GRAPHQL_VALIDATION_FAILED")
    assert any("spread" in e["extensions"]["detail"] for e in errors)


# -- what is never executed -----------------------------------------------------------------------

CREATE_ONE = (
    'mutation { createProduct(inputs: {name: "Sneaky", price: "1.00", categoryId: "'
    + BOOKS
    + '"}) { id } }'
)


def test_a_json_array_batch_is_refused_and_not_run(
    app: Application, client: TestClient[Any]
) -> None:
    response = client.post("/graphql", json=[{"query": CREATE_ONE}, {"query": CREATE_ONE}])
    assert response.status_code == 400
    error_of(response.json(), "BAD_REQUEST")
    assert product_table(app) == []


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_get_never_runs_an_operation(make_app: AppFactory, client_for: ClientFor, env: str) -> None:
    app = make_app(APPS, env=env, secret_key=PROD_SECRET)
    add_categories(app, "BOOKS")
    client = client_for(app)
    for query in (CREATE_ONE, "{ allProductCategories { id } }"):
        response = client.get("/graphql", params={"query": query})
        if env == "dev":
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/html")
        else:
            assert response.status_code == 404
            error_of(response.json(), "NOT_FOUND")
    assert product_table(app) == []


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/graphql"]
)
def test_other_media_types_are_refused_and_not_run(
    app: Application, client: TestClient[Any], content_type: str
) -> None:
    response = client.post(
        "/graphql",
        content=json.dumps({"query": CREATE_ONE}),
        headers={"content-type": content_type},
    )
    assert response.status_code == 415
    error_of(response.json(), "UNSUPPORTED_MEDIA_TYPE")
    assert product_table(app) == []


# -- what each environment reveals ----------------------------------------------------------------

INTROSPECTION = '{ __schema { queryType { name } } __type(name: "ProductNode") { name } }'
TYPOS = [
    ("{ allProduct { totalCount } }", None, "allProducts"),
    ("{ allProducts(frist: 1) { totalCount } }", None, "first"),
    ("{ allProducts(orderBy: {field: NAM}) { totalCount } }", None, "NAME"),
    (
        "query($o: ProductOrder) { allProducts(orderBy: $o) { totalCount } }",
        {"o": {"field": "NAM"}},
        "NAME",
    ),
    (
        "query($o: ProductOrder) { allProducts(orderBy: $o) { totalCount } }",
        {"o": {"fild": "NAME"}},
        "field",
    ),
    (
        "mutation($i: CreateProductInput!) { createProduct(inputs: $i) { id } }",
        {"i": {"nam": "x", "name": "x", "price": "1", "categoryId": BOOKS}},
        "name",
    ),
]


def details(body: dict[str, Any]) -> str:
    return " ".join(error["extensions"]["detail"] for error in body["errors"])


@pytest.mark.parametrize("env", ["dev", "demo"])
def test_introspection_and_suggestions_in_dev_and_demo(
    make_app: AppFactory, client_for: ClientFor, env: str
) -> None:
    client = client_for(make_app(APPS, env=env))
    assert call(client, INTROSPECTION) == {
        "__schema": {"queryType": {"name": "Query"}},
        "__type": {"name": "ProductNode"},
    }
    for query, variables, suggestion in TYPOS:
        body = post(client, query, variables).json()
        assert f"Did you mean '{suggestion}'" in details(body) or (
            f"Did you mean the enum value '{suggestion}'" in details(body)
        ), body


@pytest.mark.parametrize("env", ["preprod", "prod"])
def test_no_introspection_nor_suggestions_in_preprod_and_prod(
    make_app: AppFactory, client_for: ClientFor, env: str
) -> None:
    client = client_for(make_app(APPS, env=env, secret_key=PROD_SECRET))
    response = post(client, INTROSPECTION)
    assert response.status_code == 400
    errors_of(response.json(), "GRAPHQL_VALIDATION_FAILED")
    for query, variables, _suggestion in TYPOS:
        response = post(client, query, variables)
        body = response.json()
        assert body["errors"], body
        for error in body["errors"]:
            assert error["message"] != "INTERNAL_ERROR", body
        assert "Did you mean" not in response.text, body

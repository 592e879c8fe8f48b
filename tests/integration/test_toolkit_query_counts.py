"""The number of SQL statements an operation runs does not grow with the rows it returns:
relations are batched per sibling list, level by level."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from lys import Application
from tests.conftest import AppFactory
from tests.testapps.tk_support import (
    CATALOG,
    TK_LIBRARY,
    ClientFor,
    add_categories,
    add_products,
    call,
    gid,
)

CATEGORIES = ("BOOKS", "TOOLS", "GAMES", "MUSIC", "FOOD")


@pytest.fixture
def app(make_app: AppFactory) -> Application:
    app = make_app([CATALOG, TK_LIBRARY])
    add_categories(app, *CATEGORIES)
    return app


@pytest.fixture
def client(app: Application, client_for: ClientFor) -> TestClient[Any]:
    return client_for(app)


def statements(
    app: Application,
    client: TestClient[Any],
    count_queries: Any,
    query: str,
    variables: dict[str, Any] | None = None,
) -> tuple[list[str], Any]:
    """The statements one operation runs (after a first run warms the pool up)."""
    call(client, query, variables)
    counter = count_queries(app)
    data = call(client, query, variables)
    return list(counter.statements), data


def seed_products(app: Application, count: int) -> list[Any]:
    return add_products(
        app,
        [
            {"name": f"product {i:03d}", "category": CATEGORIES[i % len(CATEGORIES)]}
            for i in range(count)
        ],
    )


# -- the catalog -------------------------------------------------------------------------


def test_a_page_with_relations_costs_the_same_for_one_row_or_fifty(
    app: Application, client: TestClient[Any], count_queries: Any
) -> None:
    seed_products(app, 60)
    query = """
    query($first: Int) {
      allProducts(first: $first) {
        edges { node { name category { id description } } }
        totalCount
      }
    }
    """
    one, data = statements(app, client, count_queries, query, {"first": 1})
    assert len(data["allProducts"]["edges"]) == 1
    fifty, data = statements(app, client, count_queries, query, {"first": 50})
    edges = data["allProducts"]["edges"]
    assert len(edges) == 50
    assert len(fifty) == len(one) <= 3, fifty
    # The batch gave every product its own category.
    for i, edge in enumerate(edges):
        category = CATEGORIES[i % len(CATEGORIES)]
        assert edge["node"]["category"] == {
            "id": gid("ProductCategoryNode", category),
            "description": f"{category} desc",
        }


def test_a_product_with_its_category_is_two_statements(
    app: Application, client: TestClient[Any], count_queries: Any
) -> None:
    ids = seed_products(app, 30)
    query = "query($id: ID!) { product(id: $id) { name category { code description } } }"
    for index in (0, 17):
        run, data = statements(
            app, client, count_queries, query, {"id": gid("ProductNode", ids[index])}
        )
        assert len(run) == 2, run
        assert data["product"]["category"]["code"] == CATEGORIES[index % len(CATEGORIES)]


def test_nodes_cost_the_same_for_two_ids_or_twenty(
    app: Application, client: TestClient[Any], count_queries: Any
) -> None:
    ids = [gid("ProductNode", pk) for pk in seed_products(app, 20)]
    categories = [gid("ProductCategoryNode", code) for code in CATEGORIES]
    query = """
    query($ids: [ID!]!) {
      nodes(ids: $ids) {
        id
        ... on ProductNode { name category { code } }
        ... on ProductCategoryNode { description }
      }
    }
    """
    small, data = statements(app, client, count_queries, query, {"ids": [ids[0], categories[0]]})
    assert data["nodes"][0]["category"]["code"] == CATEGORIES[0]
    large, data = statements(app, client, count_queries, query, {"ids": ids + categories[:3]})
    assert len(small) == len(large) <= 3, large
    assert [n["category"]["code"] for n in data["nodes"][:20]] == [
        CATEGORIES[i % len(CATEGORIES)] for i in range(20)
    ]


def test_all_product_categories_is_one_statement_whatever_the_number(
    app: Application, client: TestClient[Any], count_queries: Any
) -> None:
    query = "{ allProductCategories { id code description } }"
    few, data = statements(app, client, count_queries, query)
    assert len(data["allProductCategories"]) == len(CATEGORIES)
    add_categories(app, *(f"EXTRA_{i}" for i in range(15)))
    many, data = statements(app, client, count_queries, query)
    assert len(data["allProductCategories"]) == len(CATEGORIES) + 15
    assert len(few) == len(many) == 1, many


# -- two nested levels: authors -> books (one-to-many) -> publisher (many-to-one) ---------

AUTHORS = """
query($first: Int) {
  allTkAuthors(first: $first) {
    edges { node { name books { title publisher { name } } } }
    totalCount
  }
}
"""


def seed_library(app: Application, authors: int, books_each: int = 3) -> dict[str, Any]:
    """Authors with books from several publishers; returns what each author should list."""
    publisher_model = app.model("tk_publisher")
    author_model = app.model("tk_author")
    book_model = app.model("tk_book")
    expected: dict[str, Any] = {}
    with app.session() as session:
        publishers = [publisher_model(name=f"publisher {i}") for i in range(4)]
        session.add_all(publishers)
        session.flush()
        for a in range(authors):
            author = author_model(name=f"author {a:03d}")
            session.add(author)
            session.flush()
            expected[author.name] = []
            for b in range(books_each + a % 2):
                publisher = publishers[(a + b) % len(publishers)]
                session.add(
                    book_model(
                        title=f"book {a:03d}-{b}", author_id=author.id, publisher_id=publisher.id
                    )
                )
                expected[author.name].append((f"book {a:03d}-{b}", publisher.name))
    return expected


def library_statements(
    make_app: AppFactory,
    client_for: ClientFor,
    count_queries: Any,
    authors: int,
    query: str = AUTHORS,
) -> tuple[list[str], dict[str, Any]]:
    """Statements of ``query`` over a fresh library of ``authors`` authors (checked)."""
    app = make_app([TK_LIBRARY])
    app.registry.metadata.drop_all(app.engine)
    app.registry.metadata.create_all(app.engine)
    expected = seed_library(app, authors)
    run, data = statements(app, client_for(app), count_queries, query, {"first": 50})
    listed = {
        edge["node"]["name"]: sorted(
            (book["title"], book["publisher"]["name"]) for book in edge["node"]["books"]
        )
        for edge in data["allTkAuthors"]["edges"]
    }
    assert listed == {name: sorted(books) for name, books in expected.items()}
    assert data["allTkAuthors"]["totalCount"] == authors
    return run, data


def test_two_nested_levels_cost_the_same_for_two_authors_or_twenty(
    make_app: AppFactory, client_for: ClientFor, count_queries: Any
) -> None:
    two, _ = library_statements(make_app, client_for, count_queries, 2)
    twenty, _ = library_statements(make_app, client_for, count_queries, 20)
    # The page (with its total), every author's books, every book's publisher.
    assert len(two) == len(twenty) == 3, twenty


def test_three_levels_back_to_the_parent_cost_the_same_for_two_authors_or_twenty(
    make_app: AppFactory, client_for: ClientFor, count_queries: Any
) -> None:
    query = AUTHORS.replace("publisher { name }", "publisher { name } author { name }")
    two, _ = library_statements(make_app, client_for, count_queries, 2, query)
    twenty, data = library_statements(make_app, client_for, count_queries, 20, query)
    assert len(two) == len(twenty) <= 4, twenty
    for edge in data["allTkAuthors"]["edges"]:
        assert {book["author"]["name"] for book in edge["node"]["books"]} == {edge["node"]["name"]}

"""Helpers shared by the toolkit tests (``tests/integration/test_toolkit_*.py``).

Global ids are built here by hand, from the documented format, rather than with the
framework's own encoder, so the tests do not trust the code they check.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from litestar.testing import TestClient

from lys import Application

ClientFor = Callable[[Application], TestClient[Any]]

CATALOG = "apps.catalog"
TK_LIBRARY = "tests.testapps.tk_library"
TK_MISC = "tests.testapps.tk_misc"

#: The HTTP-like status every error code must carry, as clients of the upstream
#: framework read it (written out, not imported, so a changed table is noticed).
STATUS = {
    "BAD_REQUEST": 400,
    "BAD_USER_INPUT": 400,
    "GRAPHQL_PARSE_FAILED": 400,
    "GRAPHQL_VALIDATION_FAILED": 400,
    "QUERY_TOO_COMPLEX": 400,
    "VALIDATION_ERROR": 400,
    "INVALID_CURSOR": 400,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "INTERNAL_ERROR": 500,
}

#: A production secret (long enough, without the development marker).
PROD_SECRET = "tk-production-secret-0123456789-abcdefghij"


def gid(type_name: str, pk: Any) -> str:
    """The global id Relay clients expect: ``base64("<TypeName>:<pk>")``."""
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode("ascii")


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def post(
    client: TestClient[Any],
    query: str,
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
) -> Any:
    """POST an operation; returns the raw response (status and bytes matter here)."""
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    if operation_name is not None:
        payload["operationName"] = operation_name
    return client.post("/graphql", json=payload)


def call(client: TestClient[Any], query: str, variables: dict[str, Any] | None = None) -> Any:
    """The decoded body of a successful operation's data; fails on any error."""
    response = post(client, query, variables)
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]


def errors_of(body: dict[str, Any], code: str) -> list[dict[str, Any]]:
    """Every error of ``body``, each checked to have the shape clients rely on."""
    errors = body.get("errors")
    assert errors, body
    for error in errors:
        extensions = error["extensions"]
        assert error["message"] == extensions["code"] == code, body
        assert extensions["status_code"] == STATUS[code], body
        assert isinstance(extensions["detail"], str) and extensions["detail"].strip(), body
    return errors


def error_of(body: dict[str, Any], code: str) -> dict[str, Any]:
    """The one error of ``body``, with the shape clients rely on."""
    errors = errors_of(body, code)
    assert len(errors) == 1, body
    return errors[0]


def add_categories(app: Application, *codes: str) -> None:
    with app.session() as session:
        for code in codes:
            app.service("product_category").create(session, id=code, description=f"{code} desc")


def add_product(
    app: Application,
    name: str,
    *,
    price: str = "10.00",
    category: str = "BOOKS",
    client_id: uuid.UUID | None = None,
    created_at: datetime | None = None,
) -> uuid.UUID:
    return add_products(
        app,
        [
            dict(
                name=name,
                price=price,
                category=category,
                client_id=client_id,
                created_at=created_at,
            )
        ],
    )[0]


def add_products(app: Application, rows: list[dict[str, Any]]) -> list[uuid.UUID]:
    """Insert products directly (one transaction); returns their ids in order."""
    model = app.model("product")
    products = []
    with app.session() as session:
        for row in rows:
            values: dict[str, Any] = {
                "name": row["name"],
                "price": Decimal(str(row.get("price", "10.00"))),
                "category_id": row.get("category", "BOOKS"),
                "client_id": row.get("client_id"),
            }
            if row.get("created_at") is not None:
                values["created_at"] = row["created_at"]
            products.append(model(**values))
        session.add_all(products)
        session.flush()
        return [product.id for product in products]


def product_table(app: Application) -> list[dict[str, Any]]:
    """Every product row as stored, read around the framework's sessions."""
    table = app.model("product").__table__
    with app.engine.connect() as connection:
        rows = connection.execute(sa.select(table).order_by(table.c.name, table.c.id))
        return [dict(row._mapping) for row in rows]

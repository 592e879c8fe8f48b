from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from lys import BusinessFixture, Environment, ParametricFixture
from lys.apps.user_role.fixtures import RoleFixture
from lys.fixtures import FixtureContext


class ProductCategoryFixture(ParametricFixture):
    model = "product_category"
    rows = [
        {"id": "ELECTRONICS", "description": "Electronic devices and accessories"},
        {"id": "CLOTHING", "description": "Clothes, shoes and accessories"},
        {"id": "BOOKS", "description": "Printed and electronic books"},
    ]


class CatalogRoleFixture(RoleFixture):
    """A role opening the product operations; loaded where roles exist (user_role)."""

    requires_apps = ("lys.apps.user_role",)
    rows = [
        {
            "id": "CATALOG_MANAGER_ROLE",
            "description": "Manages the products (of their client, for a client's user)",
            "webservices": [
                "all_products",
                "product",
                "create_product",
                "update_product",
                "update_product_price",
                "delete_product",
            ],
        }
    ]


class DemoProductRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    price: Decimal
    category_id: str
    #: The name of the client owning the product; kept only where clients exist.
    client_id: str | None = None


CURATED_PRODUCTS = [
    {"name": "Noise-cancelling headphones", "price": "199.00", "category_id": "ELECTRONICS"},
    {"name": "USB-C charger 65W", "price": "39.90", "category_id": "ELECTRONICS"},
    {"name": "Merino wool sweater", "price": "89.00", "category_id": "CLOTHING"},
    {"name": "Rain jacket", "price": "129.50", "category_id": "CLOTHING"},
    {"name": "The Pragmatic Programmer", "price": "42.00", "category_id": "BOOKS"},
    {"name": "Designing Data-Intensive Applications", "price": "45.99", "category_id": "BOOKS"},
]
GENERATED_PRODUCTS = 294
CATEGORIES = ("ELECTRONICS", "CLOTHING", "BOOKS")
#: The organization app's demo client (see lys.apps.organization.fixtures).
DEMO_CLIENT = "Lys Demo"


class DemoProductFixture(BusinessFixture):
    """A few hundred products to click around with and to page through; dev only.

    With the organization app installed (before this one, so its demo client loads
    first), they belong to its demo client.
    """

    model = "product"
    row_schema = DemoProductRow
    natural_key = ("name",)
    depends_on = ("ProductCategoryFixture",)
    environments = frozenset({Environment.DEV})

    def get_rows(self) -> Iterator[dict[str, Any]]:
        for row in CURATED_PRODUCTS:
            yield {**row, "client_id": DEMO_CLIENT}
        for number in range(1, GENERATED_PRODUCTS + 1):
            # Deterministic, so reloading finds every row unchanged.
            cents = (number * 7919) % 50000 + 99
            yield {
                "name": f"Sample product {number:03d}",
                "price": f"{cents // 100}.{cents % 100:02d}",
                "category_id": CATEGORIES[number % len(CATEGORIES)],
                "client_id": DEMO_CLIENT,
            }

    def format_client_id(self, name: str | None, context: FixtureContext) -> uuid.UUID | None:
        if name is None or "client" not in context.application.registry.tables:
            return None
        clients = context.model("client")
        return context.session.scalars(select(clients.id).where(clients.name == name)).first()

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from lys import BusinessFixture, Environment, ParametricFixture


class ProductCategoryFixture(ParametricFixture):
    model = "product_category"
    rows = [
        {"id": "ELECTRONICS", "description": "Electronic devices and accessories"},
        {"id": "CLOTHING", "description": "Clothes, shoes and accessories"},
        {"id": "BOOKS", "description": "Printed and electronic books"},
    ]


class DemoProductRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    price: Decimal
    category_id: str


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


class DemoProductFixture(BusinessFixture):
    """A few hundred products to click around with and to page through; dev only."""

    model = "product"
    row_schema = DemoProductRow
    natural_key = ("name",)
    depends_on = ("ProductCategoryFixture",)
    environments = frozenset({Environment.DEV})

    def get_rows(self) -> Iterator[dict[str, Any]]:
        yield from CURATED_PRODUCTS
        for number in range(1, GENERATED_PRODUCTS + 1):
            # Deterministic, so reloading finds every row unchanged.
            cents = (number * 7919) % 50000 + 99
            yield {
                "name": f"Sample product {number:03d}",
                "price": f"{cents // 100}.{cents % 100:02d}",
                "category_id": CATEGORIES[number % len(CATEGORIES)],
            }

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from lys import BusinessFixture, ParametricFixture


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


class DemoProductFixture(BusinessFixture):
    """A few products to click around with; loaded in dev and demo only."""

    model = "product"
    row_schema = DemoProductRow
    natural_key = ("name",)
    depends_on = ("ProductCategoryFixture",)
    rows = [
        {"name": "Noise-cancelling headphones", "price": "199.00", "category_id": "ELECTRONICS"},
        {"name": "USB-C charger 65W", "price": "39.90", "category_id": "ELECTRONICS"},
        {"name": "Merino wool sweater", "price": "89.00", "category_id": "CLOTHING"},
        {"name": "Rain jacket", "price": "129.50", "category_id": "CLOTHING"},
        {"name": "The Pragmatic Programmer", "price": "42.00", "category_id": "BOOKS"},
        {"name": "Designing Data-Intensive Applications", "price": "45.99", "category_id": "BOOKS"},
    ]

from __future__ import annotations

import uuid

from sqlmodel import Field, Relationship

from apps.catalog.models import Product as CatalogProduct
from lys import Entity


class Brand(Entity):
    __tablename__ = "brand"

    name: str = Field(max_length=100)


class Product(CatalogProduct):
    """The catalog's product, with a rating and an optional brand."""

    rating: int = Field(default=0)
    brand_id: uuid.UUID | None = Field(default=None, foreign_key="brand.id", index=True)

    brand: Brand | None = Relationship()

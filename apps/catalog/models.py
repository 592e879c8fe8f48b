from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import Numeric
from sqlmodel import Field, Relationship

from lys import Entity, ParametricEntity
from lys.models.scopes import OrganizationOwned


class ProductCategory(ParametricEntity):
    __tablename__ = "product_category"


class Product(OrganizationOwned, Entity):
    """A product of a client: members of the client reach it when one of their client
    roles opens the product operations (see the organization app)."""

    __tablename__ = "product"

    name: str = Field(max_length=255, index=True)
    price: Decimal = Field(sa_type=Numeric(10, 2))
    category_id: str = Field(foreign_key="product_category.id", index=True, max_length=64)
    # Soft reference to the owning client (tenant); no foreign key on purpose, the
    # client table may live in another service.
    client_id: uuid.UUID | None = Field(default=None, index=True)

    category: ProductCategory = Relationship()

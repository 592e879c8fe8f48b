"""Validated inputs of the catalog's mutations."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from lys.graphql.global_ids import GlobalId

ProductName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
Price = Annotated[Decimal, Field(ge=0, lt=Decimal("100000000"), decimal_places=2)]
CategoryId = Annotated[str, GlobalId("ProductCategoryNode")]


class CreateProductInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ProductName
    price: Price
    category_id: CategoryId
    client_id: uuid.UUID | None = None


class UpdateProductInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ProductName | None = None
    price: Price | None = None
    category_id: CategoryId | None = None
    client_id: uuid.UUID | None = None

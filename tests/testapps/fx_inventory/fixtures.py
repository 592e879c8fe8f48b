"""Declared in this order on purpose: ItemFixture needs ColorFixture, defined after it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from lys import BusinessFixture, Environment, ParametricFixture
from lys.fixtures import FixtureContext


class ItemRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    quantity: int
    color_id: str


class ItemFixture(BusinessFixture):
    model = "fx_item"
    row_schema = ItemRow
    natural_key = ("name",)
    depends_on = ("ColorFixture",)
    rows = [
        {"name": "Red pen", "quantity": 10, "color_id": "RED"},
        {"name": "Green pen", "quantity": 5, "color_id": "GREEN"},
    ]


class ColorFixture(ParametricFixture):
    model = "fx_color"
    rows = [
        {"id": "RED", "description": "Red"},
        {"id": "GREEN", "description": "Green"},
        {"id": "BLUE", "description": "Blue"},
    ]


class UserRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str
    password: str


class UserFixture(BusinessFixture):
    """Asks for every environment, prod included: business fixtures still skip prod."""

    model = "fx_user"
    row_schema = UserRow
    natural_key = ("email",)
    environments = frozenset(Environment)
    rows = [{"email": "admin@example.com", "password": "s3cret-admin"}]

    def format_password(self, value: str, context: FixtureContext) -> Any:
        users = context.service("fx_user")
        existing = context.existing  # the row found by the natural key, or None
        if existing is not None and users.verify_password(existing.password, value):
            return existing.password  # unchanged: keep the hash so reloading is a no-op
        return users.hash_password(value)

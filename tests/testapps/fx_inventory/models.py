from __future__ import annotations

from sqlmodel import Field

from lys import Entity, ParametricEntity


class FxColor(ParametricEntity):
    __tablename__ = "fx_color"


class FxItem(Entity):
    __tablename__ = "fx_item"

    name: str = Field(max_length=100)
    quantity: int = Field(default=0)
    color_id: str = Field(foreign_key="fx_color.id", max_length=64)


class FxUser(Entity):
    __tablename__ = "fx_user"

    email: str = Field(max_length=200)
    password: str = Field(max_length=200)

from __future__ import annotations

from sqlmodel import Field

from lys import Entity, ParametricEntity


class FxGadgetKind(ParametricEntity):
    __tablename__ = "fx_gadget_kind"


class FxGadget(Entity):
    __tablename__ = "fx_gadget"

    name: str = Field(max_length=100)
    size: int = Field(default=0)
    kind_id: str = Field(foreign_key="fx_gadget_kind.id", max_length=64)

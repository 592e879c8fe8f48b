from __future__ import annotations

from sqlmodel import Field

from lys import Entity
from tests.testapps.reg_support import record

record(__name__)


class OrderThingB(Entity):
    __tablename__ = "reg_order_b_thing"

    label: str = Field(default="", max_length=50)

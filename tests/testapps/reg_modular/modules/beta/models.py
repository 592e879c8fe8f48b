from __future__ import annotations

from sqlmodel import Field

from lys import Entity
from tests.testapps.reg_support import record

record(__name__)


class BetaThing(Entity):
    __tablename__ = "reg_beta_thing"

    name: str = Field(max_length=50)

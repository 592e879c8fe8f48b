from __future__ import annotations

import uuid

from sqlmodel import Field, Relationship

from lys import Entity
from tests.testapps.reg_modular.modules.beta.models import BetaThing
from tests.testapps.reg_support import record

record(__name__)


class AlphaThing(Entity):
    """Points at a model of the sibling submodule (a string annotation, see __future__)."""

    __tablename__ = "reg_alpha_thing"

    name: str = Field(max_length=50)
    beta_id: uuid.UUID | None = Field(default=None, foreign_key="reg_beta_thing.id")
    beta: BetaThing | None = Relationship()

from __future__ import annotations

from lys import Entity


class Fine(Entity):
    __tablename__ = "reg_broken_fine"


raise RuntimeError("boom from reg_broken_models")

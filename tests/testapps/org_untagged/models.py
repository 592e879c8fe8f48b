from __future__ import annotations

import uuid

from sqlmodel import Field

from lys import Entity


class Invoice(Entity):
    __tablename__ = "invoice"

    amount: int = Field(default=0)
    client_id: uuid.UUID | None = Field(default=None, index=True)

from __future__ import annotations

import uuid

from sqlmodel import Field, Relationship

from lys import Entity
from lys.models.scopes import OrganizationOwned, UserOwned


class Board(Entity):
    """Not scoped: whoever an operation lets in sees the board; its tickets are
    filtered like any list."""

    __tablename__ = "board"

    name: str = Field(max_length=100)

    tickets: list[Ticket] = Relationship(sa_relationship_kwargs={"viewonly": True})


class Ticket(UserOwned, OrganizationOwned, Entity):
    """Reached by its author and by the members of its client."""

    __tablename__ = "ticket"

    title: str = Field(max_length=200)
    user_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    client_id: uuid.UUID | None = Field(default=None, index=True)
    board_id: uuid.UUID | None = Field(default=None, foreign_key="board.id", index=True)

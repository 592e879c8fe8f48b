from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from typing import Any

from sqlmodel import Field, Relationship

from lys import Entity
from lys.models.scopes import UserOwned


class TeamMember(Entity):
    __tablename__ = "team_member"

    team_id: uuid.UUID = Field(index=True)
    user_id: uuid.UUID = Field(index=True)


class TeamScoped(UserOwned):
    """Owned by ``user_id``, shared with the members of ``team_id``."""

    @classmethod
    def organization_accessing_filters(
        cls, organizations: Mapping[str, Collection[Any]]
    ) -> list[Any] | None:
        teams = organizations.get("team")
        return [cls.team_id.in_(list(teams))] if teams else None  # type: ignore[attr-defined]

    def accessing_organizations(self) -> Mapping[str, Collection[Any]] | None:
        return {"team": {self.team_id}}  # type: ignore[attr-defined]


class Folder(TeamScoped, Entity):
    __tablename__ = "folder"

    name: str = Field(max_length=100)
    user_id: uuid.UUID = Field(index=True)
    team_id: uuid.UUID = Field(index=True)

    notes: list[Note] = Relationship(sa_relationship_kwargs={"viewonly": True})


class Note(TeamScoped, Entity):
    __tablename__ = "note"

    text: str = Field(max_length=200)
    user_id: uuid.UUID = Field(index=True)
    team_id: uuid.UUID = Field(index=True)
    folder_id: uuid.UUID | None = Field(default=None, foreign_key="folder.id", index=True)


class Label(Entity):
    """Not scoped: whoever a webservice lets in sees every label."""

    __tablename__ = "label"

    name: str = Field(max_length=50)

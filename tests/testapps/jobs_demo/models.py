from __future__ import annotations

import uuid

from sqlmodel import Field

from lys import Entity


class JobsDemoNote(Entity):
    """A row a job writes: its presence proves the job ran and committed."""

    __tablename__ = "jobs_demo_note"

    text: str = Field(max_length=255, index=True)
    #: The user the writing job acted for.
    user_id: uuid.UUID | None = None
    #: Who may see the row (the demo access policy scopes notes by owner).
    owner_id: uuid.UUID | None = None

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lys import EntityService
from tests.testapps.jobs_demo.models import JobsDemoNote


class JobsDemoNoteService(EntityService[JobsDemoNote]):
    def add(
        self, session: Session, text: str, user_id: Any = None, owner_id: Any = None
    ) -> JobsDemoNote:
        note = self.model(text=text, user_id=user_id, owner_id=owner_id)
        session.add(note)
        session.flush()
        return note

    def count_visible(self, session: Session, context: Any) -> int:
        """Notes the caller may see, through the application's access policy."""
        stmt = self.registry.access_policy.filter_rows(select(self.model), self.model, context)
        return int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)

    def owned_by(self, user_id: uuid.UUID) -> Any:
        return self.model.owner_id == user_id

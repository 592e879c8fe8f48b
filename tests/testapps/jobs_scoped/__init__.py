"""Installs a row-scope policy on the demo notes: a caller sees the notes they own.

Super users see every note; anonymous callers none. Requests and jobs go through the
same policy object, so a job sees exactly what its caller would see in a request.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false


class OwnerPolicy:
    def _owner(self, context: Any) -> Any:
        principal = getattr(context, "principal", None)
        if principal is None:
            return None
        return "all" if principal.is_super_user else principal.user_id

    def filter_rows(self, stmt: Select[Any], model: type, context: Any) -> Select[Any]:
        if getattr(model, "__tablename__", None) != "jobs_demo_note":
            return stmt
        owner = self._owner(context)
        if owner == "all":
            return stmt
        if owner is None:
            return stmt.where(false())
        return stmt.where(model.owner_id == owner)  # type: ignore[attr-defined]

    def can_see(self, obj: Any, context: Any) -> bool:
        owner = self._owner(context)
        return owner == "all" or (owner is not None and getattr(obj, "owner_id", None) == owner)

    def can_write(self, obj: Any, context: Any) -> bool:
        return self.can_see(obj, context)


def ready(application: Any) -> None:
    application.registry.access_policy = OwnerPolicy()

"""Who may see a user's rows: the user, super users, and levels granting full access.

Wraps the application's access policy, so the framework helpers (``node``, getters,
connections, editions) never show a user, their email address or private data to
another user: missing and hidden answer the same ``NOT_FOUND``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false

from lys.access import AccessPolicy

#: Model name -> the column naming the user a row belongs to.
OWNED_MODELS = {
    "user": "id",
    "user_email_address": "user_id",
    "user_private_data": "user_id",
    "user_one_time_token": "user_id",
}


class UserDataPolicy:
    #: Levels that reach every user once granted (roles come with later apps).
    full_levels: frozenset[str] = frozenset({"ROLE", "INTERNAL_SERVICE"})

    def __init__(self, inner: AccessPolicy) -> None:
        self.inner = inner

    def filter_rows(self, stmt: Select[Any], model: type, context: Any) -> Select[Any]:
        stmt = self.inner.filter_rows(stmt, model, context)
        column = OWNED_MODELS.get(_model_name(model))
        if column is None or self._unrestricted(context):
            return stmt
        principal = getattr(context, "principal", None)
        if principal is None:
            return stmt.where(false())
        return stmt.where(getattr(model, column) == principal.user_id)

    def can_see(self, obj: Any, context: Any) -> bool:
        return self._reaches(obj, context) and self.inner.can_see(obj, context)

    def can_write(self, obj: Any, context: Any) -> bool:
        return self._reaches(obj, context) and self.inner.can_write(obj, context)

    def _reaches(self, obj: Any, context: Any) -> bool:
        column = OWNED_MODELS.get(_model_name(type(obj)))
        if column is None or self._unrestricted(context):
            return True
        principal = getattr(context, "principal", None)
        return principal is not None and getattr(obj, column) == principal.user_id

    def _unrestricted(self, context: Any) -> bool:
        principal = getattr(context, "principal", None)
        if principal is not None and principal.is_super_user:
            return True
        return bool(self.full_levels.intersection(getattr(context, "granted_levels", ())))


def _model_name(model: type) -> str | None:
    name = getattr(model, "model_name", None)
    return name() if callable(name) else None


def install_user_policy(registry: Any) -> None:
    """Wrap the registry's access policy (once)."""
    if not isinstance(registry.access_policy, UserDataPolicy):
        registry.access_policy = UserDataPolicy(registry.access_policy)

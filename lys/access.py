"""The seam where permissions plug in: which rows a caller may see and change.

Every framework helper (``node``, getters, connections, creation, edition, deletion)
goes through the application's access policy, so a policy written once applies to
every operation. The default lets everyone see and change everything; the permission
system replaces it.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import Select


class AccessPolicy(Protocol):
    def filter_rows(self, stmt: Select[Any], model: type, context: Any) -> Select[Any]:
        """Restrict a statement to the rows of ``model`` the caller may see."""
        ...

    def can_see(self, obj: Any, context: Any) -> bool: ...

    def can_write(self, obj: Any, context: Any) -> bool: ...


class OpenAccess:
    """No restriction: what an application has before permissions are installed."""

    def filter_rows(self, stmt: Select[Any], model: type, context: Any) -> Select[Any]:
        return stmt

    def can_see(self, obj: Any, context: Any) -> bool:
        return True

    def can_write(self, obj: Any, context: Any) -> bool:
        return True

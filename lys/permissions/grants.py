"""What a permission check grants: every row, or the rows of some scopes.

The chain of permission classes turns a caller and a webservice into one ``Access``;
the row-scope policy turns that ``Access`` into SQL filters and object checks.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

#: Organization ids by kind (``{"client": {id, ...}}``).
Organizations = Mapping[str, frozenset[Any]]


def _frozen(organizations: Mapping[str, Collection[Any]] | None) -> Organizations:
    return MappingProxyType(
        {kind: frozenset(ids) for kind, ids in (organizations or {}).items() if ids}
    )


@dataclass(frozen=True)
class Access:
    """``full``: every row. Otherwise the union of the caller's own rows (``owner``) and
    the rows of the listed organizations. An empty access reaches no scoped row."""

    full: bool = False
    owner: bool = False
    organizations: Organizations = field(default_factory=lambda: _frozen(None), hash=False)

    @classmethod
    def scoped(
        cls, *, owner: bool = False, organizations: Mapping[str, Collection[Any]] | None = None
    ) -> Access:
        return cls(owner=owner, organizations=_frozen(organizations))

    @property
    def is_empty(self) -> bool:
        return not (self.full or self.owner or self.organizations)

    def merge(self, other: Access) -> Access:
        """Grants add up (OR semantics): what either reaches, the merge reaches."""
        if self.full or other.full:
            return FULL
        kinds = set(self.organizations) | set(other.organizations)
        organizations = {
            kind: self.organizations.get(kind, frozenset())
            | other.organizations.get(kind, frozenset())
            for kind in kinds
        }
        return Access.scoped(owner=self.owner or other.owner, organizations=organizations)


FULL = Access(full=True)
NOTHING = Access()

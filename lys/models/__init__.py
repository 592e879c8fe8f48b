"""Model bases: :class:`Entity` (UUID id) and :class:`ParametricEntity` (code id)."""

from lys.models.entity import BaseEntity, Entity, ParametricEntity
from lys.models.scopes import OrganizationOwned, UserOwned

__all__ = ["BaseEntity", "Entity", "OrganizationOwned", "ParametricEntity", "UserOwned"]

"""Model bases: :class:`Entity` (UUID id) and :class:`ParametricEntity` (code id)."""

from lys.models.entity import BaseEntity, Entity, ParametricEntity

__all__ = ["BaseEntity", "Entity", "ParametricEntity"]

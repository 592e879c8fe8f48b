"""The abstract bases every model derives from.

App authors subclass these *without* ``table=True``: the registry builds the concrete
table classes once every installed app's models are known, so a later app can extend
an earlier app's model before any table exists (see :mod:`lys.registry.models`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any, ClassVar

from sqlmodel import Field, SQLModel
from sqlmodel._compat import finish_init
from sqlmodel.main import SQLModelMetaclass

from lys.db.types import UTCDateTime, utcnow
from lys.models.construction import construct


class EntityMetaclass(SQLModelMetaclass):
    """Keeps relationship annotations of abstract models out of pydantic's sight.

    SQLModel re-adds a relationship's annotation to ``__annotations__`` after building
    the class; a subclass would then see ``category: ProductCategory`` as a plain field.
    Abstract models park them in ``__lys_relationship_annotations__`` instead, and the
    registry hands them back when it builds the table class.
    """

    def __new__(
        mcs, name: str, bases: tuple[type[Any], ...], namespace: dict[str, Any], **kwargs: Any
    ) -> Any:
        cls = super().__new__(mcs, name, bases, namespace, **kwargs)
        if not kwargs.get("table") and not cls.model_config.get("table"):
            relationships = cls.__dict__.get("__sqlmodel_relationships__", {})
            parked = {key: cls.__annotations__.pop(key) for key in list(relationships)}
            cls.__lys_relationship_annotations__ = parked
        return cls


class BaseEntity(SQLModel, metaclass=EntityMetaclass):
    """Common ground of both entity kinds; never a table by itself.

    Each kind declares its key first and its timestamps after, so tables read
    ``id, ..., created_at, updated_at``.
    """

    __lys_model__: ClassVar[bool] = True

    def __init__(__lys_self__, **data: Any) -> None:
        # SQLModel's own constructor, from a per-class plan (see lys.models.construction).
        # The odd first name leaves ``self`` free as a field name, as in SQLModel.
        if finish_init.get():
            construct(__lys_self__, data)

    @classmethod
    def model_name(cls) -> str:
        """The registry key and table name: an explicit ``__tablename__`` or snake_case."""
        return model_name_of(cls)

    # -- row scopes ------------------------------------------------------------------
    # Override these to say whose rows a model holds; the permission system turns a
    # caller's grants into the filters (lists) and checks (single objects) below. A
    # model that overrides none is not scoped. Return ``None`` for "no such scope".

    @classmethod
    def user_accessing_filters(cls, user_id: Any) -> list[Any] | None:
        """SQL conditions selecting the rows ``user_id`` owns (the OWNER level)."""
        return None

    @classmethod
    def organization_accessing_filters(
        cls, organizations: Mapping[str, Collection[Any]]
    ) -> list[Any] | None:
        """SQL conditions selecting the rows of these organizations (``{"client": ids}``)."""
        return None

    def accessing_users(self) -> Collection[Any] | None:
        """The users who own this row."""
        return None

    def accessing_organizations(self) -> Mapping[str, Collection[Any]] | None:
        """The organizations this row belongs to, by kind (parents included)."""
        return None


class Entity(BaseEntity):
    """A business row, identified by a random UUID."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, sa_column_kwargs={"onupdate": utcnow}
    )


class ParametricEntity(BaseEntity):
    """A reference row (statuses, categories...), identified by its business code.

    Reference rows are never deleted, only disabled, so foreign keys to them stay valid.
    """

    id: str = Field(primary_key=True, max_length=64)
    enabled: bool = Field(default=True, nullable=False)
    description: str | None = Field(default=None, max_length=1024)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, sa_column_kwargs={"onupdate": utcnow}
    )

    @property
    def code(self) -> str:
        return self.id


def model_name_of(cls: type) -> str:
    """The explicit ``__tablename__`` on the class or a base, else its snake_case name."""
    for klass in cls.__mro__:
        name = klass.__dict__.get("__tablename__")
        if isinstance(name, str):
            return name
    return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()

"""Services hold business logic; they know models and sessions, never GraphQL or HTTP."""

from __future__ import annotations

import logging
import math
import time
import typing
import uuid
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from sqlalchemy import exists as sql_exists
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.orm import Session

from lys.db.session import autocommit_engine_of
from lys.db.writes import ran_no_sql
from lys.errors import NotFoundError
from lys.models.entity import BaseEntity, model_name_of

if TYPE_CHECKING:
    from lys.registry.registry import Registry

logger = logging.getLogger("lys.services")

ModelT = TypeVar("ModelT", bound=BaseEntity)
_INVALID = object()  # a key that cannot exist, e.g. "abc" for a UUID primary key


class Service:
    """A named unit of business logic, instantiated once per application.

    Looked up by ``service_name`` through the registry, so a later app can replace it
    with a subclass without the callers knowing.
    """

    service_name: ClassVar[str | None] = None

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def service(self, name: str) -> Any:
        return self.registry.service(name)

    def forget_copies(self) -> None:
        """Drop what this service copied from the database to save queries, so the
        next use reads the rows again. Services that keep such copies override it;
        :meth:`lys.Application.forget_copies` calls it on every service (tests do
        after putting rows back as they were)."""


class EntityService(Service, Generic[ModelT]):
    """CRUD over one model; ``EntityService[Product]`` serves the ``product`` model."""

    model_name: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("model_name"):
            cls.service_name = cls.__dict__.get("service_name") or cls.model_name
            return
        for base in getattr(cls, "__orig_bases__", ()):
            if typing.get_origin(base) is not None and issubclass(
                typing.get_origin(base), EntityService
            ):
                (argument,) = typing.get_args(base)
                if isinstance(argument, type) and issubclass(argument, BaseEntity):
                    cls.model_name = model_name_of(argument)
                    cls.service_name = cls.__dict__.get("service_name") or cls.model_name

    @property
    def model(self) -> type[ModelT]:
        if not self.model_name:
            raise TypeError(f"{type(self).__qualname__} does not name its model")
        return self.registry.model(self.model_name)

    def get(self, session: Session, entity_id: Any) -> ModelT | None:
        key = self._coerce_id(entity_id)
        return None if key is _INVALID else session.get(self.model, key)

    def get_or_404(self, session: Session, entity_id: Any) -> ModelT:
        entity = self.get(session, entity_id)
        if entity is None:
            raise NotFoundError(f"No {self.model_name} with id {entity_id}.")
        return entity

    def get_many(self, session: Session, ids: Iterable[Any]) -> list[ModelT]:
        """All rows with these ids in one query, in the order asked (missing ids skipped)."""
        wanted = [k for k in dict.fromkeys(map(self._coerce_id, ids)) if k is not _INVALID]
        if not wanted:
            return []
        model = self.model
        rows = session.scalars(select(model).where(model.id.in_(wanted))).all()  # type: ignore[attr-defined]
        by_id = {row.id: row for row in rows}  # type: ignore[attr-defined]
        return [by_id[i] for i in wanted if i in by_id]

    def list(
        self, session: Session, *, limit: int | None = 100, offset: int = 0
    ) -> Sequence[ModelT]:
        model = self.model
        stmt = select(model).order_by(model.id).offset(offset)  # type: ignore[attr-defined]
        if limit is not None:
            stmt = stmt.limit(limit)
        return session.scalars(stmt).all()

    def exists(self, session: Session, entity_id: Any) -> bool:
        model = self.model
        key = self._coerce_id(entity_id)
        if key is _INVALID:
            return False
        stmt = select(sql_exists().where(model.id == key))  # type: ignore[attr-defined]
        return bool(session.scalar(stmt))

    def create(self, session: Session, **values: Any) -> ModelT:
        """Insert a row from ``values``; keys that are not columns or relations are dropped.

        Dropping (with a warning) is the mass-assignment guard: callers can pass input
        dicts without a client slipping in columns it should not set.
        """
        entity = self.model(**self._writable(values))
        session.add(entity)
        session.flush()
        return entity

    def update(self, session: Session, entity_id: Any, **values: Any) -> ModelT | None:
        entity = self.get(session, entity_id)
        if entity is None:
            return None
        for key, value in self._writable(values, allow_primary_key=False).items():
            setattr(entity, key, value)
        session.flush()
        return entity

    def delete(self, session: Session, entity_id: Any) -> bool:
        entity = self.get(session, entity_id)
        if entity is None:
            return False
        session.delete(entity)
        session.flush()
        return True

    def _coerce_id(self, value: Any) -> Any:
        """Accept a UUID key spelled as text, as it arrives from clients and commands."""
        if isinstance(value, str) and self._pk_is_uuid():
            try:
                return uuid.UUID(value)
            except ValueError:
                return _INVALID
        return value

    def _pk_is_uuid(self) -> bool:
        column = sa_inspect(self.model).primary_key[0]
        try:
            return column.type.python_type is uuid.UUID
        except NotImplementedError:
            return False

    def _writable(
        self, values: dict[str, Any], *, allow_primary_key: bool = True
    ) -> dict[str, Any]:
        mapper = sa_inspect(self.model)
        allowed = {attr.key for attr in mapper.column_attrs} | set(mapper.relationships.keys())
        if not allow_primary_key:
            allowed -= {column.key for column in mapper.primary_key}
        ignored = sorted(set(values) - allowed)
        if ignored:
            logger.warning(
                "%s: ignoring keys that are not writable columns or relations: %s",
                type(self).__qualname__,
                ", ".join(ignored),
            )
        return {key: value for key, value in values.items() if key in allowed}


class ParametricEntityService(EntityService[ModelT]):
    """Reference data: read often, changed rarely, so its enabled codes are cached.

    A write that references a code (a product's category) can then check the code is
    enabled without a query; a disabled code takes effect within ``cache_seconds`` in
    every process.
    """

    cache_seconds: ClassVar[float] = 30.0

    def __init__(self, registry: Registry) -> None:
        super().__init__(registry)
        self._forget_enabled()

    def forget_copies(self) -> None:
        self._forget_enabled()

    def _forget_enabled(self) -> None:
        # Not forget_copies() from __init__: subclasses extend it with state of their own
        # that does not exist yet there.
        self._enabled: frozenset[Any] = frozenset()
        self._loaded_at = -math.inf

    def is_enabled(self, session: Session, code: Any) -> bool:
        now = time.monotonic()
        if now - self._loaded_at > self.cache_seconds or code not in self._enabled:
            model = self.model
            stmt = select(model.id).where(model.enabled.is_(True))  # type: ignore[attr-defined]
            if session.new or not ran_no_sql(session):
                # The transaction may hold uncommitted rows of the model: ask through it.
                self._enabled = frozenset(session.scalars(stmt))
            else:
                # Otherwise the process-wide cache is refreshed outside the caller's
                # transaction, which stays as it was (a lone INSERT stays one statement).
                with autocommit_engine_of(session).connect() as connection:
                    self._enabled = frozenset(connection.scalars(stmt))
            self._loaded_at = now
        return code in self._enabled

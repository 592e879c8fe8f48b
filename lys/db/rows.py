"""Loading whole rows of simple models with Core statements.

The ORM's loading machinery costs several microseconds per row and tens per statement
(compile state, loading context, result adaptation). For the framework's own reads
(a node by id, a connection's page, a batch of relations) the rows are plain: one
table, every column mapped as is. Those are selected as columns and turned into
instances the way the ORM itself does it: created by the class manager, attributes
set, identity key set, registered in the session's identity map. The instances are
persistent in the session, exactly as if ``session.scalars()`` had loaded them, so
lazy loads, changes and flushes work on them. Models the ORM must load itself (with
inheritance, computed or deferred columns, load events) go through the ORM.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ARRAY, Select, any_, bindparam, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.orm.state import InstanceState
from sqlmodel import SQLModel

from lys.db.fetch import fetch

_READERS: dict[type, RowReader | None] = {}


class RowReader:
    """Selects one model's columns and builds persistent instances from the rows."""

    def __init__(self, model: type, mapper: Mapper[Any]) -> None:
        self.model = model
        self.mapper = mapper
        props = list(mapper.column_attrs)
        self.keys = tuple(prop.key for prop in props)
        self.columns = tuple(prop.columns[0] for prop in props)
        self.pk_positions = tuple(self.columns.index(column) for column in mapper.primary_key)
        self._identity_class = mapper._identity_class
        self._manager = mapper.class_manager
        pk = mapper.primary_key
        self._by_pk = (
            select(*self.columns).where(pk[0] == bindparam("lys_pk")) if len(pk) == 1 else None
        )

    def usable_in(self, session: Session) -> bool:
        # Listeners the ORM would call while loading: let the ORM load then.
        return not (self._manager.dispatch.load or session.dispatch.loaded_as_persistent)

    def columns_of(self, stmt: Select[Any]) -> Select[Any] | None:
        """``stmt`` (a ``select(model)`` with criteria) selecting the columns instead, or
        ``None`` when it selects anything else or carries loader options."""
        # What select(model) holds: the model's table, annotated with its mapper.
        raw = stmt._raw_columns
        if stmt._with_options or stmt._setup_joins or len(raw) != 1:
            return None
        if getattr(raw[0], "_annotations", {}).get("parententity") is not self.mapper:
            return None
        return stmt.with_only_columns(*self.columns)

    def instances(self, session: Session, rows: Iterable[Sequence[Any]]) -> list[Any]:
        identity_map = session.identity_map
        known = identity_map._dict  # key -> state, what IdentityMap.get looks in
        add = identity_map._add_unpresent
        session_id = session.hash_key
        manager = self._manager
        model = self.model
        create = _creator(model)
        state_attr = manager.STATE_ATTR
        keys = self.keys
        identity_class = self._identity_class
        positions = self.pk_positions
        single = positions[0] if len(positions) == 1 else None
        found = []
        for row in rows:
            pk = (row[single],) if single is not None else tuple(row[i] for i in positions)
            key = (identity_class, pk, None)
            state = known.get(key)
            obj = state.obj() if state is not None else None
            if obj is None:
                # What the ORM's loading does for a row it has not seen in this session.
                obj = create(model)
                state = InstanceState(obj, manager)
                values = obj.__dict__
                # Set in __dict__ as the manager's own setter would, without going
                # through the model's __setattr__ (pydantic's, costly).
                values[state_attr] = state
                # zip stops at the last column: a row may carry extras (a total count).
                values.update(zip(keys, row))  # noqa: B905
                state.key = key
                state.identity_token = None
                state.session_id = session_id
                add(state, key)
            found.append(obj)
        return found

    def get(self, session: Session, pk: Any) -> Any:
        """The row with primary key ``pk`` (the identity map first), or ``None``."""
        key = (self._identity_class, (pk,), None)
        obj = session.identity_map.get(key)
        if obj is not None or self._by_pk is None:
            return obj if obj is not None else session.get(self.model, pk)
        rows = fetch(connection_for(session), self._by_pk, {"lys_pk": pk})
        found = self.instances(session, rows)
        return found[0] if found else None

    def all(self, session: Session, stmt: Select[Any]) -> list[Any]:
        """The instances ``stmt`` (a ``select(model)``) selects, ORM-loaded if need be."""
        columns = self.columns_of(stmt)
        if columns is None:
            return list(session.scalars(stmt).unique())
        return self.instances(session, fetch(connection_for(session), columns))


def load_all(session: Session, model: type, stmt: Select[Any]) -> list[Any]:
    """``session.scalars(stmt).unique().all()`` for a ``select(model)``, loaded lean
    when the model allows it."""
    reader = reader_for(model, session)
    if reader is None:
        return list(session.scalars(stmt).unique())
    return reader.all(session, stmt)


def load_with_column(
    session: Session, model: type | None, stmt: Select[Any], extra: Any = None
) -> tuple[list[Any], list[Any]]:
    """The instances a ``select(model)`` selects and, when ``extra`` (a column
    expression) is given, its value on each row; ``model=None`` lets the ORM load."""
    reader = reader_for(model, session) if model is not None else None
    columns = reader.columns_of(stmt) if reader is not None else None
    if reader is None or columns is None:
        if extra is None:
            return list(session.scalars(stmt).unique()), []
        result = session.execute(stmt.add_columns(extra)).unique().all()
        return [row[0] for row in result], [row[1] for row in result]
    if extra is None:
        return reader.instances(session, fetch(connection_for(session), columns)), []
    rows = fetch(connection_for(session), columns.add_columns(extra))
    return reader.instances(session, rows), [row[-1] for row in rows]


def load_by_pk(session: Session, model: type, pk: Any) -> Any:
    """``session.get(model, pk)``, loaded lean when the model allows it."""
    reader = reader_for(model, session)
    return session.get(model, pk) if reader is None else reader.get(session, pk)


def one_of(column: Any, values: Sequence[Any], session: Session) -> Any:
    """``column IN (values)``; on PostgreSQL ``column = ANY(:array)``, one parameter
    whatever the number of values, so the statement's text (and its prepared plan)
    stays the same from one batch to the next."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("lys_values", list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def reader_for(model: type, session: Session) -> RowReader | None:
    """The model's reader when its rows can be loaded this way, else ``None``."""
    if model in _READERS:
        reader = _READERS[model]
    else:
        mapper: Mapper[Any] = sa_inspect(model)
        reader = RowReader(model, mapper) if _plain(mapper) else None
        _READERS[model] = reader
    if reader is None or not reader.usable_in(session):
        return None
    return reader


def connection_for(session: Session) -> Any:
    """The session's connection, after writing what is pending (as ORM queries do)."""
    if session.autoflush and (session._new or session._deleted or session.identity_map._modified):
        session.flush()
    return session.connection()


def _plain(mapper: Mapper[Any]) -> bool:
    if mapper.inherits is not None or mapper.polymorphic_on is not None:
        return False
    table = mapper.local_table
    for prop in mapper.column_attrs:
        if prop.deferred or len(prop.columns) != 1:
            return False
        column = prop.columns[0]
        if getattr(column, "table", None) is not table:
            return False
    return bool(mapper.primary_key)


_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_private = BaseModel.__dict__["__pydantic_private__"].__set__


def _new_sqlmodel(model: type) -> Any:
    """``SQLModel.__new__`` inlined: the object and pydantic's three slots, empty."""
    obj: Any = object.__new__(model)
    _fields_set(obj, set())
    _extra(obj, None)
    _private(obj, None)
    return obj


def _creator(model: type) -> Any:
    """How a loaded row's object comes to be, as the ORM's ``class_.__new__``."""
    if getattr(model, "__new__", None) is SQLModel.__new__:
        return _new_sqlmodel
    return model.__new__

"""Committing a request's writes, with one statement when one statement is all there is.

A mutation that creates one row and did nothing else in the database would otherwise
cost three statements: BEGIN, the INSERT and COMMIT. A single statement is atomic on
its own, so such a transaction runs as that INSERT alone on an autocommit connection;
if it fails, nothing was written, as with the transaction. Anything more (a read in
the transaction, a second row, a change, a row whose values the database or the ORM
still has to fill in, listeners on the session or the mapper) commits the usual way.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper, Session, make_transient_to_detached

from lys.db.fetch import execute_write
from lys.db.kept import KeptConnection, borrow, give_back
from lys.db.session import autocommit_engine_of

_SESSION_EVENTS = (
    "before_commit",
    "after_commit",
    "after_transaction_end",
    "before_flush",
    "after_flush",
    "after_flush_postexec",
    "pending_to_persistent",
)
_MAPPER_EVENTS = ("before_insert", "after_insert")


def commit(session: Session, *, closing: bool = False, kept: KeptConnection | None = None) -> None:
    """``session.commit()``, as a single INSERT when that is the whole transaction.

    ``closing``: the caller closes the session right after and uses none of its
    objects again, so a lone INSERT's object need not become a detached copy of its
    row (the close discards it). ``kept``: where the INSERT's autocommit connection
    comes from, when it belongs to the right engine (see :mod:`lys.db.kept`).
    """
    lone = _lone_insert(session)
    if lone is None:
        session.commit()
        return
    obj, mapper, values = lone
    connection = borrow(kept, autocommit_engine_of(session, mapper))
    try:
        execute_write(connection, _insert_of(mapper), values)
    finally:
        give_back(kept, connection)
    if closing:
        return
    # The row exists now: the object becomes what a load of it would give.
    session.expunge(obj)
    make_transient_to_detached(obj)
    session.commit()  # nothing left to write: no statement


_INSERTS: dict[Mapper[Any], Any] = {}


def _insert_of(mapper: Mapper[Any]) -> Any:
    """One ``INSERT`` construct per table: statements are immutable, and reusing one
    spares building it and its cache key on every write."""
    stmt = _INSERTS.get(mapper)
    if stmt is None:
        stmt = _INSERTS[mapper] = insert(cast(Table, mapper.local_table))
    return stmt


def needs_flush(obj: Any) -> bool:
    """Whether ``obj``'s row still lacks values only the database or the ORM's flush
    gives it (a generated key, column defaults), so reading it requires a flush."""
    values = obj.__dict__
    return any(values.get(key) is None for key in _filled_at_flush(sa_inspect(type(obj))))


_FILLED: dict[Mapper[Any], tuple[str, ...]] = {}


def _filled_at_flush(mapper: Mapper[Any]) -> tuple[str, ...]:
    """Attributes the flush fills when they are missing: primary keys, defaulted columns."""
    filled = _FILLED.get(mapper)
    if filled is None:
        filled = tuple(
            prop.key
            for prop in mapper.column_attrs
            if prop.columns[0].primary_key or _has_default(prop.columns[0])
        )
        _FILLED[mapper] = filled
    return filled


def _has_default(column: Any) -> bool:
    return column.default is not None or column.server_default is not None


def ran_no_sql(session: Session) -> bool:
    """Whether the session's transaction has sent nothing to the database yet: it can
    hold no uncommitted row, so a read elsewhere sees what it would see."""
    transaction = session.get_transaction()
    return transaction is None or not transaction._connections


def _lone_insert(session: Session) -> tuple[Any, Mapper[Any], dict[str, Any]] | None:
    new = session._new
    if len(new) != 1 or session._deleted or session.identity_map._modified:
        return None
    if not ran_no_sql(session):
        return None
    dispatch = session.dispatch
    for name in _SESSION_EVENTS:
        if getattr(dispatch, name):
            return None
    state = next(iter(new))
    obj = state.obj()
    mapper = state.mapper
    shape = _shape(mapper)
    if obj is None or shape is None:
        return None
    for name in _MAPPER_EVENTS:
        if getattr(mapper.dispatch, name):
            return None
    relationships, columns, primary_key = shape
    attributes = obj.__dict__
    if any(key in attributes for key in relationships):
        return None  # the flush would take foreign keys from related objects
    values: dict[str, Any] = {}
    for attribute, column_key, defaulted in columns:
        value = attributes.get(attribute)
        if value is not None:
            values[column_key] = value
        elif defaulted:
            # Missing or None: the ORM's flush leaves the column to its default.
            return None
        # Otherwise a None is left out: a column with no default is NULL anyway.
    if any(values.get(key) is None for key in primary_key):
        return None
    return obj, mapper, values


_Shape = tuple[tuple[str, ...], tuple[tuple[str, str, bool], ...], tuple[str, ...]]
_SHAPES: dict[Mapper[Any], _Shape | None] = {}


def _shape(mapper: Mapper[Any]) -> _Shape | None:
    """What a lone INSERT needs to know of a mapper (``None``: not a single table):
    relationship names, ``(attribute, column key, has a default)`` per column, the
    primary key's column keys."""
    if mapper in _SHAPES:
        return _SHAPES[mapper]
    shape: _Shape | None = None
    if _single_table(mapper):
        columns = tuple(
            (prop.key, str(prop.columns[0].key), _has_default(prop.columns[0]))
            for prop in mapper.column_attrs
        )
        primary_key = tuple(str(column.key) for column in mapper.primary_key)
        shape = (tuple(mapper.relationships.keys()), columns, primary_key)
    _SHAPES[mapper] = shape
    return shape


def _single_table(mapper: Mapper[Any]) -> bool:
    if mapper.inherits is not None or mapper.version_id_col is not None:
        return False
    table = mapper.local_table
    return all(
        len(prop.columns) == 1 and getattr(prop.columns[0], "table", None) is table
        for prop in mapper.column_attrs
    )

"""One session per request, command or task: committed on success, rolled back on error."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from lys.db.kept import KeptConnection, borrow, give_back

_AUTOCOMMIT: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def autocommit_engine(engine: Engine) -> Engine:
    """The same pool, its connections in autocommit: reads with no BEGIN/COMMIT round trips."""
    read = _AUTOCOMMIT.get(engine)
    if read is None:
        read = engine.execution_options(isolation_level="AUTOCOMMIT")
        _AUTOCOMMIT[engine] = read
    return read


def autocommit_engine_of(session: OrmSession, mapper: Any = None) -> Engine:
    """The autocommit engine of the one ``session`` writes ``mapper``'s rows with (or
    its own bind): where work outside the session's transaction runs."""
    bind = session.get_bind(mapper)
    return autocommit_engine(bind if isinstance(bind, Engine) else bind.engine)


def use_for_reads(engine: Engine, read: Engine) -> None:
    """Make ``autocommit_engine(engine)`` answer ``read`` (an engine of its own)."""
    _AUTOCOMMIT[engine] = read


def make_session(engine: Engine) -> Session:
    # Objects stay readable after commit: resolvers serialise them after the transaction.
    return Session(engine, expire_on_commit=False)


class ReadSession(Session):
    """The session of a query request, bound to an autocommit engine.

    Its statements run outside any transaction, so the ORM's transaction bookkeeping
    around the connection (begin, close, rollback, about a fifth of a one-row query)
    buys nothing: ``connection()`` hands out one plain connection for the session's
    life instead. ORM queries (``execute``, ``get``, ``scalars``) keep the usual path.
    """

    _lys_connection: Connection | None = None

    def __init__(self, bind: Engine, *, kept: KeptConnection | None = None, **options: Any):
        super().__init__(bind, **options)
        self._lys_kept = kept
        self._lys_engine = bind

    def connection(self, bind_arguments: Any = None, execution_options: Any = None) -> Any:
        if bind_arguments is not None or execution_options is not None:
            return super().connection(bind_arguments, execution_options)
        connection = self._lys_connection
        if connection is None or connection.closed or connection.invalidated:
            if connection is not None:
                give_back(self._lys_kept, connection)
            connection = self._lys_connection = borrow(self._lys_kept, self._lys_engine)
        return connection

    def close(self) -> None:
        connection, self._lys_connection = self._lys_connection, None
        try:
            if connection is not None:
                give_back(self._lys_kept, connection)
        finally:
            super().close()


def make_read_session(engine: Engine, kept: KeptConnection | None = None) -> Session:
    """A session for reads only, on ``engine``'s autocommit counterpart (through the
    ``kept`` connection when it belongs to it)."""
    return ReadSession(autocommit_engine(engine), kept=kept, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    session = make_session(engine)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()

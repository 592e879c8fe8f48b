"""One autocommit connection kept from one request to the next.

With ``HTTP_EXECUTION = "inline"`` every operation of a web process runs on its event
loop, one after the other, so a pool checkout and check-in per request (events, queue
lock, weak references: about a tenth of a one-row query) only ever hand the same
thread the same connection back. The web endpoint keeps one instead and lends it to
each request, for its reads and its lone INSERT.

What the pool does for a connection it hands out is kept: one that sat idle longer
than ``DATABASE_POOL_PING_IDLE`` is pinged first and replaced if the server dropped
it; one kept longer than ``DATABASE_POOL_RECYCLE`` goes back to the pool, which
replaces it; one that broke (invalidated) is discarded. Only autocommit engines
qualify: a kept connection never holds a transaction from one request to the next.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Connection, Engine


class KeptConnection:
    """Lends one connection of an autocommit ``engine`` to one borrower at a time.

    Not thread-safe on purpose: it serves callers that run one after another on one
    thread (the event loop); anything else checks out from the pool as usual.
    """

    def __init__(self, engine: Engine, *, idle_seconds: float, recycle_seconds: float) -> None:
        self.engine = engine
        self.idle_seconds = idle_seconds
        self.recycle_seconds = recycle_seconds
        self._connection: Connection | None = None
        self._taken_at = 0.0  # when it came from the pool
        self._used_at = 0.0  # when it was last given back
        self._lent = False

    def borrow(self) -> Connection:
        """The kept connection, or a fresh checkout when none is fit to lend."""
        if self._lent:
            # Borrowed twice at once (a nested use): the second borrower gets its own.
            return self.engine.connect()
        connection = self._connection
        now = time.monotonic()
        if connection is not None and not self._fit(connection, now):
            self._connection = None
            connection.close()
            connection = None
        elif connection is not None and self._idle(now) and not _answers(connection):
            # Idle long enough that the server may have dropped it: pinged, as the
            # pool pings what it hands out after such a pause, and replaced if dead.
            self._connection = None
            connection.close()
            connection = None
        if connection is None:
            connection = self._connection = self.engine.connect()
            self._taken_at = self._used_at = now
        self._lent = True
        return connection

    def give_back(self, connection: Connection) -> None:
        """End a borrowing: the connection is kept for the next borrower if it is still
        sound, closed (back to the pool) otherwise."""
        if connection is not self._connection or not self._lent:
            connection.close()
            return
        self._lent = False
        if connection.closed or connection.invalidated:
            self._connection = None
            connection.close()
            return
        if connection.in_transaction():
            # SQLAlchemy's own bookkeeping after a ``connection.execute``: the driver
            # is in autocommit, so this sends nothing.
            connection.rollback()
        self._used_at = time.monotonic()

    def close(self) -> None:
        """Give the connection back to the pool (before the engine is disposed)."""
        connection, self._connection = self._connection, None
        self._lent = False
        if connection is not None:
            connection.close()

    def _fit(self, connection: Connection, now: float) -> bool:
        if connection.closed or connection.invalidated:
            return False
        return not (self.recycle_seconds > 0 and now - self._taken_at > self.recycle_seconds)

    def _idle(self, now: float) -> bool:
        return bool(self.idle_seconds) and now - self._used_at > self.idle_seconds


def _answers(connection: Connection) -> bool:
    """Whether the server still answers on ``connection`` (the dialect's own ping);
    a dead one is invalidated, so the pool replaces it."""
    try:
        driver_connection: Any = connection.connection.dbapi_connection
        if connection.dialect.do_ping(driver_connection):
            return True
    except Exception as exc:
        connection.invalidate(exc)
        return False
    connection.invalidate()
    return False


def borrow(kept: KeptConnection | None, engine: Engine) -> Connection:
    """A connection of ``engine``: the kept one when it belongs to that engine."""
    if kept is not None and kept.engine is engine:
        return kept.borrow()
    return engine.connect()


def give_back(kept: KeptConnection | None, connection: Connection) -> None:
    if kept is not None and kept.engine is connection.engine:
        kept.give_back(connection)
    else:
        connection.close()


def idle_limits(settings: Any) -> dict[str, float]:
    """The pool's own limits for connections it hands out, from the settings."""
    idle = settings.database_pool_ping_idle if settings.database_pool_pre_ping else 0.0
    return {"idle_seconds": idle, "recycle_seconds": float(settings.database_pool_recycle)}

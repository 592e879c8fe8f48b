"""One session per request, command or task: committed on success, rolled back on error."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlmodel import Session

_AUTOCOMMIT: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def autocommit_engine(engine: Engine) -> Engine:
    """The same pool, its connections in autocommit: reads with no BEGIN/COMMIT round trips."""
    read = _AUTOCOMMIT.get(engine)
    if read is None:
        read = engine.execution_options(isolation_level="AUTOCOMMIT")
        _AUTOCOMMIT[engine] = read
    return read


def use_for_reads(engine: Engine, read: Engine) -> None:
    """Make ``autocommit_engine(engine)`` answer ``read`` (an engine of its own)."""
    _AUTOCOMMIT[engine] = read


def make_session(engine: Engine) -> Session:
    # Objects stay readable after commit: resolvers serialise them after the transaction.
    return Session(engine, expire_on_commit=False)


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

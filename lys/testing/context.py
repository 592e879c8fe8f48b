"""The application a test works with, so factories and helpers find it without arguments.

The ``lys_app`` fixture activates it for each test; code outside the plugin's fixtures
(a suite building its own applications) uses :func:`use_application`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from lys.db.session import make_session

if TYPE_CHECKING:
    from sqlmodel import Session

    from lys.application import Application


class ActiveApplication:
    """An application and the database session factories write with (opened on first use)."""

    def __init__(self, application: Application) -> None:
        self.application = application
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = make_session(self.application.engine)
        return self._session

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None


_active: ContextVar[ActiveApplication | None] = ContextVar("lys_testing_active", default=None)


@contextmanager
def use_application(application: Application) -> Iterator[ActiveApplication]:
    """Make ``application`` the one factories and helpers use inside the block."""
    active = ActiveApplication(application)
    token = _active.set(active)
    try:
        yield active
    finally:
        _active.reset(token)
        active.close()


def active() -> ActiveApplication:
    current = _active.get()
    if current is None:
        raise RuntimeError(
            "no Lys application is active: use the factories in a test that uses the "
            "lys_app fixture (or a fixture built on it), or inside "
            "lys.testing.use_application(app)"
        )
    return current


def current_session() -> Session:
    """The active application's session: what factories write with."""
    return active().session

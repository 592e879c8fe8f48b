"""Engines from ``DATABASE_URL``: SQLite, PostgreSQL (psycopg 3), MySQL/MariaDB (PyMySQL)."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError, NoSuchModuleError
from sqlalchemy.pool import StaticPool

from lys.conf.settings import Settings
from lys.db.session import autocommit_engine, use_for_reads
from lys.errors import ImproperlyConfigured

#: Plain scheme -> the driver Lys ships with.
_DEFAULT_DRIVERS = {
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mariadb+pymysql",
}
_EXTRAS = {"postgresql": "lys[postgres]", "mysql": "lys[mysql]", "mariadb": "lys[mysql]"}


def normalize_url(url: str) -> str:
    """Give a bare ``postgresql://`` or ``mysql://`` URL the driver Lys ships with."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ImproperlyConfigured(f"DATABASE_URL {url!r} is not a URL (e.g. sqlite:///db.sqlite3)")
    return f"{_DEFAULT_DRIVERS.get(scheme, scheme)}://{rest}"


def create_db_engine(settings: Settings, **overrides: Any) -> Engine:
    url_text = normalize_url(settings.database_url)
    try:
        url = make_url(url_text)
    except ArgumentError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is invalid: {exc}") from None
    options: dict[str, Any] = {"echo": settings.database_echo}
    if url.get_backend_name() == "sqlite":
        options["connect_args"] = {"check_same_thread": False}
        if url.database in (None, "", ":memory:"):
            # One shared connection, or every checkout would see a new empty database.
            options["poolclass"] = StaticPool
    else:
        if url.get_backend_name() == "postgresql":
            # Sessions in UTC: psycopg then hands back datetimes already in UTC, so
            # UTCDateTime needs no conversion per value (see lys.db.types).
            given = url.query.get("options")
            zone = "-c timezone=UTC"
            options["connect_args"] = {"options": f"{given} {zone}" if given else zone}
        options.update(
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
            pool_timeout=settings.database_pool_timeout,
            pool_recycle=settings.database_pool_recycle,
        )
    options.update(overrides)
    try:
        engine = create_engine(url, **options)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        extra = _EXTRAS.get(url.get_backend_name(), "the database driver")
        raise ImproperlyConfigured(
            f"DATABASE_URL needs a driver that is not installed ({exc}); install {extra}"
        ) from None
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif settings.database_pool_pre_ping:
        _ping_idle_connections(engine, settings.database_pool_ping_idle)
    return engine


def create_read_engine(settings: Settings, engine: Engine) -> Engine:
    """Autocommit connections for read-only operations: no BEGIN/COMMIT round trips."""
    if engine.dialect.name == "sqlite":
        return autocommit_engine(engine)
    # Autocommit connections hold no transaction: nothing to roll back on check-in.
    read = create_db_engine(settings, isolation_level="AUTOCOMMIT", pool_reset_on_return=None)
    use_for_reads(engine, read)
    return read


def _ping_idle_connections(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled connection before use only when it sat idle for a while.

    SQLAlchemy's ``pool_pre_ping`` pings on every checkout, a round trip per request;
    a connection used a moment ago is almost surely alive, and one that died anyway is
    invalidated by the error it raises.
    """

    def on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["lys_checked_in"] = time.monotonic()

    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        last = record.info.get("lys_checked_in")
        if last is None or time.monotonic() - last < idle_seconds:
            return
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
            rollback = getattr(dbapi_connection, "rollback", None)
            if rollback is not None:
                rollback()
        except Exception as exc:
            # The pool discards this connection and checks out a fresh one.
            raise DisconnectionError(f"idle connection is dead: {exc}") from exc

    event.listen(engine, "checkin", on_checkin)
    event.listen(engine, "checkout", on_checkout)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Enforce foreign keys (off by default in SQLite) and wait rather than fail on locks."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()

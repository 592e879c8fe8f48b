"""Engines from ``DATABASE_URL``: SQLite, PostgreSQL (psycopg 3), MySQL/MariaDB (PyMySQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.pool import StaticPool

from lys.conf.settings import Settings
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
        options.update(
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
            pool_timeout=settings.database_pool_timeout,
            pool_pre_ping=settings.database_pool_pre_ping,
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
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Enforce foreign keys (off by default in SQLite) and wait rather than fail on locks."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()

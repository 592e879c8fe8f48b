"""A database per test process, and putting it back to a known state between tests.

On a server (PostgreSQL, MariaDB/MySQL) each test process gets a database of its own,
named after the pytest-xdist worker and the process id, created next to the database
of the given URL and dropped at the end. SQLite needs none of this: a file per process.

Between tests the data is put back as it was after setup (:class:`Snapshot`): every
table emptied, the rows present after setup inserted again. Unlike a rolled-back outer
transaction, this holds whatever connections the code under test opens: HTTP requests
through the application's own engine, services committing on their own, factories.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from lys.db.engine import normalize_url

SERVER_DIALECTS = ("postgresql", "mysql", "mariadb")


def worker_id() -> str:
    """The pytest-xdist worker (``gw0``...), or ``main`` without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def worker_database_name(prefix: str = "lys_test") -> str:
    """Unique per test process, even across suites running side by side."""
    return f"{prefix}_{worker_id()}_{os.getpid()}"


def dialect_of(url: str) -> str:
    return sa.engine.make_url(normalize_url(url)).get_backend_name()


def is_server_url(url: str) -> bool:
    return dialect_of(url) in SERVER_DIALECTS


def create_database(admin_url: str, name: str) -> str:
    """(Re)create the database ``name`` on the server of ``admin_url``; returns its URL."""
    dialect = dialect_of(admin_url)
    engine = sa.create_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            if dialect == "postgresql":
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
            else:
                connection.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
                connection.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    finally:
        engine.dispose()
    url = sa.engine.make_url(normalize_url(admin_url)).set(database=name)
    return url.render_as_string(hide_password=False)


def drop_database(admin_url: str, name: str) -> None:
    dialect = dialect_of(admin_url)
    engine = sa.create_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            if dialect == "postgresql":
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            else:
                connection.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
    finally:
        engine.dispose()


def reset_database(url: str) -> None:
    """Drop every table of a per-process server database (SQLite files are per test)."""
    engine = sa.create_engine(normalize_url(url))
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(sa.text("DROP SCHEMA public CASCADE"))
                connection.execute(sa.text("CREATE SCHEMA public"))
            elif engine.dialect.name in ("mysql", "mariadb"):
                connection.execute(sa.text("SET FOREIGN_KEY_CHECKS=0"))
                for (table,) in connection.execute(sa.text("SHOW TABLES")).all():
                    connection.execute(sa.text(f"DROP TABLE `{table}`"))
                connection.execute(sa.text("SET FOREIGN_KEY_CHECKS=1"))
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Snapshot:
    """The rows of every table of ``metadata`` at one moment, to come back to."""

    metadata: sa.MetaData
    rows: Mapping[str, list[dict[str, Any]]]

    @classmethod
    def capture(cls, engine: sa.Engine, metadata: sa.MetaData) -> Snapshot:
        with engine.connect() as connection:
            rows = {
                table.name: [dict(row) for row in connection.execute(table.select()).mappings()]
                for table in metadata.sorted_tables
            }
        return cls(metadata, rows)

    def restore(self, engine: sa.Engine) -> None:
        """Empty every table (children first), then insert the captured rows (parents first)."""
        tables = self.metadata.sorted_tables
        with engine.begin() as connection:
            for table in reversed(tables):
                connection.execute(table.delete())
            for table in tables:
                rows = self.rows.get(table.name)
                if rows:
                    connection.execute(table.insert(), rows)

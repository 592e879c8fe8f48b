"""Alembic, integrated: revisions generated from the installed apps' models."""

from lys.migrations.commands import (
    make_migrations,
    migrate,
    migrations_dir,
    pending_model_changes,
    show_migrations,
)

__all__ = [
    "make_migrations",
    "migrate",
    "migrations_dir",
    "pending_model_changes",
    "show_migrations",
]

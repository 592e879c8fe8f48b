"""Alembic environment: the metadata and engine come from the Lys application."""

from __future__ import annotations

from alembic import context

from lys.migrations.environment import run_migrations

run_migrations(context)

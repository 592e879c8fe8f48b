"""``makemigrations``, ``migrate`` and ``showmigrations``."""

from __future__ import annotations

import click

from lys.cli.state import CLIState
from lys.migrations.commands import make_migrations, migrate, migrations_dir, show_migrations
from lys.registry.loader import MODELS, SERVICES


def _application(state: CLIState):
    return state.application([MODELS, SERVICES])


@click.command()
@click.option("-m", "--message", default=None, help="What the migration does.")
@click.pass_obj
def makemigrations(state: CLIState, message: str | None) -> None:
    """Generate a migration from the changes in the installed apps' models."""
    application = _application(state)
    versions = migrations_dir(application, state.settings_module)
    path = make_migrations(application, versions, message)
    if path is None:
        click.echo("No changes detected.")
    else:
        click.echo(f"Created {path}")


@click.command(name="migrate")
@click.argument("revision", default="head")
@click.pass_obj
def migrate_command(state: CLIState, revision: str) -> None:
    """Bring the database to REVISION (default: the latest; 'zero' empties it)."""
    application = _application(state)
    versions = migrations_dir(application, state.settings_module)
    direction = migrate(application, versions, revision)
    click.echo(f"Database {direction} to {revision}.")


@click.command()
@click.pass_obj
def showmigrations(state: CLIState) -> None:
    """List migrations, applied [X] and pending [ ]."""
    application = _application(state)
    versions = migrations_dir(application, state.settings_module)
    states = show_migrations(application, versions)
    if not states:
        click.echo(f"No migrations in {versions}.")
    for entry in states:
        mark = "X" if entry.applied else " "
        click.echo(f"[{mark}] {entry.revision}  {entry.message}")

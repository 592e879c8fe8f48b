"""``check``: load everything a server would and report problems without serving."""

from __future__ import annotations

import click
from sqlalchemy import text

from lys.cli.state import CLIState
from lys.errors import CommandError
from lys.migrations.commands import migrations_dir, unapplied_or_missing


@click.command()
@click.option("--database/--no-database", default=True, help="Also check the database answers.")
@click.pass_obj
def check(state: CLIState, database: bool) -> None:
    """Check settings, apps, models, schema and the database."""
    application = state.application()
    application.asgi()  # building the HTTP app checks the schema, CORS and proxies too
    problems: list[str] = []
    if database:
        try:
            with application.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as exc:
            problems.append(f"database: cannot connect: {str(exc).splitlines()[0]}")
        else:
            versions = migrations_dir(application, state.settings_module)
            problems += [f"migrations: {p}" for p in unapplied_or_missing(application, versions)]
    for problem in problems:
        click.echo(f"- {problem}", err=True)
    if problems:
        raise CommandError(f"check found {len(problems)} problem(s)")
    apps = len(application.registry.apps)
    models = len(application.registry.tables)
    click.echo(f"No problems found ({apps} apps, {models} models).")

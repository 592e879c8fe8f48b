"""Commands this app adds to manage.py."""

from __future__ import annotations

import click

from lys import Application
from lys.cli import pass_application


@click.command()
@click.option("--name", default="world", help="Who to greet.")
@pass_application
def hello(application: Application, name: str) -> None:
    """Greet someone and count the installed apps."""
    click.echo(f"Hello, {name}! {len(application.registry.apps)} apps installed.")


commands = [hello]

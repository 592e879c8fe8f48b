from __future__ import annotations

import click

from lys import Application
from lys.cli import pass_application


@click.command("reg-hello")
@click.option("--name", default="world")
def hello(name: str) -> None:
    """Greets someone."""
    click.echo(f"hello {name}")


@click.command("reg-apps")
@pass_application
def list_apps(application: Application) -> None:
    """Prints the installed apps of the project it runs in."""
    for app in application.registry.apps:
        click.echo(app.name)


commands = [hello, list_apps]

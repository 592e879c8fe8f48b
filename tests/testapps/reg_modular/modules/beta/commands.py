from __future__ import annotations

import click

from tests.testapps.reg_support import record

record(__name__)


@click.command("reg-beta")
def greet() -> None:
    click.echo("beta")


commands = [greet]

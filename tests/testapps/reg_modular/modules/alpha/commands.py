from __future__ import annotations

import click

from tests.testapps.reg_support import record

record(__name__)


@click.command("reg-alpha")
def greet() -> None:
    click.echo("alpha")


commands = [greet]

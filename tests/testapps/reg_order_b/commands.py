from __future__ import annotations

import click

from tests.testapps.reg_support import record

record(__name__)


@click.command("reg-order-b")
def order_command() -> None:
    """Says which tracing app answered."""
    click.echo("reg_order_b")


@click.command("reg-shared")
def shared_command() -> None:
    """Both tracing apps define this name; the first installed app wins."""
    click.echo("shared from reg_order_b")


commands = [order_command, shared_command]

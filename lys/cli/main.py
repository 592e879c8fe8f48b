"""The command line: ``manage.py <command>``."""

from __future__ import annotations

import click

from lys.cli.commands.check import check
from lys.cli.commands.fixtures import loadfixtures
from lys.cli.commands.migrations import makemigrations, migrate_command, showmigrations
from lys.cli.commands.runserver import runserver
from lys.cli.commands.schema import printschema
from lys.cli.commands.shell import shell
from lys.cli.commands.startapp import startapp
from lys.cli.group import ManagementGroup
from lys.cli.state import CLIState


@click.group(cls=ManagementGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--settings", default=None, help="Settings module (default: $LYS_SETTINGS_MODULE).")
@click.option("--traceback", is_flag=True, help="Show the full stack on errors.")
@click.pass_context
def cli(ctx: click.Context, settings: str | None, traceback: bool) -> None:
    """Manage a Lys project."""
    ctx.obj = CLIState(settings, traceback)


for command in (
    check,
    loadfixtures,
    makemigrations,
    migrate_command,
    printschema,
    runserver,
    shell,
    showmigrations,
    startapp,
):
    cli.add_command(command)

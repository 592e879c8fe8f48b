"""The command line: ``manage.py <command>``."""

from __future__ import annotations

from typing import Any

import click

from lys.cli.commands.check import check
from lys.cli.commands.fixtures import loadfixtures
from lys.cli.commands.migrations import makemigrations, migrate_command, showmigrations
from lys.cli.commands.runserver import runserver
from lys.cli.commands.schema import printschema
from lys.cli.commands.shell import shell
from lys.cli.commands.startapp import startapp
from lys.cli.commands.startproject import startproject
from lys.cli.commands.worker import worker
from lys.cli.group import ManagementGroup
from lys.cli.state import CLIState


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Store a global option in the state as soon as it is parsed.

    The options are eager because click resolves the subcommand (app commands need the
    settings) and runs ``--help`` before the group's own callback.
    """
    state = ctx.ensure_object(CLIState)
    if param.name == "settings":
        if value:
            state.settings_module = value
    else:
        state.traceback = bool(value)


@click.group(cls=ManagementGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--settings",
    default=None,
    is_eager=True,
    expose_value=False,
    callback=_remember,
    help="Settings module (default: $LYS_SETTINGS_MODULE).",
)
@click.option(
    "--traceback",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=_remember,
    help="Show the full stack on errors.",
)
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Manage a Lys project."""
    ctx.ensure_object(CLIState)


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
    startproject,
    worker,
):
    cli.add_command(command)

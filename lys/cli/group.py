"""The ``manage.py`` click group: built-in commands plus those installed apps contribute.

Failures print one line on stderr and exit non-zero; ``--traceback`` shows the stack.
"""

from __future__ import annotations

import sys
import traceback
from typing import Any

import click

from lys.cli.state import CLIState
from lys.errors import CommandError, ImproperlyConfigured, LysError
from lys.registry.loader import COMMANDS


class ManagementGroup(click.Group):
    def _app_commands(self, ctx: click.Context) -> dict[str, click.Command]:
        state = ctx.ensure_object(CLIState)
        app = state.application([COMMANDS])
        return {name: command for name, (_app, command) in app.registry.commands.items()}

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        try:
            names |= set(self._app_commands(ctx))
        except Exception as exc:
            # Help must still work when the project is broken; say why app commands are missing.
            click.echo(f"Warning: app commands unavailable: {_one_line(exc)}", err=True)
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        return self._app_commands(ctx).get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except Exception as exc:
            state = ctx.find_object(CLIState)
            if state is not None and state.traceback:
                traceback.print_exc()
            elif not isinstance(exc, CommandError | ImproperlyConfigured | LysError):
                click.echo("(run with --traceback to see where)", err=True)
            click.echo(f"Error: {_one_line(exc)}", err=True)
            ctx.exit(getattr(exc, "returncode", 1))


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if isinstance(exc, CommandError | ImproperlyConfigured | LysError):
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def run(argv: list[str] | None = None, prog_name: str = "manage.py") -> None:
    from lys.cli.main import cli

    cli.main(args=argv if argv is not None else sys.argv[1:], prog_name=prog_name)

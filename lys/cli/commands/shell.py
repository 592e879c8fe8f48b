"""``shell``: a Python prompt with the project loaded."""

from __future__ import annotations

import code

import click

from lys.cli.state import CLIState


@click.command()
@click.option("-c", "--command", default=None, help="Run this code instead of a prompt.")
@click.pass_obj
def shell(state: CLIState, command: str | None) -> None:
    """Open a Python shell with `app`, `settings`, `registry` and `session` defined."""
    application = state.application()
    namespace = {
        "app": application,
        "settings": application.settings,
        "registry": application.registry,
        "session": application.session,
        "model": application.model,
        "service": application.service,
    }
    if command is not None:
        exec(compile(command, "<shell -c>", "exec"), namespace)
        return
    banner = (
        "Lys shell. Defined: app, settings, registry, model(name), service(name), "
        "session() (a transaction context manager)."
    )
    code.interact(banner=banner, local=namespace, exitmsg="")

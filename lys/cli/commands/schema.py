"""``printschema``: the merged SDL of every installed app."""

from __future__ import annotations

from pathlib import Path

import click

from lys.cli.state import CLIState
from lys.graphql.schema import print_sdl


@click.command()
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file."
)
@click.pass_obj
def printschema(state: CLIState, output: Path | None) -> None:
    """Print the project's GraphQL schema (SDL)."""
    sdl = print_sdl(state.application().schema)
    if output is None:
        click.echo(sdl, nl=False)
    else:
        output.write_text(sdl, encoding="utf-8")
        click.echo(f"Wrote {output}", err=True)

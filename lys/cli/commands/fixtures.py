"""``loadfixtures``: reference and demo data, idempotently, in one transaction."""

from __future__ import annotations

import sys
from typing import Any

import click

from lys.cli.state import CLIState
from lys.conf.environments import Environment
from lys.errors import CommandError
from lys.fixtures.loading import FixtureError, load_fixtures

#: Fixtures with at least this many rows get a progress bar.
PROGRESS_BAR_ROWS = 100


@click.command()
@click.argument("apps", nargs=-1)
@click.option(
    "--env",
    type=click.Choice([e.value for e in Environment]),
    default=None,
    help="Load as if in this environment (default: ENV).",
)
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.pass_obj
def loadfixtures(state: CLIState, apps: tuple[str, ...], env: str | None, dry_run: bool) -> None:
    """Insert or update fixtures of every installed app, or of APPS and their dependencies.

    Everything loads in one transaction: if one row fails, nothing is kept.
    """
    application = state.application()
    bar: dict[str, Any] = {}

    def on_row(fixture: str, done: int, total: int) -> None:
        if total < PROGRESS_BAR_ROWS or not sys.stdout.isatty():
            return
        if done == 0:
            bar["bar"] = click.progressbar(length=total, label=f"  {fixture}", file=None)
            bar["bar"].__enter__()
        bar["bar"].update(1)
        if done == total - 1:
            bar.pop("bar").__exit__(None, None, None)

    click.echo("Checking fixtures (dry run)..." if dry_run else "Loading fixtures...")
    try:
        reports = load_fixtures(
            application,
            env=Environment(env) if env else None,
            apps=apps or None,
            dry_run=dry_run,
            row_progress=on_row,
        )
    except FixtureError as exc:
        raise CommandError(f"{exc}; nothing was saved") from exc
    finally:
        if "bar" in bar:
            bar.pop("bar").__exit__(None, None, None)
    for report in reports:
        click.echo(f"  {report.summary()}")
    loaded = [r for r in reports if not r.skipped]
    added = sum(r.added for r in loaded)
    updated = sum(r.updated for r in loaded)
    disabled = sum(r.disabled for r in loaded)
    verb = "Would load" if dry_run else "Loaded"
    click.echo(
        f"{verb} {len(loaded)} fixture(s): {added} added, {updated} updated, "
        f"{disabled} disabled." + (" Nothing was written." if dry_run else "")
    )

"""``loadfixtures``: reference and demo data, idempotently, in one transaction."""

from __future__ import annotations

import click

from lys.cli.state import CLIState
from lys.conf.environments import Environment
from lys.errors import CommandError
from lys.fixtures.loading import FixtureError, FixtureReport, load_fixtures


@click.command()
@click.option("--only", multiple=True, help="Load only this fixture (repeatable).")
@click.option(
    "--env",
    type=click.Choice([e.value for e in Environment]),
    default=None,
    help="Load as if in this environment (default: ENV).",
)
@click.pass_obj
def loadfixtures(state: CLIState, only: tuple[str, ...], env: str | None) -> None:
    """Insert or update the installed apps' fixtures; nothing is kept if one fails."""
    application = state.application()

    def show(report: FixtureReport) -> None:
        click.echo(f"  {report.summary()}")

    click.echo("Loading fixtures...")
    try:
        reports = load_fixtures(
            application,
            env=Environment(env) if env else None,
            only=only or None,
            progress=show,
        )
    except FixtureError as exc:
        raise CommandError(f"{exc}; nothing was saved") from exc
    loaded = [r for r in reports if not r.skipped]
    for report in loaded:
        if report.disabled:
            click.echo(f"  {report.model}: disabled {report.disabled} row(s) no fixture lists")
    added = sum(r.added for r in loaded)
    updated = sum(r.updated for r in loaded)
    click.echo(f"Loaded {len(loaded)} fixture(s): {added} row(s) added, {updated} updated.")

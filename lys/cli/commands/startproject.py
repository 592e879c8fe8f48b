"""``lys startproject NAME [DIRECTORY]``: a new project, ready for ``make run`` and ``make test``.

The project package ``NAME`` holds the settings, the apps (``NAME/<app>``) and the
migrations, like the reference project's ``apps/``. Nothing here needs a settings
module: the command runs before any project exists.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import click

import lys
from lys.cli.scaffold import TEMPLATES, check_identifier, check_not_importable, render_tree
from lys.errors import CommandError

#: Names the generated layout itself uses next to the project package.
LAYOUT_NAMES = frozenset({"tests", "manage", "migrations", "settings"})
DEFAULT_APP = "core"


@click.command()
@click.argument("name")
@click.argument(
    "directory", required=False, type=click.Path(file_okay=False, path_type=Path), default=None
)
@click.option(
    "--app",
    "app_name",
    default=DEFAULT_APP,
    show_default=True,
    help="Name of the project's first app.",
)
def startproject(name: str, directory: Path | None, app_name: str) -> None:
    """Create the project NAME in DIRECTORY (default: ./NAME), which must be new or empty."""
    check_project_name(name)
    check_identifier(app_name, "app")
    if app_name in LAYOUT_NAMES or app_name == name:
        raise CommandError(f"{app_name!r} is taken by the project layout; choose another app name")
    target = (directory if directory is not None else Path.cwd() / name).resolve()
    check_target(target)
    values = {
        "project": name,
        "app": app_name,
        # Marked as a development default, so that ENV=prod refuses to start with it.
        "secret_key": "insecure-dev-only-" + secrets.token_urlsafe(24),
    }
    render_tree(TEMPLATES / "project", target, values)
    click.echo(next_steps(name, target))


def check_project_name(name: str) -> None:
    check_identifier(name, "project")
    if name in LAYOUT_NAMES:
        raise CommandError(f"{name!r} is taken by the project layout; choose another project name")
    check_not_importable(name, "project")


def check_target(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise CommandError(
            f"{target} already exists and is not empty; choose a new or empty folder"
        )


def next_steps(name: str, target: Path) -> str:
    lines = [
        f"Created the project {name} in {target}.",
        "Next:",
        f"  cd {target}",
        "  make run     # .venv, install, first migration, SQLite, serves :8000/graphql",
        "  make test",
    ]
    checkout = source_checkout()
    if checkout is not None:
        lines.append(f'To install Lys from this checkout: make run LYS_SOURCE="-e {checkout}"')
    return "\n".join(lines)


def source_checkout() -> Path | None:
    """The folder Lys runs from when it is a source checkout (an editable install)."""
    root = Path(lys.__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() else None

"""``startapp``: a new app package with every conventional file."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import click

from lys.cli.scaffold import TEMPLATES, check_identifier, check_not_importable, render_tree
from lys.cli.state import CLIState
from lys.errors import CommandError
from lys.naming import snake_to_camel


@click.command()
@click.argument("name")
@click.option(
    "--directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Parent folder (default: the package holding the settings module).",
)
@click.pass_obj
def startapp(state: CLIState, name: str, directory: Path | None) -> None:
    """Create the app NAME, ready to add to INSTALLED_APPS."""
    check_identifier(name, "app")
    parent, package_prefix = _parent(state, directory)
    dotted = f"{package_prefix}{name}"
    if not package_prefix:
        check_not_importable(name, "app")
    target = parent / name
    if target.exists():
        raise CommandError(f"{target} already exists")
    target.mkdir(parents=True)
    values = {
        "name": name,
        "package": dotted,
        "model_class": "".join(part.capitalize() for part in name.split("_")),
        "query_field": snake_to_camel(name),
    }
    render_tree(TEMPLATES / "app", target, values)
    click.echo(f"Created {target}. Add {dotted!r} to INSTALLED_APPS to install it.")


def _parent(state: CLIState, directory: Path | None) -> tuple[Path, str]:
    if directory is not None:
        return directory, ""
    module = state.settings_module or ""
    package, _, _ = module.rpartition(".")
    if package:
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.submodule_search_locations:
            return Path(next(iter(spec.submodule_search_locations))), f"{package}."
    return Path.cwd(), ""

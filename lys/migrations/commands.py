"""Migrations without an ``alembic.ini``: the folder and the database come from settings.

The project has one migration folder (``MIGRATIONS_DIR``, by default ``migrations/``
next to the settings module) generated from the installed apps' models.
"""

from __future__ import annotations

import argparse
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from lys.errors import CommandError
from lys.migrations.environment import configure_kwargs

if TYPE_CHECKING:
    from lys.application import Application

ALEMBIC_DIR = Path(__file__).resolve().parent / "alembic"


def migrations_dir(application: Application, settings_module: str | None = None) -> Path:
    configured = application.settings.migrations_dir
    if configured:
        return Path(configured)
    package = (settings_module or "").rpartition(".")[0]
    if package:
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.submodule_search_locations:
            return Path(next(iter(spec.submodule_search_locations))) / "migrations"
    return Path.cwd() / "migrations"


def alembic_config(application: Application, versions: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    config.set_main_option("version_locations", str(versions))
    config.set_main_option("path_separator", "os")
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    config.attributes["application"] = application
    return config


def make_migrations(application: Application, versions: Path, message: str | None) -> Path | None:
    """Autogenerate a revision; ``None`` when the models match the migrations."""
    versions.mkdir(parents=True, exist_ok=True)
    config = alembic_config(application, versions)
    config.cmd_opts = argparse.Namespace(autogenerate=True)
    script = ScriptDirectory.from_config(config)
    _require_up_to_date(application, script)
    revision = command.revision(config, message=message or "auto", autogenerate=True)
    if revision is None:
        return None
    scripts = revision if isinstance(revision, list) else [revision]
    return Path(scripts[0].path) if scripts and scripts[0] is not None else None


def migrate(application: Application, versions: Path, target: str = "head") -> str:
    """Upgrade, or downgrade when ``target`` is behind the database; returns the direction."""
    config = alembic_config(application, versions)
    script = ScriptDirectory.from_config(config)
    if not list(script.walk_revisions()):
        raise CommandError(f"no migrations in {versions}; run makemigrations first")
    current = set(_current_heads(application))
    if target in ("zero", "base"):
        command.downgrade(config, "base")
        return "downgraded"
    if target not in ("head", "heads"):
        try:
            wanted = script.get_revision(target)
        except Exception as exc:
            raise CommandError(f"unknown revision {target!r}: {exc}") from None
        if wanted is None:
            raise CommandError(f"unknown revision {target!r}")
        ancestors_of_current = {
            rev.revision for head in current for rev in script.iterate_revisions(head, "base")
        }
        if wanted.revision in ancestors_of_current and wanted.revision not in current:
            command.downgrade(config, wanted.revision)
            return "downgraded"
        target = wanted.revision
    command.upgrade(config, target)
    return "upgraded"


@dataclass
class MigrationState:
    revision: str
    message: str
    applied: bool


def show_migrations(application: Application, versions: Path) -> list[MigrationState]:
    config = alembic_config(application, versions)
    script = ScriptDirectory.from_config(config)
    current = _current_heads(application)
    applied: set[str] = set()
    for head in current:
        applied |= {rev.revision for rev in script.iterate_revisions(head, "base")}
    ordered = list(reversed(list(script.walk_revisions())))
    return [MigrationState(rev.revision, rev.doc or "", rev.revision in applied) for rev in ordered]


def pending_model_changes(application: Application) -> list[Any]:
    """Differences between the models and the migrated database (empty when in sync)."""
    with application.engine.connect() as connection:
        context = MigrationContext.configure(
            connection=connection,
            opts={
                key: value
                for key, value in configure_kwargs(
                    connection, application.registry.metadata
                ).items()
                if key not in ("connection", "target_metadata")
            },
        )
        diffs = list(compare_metadata(context, application.registry.metadata))
        if connection.dialect.name in ("mysql", "mariadb"):
            diffs = _without_deferral_noise(diffs)
        return diffs


def _fk_signature(fk: Any) -> tuple[Any, ...]:
    return (
        fk.parent.name,
        tuple(c.name for c in fk.columns),
        fk.referred_table.name,
        tuple(e.column.name for e in fk.elements),
    )


def _without_deferral_noise(diffs: list[Any]) -> list[Any]:
    """MariaDB has no deferrable constraints: a foreign key the models declare
    ``DEFERRABLE`` is created without it there, which is no difference to report."""
    removed = {_fk_signature(d[1]): d for d in diffs if d[0] == "remove_fk"}
    added = {_fk_signature(d[1]): d for d in diffs if d[0] == "add_fk"}
    same = {
        key
        for key in removed.keys() & added.keys()
        if getattr(added[key][1], "deferrable", None) or getattr(added[key][1], "initially", None)
    }
    noise = {id(removed[key]) for key in same} | {id(added[key]) for key in same}
    return [d for d in diffs if id(d) not in noise]


def unapplied_or_missing(application: Application, versions: Path) -> list[str]:
    """Problems ``check`` reports: pending revisions and model changes with no migration."""
    problems = []
    states = show_migrations(application, versions) if versions.is_dir() else []
    pending = [s.revision for s in states if not s.applied]
    if pending:
        problems.append(f"{len(pending)} migration(s) not applied: run `manage.py migrate`")
    if not states:
        problems.append(f"no migrations in {versions}: run `manage.py makemigrations`")
    elif not pending:
        diff = pending_model_changes(application)
        if diff:
            problems.append(
                f"models have {len(diff)} change(s) without a migration: run "
                "`manage.py makemigrations`"
            )
    return problems


def _current_heads(application: Application) -> tuple[str, ...]:
    with application.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_heads()


def _require_up_to_date(application: Application, script: ScriptDirectory) -> None:
    heads = set(script.get_heads())
    if heads and set(_current_heads(application)) != heads:
        raise CommandError(
            "the database is not at the latest migration; run `manage.py migrate` before "
            "makemigrations"
        )

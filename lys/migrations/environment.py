"""What Alembic's ``env.py`` runs: online migrations against the application's engine."""

from __future__ import annotations

from typing import Any

import sqlmodel  # noqa: F401 - generated revisions refer to sqlmodel types

from lys.db.types import UTCDateTime


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render Lys column types by their importable path; revisions import ``lys.db.types``."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "lys.db.types.UTCDateTime()"
    return False


def configure_kwargs(connection: Any, metadata: Any) -> dict[str, Any]:
    return {
        "connection": connection,
        "target_metadata": metadata,
        "render_as_batch": connection.dialect.name == "sqlite",
        "compare_type": True,
        "compare_server_default": False,
        "render_item": render_item,
    }


def run_migrations(context: Any) -> None:
    config = context.config
    application = config.attributes["application"]
    metadata = application.registry.metadata
    connection = config.attributes.get("connection")

    def process_revision_directives(_context: Any, _revision: Any, directives: list[Any]) -> None:
        # Like Django's makemigrations: no file when nothing changed.
        if config.cmd_opts is not None and getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []

    def run(conn: Any) -> None:
        context.configure(
            **configure_kwargs(conn, metadata),
            process_revision_directives=process_revision_directives,
        )
        with context.begin_transaction():
            context.run_migrations()

    if connection is not None:
        run(connection)
        return
    with application.engine.connect() as conn:
        run(conn)
        conn.commit()

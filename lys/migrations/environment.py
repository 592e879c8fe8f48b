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


def _skip_index_drops_of_dropped_tables(container: Any) -> None:
    """Dropping a table drops its indexes; dropping them first fails on MariaDB when a
    foreign key needs the index."""
    from alembic.operations import ops

    dropped = {op.table_name for op in container.ops if isinstance(op, ops.DropTableOp)}
    kept = []
    for op in container.ops:
        if isinstance(op, ops.ModifyTableOps) and op.table_name in dropped:
            op.ops = [o for o in op.ops if not isinstance(o, ops.DropIndexOp)]
            if not op.ops:
                continue
        elif isinstance(op, ops.DropIndexOp) and op.table_name in dropped:
            continue
        kept.append(op)
    container.ops = kept


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
                return
            _skip_index_drops_of_dropped_tables(script.upgrade_ops)
            _skip_index_drops_of_dropped_tables(script.downgrade_ops)

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

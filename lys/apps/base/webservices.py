"""The ``webservice`` table: the registry mirrored for roles, and run-time switches.

The registry (read from ``@access`` in the SDL) decides who may call what. The table
copies it so that roles can name webservices and other services can register theirs;
``switched_off`` keeps the run-time decisions of super users across restarts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from lys.db.session import make_session
from lys.fixtures import FixtureReport
from lys.naming import snake_to_camel
from lys.permissions import LEVELS_DESCRIPTIONS, Webservice
from lys.permissions.switches import WebserviceSwitches

logger = logging.getLogger("lys.permissions")

PUBLIC_TYPES = {
    "NO_LIMITATION": "Anyone",
    "DISCONNECTED": "Only callers who are not connected",
}


def sync_webservices(session: Session, application: Any) -> FixtureReport:
    """Mirror this service's webservices into the table (inside ``loadfixtures``).

    Rows of this service that no longer exist in code are disabled, never deleted:
    roles may still name them. Rows other services registered are left alone.
    """
    registry = application.registry
    application.schema  # noqa: B018 - reading the schema reads the webservices
    report = FixtureReport("webservices (from the schema)", "webservice")
    mirror_webservices(
        session, registry, registry.webservices.values(), application.settings.service_name, report
    )
    return report


def mirror_webservices(
    session: Session,
    registry: Any,
    webservices: Iterable[Webservice],
    service_name: str,
    report: FixtureReport,
) -> None:
    """Upsert ``webservices`` as the rows of ``service_name``, with their access level
    links, and disable that service's rows left out (``loadfixtures`` for this service,
    ``registerWebservices`` for the others)."""
    _ensure_reference_rows(session, registry)
    model = registry.model("webservice")
    link_model = registry.model("webservice_access_level")
    rows = {row.id: row for row in session.scalars(select(model))}
    links: dict[str, set[str]] = {}
    for link in session.scalars(select(link_model)):
        links.setdefault(link.webservice_id, set()).add(link.access_level_id)
    webservices = list(webservices)
    for webservice in webservices:
        row = rows.get(webservice.name)
        values = _row_values(webservice, service_name)
        if row is None:
            session.add(model(id=webservice.name, **values))
            report.added += 1
        elif any(getattr(row, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            report.updated += 1
        elif set(webservice.access_levels) != links.get(webservice.name, set()):
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()  # once: the links below point at these rows
    for webservice in webservices:
        declared = set(webservice.access_levels)
        current = links.get(webservice.name, set())
        if current - declared:
            session.execute(
                link_model.__table__.delete().where(
                    link_model.webservice_id == webservice.name,
                    link_model.access_level_id.in_(sorted(current - declared)),
                )
            )
        for level in sorted(declared - current):
            session.add(link_model(webservice_id=webservice.name, access_level_id=level))
    names = {webservice.name for webservice in webservices}
    for name, row in rows.items():
        if row.app_name == service_name and name not in names and row.enabled:
            row.enabled = False
            report.disabled += 1
    session.flush()


def _row_values(webservice: Webservice, service_name: str) -> dict[str, Any]:
    description = webservice.description
    return {
        "enabled": webservice.enabled,
        "is_licenced": webservice.is_licenced,
        "app_name": service_name,
        "operation_type": webservice.operation_type,
        "public_type_id": webservice.public_type,
        "description": description[:1024] if description else None,
    }


def _ensure_reference_rows(session: Session, registry: Any) -> None:
    """Access levels and public types the registry uses exist (apps' fixtures describe
    them better; this only makes sure the links can point at them)."""
    for model_name, codes in (
        ("access_level", LEVELS_DESCRIPTIONS),
        ("webservice_public_type", PUBLIC_TYPES),
    ):
        model = registry.model(model_name)
        existing = set(session.scalars(select(model.id)))
        for code, description in codes.items():
            if code not in existing:
                session.add(model(id=code, description=description))
    session.flush()


def webservice_from_row(row: Any, levels: tuple[str, ...]) -> Webservice:
    """A webservice another service registered, known only from its row."""
    return Webservice(
        name=row.id,
        field_name=snake_to_camel(row.id),
        operation_type=row.operation_type or "query",
        public_type=row.public_type_id,
        access_levels=levels,
        is_licenced=row.is_licenced,
        enabled=row.enabled,
        app=row.app_name,
        description=row.description,
    )


def make_switches(application: Any) -> WebserviceSwitches:
    settings = application.settings

    def switched_off_in_store() -> set[str]:
        model = application.registry.model("webservice")
        try:
            with make_session(application.engine) as session:
                return set(session.scalars(select(model.id).where(model.switched_off.is_(True))))
        except SQLAlchemyError as exc:  # not migrated yet: nothing is switched off
            logger.debug("webservice switches not loaded: %s", exc)
            return set()

    return WebserviceSwitches(
        switched_off_in_store,
        redis_url=settings.redis_url,
        key=f"{settings.redis_key_prefix}:webservices:off",
        refresh=settings.webservice_switch_refresh,
    )

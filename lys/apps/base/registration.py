"""``registerWebservices``: another service records its webservices in this one's table.

Called at start by each service that does not own the table (``AUTH_SERVICE_URL``
set), under its service token. The rows are upserted as that service's: ``app_name``
is the name the verified token carries, never a value of the input, so a service
cannot write rows in another's name, and its rows that left its code are disabled.

Webservices this service declares too (those of the apps both install, such as the
base app's ``allLanguages``) keep this service's rows: they are skipped. Names another
service registered are refused: roles refer to webservices by name, and a name must
mean one operation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lys.apps.base.webservices import PUBLIC_TYPES, mirror_webservices
from lys.errors import ImproperlyConfigured, LysError, PermissionDeniedError, ValidationError
from lys.fixtures import FixtureReport
from lys.naming import snake_to_camel
from lys.permissions import Webservice

#: More in one call is not a service's webservices: refused (the body limit applies too).
MAX_WEBSERVICES = 1000
MAX_NAME_LENGTH = 64
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
OPERATION_TYPES = ("query", "mutation", "subscription")


class WebserviceConflictError(LysError):
    code = "WEBSERVICE_CONFLICT"
    status_code = 409
    default_detail = "These webservices belong to another service."


@dataclass(frozen=True)
class Registered:
    count: int
    message: str


def register_webservices(
    session: Session, registry: Any, own_name: str, caller: Any, items: list[dict[str, Any]]
) -> Registered:
    """Record the calling service's webservices (``items`` as the GraphQL input gives
    them: ``{"id", "attributes"}``)."""
    if caller is None:
        raise PermissionDeniedError("Only another service of the deployment may do this.")
    app_name = caller.name
    if app_name == own_name:
        raise PermissionDeniedError("A service cannot register webservices in this one's name.")
    if len(items) > MAX_WEBSERVICES:
        raise ValidationError(
            f"At most {MAX_WEBSERVICES} webservices per call.", extensions={"field": "webservices"}
        )
    webservices = [_webservice(item, app_name) for item in items]
    names = [webservice.name for webservice in webservices]
    if len(set(names)) != len(names):
        raise ValidationError("A webservice is listed twice.", extensions={"field": "webservices"})
    own = [webservice for webservice in webservices if webservice.name not in registry.webservices]
    _check_ownership(session, registry, app_name, [webservice.name for webservice in own])
    report = FixtureReport(f"webservices of {app_name}", "webservice")
    mirror_webservices(session, registry, own, app_name, report)
    message = (
        f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.disabled} disabled, {len(webservices) - len(own)} shared with {own_name}"
    )
    return Registered(len(own), message)


def _webservice(item: dict[str, Any], app_name: str) -> Webservice:
    name = item["id"]
    attributes = item.get("attributes") or {}
    if not NAME.match(name) or len(name) > MAX_NAME_LENGTH:
        raise ValidationError(
            f"{name[:80]!r} is not a webservice name (snake_case, {MAX_NAME_LENGTH} characters"
            " at most).",
            extensions={"field": "webservices", "webservice": name[:80]},
        )
    public_type = attributes.get("public_type")
    operation_type = attributes.get("operation_type") or "query"
    problem = None
    if public_type is not None and public_type not in PUBLIC_TYPES:
        problem = f"unknown public type {public_type!r}"
    elif operation_type not in OPERATION_TYPES:
        problem = f"unknown operation type {operation_type!r}"
    webservice = Webservice(
        name=name,
        field_name=snake_to_camel(name),
        operation_type=operation_type,
        public_type=public_type,
        access_levels=tuple(sorted(set(attributes.get("access_levels") or ()))),
        # Unsaid means licensed: forgetting the flag must not open a paid operation.
        is_licenced=attributes.get("is_licenced") is not False,
        enabled=attributes.get("enabled") is not False,
        app=app_name,
        description=attributes.get("description"),
    )
    if problem is None:
        try:
            webservice.validate()
        except ImproperlyConfigured as exc:
            problem = str(exc)
    if problem is not None:
        raise ValidationError(
            f"Webservice {name}: {problem}.",
            extensions={"field": "webservices", "webservice": name},
        )
    return webservice


def _check_ownership(session: Session, registry: Any, app_name: str, names: list[str]) -> None:
    model = registry.model("webservice")
    owners = session.execute(select(model.id, model.app_name).where(model.id.in_(names)))
    taken = {name for name, owner in owners if owner != app_name}
    if taken:
        listed = sorted(taken)
        raise WebserviceConflictError(
            f"Already provided by another service: {', '.join(listed[:20])}.",
            extensions={"webservices": listed[:100]},
        )

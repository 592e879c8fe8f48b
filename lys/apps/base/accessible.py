"""Which webservices a caller may call, and through which access levels.

Asks the application's own permission chain, webservice by webservice, so the answer
cannot drift from what a call would get.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select

from lys.apps.base.webservices import webservice_from_row
from lys.errors import LysError
from lys.permissions import Webservice


def candidates(context: Any) -> list[Webservice]:
    """This service's webservices, and those other services registered in the table."""
    registry = context.registry
    known = dict(registry.webservices)
    model = registry.model("webservice")
    link_model = registry.model("webservice_access_level")
    session = context.session
    foreign = session.scalars(select(model).where(model.id.not_in(list(known)))).all()
    if foreign:
        levels: dict[str, list[str]] = {}
        links = select(link_model).where(link_model.webservice_id.in_([r.id for r in foreign]))
        for link in session.scalars(links):
            levels.setdefault(link.webservice_id, []).append(link.access_level_id)
        for row in foreign:
            known[row.id] = webservice_from_row(row, tuple(sorted(levels.get(row.id, ()))))
    return list(known.values())


def accessible_levels(context: Any, webservices: list[Webservice]) -> dict[str, tuple[str, ...]]:
    """``name -> levels through which the caller qualifies`` for every callable one."""
    control = context.registry.access_control
    result: dict[str, tuple[str, ...]] = {}
    for webservice in webservices:
        if not control.is_available(webservice):
            continue
        if not control.enforced:
            result[webservice.name] = webservice.access_levels
            continue
        if not _passes(control, context, webservice):
            continue
        result[webservice.name] = tuple(
            level
            for level in webservice.access_levels
            if _passes(control, context, replace(webservice, access_levels=(level,)))
        )
    return result


def _passes(control: Any, context: Any, webservice: Webservice) -> bool:
    try:
        control.chain.evaluate(context, webservice)
    except LysError:
        return False
    return True

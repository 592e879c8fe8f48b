"""Languages, access levels, webservices, one-time token kinds, emailing records, error log."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lys.application import Application


def ready(application: Application) -> None:
    """Mirror the webservice registry into its table at each ``loadfixtures``, and let
    super users switch webservices at run time (the table keeps the switches)."""
    from lys.apps.base.webservices import make_switches, sync_webservices

    registry = application.registry
    registry.sync_hooks.append(sync_webservices)
    registry.webservice_switches = make_switches(application)

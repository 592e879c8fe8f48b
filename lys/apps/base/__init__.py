"""Languages, access levels, webservices, one-time token kinds, emailing records and their
delivery (the send_email job), job records, error log."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lys.application import Application


def ready(application: Application) -> None:
    """Mirror the webservice registry into its table at each ``loadfixtures``, and let
    super users switch webservices at run time (the table keeps the switches)."""
    from lys.apps.base.jobs import sync_jobs
    from lys.apps.base.webservices import make_switches, sync_webservices

    registry = application.registry
    registry.sync_hooks.append(sync_webservices)
    registry.sync_hooks.append(sync_jobs)
    registry.webservice_switches = make_switches(application)
    _connect_services(application)


def _connect_services(application: Application) -> None:
    """The deployment's other services (docs/services.md): accept their service tokens
    and the auth service's users, and, for a service that does not own the webservice
    table, register its webservices with the auth service when a server starts."""
    from lys.apps.base.self_registration import start_registration
    from lys.auth.install import install_service_auth

    install_service_auth(application)
    if application.settings.auth_service_url:
        application.registry.server_hooks.append(start_registration)

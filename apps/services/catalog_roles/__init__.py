"""The catalog's roles, at the auth service of the two-service layout.

Roles live where ``lys.apps.user_role`` is installed: this app ships the catalog's
roles there, and opens ``allRoles`` to the deployment's services so that the catalog
service can read what each role opens (its role permission asks it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lys.application import Application

APP = "apps.services.catalog_roles"


def ready(application: Application) -> None:
    from lys.permissions import CONNECTED, INTERNAL_SERVICE, override_webservice

    override_webservice(
        application.registry, "all_roles", app=APP, levels=[CONNECTED, INTERNAL_SERVICE]
    )

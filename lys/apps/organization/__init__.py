"""Clients (organizations) with an owner, the users belonging to them, client roles.

Install after ``lys.apps.user_role`` (client roles are its ``role`` rows, and this app
extends its ``user`` model). The ORGANIZATION_ROLE access level opens a webservice to
a client's owner and to its members whose client roles list it, on that client's rows
only; any model with a ``client_id`` column must say how its rows are scoped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lys.application import Application

APP = "lys.apps.organization"


def ready(application: Application) -> None:
    """Add the ORGANIZATION_ROLE permission to the chain and the ``org`` claim to
    access tokens, and declare ``client_id`` a tenant column: a model holding one
    without row scopes stops the start."""
    from lys.apps.organization.claims import claim_provider
    from lys.apps.organization.models import CLIENT
    from lys.apps.organization.permissions import OrganizationPermission

    registry = application.registry
    registry.tenant_columns["client_id"] = CLIENT
    registry.permissions.append(OrganizationPermission())
    registry.claim_providers.append(claim_provider(registry))

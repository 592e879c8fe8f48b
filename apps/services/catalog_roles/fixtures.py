"""The catalog's roles (as the catalog app declares them), loaded at the auth service."""

from __future__ import annotations

from apps.catalog.fixtures import CatalogRoleFixture


class CatalogRolesAtAuthFixture(CatalogRoleFixture):
    """``CATALOG_MANAGER_ROLE`` and the product operations it opens."""

"""Puts an application's permission chain together once every app is ready."""

from __future__ import annotations

from typing import Any

from lys.access import OpenAccess
from lys.errors import ImproperlyConfigured
from lys.permissions.builtin import InternalServicePermission, PublicPermission
from lys.permissions.chain import PermissionChain
from lys.permissions.scopes import RowScopePolicy, check_tenant_columns
from lys.permissions.webservices import AccessControl
from lys.registry.discovery import import_string


def build_chain(registry: Any, permission_classes: list[str] | None) -> PermissionChain:
    """``PERMISSION_CLASSES`` when set, else the framework's classes then the apps'."""
    if permission_classes is None:
        return PermissionChain(
            [InternalServicePermission(), PublicPermission(), *registry.permissions]
        )
    permissions = []
    for path in permission_classes:
        try:
            permission_class = import_string(path)
        except ImportError as exc:
            message = f"PERMISSION_CLASSES: cannot import {path!r}: {exc}"
            raise ImproperlyConfigured(message) from None
        permission = permission_class()  # type: ignore[operator]
        if not callable(getattr(permission, "check", None)):
            raise ImproperlyConfigured(
                f"PERMISSION_CLASSES: {path} has no check(context, webservice) method"
            )
        permissions.append(permission)
    return PermissionChain(permissions)


def install_access(registry: Any, settings: Any) -> None:
    chain = build_chain(registry, settings.permission_classes)
    registry.access_control = AccessControl(
        chain, enforced=registry.access_enforced, switches=registry.webservice_switches
    )
    if registry.access_enforced and isinstance(registry.access_policy, OpenAccess):
        registry.access_policy = RowScopePolicy(chain)
    check_tenant_columns(registry.tables, registry.tenant_columns)

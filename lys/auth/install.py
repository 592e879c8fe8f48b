"""Wires the deployment's other services into an application (from the base app).

- ``TRUSTED_SERVICES``: requests signed by those services become service callers.
- ``AUTH_JWKS_URL`` (a service without ``lys.apps.user_auth``): the auth service's
  users are recognised here, with the XSRF guard and the connected-user permission;
  with ``AUTH_SERVICE_URL`` too, what roles open is read from the auth service.

Either turns access checking on: a service that is part of a deployment is never open.
"""

from __future__ import annotations

from typing import Any

from lys.auth.jwks import RemoteKeySet
from lys.auth.keys import key_ring, require_key_ring
from lys.auth.remote_roles import RemoteRoles
from lys.auth.remote_users import SharedRevocations, make_remote_authenticator
from lys.auth.service_tokens import ServiceTokenVerifier, make_service_authenticator
from lys.auth.tokens import TokenCodec
from lys.auth.xsrf import make_guard
from lys.client import ServiceClient
from lys.errors import ImproperlyConfigured
from lys.permissions.builtin import ConnectedPermission

USER_AUTH_APP = "lys.apps.user_auth"


def install_service_auth(application: Any) -> None:
    settings = application.settings
    registry = application.registry
    # A bad or missing SIGNING_KEY stops the start, not the first call.
    if settings.signs_tokens:
        require_key_ring(settings)
    else:
        key_ring(settings)
    if settings.trusted_services:
        verifier = ServiceTokenVerifier.from_settings(settings)
        registry.authenticators.append(make_service_authenticator(verifier))
        registry.access_enforced = True
    if settings.auth_jwks_url:
        if USER_AUTH_APP in settings.installed_apps:
            raise ImproperlyConfigured(
                f"AUTH_JWKS_URL is for services without {USER_AUTH_APP}: this one signs and "
                "checks its users' tokens itself"
            )
        keys = RemoteKeySet(settings.auth_jwks_url, ttl=settings.jwks_cache_seconds)
        codec = TokenCodec.verifier(keys, settings.jwt_issuer, settings.jwt_audience)
        revocations = SharedRevocations(settings.redis_url)
        registry.authenticators.append(make_remote_authenticator(codec, revocations))
        registry.request_guards.append(make_guard(settings.xsrf_check))
        registry.permissions.append(ConnectedPermission())
        registry.access_enforced = True
        if settings.auth_service_url and "role" not in registry.services:
            # Asked inside requests: one attempt, the previous copy covers failures.
            client = lambda: auth_service_client(settings, retries=0)  # noqa: E731
            registry.services["role"] = RemoteRoles(client, registry)


def auth_service_client(settings: Any, **options: Any) -> ServiceClient:
    """A client of the auth service (``AUTH_SERVICE_URL``), as this service."""
    if not settings.auth_service_url:
        raise ImproperlyConfigured("AUTH_SERVICE_URL is not set")
    return ServiceClient(
        settings.auth_service_url, settings, service=settings.auth_service_name, **options
    )

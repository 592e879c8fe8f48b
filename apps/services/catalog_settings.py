"""Settings of the catalog service of the two-service layout (docs/services.md).

Start it with ``./manage.py --settings apps.services.catalog_settings runserver`` once
the auth service runs (it registers its webservices there, retrying until it answers).
"""

from pathlib import Path

ENV = "dev"
SERVICE_NAME = "catalog"
INSTALLED_APPS = [
    "lys.apps.base",
    "apps.catalog",
]

DATABASE_URL = "sqlite:///catalog.sqlite3"
MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations" / "catalog")
SERVER_PORT = 8002
COOKIE_SECURE = False

# Development default (the dev signing key of its service tokens is derived from it).
SECRET_KEY = "insecure-dev-only-catalog-secret-key-do-not-use-in-production"

# The auth service: users' tokens are checked with the keys it publishes, the
# webservices registered and the roles read at its GraphQL URL.
AUTH_SERVICE_URL = "http://127.0.0.1:8001/graphql"
AUTH_SERVICE_NAME = "auth"
AUTH_JWKS_URL = "http://127.0.0.1:8001/.well-known/jwks.json"

# Roles and client roles come from the users' tokens; what each role opens from the
# auth service. The classes work without their apps' tables here.
PERMISSION_CLASSES = [
    "lys.permissions.builtin.InternalServicePermission",
    "lys.permissions.builtin.PublicPermission",
    "lys.permissions.builtin.ConnectedPermission",
    "lys.apps.user_role.permissions.RolePermission",
    "lys.apps.organization.permissions.OrganizationPermission",
]

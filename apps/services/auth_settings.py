"""Settings of the auth service of the two-service layout (docs/services.md).

Start it with ``./manage.py --settings apps.services.auth_settings runserver``. Every
value can be overridden by a ``LYS_<NAME>`` environment variable. The secret below is a
development default; in dev, the signing key is derived from it (``prod`` refuses to
start without ``LYS_SIGNING_KEY`` and a real ``LYS_SECRET_KEY``).
"""

from pathlib import Path

ENV = "dev"
SERVICE_NAME = "auth"
INSTALLED_APPS = [
    "lys.apps.base",
    "lys.apps.user_auth",
    "lys.apps.user_role",
    "lys.apps.organization",
    # The catalog's roles live where roles do; the catalog reads what they open.
    "apps.services.catalog_roles",
]

DATABASE_URL = "sqlite:///auth.sqlite3"
MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations" / "auth")
SERVER_PORT = 8001
# Cookies without the Secure flag, so the dev servers work over plain http.
COOKIE_SECURE = False

SECRET_KEY = "insecure-dev-only-auth-secret-key-do-not-use-in-production"
# Access tokens other services can check with the keys published at
# /.well-known/jwks.json (signed with SIGNING_KEY).
JWT_ALGORITHM = "EdDSA"

# The catalog registers its webservices here and reads what roles open, with service
# tokens checked against the keys it publishes.
TRUSTED_SERVICES = {
    "catalog": {"jwks_url": "http://127.0.0.1:8002/.well-known/jwks.json"},
}

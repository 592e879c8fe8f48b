"""Settings of the reference project.

Every value can be overridden by a ``LYS_<NAME>`` environment variable or a ``.env``
file. The secret below is a development default: ``ENV=prod`` refuses it.
"""

ENV = "dev"

INSTALLED_APPS = [
    "lys.apps.base",
    "lys.apps.user_auth",
    "lys.apps.user_role",
    "lys.apps.organization",
    "apps.catalog",
]

# Cookies without the Secure flag, so the dev server works over plain http.
COOKIE_SECURE = False

DATABASE_URL = "sqlite:///db.sqlite3"

# Development default, clearly marked; production must set LYS_SECRET_KEY.
SECRET_KEY = "insecure-dev-only-secret-key-do-not-use-in-production"

"""Settings of a project with the authentication apps (used by the auth tests)."""

ENV = "dev"
INSTALLED_APPS = ["lys.apps.base", "lys.apps.user_auth", "apps.catalog"]
SECRET_KEY = "insecure-dev-only-test-secret-key-0123456789abcdef"

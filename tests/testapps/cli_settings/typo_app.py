"""An INSTALLED_APPS entry with a typo ('catalgo' for 'catalog')."""

INSTALLED_APPS = ["apps.catalgo"]
SECRET_KEY = "insecure-dev-only-cli-tests"

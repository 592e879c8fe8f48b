"""Installs an app whose models.py raises on import."""

INSTALLED_APPS = ["apps.catalog", "tests.testapps.cli_broken"]
SECRET_KEY = "insecure-dev-only-cli-tests"

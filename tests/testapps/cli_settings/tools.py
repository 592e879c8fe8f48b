"""The reference project plus an app contributing a management command."""

INSTALLED_APPS = ["apps.catalog", "tests.testapps.cli_tools"]
SECRET_KEY = "insecure-dev-only-cli-tests"

"""A misspelt setting (INSTALED_APPS): loading must refuse it, not ignore it."""

INSTALED_APPS = ["apps.catalog"]
SECRET_KEY = "insecure-dev-only-cli-tests"

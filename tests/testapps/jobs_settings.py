"""Settings of the job tests' project (the worker subprocess reads them).

The database, Redis and key prefix come from ``LYS_*`` variables each test sets.
"""

ENV = "dev"
INSTALLED_APPS = ["lys.apps.base", "tests.testapps.jobs_demo"]
SECRET_KEY = "insecure-dev-only-test-secret-key-0123456789abcdef"
LOG_LEVEL = "INFO"

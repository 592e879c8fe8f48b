"""Settings for tests: explicit values only, cheap where production is deliberately slow.

The environment and ``.env`` never reach test settings: a developer's ``LYS_DATABASE_URL``
must not point the suite (which empties tables) at a real database.
"""

from __future__ import annotations

import importlib
from typing import Any

from lys.conf.loader import load_settings
from lys.conf.settings import Settings

#: What tests change by default; each can still be overridden.
TEST_DEFAULTS: dict[str, Any] = {
    # Suites send many requests per application.
    "rate_limit_per_minute": 0,
    # Tests log in a lot; production keeps the default argon2 cost.
    "argon2_time_cost": 1,
    "argon2_memory_cost": 1024,
    "argon2_parallelism": 1,
}
#: Signs the tokens of tests whose settings module has no SECRET_KEY.
TEST_SECRET_KEY = "insecure-dev-only-test-secret-key-0123456789abcdef"


def build_settings(*, settings_module: str | None = None, **overrides: Any) -> Settings:
    """The settings module's values (if any), :data:`TEST_DEFAULTS`, then ``overrides``.

    Overrides use the lower-case field names: ``build_settings(installed_apps=[...])``.
    """
    values = {**TEST_DEFAULTS, **overrides}
    return load_settings(
        settings_module,
        environ={},
        env_file=None,
        overrides={key.upper(): value for key, value in values.items()},
    )


def project_settings(
    settings_module: str, database_url: str, overrides: dict[str, Any] | None = None
) -> Settings:
    """A project's settings for its tests: its own database, no bootstrap super user,
    and a signing key when the module has none (tests log users in)."""
    try:
        module = importlib.import_module(settings_module)
    except ImportError:
        module = None  # build_settings reports it, naming the module
    values: dict[str, Any] = {
        "database_url": database_url,
        # Tests make their users with factories; a bootstrap user would be in every test.
        "super_user_email": None,
        # Jobs wait on Dramatiq's stub broker until a test runs them (the ``jobs`` fixture).
        "job_broker": "stub",
    }
    if not getattr(module, "SECRET_KEY", None):
        values["secret_key"] = TEST_SECRET_KEY
    values.update(overrides or {})
    return build_settings(settings_module=settings_module, **values)

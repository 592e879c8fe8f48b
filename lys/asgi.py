"""ASGI entry point for servers: ``uvicorn --factory lys.asgi:application_from_environment``.

Settings come from ``LYS_SETTINGS_MODULE`` (and ``LYS_*`` variables), so every worker
process a server forks builds the same application.
"""

from __future__ import annotations

import os

from litestar import Litestar

from lys.application import Application
from lys.conf.loader import SETTINGS_MODULE_VARIABLE
from lys.logging import configure_logging


def application_from_environment() -> Litestar:
    application = Application.from_settings(os.environ.get(SETTINGS_MODULE_VARIABLE))
    configure_logging(application.settings)
    return application.asgi()

"""Settings: one validated pydantic model fed by a module, ``.env`` and ``LYS_*`` variables."""

from lys.conf.environments import Environment
from lys.conf.loader import SETTINGS_MODULE_VARIABLE, load_settings
from lys.conf.settings import INSECURE_SECRET_MARKER, Settings

__all__ = [
    "INSECURE_SECRET_MARKER",
    "SETTINGS_MODULE_VARIABLE",
    "Environment",
    "Settings",
    "load_settings",
]

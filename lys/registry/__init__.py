"""App loading and the per-application registry of models, services and the rest."""

from lys.registry.app_config import AppConfig
from lys.registry.loader import ALL_COMPONENTS, populate
from lys.registry.registry import Registry

__all__ = ["ALL_COMPONENTS", "AppConfig", "Registry", "populate"]

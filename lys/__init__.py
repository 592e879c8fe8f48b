"""Lys: a sync-first, Django-style framework for SDL-first GraphQL APIs."""

from lys.application import Application
from lys.conf import Environment, Settings, load_settings
from lys.errors import (
    BadRequestError,
    CommandError,
    ImproperlyConfigured,
    LysError,
    NotFoundError,
    ValidationError,
)
from lys.fixtures import BusinessFixture, Fixture, ParametricFixture, ParametricRow
from lys.models import Entity, ParametricEntity
from lys.services import EntityService, Service

__version__ = "0.1.0"

__all__ = [
    "Application",
    "BadRequestError",
    "BusinessFixture",
    "CommandError",
    "Entity",
    "EntityService",
    "Environment",
    "Fixture",
    "ImproperlyConfigured",
    "LysError",
    "NotFoundError",
    "ParametricEntity",
    "ParametricFixture",
    "ParametricRow",
    "Service",
    "Settings",
    "ValidationError",
    "load_settings",
]

"""Lys: a sync-first, Django-style framework for SDL-first GraphQL APIs."""

from lys.application import Application
from lys.conf import Environment, Settings, load_settings
from lys.errors import (
    BadRequestError,
    CommandError,
    ImproperlyConfigured,
    LysError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from lys.fixtures import BusinessFixture, Fixture, ParametricFixture, ParametricRow
from lys.graphql import connection, creation, deletion, edition, getter, validate_input
from lys.jobs import job, periodic
from lys.models import Entity, OrganizationOwned, ParametricEntity, UserOwned
from lys.services import EntityService, ParametricEntityService, Service

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
    "OrganizationOwned",
    "ParametricEntity",
    "ParametricEntityService",
    "ParametricFixture",
    "ParametricRow",
    "PermissionDeniedError",
    "Service",
    "Settings",
    "UserOwned",
    "ValidationError",
    "connection",
    "creation",
    "deletion",
    "edition",
    "getter",
    "job",
    "load_settings",
    "periodic",
    "validate_input",
]

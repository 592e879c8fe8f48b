"""Services: business logic reused by resolvers, jobs, fixtures and commands."""

from lys.services.base import EntityService, ParametricEntityService, Service

__all__ = ["EntityService", "ParametricEntityService", "Service"]

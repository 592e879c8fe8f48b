"""Services: business logic reused by resolvers, jobs, fixtures and commands."""

from lys.services.base import EntityService, Service

__all__ = ["EntityService", "Service"]

"""Testing Lys projects: the pytest plugin's machinery, usable on its own.

The plugin (:mod:`lys.testing.plugin`, loaded by pytest through the ``lys`` entry point)
gives the fixtures; this package holds what they are made of, for suites that build
their applications themselves. Factories live in :mod:`lys.testing.factories` (they
need factory-boy: ``pip install 'lys[testing]'``).
"""

from lys.testing.client import ClientPool, GraphQLOperationError, open_client, post_graphql
from lys.testing.context import use_application
from lys.testing.queries import QueryCounter
from lys.testing.settings import build_settings
from lys.testing.users import (
    ACCESS_LEVELS,
    DEFAULT_PASSWORD,
    Caller,
    GraphQL,
    Users,
    access_level,
)

__all__ = [
    "ACCESS_LEVELS",
    "DEFAULT_PASSWORD",
    "Caller",
    "ClientPool",
    "GraphQL",
    "GraphQLOperationError",
    "QueryCounter",
    "Users",
    "access_level",
    "build_settings",
    "open_client",
    "post_graphql",
    "use_application",
]

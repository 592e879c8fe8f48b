"""GraphQL: the merged SDL-first schema, cached execution and the error shape."""

from lys.graphql.context import RequestContext
from lys.graphql.execution import plain
from lys.graphql.executor import GraphQLExecutor
from lys.graphql.operations import (
    connection,
    creation,
    deletion,
    edition,
    getter,
    validate_input,
)
from lys.graphql.schema import build_schema, print_sdl

__all__ = [
    "GraphQLExecutor",
    "RequestContext",
    "build_schema",
    "connection",
    "creation",
    "deletion",
    "edition",
    "getter",
    "plain",
    "print_sdl",
    "validate_input",
]

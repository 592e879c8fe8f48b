"""What each deployment environment turns on by default.

Debug, GraphiQL and introspection are conveniences for a developer's machine; every
environment closer to production switches more of them off and logs less.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Environment(StrEnum):
    DEV = "dev"
    DEMO = "demo"
    PREPROD = "preprod"
    PROD = "prod"


@dataclass(frozen=True)
class EnvironmentDefaults:
    debug: bool
    graphiql: bool
    introspection: bool
    log_level: str


ENVIRONMENT_DEFAULTS: dict[Environment, EnvironmentDefaults] = {
    Environment.DEV: EnvironmentDefaults(
        debug=True, graphiql=True, introspection=True, log_level="DEBUG"
    ),
    Environment.DEMO: EnvironmentDefaults(
        debug=False, graphiql=False, introspection=True, log_level="INFO"
    ),
    Environment.PREPROD: EnvironmentDefaults(
        debug=False, graphiql=False, introspection=False, log_level="WARNING"
    ),
    Environment.PROD: EnvironmentDefaults(
        debug=False, graphiql=False, introspection=False, log_level="ERROR"
    ),
}

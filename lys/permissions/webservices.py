"""Webservices: every root field of Query and Mutation, with who may call it.

Declared in SDL next to the field with ``@access``; read once when the schema is built,
checked before every root resolver runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ariadne import convert_camel_case_to_snake
from graphql import GraphQLField, GraphQLObjectType, GraphQLSchema

from lys.errors import ImproperlyConfigured, LysError, PermissionDeniedError

NO_LIMITATION = "NO_LIMITATION"
DISCONNECTED = "DISCONNECTED"
CONNECTED = "CONNECTED"
LEVELS = ("CONNECTED", "OWNER", "ROLE", "ORGANIZATION_ROLE", "INTERNAL_SERVICE")
#: Fields every schema has, public by nature (the objects they return are filtered).
FRAMEWORK_FIELDS = {"node", "nodes"}


class AccessDeniedError(LysError):
    """An anonymous caller asked for something that needs a connection."""

    code = "ACCESS_DENIED_ERROR"
    status_code = 401
    default_detail = "Log in to do this."


@dataclass
class Webservice:
    """A root field's access declaration. Its name is the field's snake_case name."""

    name: str
    field_name: str
    operation_type: str
    public_type: str | None = None
    access_levels: tuple[str, ...] = ()
    is_licenced: bool = False
    enabled: bool = True
    app: str | None = None

    def validate(self) -> None:
        problem = None
        if self.public_type and self.access_levels:
            problem = "a public webservice cannot be configured with any access level"
        elif self.public_type and self.is_licenced:
            problem = "a public webservice cannot be licenced"
        elif CONNECTED in self.access_levels and set(self.access_levels) - {
            CONNECTED,
            "INTERNAL_SERVICE",
        }:
            problem = "connected access level cannot be associated with another access level"
        if problem:
            raise ImproperlyConfigured(
                f"Wrong configuration for webservice '{self.name}' ({self.operation_type} "
                f"field {self.field_name}): {problem}"
            )


#: ``(context, webservice) -> bool``: does this access level let the caller in?
LevelCheck = Callable[[Any, Webservice], bool]


@dataclass
class AccessControl:
    """The checks installed by the apps (user_auth: CONNECTED, OWNER; later roles...)."""

    level_checks: dict[str, LevelCheck] = field(default_factory=dict)
    enforced: bool = False

    def check(self, context: Any, webservice: Webservice) -> None:
        if not self.enforced:
            return
        principal = context.principal
        if webservice.public_type == NO_LIMITATION:
            return
        if webservice.public_type == DISCONNECTED:
            if principal is None:
                return
            raise PermissionDeniedError("Only callers who are not connected may do this.")
        if principal is not None and principal.is_super_user:
            return
        granted = [
            level
            for level in webservice.access_levels
            if level in self.level_checks and self.level_checks[level](context, webservice)
        ]
        if granted:
            context.granted_levels = tuple(granted)
            return
        if principal is None:
            raise AccessDeniedError()
        raise PermissionDeniedError()


def read_webservices(schema: GraphQLSchema) -> dict[str, Webservice]:
    webservices: dict[str, Webservice] = {}
    for operation, root in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        if root is None:
            continue
        for field_name, field_def in root.fields.items():
            webservice = _declared(field_name, field_def, operation)
            webservice.validate()
            webservices[webservice.name] = webservice
    return webservices


def guard_root_fields(schema: GraphQLSchema, registry: Any) -> None:
    """Wrap every root resolver with the access check of its webservice."""
    for root in (schema.query_type, schema.mutation_type):
        if not isinstance(root, GraphQLObjectType):
            continue
        for field_name, field_def in root.fields.items():
            name = convert_camel_case_to_snake(field_name)
            field_def.resolve = _guarded(field_def.resolve, name, registry)


def _guarded(resolve: Any, name: str, registry: Any) -> Any:
    def resolve_guarded(obj: Any, info: Any, **kwargs: Any) -> Any:
        webservice = registry.webservices[name]
        if not webservice.enabled:
            raise LysError(
                f"The operation {webservice.field_name} is disabled.",
                code="UNKNOWN_WEBSERVICE",
            )
        registry.access_control.check(info.context, webservice)
        if resolve is None:
            return getattr(obj, name, None) if obj is not None else None
        return resolve(obj, info, **kwargs)

    return resolve_guarded


def _declared(field_name: str, field_def: GraphQLField, operation: str) -> Webservice:
    webservice = Webservice(
        name=convert_camel_case_to_snake(field_name),
        field_name=field_name,
        operation_type=operation,
    )
    node = field_def.ast_node
    for directive in (node.directives if node else ()) or ():
        if directive.name.value != "access":
            continue
        for argument in directive.arguments:
            value = argument.value
            if argument.name.value == "public":
                webservice.public_type = value.value  # type: ignore[attr-defined]
            elif argument.name.value == "levels":
                webservice.access_levels = tuple(v.value for v in value.values)  # type: ignore[attr-defined]
            elif argument.name.value == "licensed":
                webservice.is_licenced = bool(value.value)  # type: ignore[attr-defined]
    if field_name in FRAMEWORK_FIELDS:
        webservice.public_type = NO_LIMITATION
    return webservice

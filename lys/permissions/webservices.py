"""Webservices: every root field of Query and Mutation, with who may call it.

Declared in SDL next to the field with ``@access``; read once when the schema is built
(with the overrides later apps asked for), checked before every root resolver runs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ariadne import convert_camel_case_to_snake
from graphql import GraphQLField, GraphQLObjectType, GraphQLSchema

from lys.errors import ImproperlyConfigured, LysError
from lys.permissions.builtin import CONNECTED, INTERNAL_SERVICE, LEVELS, NO_LIMITATION
from lys.permissions.chain import PermissionChain
from lys.permissions.grants import FULL
from lys.permissions.switches import NoSwitches

#: Fields every schema has: what they return is checked object by object instead.
FRAMEWORK_FIELDS = {"node", "nodes"}
#: Marks an override argument left alone.
UNCHANGED: Any = object()


class UnknownWebserviceError(LysError):
    code = "UNKNOWN_WEBSERVICE"
    status_code = 404
    default_detail = "This operation does not exist or is disabled."


@dataclass(frozen=True)
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
    description: str | None = None

    def validate(self) -> None:
        problem = None
        unknown = set(self.access_levels) - set(LEVELS)
        if unknown:
            problem = f"unknown access levels {sorted(unknown)}"
        elif self.public_type and self.access_levels:
            problem = "a public webservice cannot be configured with any access level"
        elif self.public_type and self.is_licenced:
            problem = "a public webservice cannot be licenced"
        elif CONNECTED in self.access_levels and set(self.access_levels) - {
            CONNECTED,
            INTERNAL_SERVICE,
        }:
            problem = "connected access level cannot be associated with another access level"
        if problem:
            raise ImproperlyConfigured(
                f"Wrong configuration for webservice '{self.name}' ({self.operation_type} "
                f"field {self.field_name}{', changed by ' + self.app if self.app else ''}): "
                f"{problem}"
            )


@dataclass(frozen=True)
class WebserviceOverride:
    """A later app's change to an earlier app's webservice, applied when the schema is
    read (see ``override_webservice``)."""

    app: str
    name: str
    public: Any = UNCHANGED
    levels: Any = UNCHANGED
    licensed: Any = UNCHANGED
    enabled: Any = UNCHANGED


def override_webservice(
    registry: Any,
    name: str,
    *,
    app: str,
    public: str | None = UNCHANGED,
    levels: tuple[str, ...] | list[str] = UNCHANGED,
    licensed: bool = UNCHANGED,
    enabled: bool = UNCHANGED,
) -> None:
    """Change who may call an installed webservice (``name`` in snake_case), from code.

    Called from an app's ``ready(application)``; checked when the schema is read, so
    an unknown name or a wrong combination stops the start, naming ``app``.
    """
    if levels is not UNCHANGED:
        levels = tuple(levels)
    registry.webservice_overrides.append(
        WebserviceOverride(app, name, public, levels, licensed, enabled)
    )


def disable_webservice(registry: Any, name: str, *, app: str) -> None:
    """Turn an installed webservice off: it stays in the schema and answers
    UNKNOWN_WEBSERVICE."""
    override_webservice(registry, name, app=app, enabled=False)


def read_webservices(schema: GraphQLSchema, overrides: list[Any] = ()) -> dict[str, Webservice]:  # type: ignore[assignment]
    webservices: dict[str, Webservice] = {}
    for operation, root in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        if root is None:
            continue
        for field_name, field_def in root.fields.items():
            webservice = _declared(field_name, field_def, operation)
            webservice.validate()
            webservices[webservice.name] = webservice
    for override in overrides:
        webservices[override.name] = _apply(webservices, override)
    return webservices


def _apply(webservices: dict[str, Webservice], override: WebserviceOverride) -> Webservice:
    current = webservices.get(override.name)
    if current is None:
        raise ImproperlyConfigured(
            f"app {override.app} overrides the webservice {override.name!r}, which no "
            f"installed app declares (known: {', '.join(sorted(webservices)) or 'none'})"
        )
    changes: dict[str, Any] = {"app": override.app}
    if override.public is not UNCHANGED:
        changes["public_type"] = override.public
    if override.levels is not UNCHANGED:
        changes["access_levels"] = override.levels
    if override.licensed is not UNCHANGED:
        changes["is_licenced"] = override.licensed
    if override.enabled is not UNCHANGED:
        changes["enabled"] = override.enabled
    changed = replace(current, **changes)
    changed.validate()
    return changed


class AccessControl:
    """Checks a root field's webservice before its resolver runs and leaves the
    resulting ``Access`` on the context for the row scopes."""

    def __init__(
        self,
        chain: PermissionChain | None = None,
        *,
        enforced: bool = False,
        switches: Any = None,
    ) -> None:
        self.chain = chain or PermissionChain([])
        self.enforced = enforced
        self.switches = switches or NoSwitches()

    def is_available(self, webservice: Webservice) -> bool:
        return webservice.enabled and not self.switches.is_off(webservice.name)

    def check(self, context: Any, webservice: Webservice) -> None:
        if not self.is_available(webservice):
            raise UnknownWebserviceError(f"The operation {webservice.field_name} is disabled.")
        if not self.enforced:
            if context is not None:
                context.access = FULL
        elif webservice.name in FRAMEWORK_FIELDS:
            context.access = self.chain.baseline(context)
        else:
            context.access = self.chain.evaluate(context, webservice)


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
        registry.access_control.check(info.context, registry.webservices[name])
        if resolve is None:
            return getattr(obj, name, None) if obj is not None else None
        return resolve(obj, info, **kwargs)

    return resolve_guarded


def _declared(field_name: str, field_def: GraphQLField, operation: str) -> Webservice:
    values: dict[str, Any] = {}
    node = field_def.ast_node
    for directive in (node.directives if node else ()) or ():
        if directive.name.value != "access":
            continue
        for argument in directive.arguments:
            value = argument.value
            if argument.name.value == "public":
                values["public_type"] = value.value  # type: ignore[union-attr]
            elif argument.name.value == "levels":
                values["access_levels"] = tuple(v.value for v in value.values)  # type: ignore[union-attr]
            elif argument.name.value == "licensed":
                values["is_licenced"] = bool(value.value)  # type: ignore[union-attr]
    if field_name in FRAMEWORK_FIELDS:
        values = {"public_type": NO_LIMITATION}
    return Webservice(
        name=convert_camel_case_to_snake(field_name),
        field_name=field_name,
        operation_type=operation,
        description=field_def.description,
        **values,
    )

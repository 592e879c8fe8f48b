"""Builds one executable schema from the framework's SDL and every installed app's.

Each file is parsed on its own so every error can name the app and the file it comes
from: a syntax error, a type defined twice, a resolver bound to a field the SDL lacks.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any

from ariadne import SchemaDirectiveVisitor
from ariadne.enums_default_values import (
    repair_schema_default_enum_values,
    validate_schema_default_enum_values,
)
from ariadne.schema_names import convert_schema_names
from ariadne.types import SchemaBindable
from graphql import (
    DocumentNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    Source,
    assert_valid_schema,
    build_ast_schema,
    parse,
    print_schema,
    validate_schema,
)
from graphql.language import TypeDefinitionNode, TypeExtensionNode
from graphql.validation.validate import validate_sdl

from lys.errors import ImproperlyConfigured
from lys.graphql.relay import bind_nodes
from lys.graphql.resolvers import bind_attribute_resolvers, bind_list_registration
from lys.graphql.scalars import SCALARS
from lys.permissions.webservices import AccessControl, guard_root_fields, read_webservices
from lys.registry.registry import Registry, SchemaFile

BASE_SDL = Path(__file__).with_name("base.graphql")
FRAMEWORK = "lys"
_ROOTS = ("Query", "Mutation")


def build_schema(
    registry: Registry, directives: dict[str, type[SchemaDirectiveVisitor]] | None = None
) -> GraphQLSchema:
    """The executable schema merged from the framework's SDL and the apps' schema files."""
    files = [SchemaFile(FRAMEWORK, BASE_SDL), *registry.schema_files]
    documents = [(file, _parse_file(file)) for file in files]
    _refuse_duplicate_types(documents)
    _apply_field_overrides(documents)
    definitions = [d for _, doc in documents for d in doc.definitions]
    definitions = _root_definitions(definitions) + definitions
    document = DocumentNode(definitions=tuple(definitions))
    apps = {str(file.path): file.app for file in files}
    # build_ast_schema would validate too, but its error drops the files and lines.
    _raise_located(validate_sdl(document), apps)
    try:
        schema = build_ast_schema(document)
    except (GraphQLError, TypeError) as exc:
        raise ImproperlyConfigured(f"invalid GraphQL schema: {_locate(exc, apps)}") from None

    bound: set[int] = set()
    for scalar in SCALARS:
        scalar.bind_to_schema(schema)
    for group in registry.bindables:
        for bindable in group.items:
            if id(bindable) in bound:
                continue  # imported from another app's resolvers: already bound there
            if not isinstance(bindable, SchemaBindable):
                raise ImproperlyConfigured(
                    f"app {group.app}: {group.origin}: {bindable!r} is not an Ariadne bindable"
                )
            try:
                bindable.bind_to_schema(schema)
            except (ValueError, TypeError) as exc:
                raise ImproperlyConfigured(f"app {group.app}: {group.origin}: {exc}") from None
            bound.add(id(bindable))

    bind_nodes(schema, registry)
    bind_attribute_resolvers(schema)
    convert_schema_names(schema, None)
    if directives:
        SchemaDirectiveVisitor.visit_schema_directives(schema, directives)
    bind_list_registration(schema)
    registry.webservices = read_webservices(schema, registry.webservice_overrides)
    if registry.access_control is None:
        registry.access_control = AccessControl()
    guard_root_fields(schema, registry)
    _raise_located(validate_schema(schema), apps)
    try:
        validate_schema_default_enum_values(schema)
        assert_valid_schema(schema)
    except (GraphQLError, TypeError, ValueError) as exc:
        raise ImproperlyConfigured(f"invalid GraphQL schema: {_locate(exc, apps)}") from None
    repair_schema_default_enum_values(schema)
    _accept_hide_suggestions(schema)
    return schema


def _accept_hide_suggestions(schema: GraphQLSchema) -> None:
    """Give enums a ``parse_value`` taking graphql-core's ``hide_suggestions`` argument.

    Ariadne's repair replaces it with a one-argument function, while graphql-core calls
    it with two for every enum in variables: each such variable failed as an internal
    error. Values ariadne let through (already converted ones) still pass.
    """
    for type_ in schema.type_map.values():
        if isinstance(type_, GraphQLEnumType) and not type_.name.startswith("__"):
            type_.parse_value = _enum_parser(type_)  # type: ignore[method-assign]


def _enum_parser(enum_type: GraphQLEnumType) -> Any:
    def parse_value(input_value: Any, hide_suggestions: bool = False) -> Any:
        if not isinstance(input_value, str) or isinstance(input_value, Enum):
            try:
                if input_value in enum_type._value_lookup:
                    return input_value
            except TypeError:  # unhashable: a list or an object, refused below
                pass
        return GraphQLEnumType.parse_value(enum_type, input_value, hide_suggestions)

    return parse_value


def print_sdl(schema: GraphQLSchema) -> str:
    """The schema as SDL text, ending with one newline."""
    return print_schema(schema).rstrip() + "\n"


def _parse_file(file: SchemaFile) -> DocumentNode:
    try:
        text = file.path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ImproperlyConfigured(f"app {file.app}: cannot read {file.path}: {exc}") from None
    if not _has_content(text):
        return DocumentNode(definitions=())
    try:
        return parse(Source(text, str(file.path)))
    except GraphQLSyntaxError as exc:
        where = ""
        if exc.locations:
            where = f":{exc.locations[0].line}:{exc.locations[0].column}"
        raise ImproperlyConfigured(
            f"app {file.app}: {file.path}{where}: GraphQL syntax error: {exc.message}"
        ) from None


def _has_content(text: str) -> bool:
    return any(line.strip() and not line.strip().startswith("#") for line in text.splitlines())


def _refuse_duplicate_types(documents: list[tuple[SchemaFile, DocumentNode]]) -> None:
    owners: dict[str, SchemaFile] = {}
    for file, document in documents:
        for definition in document.definitions:
            if not isinstance(definition, TypeDefinitionNode):
                continue
            name = definition.name.value
            if name in owners:
                first = owners[name]
                raise ImproperlyConfigured(
                    f"app {file.app}: {file.path}: type {name!r} is already defined by app "
                    f"{first.app} in {first.path}; use 'extend type {name}' to add fields"
                )
            owners[name] = file


def _apply_field_overrides(documents: list[tuple[SchemaFile, DocumentNode]]) -> None:
    """A field declared again with ``@override`` by a later app replaces the earlier
    declaration (arguments, type, ``@access``); without it, a second declaration is
    the usual duplicate-field error."""
    declared: dict[tuple[str, str], tuple[Any, SchemaFile]] = {}
    for file, document in documents:
        for definition in document.definitions:
            fields = getattr(definition, "fields", None)
            if not fields or not isinstance(definition, TypeDefinitionNode | TypeExtensionNode):
                continue
            type_name = definition.name.value
            for field_node in fields:
                key = (type_name, field_node.name.value)
                overrides = any(d.name.value == "override" for d in field_node.directives or ())
                if overrides:
                    earlier = declared.get(key)
                    if earlier is None:
                        raise ImproperlyConfigured(
                            f"app {file.app}: {file.path}: {type_name}.{key[1]} is marked "
                            "@override but no earlier app declares it"
                        )
                    owner, _ = earlier
                    owner.fields = tuple(f for f in owner.fields if f.name.value != key[1])
                declared[key] = (definition, file)


def _root_definitions(definitions: list[Any]) -> list[Any]:
    """Declare ``Query`` and ``Mutation`` for apps to extend, when they are extended."""
    defined = {d.name.value for d in definitions if isinstance(d, TypeDefinitionNode)}
    extended = {d.name.value for d in definitions if isinstance(d, TypeExtensionNode)}
    sdl = []
    if "Query" not in defined:
        sdl.append("type Query")  # the framework's own SDL extends it with node and nodes
    if "Mutation" not in defined and "Mutation" in extended:
        sdl.append("type Mutation")
    if not sdl:
        return []
    return list(parse("\n".join(sdl), no_location=True).definitions)


def _raise_located(errors: list[GraphQLError], apps: dict[str, str]) -> None:
    if errors:
        located = "; ".join(dict.fromkeys(_locate(error, apps) for error in errors))
        raise ImproperlyConfigured(f"invalid GraphQL schema: {located}")


def _locate(exc: Exception, apps: dict[str, str] | None = None) -> str:
    """An error message with the app, file and line of each SDL node it is about, if known."""
    message = str(exc).split("\n")[0]
    places = []
    for node in getattr(exc, "nodes", None) or ():
        loc = getattr(node, "loc", None)
        if loc is not None and loc.source is not None and loc.source.name != "GraphQL request":
            line = loc.source.get_location(loc.start).line
            app = (apps or {}).get(loc.source.name)
            place = f"{loc.source.name}:{line}"
            places.append(f"app {app}: {place}" if app else place)
    if places:
        return f"{', '.join(dict.fromkeys(places))}: {message}"
    return message

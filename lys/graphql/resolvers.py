"""Default field resolvers: attributes by their snake_case name, relations batched.

A field with no resolver of its own reads the attribute of the same (snake_case)
name; when that attribute is a relationship not loaded yet, it is fetched through the
request's loaders, for the object's siblings at once, so lists never cost a query
per item.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ariadne import convert_camel_case_to_snake
from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
)
from sqlalchemy import inspect as sa_inspect

from lys.graphql.execution import plain

_RELATIONS: dict[type, frozenset[str]] = {}
#: Mapped classes: their loaded attributes are read from the instance's __dict__.
_MAPPED: set[type] = set()


def relation_names(cls: type) -> frozenset[str]:
    names = _RELATIONS.get(cls)
    if names is None:
        mapper: Any = sa_inspect(cls, raiseerr=False)
        names = frozenset(mapper.relationships.keys()) if mapper is not None else frozenset()
        if mapper is not None:
            _MAPPED.add(cls)
        _RELATIONS[cls] = names
    return names


def attribute_resolver(name: str) -> Any:
    def read(obj: Any, context: Any) -> Any:
        cls = obj.__class__
        if cls is dict:
            return obj.get(name)
        relations = _RELATIONS.get(cls)
        if relations is None:
            # Known classes skip this: relation names are cached for non-mappings only.
            if isinstance(obj, Mapping):
                return obj.get(name)
            relations = relation_names(cls)
        if cls in _MAPPED:
            # What the ORM's attribute returns for a loaded value, without the call.
            values = obj.__dict__
            if name in values:
                return values[name]
        if name in relations:
            return context.loaders.load_relation(obj, name)
        return getattr(obj, name, None)

    @plain(read)
    def resolve(obj: Any, info: GraphQLResolveInfo, **_kwargs: Any) -> Any:
        return read(obj, info.context)

    return resolve


def list_registering(resolve: Any) -> Any:
    """Wrap a list field's resolver so its items batch their relations as siblings."""

    def register(result: Any, context: Any) -> Any:
        if result and isinstance(result, list | tuple):
            loaders = getattr(context, "loaders", None)  # absent outside Lys requests
            if loaders is not None:
                loaders.groups.register(result)
        return result

    def resolve_list(obj: Any, info: GraphQLResolveInfo, **kwargs: Any) -> Any:
        return register(resolve(obj, info, **kwargs), info.context)

    reader = getattr(resolve, "lys_plain", None)
    if reader is not None:
        plain(lambda obj, context: register(reader(obj, context), context))(resolve_list)
    return resolve_list


def _returns_object_list(field: GraphQLField) -> bool:
    type_ = field.type
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if not isinstance(type_, GraphQLList):
        return False
    item = get_named_type(type_)
    return isinstance(item, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType)


def bind_attribute_resolvers(schema: GraphQLSchema) -> None:
    roots = {schema.query_type, schema.mutation_type, schema.subscription_type}
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_ in roots:
            continue
        if type_.name.startswith("__"):
            continue
        for field_name, field in type_.fields.items():
            if field.resolve is None:
                field.resolve = attribute_resolver(convert_camel_case_to_snake(field_name))


def bind_list_registration(schema: GraphQLSchema) -> None:
    """Every field returning a list of objects registers it as a sibling group.

    Done per field at build time rather than as an execution middleware, which would
    wrap every scalar field of every request too.
    """
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        for field in type_.fields.values():
            if field.resolve is not None and _returns_object_list(field):
                field.resolve = list_registering(field.resolve)

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
from graphql import GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema
from sqlalchemy import inspect as sa_inspect

_RELATIONS: dict[type, frozenset[str]] = {}


def relation_names(cls: type) -> frozenset[str]:
    names = _RELATIONS.get(cls)
    if names is None:
        mapper = sa_inspect(cls, raiseerr=False)
        names = frozenset(mapper.relationships.keys()) if mapper is not None else frozenset()
        _RELATIONS[cls] = names
    return names


def attribute_resolver(name: str) -> Any:
    def resolve(obj: Any, info: GraphQLResolveInfo, **_kwargs: Any) -> Any:
        if isinstance(obj, Mapping):
            return obj.get(name)
        if name in relation_names(type(obj)):
            return info.context.loaders.load_relation(obj, name)
        return getattr(obj, name, None)

    return resolve


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

"""Relay nodes: object types mapped to models with ``@model``, global ids, ``node``/``nodes``."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from graphql import GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema

from lys.db.rows import load_by_pk
from lys.errors import ImproperlyConfigured, NotFoundError, ValidationError
from lys.graphql.execution import plain
from lys.graphql.global_ids import decode_global_id, encode_global_id, parse_pk
from lys.registry.registry import Registry


def bind_nodes(schema: GraphQLSchema, registry: Registry) -> None:
    """Read ``@model`` from the SDL, give those types global ids, wire ``node``/``nodes``."""
    registry.node_models.clear()
    registry.model_nodes.clear()
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        model_name = _model_directive(type_)
        if model_name is None:
            continue
        if model_name not in registry.tables:
            raise ImproperlyConfigured(
                f"type {type_.name} is mapped with @model(name: {model_name!r}) but no "
                f"installed app declares that model ({_where(type_)})"
            )
        registry.node_models[type_.name] = model_name
        registry.model_nodes.setdefault(model_name, type_.name)
        id_field = type_.fields.get("id")
        if id_field is not None and id_field.resolve is None:
            id_field.resolve = _global_id_resolver(type_.name)
    node = schema.type_map.get("Node")
    if node is not None:
        node.resolve_type = _resolve_node_type  # type: ignore[attr-defined]
    query = schema.query_type
    if query is not None:
        if "node" in query.fields and query.fields["node"].resolve is None:
            query.fields["node"].resolve = _resolve_node
        if "nodes" in query.fields and query.fields["nodes"].resolve is None:
            query.fields["nodes"].resolve = _resolve_nodes


def load_node(
    info: GraphQLResolveInfo, global_id: Any, node_type: str, *, field: str = "id"
) -> Any:
    """The object behind a global id of ``node_type``; NOT_FOUND when missing or hidden.

    Hidden and missing answer the same, so ids cannot be probed across tenants.
    """
    context = info.context
    _type, pk = decode_global_id(global_id, node_type, field=field)
    model = context.model(context.registry.node_models[node_type])
    entity = load_by_pk(context.session, model, parse_pk(model, pk, field=field))
    if entity is None or not context.registry.access_policy.can_see(entity, context):
        raise NotFoundError(f"No {node_type} with this {field}.", extensions={"field": field})
    return entity


def node_pk(info: GraphQLResolveInfo, global_id: Any, node_type: str, *, field: str) -> Any:
    """The primary key a global id of ``node_type`` names, without loading the row."""
    context = info.context
    _type, pk = decode_global_id(global_id, node_type, field=field)
    model = context.model(context.registry.node_models[node_type])
    return parse_pk(model, pk, field=field)


def _model_directive(type_: GraphQLObjectType) -> str | None:
    nodes = [type_.ast_node, *(type_.extension_ast_nodes or ())]
    for node in nodes:
        for directive in getattr(node, "directives", None) or ():
            if directive.name.value == "model":
                for argument in directive.arguments:
                    if argument.name.value == "name":
                        return argument.value.value
    return None


def _where(type_: GraphQLObjectType) -> str:
    loc = type_.ast_node.loc if type_.ast_node else None
    if loc is None or loc.source is None:
        return "SDL"
    return f"{loc.source.name}:{loc.source.get_location(loc.start).line}"


def _global_id_resolver(type_name: str) -> Any:
    def read(obj: Any, _context: Any = None) -> str:
        return encode_global_id(type_name, obj["id"] if isinstance(obj, dict) else obj.id)

    @plain(read)
    def resolve_id(obj: Any, _info: GraphQLResolveInfo, **_kwargs: Any) -> str:
        return read(obj)

    return resolve_id


def _resolve_node_type(obj: Any, info: GraphQLResolveInfo, *_args: Any) -> str | None:
    model_name = getattr(type(obj), "model_name", None)
    if model_name is None:
        return None
    return info.context.registry.model_nodes.get(model_name())


def _resolve_node(_obj: Any, info: GraphQLResolveInfo, id: str) -> Any:
    node_models = info.context.registry.node_models
    type_name, _pk = decode_global_id(id, node_models.keys())
    try:
        return load_node(info, id, type_name)
    except NotFoundError:
        return None


def _resolve_nodes(_obj: Any, info: GraphQLResolveInfo, ids: list[str]) -> list[Any]:
    """One query per type asked for, whatever the number of ids."""
    context = info.context
    limit = context.settings.page_size_max
    if len(ids) > limit:
        raise ValidationError(
            f"At most {limit} ids per call; got {len(ids)}.",
            extensions={"field": "ids", "limit": limit},
        )
    node_models = context.registry.node_models
    wanted: dict[str, list[Any]] = defaultdict(list)
    keys: list[tuple[str, Any]] = []
    for index, global_id in enumerate(ids):
        type_name, pk = decode_global_id(global_id, node_models.keys(), field=f"ids.{index}")
        model = context.model(node_models[type_name])
        key = parse_pk(model, pk, field=f"ids.{index}")
        wanted[type_name].append(key)
        keys.append((type_name, key))
    found: dict[tuple[str, Any], Any] = {}
    policy = context.registry.access_policy
    for type_name, pks in wanted.items():
        service = context.service(node_models[type_name])
        for entity in service.get_many(context.session, pks):
            if policy.can_see(entity, context):
                found[(type_name, entity.id)] = entity
    return [found.get(key) for key in keys]

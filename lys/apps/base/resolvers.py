"""Thin resolvers of the base app."""

from __future__ import annotations

from typing import Any

from ariadne import MutationType, ObjectType, QueryType
from graphql import GraphQLResolveInfo

from lys.apps.base.accessible import accessible_levels, candidates
from lys.apps.base.registration import register_webservices
from lys.errors import ValidationError
from lys.graphql.operations import connection

query = QueryType()
mutation = MutationType()


@query.field("allLanguages")
@connection("LanguageNode")
def resolve_all_languages(_obj: Any, info: GraphQLResolveInfo, enabled: bool | None = None) -> Any:
    return info.context.service("language").search(enabled)


@query.field("allAccessLevels")
@connection("AccessLevelNode")
def resolve_all_access_levels(
    _obj: Any, info: GraphQLResolveInfo, enabled: bool | None = None
) -> Any:
    return info.context.service("access_level").search(enabled)


# -- webservices ----------------------------------------------------------------------

webservice_node = ObjectType("WebserviceNode")


def _levels_seen(info: GraphQLResolveInfo) -> dict[str, tuple[str, ...]]:
    """Levels computed by the list query of this request (empty for other queries)."""
    return info.context.state.setdefault("webservice_levels", {})


@query.field("allAccessibleWebservices")
@connection("WebserviceNode")
def resolve_all_accessible_webservices(
    _obj: Any, info: GraphQLResolveInfo, role_code: str | None = None
) -> Any:
    context = info.context
    levels = accessible_levels(context, candidates(context))
    _levels_seen(info).update(levels)
    names = set(levels)
    if role_code is not None:
        role_service = context.registry.services.get("role")
        if role_service is None:
            raise ValidationError(
                "roleCode needs the user_role app.", extensions={"field": "roleCode"}
            )
        names &= role_service.webservice_names(context.session, role_code)
    return context.service("webservice").search(names=names)


@query.field("allWebservices")
@connection("WebserviceNode")
def resolve_all_webservices(
    _obj: Any, info: GraphQLResolveInfo, enabled: bool | None = None, app_name: str | None = None
) -> Any:
    return info.context.service("webservice").search(enabled=enabled, app_name=app_name)


@mutation.field("setWebserviceEnabled")
def resolve_set_webservice_enabled(
    _obj: Any, info: GraphQLResolveInfo, code: str, enabled: bool
) -> Any:
    context = info.context
    return context.service("webservice").switch(
        context.session, context.registry, code, enabled=enabled
    )


@webservice_node.field("code")
def resolve_webservice_code(row: Any, _info: GraphQLResolveInfo) -> str:
    return row.id


@webservice_node.field("enabled")
def resolve_webservice_enabled(row: Any, _info: GraphQLResolveInfo) -> bool:
    return bool(row.enabled and not row.switched_off)


@webservice_node.field("publicType")
def resolve_webservice_public_type(row: Any, _info: GraphQLResolveInfo) -> str | None:
    return row.public_type_id


@webservice_node.field("accessLevels")
def resolve_webservice_access_levels(row: Any, info: GraphQLResolveInfo) -> list[str]:
    declared = info.context.registry.webservices.get(row.id)
    if declared is not None:
        return list(declared.access_levels)
    links = info.context.loaders.load_relation(row, "level_links")
    return sorted(link.access_level_id for link in links)


@webservice_node.field("userAccessLevels")
def resolve_webservice_user_access_levels(row: Any, info: GraphQLResolveInfo) -> list[str]:
    seen = _levels_seen(info)
    if row.id not in seen:
        context = info.context
        declared = context.registry.webservices.get(row.id)
        if declared is None:
            return []
        seen.update(accessible_levels(context, [declared]))
    return list(seen.get(row.id, ()))


@mutation.field("registerWebservices")
def resolve_register_webservices(
    _obj: Any, info: GraphQLResolveInfo, webservices: list[dict[str, Any]]
) -> dict[str, Any]:
    context = info.context
    registered = register_webservices(
        context.session,
        context.registry,
        context.settings.service_name,
        context.service_caller,
        webservices,
    )
    return {"success": True, "registered_count": registered.count, "message": registered.message}

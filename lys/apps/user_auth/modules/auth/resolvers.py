"""Thin resolvers: read cookies and the caller, call the auth services, set cookies."""

from __future__ import annotations

from typing import Any

from ariadne import MutationType, QueryType
from graphql import GraphQLResolveInfo

from lys.apps.user_auth.modules.auth.cookies import (
    REFRESH_COOKIE,
    clear_session_cookies,
    read,
    set_session_cookies,
)
from lys.apps.user_auth.modules.auth.errors import (
    BlockedUserError,
    InvalidRefreshTokenError,
    MissingRefreshTokenError,
    RefreshRaceLostError,
)
from lys.apps.user_auth.modules.auth.services import ClientInfo

query = QueryType()
mutation = MutationType()


def _client(context: Any) -> ClientInfo:
    request = context.request
    if request is None:
        return ClientInfo()
    resolver = request.app.state.get("lys_client_address")
    if resolver is not None:
        ip_address = resolver.client_ip(request.scope)
    else:
        ip_address = request.client.host if request.client else None
    return ClientInfo(user_agent=request.headers.get("user-agent"), ip_address=ip_address)


@mutation.field("login")
def resolve_login(_obj: Any, info: GraphQLResolveInfo, inputs: dict[str, Any]) -> dict[str, Any]:
    context = info.context
    grant = context.service("auth").login(
        context.engine,
        inputs.get("login"),
        inputs.get("password"),
        _client(context),
        previous_refresh_token=read(context, REFRESH_COOKIE),
    )
    set_session_cookies(context, grant)
    return {
        "success": True,
        "message": "Logged in.",
        "access_token_expire_in": grant.access_expires_in,
        "xsrf_token": grant.xsrf_token,
    }


@mutation.field("refreshAccessToken")
def resolve_refresh_access_token(_obj: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
    context = info.context
    try:
        grant = context.service("auth").refresh(
            context.engine, read(context, REFRESH_COOKIE), _client(context)
        )
    except RefreshRaceLostError:
        raise  # the concurrent winner's response sets the new cookies
    except (MissingRefreshTokenError, InvalidRefreshTokenError, BlockedUserError):
        clear_session_cookies(context)
        raise
    set_session_cookies(context, grant)
    return {
        "success": True,
        "access_token_expire_in": grant.access_expires_in,
        "xsrf_token": grant.xsrf_token,
    }


@mutation.field("logout")
def resolve_logout(_obj: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
    context = info.context
    principal = context.principal
    context.service("auth").logout(
        context.engine,
        read(context, REFRESH_COOKIE),
        principal.session_id if principal is not None else None,
    )
    clear_session_cookies(context)
    return {"succeed": True, "message": "Logged out."}


@mutation.field("logoutEverywhere")
def resolve_logout_everywhere(_obj: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
    context = info.context
    ended = context.service("auth").logout_everywhere(context.engine, context.principal.user_id)
    clear_session_cookies(context)
    return {"succeed": True, "message": f"{len(ended)} session(s) ended."}


@mutation.field("logoutSession")
def resolve_logout_session(_obj: Any, info: GraphQLResolveInfo, id: Any) -> dict[str, Any]:
    context = info.context
    ended = context.service("auth").logout_session(context.engine, context.principal.user_id, id)
    if id == context.principal.session_id:
        clear_session_cookies(context)
    message = "Session ended." if ended else "No such active session of yours."
    return {"succeed": ended, "message": message}


@query.field("mySessions")
def resolve_my_sessions(_obj: Any, info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    context = info.context
    principal = context.principal
    rows = context.service("user_session").active(context.session, principal.user_id)
    return [
        {
            "id": row.id,
            "created_at": row.created_at,
            "last_used_at": row.last_used_at,
            "expires_at": row.expires_at,
            "user_agent": row.user_agent,
            "ip_address": row.ip_address,
            "current": row.id == principal.session_id,
        }
        for row in rows
    ]


@query.field("connectedUser")
def resolve_connected_user(_obj: Any, info: GraphQLResolveInfo) -> Any:
    context = info.context
    return context.session.get(context.model("user"), context.principal.user_id)

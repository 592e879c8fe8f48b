"""Thin resolvers of the role operations, and the user operations this app widens."""

from __future__ import annotations

from typing import Any

from ariadne import MutationType, ObjectType, QueryType
from graphql import GraphQLResolveInfo

from lys.apps.user_auth.modules.user import resolvers as auth
from lys.apps.user_role.inputs import CreateUserInput, UpdateUserRolesInput
from lys.apps.user_role.loaders import user_roles
from lys.apps.user_role.targets import (
    is_super_user,
    refuse_super_user_target,
    sparing_super_users,
)
from lys.graphql.operations import connection, creation, edition

query = QueryType()
mutation = MutationType()
role_node = ObjectType("RoleNode")
user_node = ObjectType("UserNode")


# -- fields -------------------------------------------------------------------------


@role_node.field("webservices")
def resolve_role_webservices(role: Any, info: GraphQLResolveInfo) -> list[str]:
    links = info.context.loaders.load_relation(role, "webservice_links")
    return [link.webservice_id for link in links]


@user_node.field("roles")
def resolve_user_roles(user: Any, info: GraphQLResolveInfo) -> list[Any]:
    return user_roles(info.context, user)


# -- queries ------------------------------------------------------------------------


@query.field("allRoles")
@connection("RoleNode")
def resolve_all_roles(
    _obj: Any,
    info: GraphQLResolveInfo,
    enabled: bool | None = None,
    supervisor_only: bool | None = None,
) -> Any:
    return info.context.service("role").search(enabled, supervisor_only)


@query.field("allUsers")
@connection("UserNode", order_by={"CREATED_AT": "created_at"}, default_order="CREATED_AT")
def resolve_all_users(
    _obj: Any,
    info: GraphQLResolveInfo,
    search: str | None = None,
    role_code: str | None = None,
    status_code: str | None = None,
) -> Any:
    context = info.context
    return context.service("user_role").search_users(
        search, status_code, role_code, include_super_users=is_super_user(context)
    )


# -- mutations ----------------------------------------------------------------------


@mutation.field("createUser")
@creation("UserNode", inputs=CreateUserInput)
def resolve_create_user(_obj: Any, info: GraphQLResolveInfo, inputs: CreateUserInput) -> Any:
    context = info.context
    session = context.session
    codes = context.service("role").checked_codes(session, inputs.role_codes or ())
    grants = context.service("user_role")
    grants.check_grant(
        session, codes, caller_id=context.user_id, caller_is_super_user=is_super_user(context)
    )
    user = context.service("user").create_user(
        session,
        context.settings,
        email=inputs.email,
        password=inputs.password,
        language_id=inputs.language_code or "en",
        first_name=inputs.first_name,
        last_name=inputs.last_name,
        gender_id=inputs.gender_code,
    )
    grants.grant(session, user.id, codes)
    return user


@mutation.field("updateUserRoles")
@edition("UserNode", inputs=UpdateUserRolesInput)
def resolve_update_user_roles(
    _obj: Any, info: GraphQLResolveInfo, user: Any, inputs: UpdateUserRolesInput
) -> Any:
    context = info.context
    refuse_super_user_target(context, user)
    return context.service("user_role").replace(
        context.session,
        user,
        inputs.role_codes,
        caller_id=context.user_id,
        caller_is_super_user=is_super_user(context),
    )


# -- user_auth operations opened to roles: never on super users ----------------------

query.set_field("user", sparing_super_users(auth.resolve_user))
for _field, _resolver in (
    ("updateUserEmail", auth.resolve_update_user_email),
    ("updatePassword", auth.resolve_update_password),
    ("updateUserPrivateData", auth.resolve_update_user_private_data),
    ("sendEmailVerification", auth.resolve_send_email_verification),
    ("updateUserStatus", auth.resolve_update_user_status),
):
    mutation.set_field(_field, sparing_super_users(_resolver))

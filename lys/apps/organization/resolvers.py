"""Thin resolvers of the organization operations: the helpers load, check and
validate, the services do the work, in the request's session."""

from __future__ import annotations

from typing import Any

from ariadne import MutationType, ObjectType, QueryType
from graphql import GraphQLResolveInfo

from lys.apps.organization.inputs import (
    CreateClientInput,
    CreateClientUserInput,
    UpdateClientInput,
    UpdateClientUserEmailInput,
    UpdateClientUserPrivateDataInput,
    UpdateClientUserRolesInput,
)
from lys.apps.organization.loaders import client_roles
from lys.apps.organization.services import Caller
from lys.apps.organization.targets import client_user, reachable_client, spare_owner
from lys.apps.user_auth.modules.user.resolvers import client_ip
from lys.graphql.operations import connection, creation, edition, getter
from lys.graphql.relay import node_pk

query = QueryType()
mutation = MutationType()
user_node = ObjectType("UserNode")


def _caller(context: Any) -> Caller:
    principal = context.principal
    return Caller(context.user_id, is_super_user=bool(principal and principal.is_super_user))


# -- fields -------------------------------------------------------------------------


@user_node.field("clientRoles")
def resolve_client_roles(user: Any, info: GraphQLResolveInfo) -> list[Any]:
    return client_roles(info.context, user)


# -- clients ------------------------------------------------------------------------


@query.field("allClients")
@connection("ClientNode", order_by={"NAME": "name", "CREATED_AT": "created_at"})
def resolve_all_clients(_obj: Any, info: GraphQLResolveInfo, search: str | None = None) -> Any:
    return info.context.service("client").search(search)


@query.field("client")
@getter("ClientNode")
def resolve_client(_obj: Any, _info: GraphQLResolveInfo, client: Any) -> Any:
    return client


@mutation.field("createClient")
@creation("ClientNode", inputs=CreateClientInput)
def resolve_create_client(_obj: Any, info: GraphQLResolveInfo, inputs: CreateClientInput) -> Any:
    context = info.context
    return context.service("client").sign_up(
        context.session,
        context.settings,
        client_name=inputs.client_name,
        email=inputs.email,
        password=inputs.password,
        language_id=inputs.language_code,
        first_name=inputs.first_name,
        last_name=inputs.last_name,
        gender_id=inputs.gender_code,
        client_ip=client_ip(info),
    )


@mutation.field("updateClient")
@edition("ClientNode", inputs=UpdateClientInput)
def resolve_update_client(
    _obj: Any, info: GraphQLResolveInfo, client: Any, inputs: UpdateClientInput
) -> Any:
    context = info.context
    return context.service("client").rename(context.session, client, inputs.name)


# -- client users -------------------------------------------------------------------


@query.field("clientUser")
@getter("UserNode")
def resolve_client_user(_obj: Any, _info: GraphQLResolveInfo, user: Any) -> Any:
    return client_user(user)


@query.field("allClientUsers")
@connection("UserNode", order_by={"CREATED_AT": "created_at"}, default_order="CREATED_AT")
def resolve_all_client_users(
    _obj: Any,
    info: GraphQLResolveInfo,
    client_id: str | None = None,
    search: str | None = None,
    role_code: str | None = None,
) -> Any:
    pk = None if client_id is None else node_pk(info, client_id, "ClientNode", field="clientId")
    return info.context.service("client_user").search(
        client_id=pk, search=search, role_code=role_code
    )


@mutation.field("createClientUser")
@creation("UserNode", inputs=CreateClientUserInput)
def resolve_create_client_user(
    _obj: Any, info: GraphQLResolveInfo, inputs: CreateClientUserInput
) -> Any:
    context = info.context
    return context.service("client_user").create(
        context.session,
        context.settings,
        client=reachable_client(info, inputs.client_id),
        email=inputs.email,
        password=inputs.password,
        language_id=inputs.language_code,
        first_name=inputs.first_name,
        last_name=inputs.last_name,
        gender_id=inputs.gender_code,
        role_codes=inputs.role_codes,
        caller=_caller(context),
    )


@mutation.field("updateClientUserEmail")
@edition("UserNode", inputs=UpdateClientUserEmailInput)
def resolve_update_client_user_email(
    _obj: Any, info: GraphQLResolveInfo, user: Any, inputs: UpdateClientUserEmailInput
) -> Any:
    context = info.context
    spare_owner(context, client_user(user))
    return context.service("user").update_email(
        context.session, context.settings, user, inputs.new_email
    )


@mutation.field("updateClientUserPrivateData")
@edition("UserNode", inputs=UpdateClientUserPrivateDataInput)
def resolve_update_client_user_private_data(
    _obj: Any, info: GraphQLResolveInfo, user: Any, inputs: UpdateClientUserPrivateDataInput
) -> Any:
    context = info.context
    spare_owner(context, client_user(user))
    given = inputs.model_dump(exclude_unset=True)
    renames = {"gender_code": "gender_id", "language_code": "language_id"}
    changes = {renames.get(key, key): value for key, value in given.items()}
    return context.service("user").update_private_data(context.session, user, **changes)


@mutation.field("updateClientUserRoles")
@edition("UserNode", inputs=UpdateClientUserRolesInput)
def resolve_update_client_user_roles(
    _obj: Any, info: GraphQLResolveInfo, user: Any, inputs: UpdateClientUserRolesInput
) -> Any:
    context = info.context
    spare_owner(context, client_user(user))
    return context.service("client_user_role").replace(
        context.session, user, inputs.role_codes, caller=_caller(context)
    )

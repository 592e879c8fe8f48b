"""Thin resolvers of the user operations: the helpers load, check and validate, the
services do the work, in the request's session."""

from __future__ import annotations

from typing import Any

from ariadne import MutationType, ObjectType, QueryType
from graphql import GraphQLResolveInfo

from lys.apps.user_auth.modules.user.inputs import (
    ActivateUserInput,
    AnonymizeUserInput,
    CreateSuperUserInput,
    CreateUserInput,
    RequestPasswordResetInput,
    ResetPasswordInput,
    UpdatePasswordInput,
    UpdateUserEmailInput,
    UpdateUserPrivateDataInput,
    UpdateUserStatusInput,
    VerifyEmailInput,
)
from lys.errors import PermissionDeniedError
from lys.graphql.operations import connection, creation, edition, getter, validate_input
from lys.graphql.relay import load_node

query = QueryType()
mutation = MutationType()
user_node = ObjectType("UserNode")

validated = validate_input


def client_ip(info: GraphQLResolveInfo) -> str | None:
    """The caller's address (``TRUSTED_PROXIES`` applied), for throttling."""
    request = info.context.request
    if request is None:
        return None
    try:
        from lys.http.client_ip import client_ip as resolve

        return resolve(request)
    except (ImportError, KeyError, AttributeError):
        client = getattr(request, "client", None)
        return getattr(client, "host", None)


# -- fields -------------------------------------------------------------------------


@user_node.field("email")
def resolve_email(user: Any, info: GraphQLResolveInfo) -> str:
    return info.context.loaders.load_relation(user, "email_address").address


# -- queries ------------------------------------------------------------------------


@query.field("user")
@getter("UserNode")
def resolve_user(_obj: Any, info: GraphQLResolveInfo, user: Any) -> Any:
    return user


@query.field("allUsers")
@connection("UserNode", order_by={"CREATED_AT": "created_at"}, default_order="CREATED_AT")
def resolve_all_users(
    _obj: Any,
    info: GraphQLResolveInfo,
    search: str | None = None,
    status_code: str | None = None,
) -> Any:
    return info.context.service("user").search(search, status_code)


@query.field("allUserStatuses")
@connection("UserStatusNode")
def resolve_all_user_statuses(
    _obj: Any, info: GraphQLResolveInfo, enabled: bool | None = None
) -> Any:
    return info.context.service("user_status").search(enabled)


@query.field("allGenders")
@connection("GenderNode")
def resolve_all_genders(_obj: Any, info: GraphQLResolveInfo, enabled: bool | None = None) -> Any:
    return info.context.service("gender").search(enabled)


# -- creation -----------------------------------------------------------------------


def _create(info: GraphQLResolveInfo, inputs: CreateUserInput, *, is_super_user: bool) -> Any:
    context = info.context
    return context.service("user").create_user(
        context.session,
        context.settings,
        email=inputs.email,
        password=inputs.password,
        language_id=inputs.language_code or "en",
        first_name=inputs.first_name,
        last_name=inputs.last_name,
        gender_id=inputs.gender_code,
        is_super_user=is_super_user,
    )


@mutation.field("createUser")
@creation("UserNode", inputs=CreateUserInput)
def resolve_create_user(_obj: Any, info: GraphQLResolveInfo, inputs: CreateUserInput) -> Any:
    return _create(info, inputs, is_super_user=False)


@mutation.field("createSuperUser")
@creation("UserNode", inputs=CreateSuperUserInput)
def resolve_create_super_user(
    _obj: Any, info: GraphQLResolveInfo, inputs: CreateSuperUserInput
) -> Any:
    return _create(info, inputs, is_super_user=True)


# -- the user's own account ---------------------------------------------------------


@mutation.field("updateUserEmail")
@edition("UserNode", inputs=UpdateUserEmailInput)
def resolve_update_user_email(
    _obj: Any, info: GraphQLResolveInfo, user: Any, inputs: UpdateUserEmailInput
) -> Any:
    context = info.context
    return context.service("user").update_email(
        context.session, context.settings, user, inputs.new_email
    )


@mutation.field("updatePassword")
@edition("UserNode", inputs=UpdatePasswordInput)
def resolve_update_password(
    _obj: Any, info: GraphQLResolveInfo, user: Any, inputs: UpdatePasswordInput
) -> Any:
    context = info.context
    principal = context.principal
    return context.service("user").update_password(
        context.session,
        user,
        current_password=inputs.current_password,
        new_password=inputs.new_password,
        keep_session=principal.session_id if principal is not None else None,
    )


@mutation.field("updateUserPrivateData")
@edition("UserNode", inputs=UpdateUserPrivateDataInput)
def resolve_update_user_private_data(
    _obj: Any, info: GraphQLResolveInfo, user: Any, inputs: UpdateUserPrivateDataInput
) -> Any:
    context = info.context
    given = inputs.model_dump(exclude_unset=True)
    renames = {"gender_code": "gender_id", "language_code": "language_id"}
    changes = {renames.get(key, key): value for key, value in given.items()}
    return context.service("user").update_private_data(context.session, user, **changes)


@mutation.field("sendEmailVerification")
@edition("UserNode")
def resolve_send_email_verification(_obj: Any, info: GraphQLResolveInfo, user: Any) -> Any:
    context = info.context
    return context.service("user").send_email_verification(context.session, context.settings, user)


# -- administration -----------------------------------------------------------------


@mutation.field("updateUserStatus")
@edition("UserNode", inputs=UpdateUserStatusInput)
def resolve_update_user_status(
    _obj: Any, info: GraphQLResolveInfo, user: Any, inputs: UpdateUserStatusInput
) -> Any:
    context = info.context
    return context.service("user").update_status(
        context.session,
        user,
        status_id=inputs.status_code,
        reason=inputs.reason,
        author_id=context.user_id,
    )


@mutation.field("anonymizeUser")
def resolve_anonymize_user(
    _obj: Any, info: GraphQLResolveInfo, user_id: str, inputs: Any
) -> dict[str, bool]:
    context = info.context
    user = load_node(info, user_id, "UserNode", field="userId")
    if not context.registry.access_policy.can_write(user, context):
        raise PermissionDeniedError()
    checked = validated(AnonymizeUserInput, inputs)
    context.service("user").anonymize(
        context.session, user, reason=checked.reason, author_id=context.user_id
    )
    return {"success": True}


# -- links sent by email (public) ---------------------------------------------------


@mutation.field("requestPasswordReset")
def resolve_request_password_reset(
    _obj: Any, info: GraphQLResolveInfo, inputs: Any
) -> dict[str, bool]:
    context = info.context
    checked = validated(RequestPasswordResetInput, inputs)
    context.service("user").request_password_reset(
        context.session, context.settings, checked.email, client_ip=client_ip(info)
    )
    return {"success": True}


@mutation.field("resetPassword")
def resolve_reset_password(_obj: Any, info: GraphQLResolveInfo, inputs: Any) -> dict[str, bool]:
    context = info.context
    checked = validated(ResetPasswordInput, inputs)
    context.service("user").reset_password(context.session, checked.token, checked.new_password)
    return {"success": True}


@mutation.field("verifyEmail")
def resolve_verify_email(_obj: Any, info: GraphQLResolveInfo, inputs: Any) -> dict[str, bool]:
    context = info.context
    checked = validated(VerifyEmailInput, inputs)
    context.service("user").verify_email(context.session, checked.token)
    return {"success": True}


@mutation.field("activateUser")
def resolve_activate_user(_obj: Any, info: GraphQLResolveInfo, inputs: Any) -> dict[str, bool]:
    context = info.context
    checked = validated(ActivateUserInput, inputs)
    context.service("user").activate(context.session, checked.token, checked.new_password)
    return {"success": True}

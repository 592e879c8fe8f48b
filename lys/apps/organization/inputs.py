"""The operations' inputs, validated by pydantic before a resolver runs.

Only shapes and lengths are checked here; names, languages, genders and roles are the
services' to check (with the upstream error codes), so commands get the same checks.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from lys.apps.user_auth.modules.user.inputs import Code, EmailText, Name, Password, _Input
from lys.apps.user_auth.modules.user.inputs import (
    UpdateUserEmailInput as AuthUpdateUserEmailInput,
)
from lys.apps.user_auth.modules.user.inputs import (
    UpdateUserPrivateDataInput as AuthUpdateUserPrivateDataInput,
)
from lys.apps.user_role.inputs import RoleCodes
from lys.graphql.global_ids import GlobalId

ClientName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
ClientId = Annotated[str, GlobalId("ClientNode")]


class CreateClientInput(_Input):
    """A public sign-up: the client and its owner's account."""

    client_name: ClientName
    email: EmailText
    password: Password
    language_code: Code
    first_name: Name | None = None
    last_name: Name | None = None
    gender_code: Code | None = None


class UpdateClientInput(_Input):
    name: ClientName


class CreateClientUserInput(_Input):
    client_id: ClientId
    email: EmailText
    #: Without one, the user is invited by email to choose it (``activateUser``).
    password: Password | None = None
    language_code: Code
    first_name: Name | None = None
    last_name: Name | None = None
    gender_code: Code | None = None
    role_codes: RoleCodes = Field(default_factory=list)


class UpdateClientUserEmailInput(AuthUpdateUserEmailInput):
    pass


class UpdateClientUserPrivateDataInput(AuthUpdateUserPrivateDataInput):
    pass


class UpdateClientUserRolesInput(_Input):
    #: The user's whole new set of client roles.
    role_codes: RoleCodes

"""Inputs of the role operations, validated by pydantic before a resolver runs."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from lys.apps.user_auth.modules.user.inputs import Code
from lys.apps.user_auth.modules.user.inputs import CreateUserInput as AuthCreateUserInput
from lys.apps.user_role.services import MAX_ROLES_PER_CALL

RoleCodes = Annotated[list[Code], Field(max_length=MAX_ROLES_PER_CALL)]


class CreateUserInput(AuthCreateUserInput):
    """user_auth's, plus the roles to grant (each held by the caller, or a super user)."""

    role_codes: RoleCodes | None = None


class UpdateUserRolesInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: The user's whole new set of roles.
    role_codes: RoleCodes

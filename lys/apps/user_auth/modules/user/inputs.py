"""The operations' inputs, validated by pydantic before a resolver runs.

Only shapes and lengths are checked here; what needs the database or carries an
upstream error code (INVALID_NAME, WEAK_PASSWORD, ...) is the services' job, so
commands and jobs get the same checks.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

#: Longest address SMTP allows.
EmailText = Annotated[str, Field(max_length=320)]
#: Passwords are never trimmed; the policy bounds their length.
Password = Annotated[str, Field(max_length=4096)]
Token = Annotated[str, Field(max_length=512)]
Name = Annotated[str, Field(max_length=255)]
Code = Annotated[str, Field(max_length=64)]


def _reason(low: int, high: int) -> type[str]:
    return Annotated[  # type: ignore[return-value]
        str, StringConstraints(strip_whitespace=True, min_length=low, max_length=high)
    ]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateUserInput(_Input):
    email: EmailText
    #: Without a password the user is invited: an activation email lets them choose one.
    password: Password | None = None
    language_code: Code | None = None
    first_name: Name | None = None
    last_name: Name | None = None
    gender_code: Code | None = None


class CreateSuperUserInput(CreateUserInput):
    pass


class UpdateUserEmailInput(_Input):
    new_email: EmailText


class UpdatePasswordInput(_Input):
    current_password: Password
    new_password: Password


class UpdateUserPrivateDataInput(_Input):
    """Only the fields given change; a null name or gender clears it."""

    first_name: Name | None = None
    last_name: Name | None = None
    gender_code: Code | None = None
    language_code: Code | None = None


class UpdateUserStatusInput(_Input):
    status_code: Code
    reason: _reason(10, 1000)  # type: ignore[valid-type]


class AnonymizeUserInput(_Input):
    reason: _reason(10, 500)  # type: ignore[valid-type]


class RequestPasswordResetInput(_Input):
    email: EmailText


class ResetPasswordInput(_Input):
    token: Token
    new_password: Password


class VerifyEmailInput(_Input):
    token: Token


class ActivateUserInput(_Input):
    token: Token
    new_password: Password

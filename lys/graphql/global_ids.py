"""Relay global ids: ``base64("<TypeName>:<pk>")``, as the upstream framework's clients expect.

Decoding never trusts its input: malformed base64, a missing or extra part, a pk of
the wrong shape or a type other than the one expected all end as a clean
``VALIDATION_ERROR``, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Collection
from typing import Any

from pydantic import BeforeValidator
from sqlalchemy import inspect as sa_inspect

from lys.errors import ValidationError

_BASE64 = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")
_TYPE_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")
MAX_ID_LENGTH = 512
_MAX_INT_PK = 2**63 - 1


def encode_global_id(type_name: str, pk: Any) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode("ascii")


def decode_global_id(
    value: Any, expected: str | Collection[str] | None = None, *, field: str = "id"
) -> tuple[str, str]:
    """``(type_name, pk)``; refuses ids of any type but ``expected``."""
    if not isinstance(value, str) or not value or len(value) > MAX_ID_LENGTH:
        raise _invalid(value, field)
    if not _BASE64.match(value):
        raise _invalid(value, field)
    try:
        text = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _invalid(value, field) from None
    parts = text.split(":")
    # PostgreSQL refuses NUL characters in text: such a key could only fail there.
    if len(parts) != 2 or not parts[1] or "\x00" in parts[1] or not _TYPE_NAME.match(parts[0]):
        raise _invalid(value, field)
    type_name, pk = parts
    if expected is None:
        return type_name, pk
    # An empty collection allows no type (a schema without node types), not every type.
    allowed = {expected} if isinstance(expected, str) else set(expected)
    if type_name not in allowed:
        wanted = " or ".join(sorted(allowed)) or "known object"
        raise ValidationError(
            f"The {field} is a {type_name} id; a {wanted} id is expected.",
            extensions={"field": field},
        )
    return type_name, pk


def parse_pk(model: type, pk: str, *, field: str = "id") -> Any:
    """The primary key value of ``model`` spelled by ``pk``, or a clean error."""
    column: Any = sa_inspect(model).primary_key[0]
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return pk
    if python_type is uuid.UUID:
        try:
            return uuid.UUID(pk)
        except ValueError:
            raise _invalid(pk, field) from None
    if python_type is int:
        # str.isdigit() also accepts digits int() refuses ("²"); and a key beyond a
        # 64-bit integer makes the database driver fail instead of finding nothing.
        if not (pk.isascii() and pk.isdigit()) or int(pk) > _MAX_INT_PK:
            raise _invalid(pk, field)
        return int(pk)
    return pk


def _invalid(value: Any, field: str) -> ValidationError:
    return ValidationError(
        f"The {field} {str(value)[:80]!r} is not a valid id.", extensions={"field": field}
    )


def GlobalId(type_name: str) -> BeforeValidator:
    """Pydantic annotation for an input field holding a global id of ``type_name``.

    ``category_id: Annotated[str, GlobalId("ProductCategoryNode")]`` validates the id
    and hands the model the primary key it names.
    """

    def decode(value: Any) -> str:
        try:
            return decode_global_id(value, type_name)[1]
        except ValidationError as exc:
            raise ValueError(exc.detail) from None

    return BeforeValidator(decode)

"""The framework's scalars: DateTime, UUID, Decimal and JSON."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ariadne import ScalarType
from graphql import GraphQLError

datetime_scalar = ScalarType("DateTime")
uuid_scalar = ScalarType("UUID")
decimal_scalar = ScalarType("Decimal")
json_scalar = ScalarType("JSON")


@datetime_scalar.serializer
def serialize_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


@datetime_scalar.value_parser
def parse_datetime(value: Any) -> datetime:
    if not isinstance(value, str):
        raise GraphQLError("DateTime must be an ISO 8601 string.")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise GraphQLError(f"DateTime {value!r} is not ISO 8601.") from None
    if parsed.tzinfo is None:
        raise GraphQLError(f"DateTime {value!r} lacks a UTC offset.")
    return parsed


@uuid_scalar.serializer
def serialize_uuid(value: uuid.UUID | str) -> str:
    return str(value)


@uuid_scalar.value_parser
def parse_uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise GraphQLError(f"{value!r} is not a UUID.") from None


@decimal_scalar.serializer
def serialize_decimal(value: Decimal | int | str) -> str:
    return str(value)


@decimal_scalar.value_parser
def parse_decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise GraphQLError('Decimal must be a string such as "12.50".')
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise GraphQLError(f"{value!r} is not a decimal number.") from None
    if not number.is_finite():
        raise GraphQLError(f"{value!r} is not a finite decimal number.")
    return number


@json_scalar.serializer
def serialize_json(value: Any) -> Any:
    return value


SCALARS = (datetime_scalar, uuid_scalar, decimal_scalar, json_scalar)

"""Forward keyset pagination over a SQLAlchemy ``select``.

The cursor holds the sort key of the last row seen (the declared order plus the id),
so inserting rows between two page requests neither skips nor repeats rows.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.types import TypeDecorator

from lys.errors import LysError

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 100


class InvalidCursorError(LysError):
    code = "INVALID_CURSOR"
    status_code = 400
    default_detail = "The cursor is not one this API issued; start again without 'after'."


class PageSizeError(LysError):
    code = "VALIDATION_ERROR"
    status_code = 400


@dataclass
class Page:
    items: list[Any]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool
    total_count: int

    def as_connection(self) -> dict[str, Any]:
        """The Relay connection shape, keyed in snake_case like every Python-side value."""
        edges = [{"cursor": c, "node": n} for c, n in zip(self.cursors, self.items, strict=True)]
        return {
            "edges": edges,
            "page_info": {
                "has_next_page": self.has_next_page,
                "has_previous_page": self.has_previous_page,
                "start_cursor": self.cursors[0] if self.cursors else None,
                "end_cursor": self.cursors[-1] if self.cursors else None,
            },
            "total_count": self.total_count,
        }


def paginate(
    session: Session,
    stmt: Select[Any],
    order_by: Sequence[InstrumentedAttribute[Any]],
    *,
    first: int | None = None,
    after: str | None = None,
    max_page_size: int = MAX_PAGE_SIZE,
) -> Page:
    """One page of ``stmt`` ordered by ``order_by`` (ascending; end with a unique column)."""
    size = DEFAULT_PAGE_SIZE if first is None else first
    if size < 0 or size > max_page_size:
        raise PageSizeError(
            f"'first' must be between 0 and {max_page_size}; got {size}.",
            extensions={"field": "first", "limit": max_page_size},
        )
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    page_stmt = stmt.order_by(*order_by)
    has_previous = False
    if after is not None:
        page_stmt = page_stmt.where(_after(order_by, decode_cursor(after, order_by)))
        has_previous = True
    rows = list(session.scalars(page_stmt.limit(size + 1)).unique())
    has_next = len(rows) > size
    rows = rows[:size]
    cursors = [encode_cursor([getattr(row, col.key) for col in order_by]) for row in rows]
    return Page(rows, cursors, has_next, has_previous, total)


def encode_cursor(values: Sequence[Any]) -> str:
    text = json.dumps([_plain(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, order_by: Sequence[InstrumentedAttribute[Any]]) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if not isinstance(values, list) or len(values) != len(order_by):
            raise ValueError("wrong arity")
        return [_typed(v, col) for v, col in zip(values, order_by, strict=True)]
    except (ValueError, TypeError, UnicodeError, binascii.Error, json.JSONDecodeError):
        raise InvalidCursorError() from None


def _after(
    order_by: Sequence[InstrumentedAttribute[Any]], values: Sequence[Any]
) -> ColumnElement[bool]:
    """``(a, b, c) > (x, y, z)`` spelled out, which every database understands."""
    clauses = []
    for i, column in enumerate(order_by):
        equal = [order_by[j] == values[j] for j in range(i)]
        clauses.append(and_(*equal, column > values[i]))
    return or_(*clauses)


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _typed(value: Any, column: InstrumentedAttribute[Any]) -> Any:
    column_type = column.type
    if isinstance(column_type, TypeDecorator):
        # A TypeDecorator (UTCDateTime, SQLModel's AutoString) reports ``object``.
        column_type = column_type.impl_instance
    python_type = column_type.python_type
    if value is None:
        raise ValueError("null in cursor")
    if python_type in (uuid.UUID, Decimal, datetime) and not isinstance(value, str):
        # uuid.UUID(5) raises AttributeError, which would surface as an internal error.
        raise TypeError("wrong type in cursor")
    if python_type is uuid.UUID:
        return uuid.UUID(value)
    if python_type is Decimal:
        try:
            number = Decimal(value)
        except ArithmeticError:  # decimal.InvalidOperation is no ValueError
            raise ValueError("not a decimal in cursor") from None
        if not number.is_finite():
            raise ValueError("not a finite decimal in cursor")
        return number
    if python_type is datetime:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("naive datetime in cursor")  # UTCDateTime refuses naive values
        return moment
    if not isinstance(value, python_type):
        raise TypeError("wrong type in cursor")
    return value

"""Keyset pagination over a SQLAlchemy ``select``, forward and backward.

The cursor holds the sort key of the last row seen (the declared order plus the id),
so inserting rows between two page requests neither skips nor repeats rows.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.types import TypeDecorator

from lys.db.rows import load_with_column
from lys.errors import LysError

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 100
_MAX_DECIMAL_EXPONENT = 1000


class InvalidCursorError(LysError):
    code = "INVALID_CURSOR"
    status_code = 400
    default_detail = (
        "The cursor is not one this API issued for this order; start again without "
        "'after' or 'before'."
    )


class PageSizeError(LysError):
    code = "VALIDATION_ERROR"
    status_code = 400


class Page:
    """One page of rows; cursors are encoded only when a client asks for them."""

    __slots__ = ("_keys", "_tag", "has_next_page", "has_previous_page", "items", "total_count")

    def __init__(
        self,
        items: list[Any],
        has_next_page: bool,
        has_previous_page: bool,
        total_count: int,
        *,
        keys: Sequence[str] = (),
        tag: str = "",
    ) -> None:
        self.items = items
        self.has_next_page = has_next_page
        self.has_previous_page = has_previous_page
        self.total_count = total_count
        self._keys = tuple(keys)
        self._tag = tag

    def cursor(self, index: int) -> str:
        row = self.items[index]
        return encode_cursor([getattr(row, key) for key in self._keys], self._tag)

    @property
    def cursors(self) -> list[str]:
        return [self.cursor(i) for i in range(len(self.items))]

    def as_connection(self) -> dict[str, Any]:
        """The Relay connection shape, keyed in snake_case like every Python-side value."""
        last = len(self.items) - 1
        return {
            "edges": [Edge(node, self, i) for i, node in enumerate(self.items)],
            "page_info": {
                "has_next_page": self.has_next_page,
                "has_previous_page": self.has_previous_page,
                "start_cursor": self.cursor(0) if last >= 0 else None,
                "end_cursor": self.cursor(last) if last >= 0 else None,
            },
            "total_count": self.total_count,
        }


class Edge:
    """``{cursor, node}``; the cursor is encoded when read (most clients read one or two)."""

    __slots__ = ("_index", "_page", "node")

    def __init__(self, node: Any, page: Page, index: int) -> None:
        self.node = node
        self._page = page
        self._index = index

    @property
    def cursor(self) -> str:
        return self._page.cursor(self._index)


def paginate(
    session: Session,
    stmt: Select[Any],
    order_by: Sequence[InstrumentedAttribute[Any]],
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    descending: bool = False,
    tag: str = "",
    with_total: bool = True,
    default_size: int = DEFAULT_PAGE_SIZE,
    max_page_size: int = MAX_PAGE_SIZE,
    model: type | None = None,
) -> Page:
    """One page of ``stmt`` in ``order_by`` order (end it with a unique column).

    ``first``/``after`` page forward, ``last``/``before`` backward. The total count
    rides in the page's own statement, so both come from one snapshot.
    """
    if first is not None and last is not None:
        raise PageSizeError(
            "Give either 'first' (with 'after') or 'last' (with 'before'), not both.",
            extensions={"field": "last"},
        )
    backward = last is not None or (before is not None and first is None)
    argument = "last" if backward else "first"
    requested = last if backward else first
    size = requested if requested is not None else default_size
    if size < 0 or size > max_page_size:
        raise PageSizeError(
            f"'{argument}' must be between 0 and {max_page_size}; got {size}.",
            extensions={"field": argument, "limit": max_page_size},
        )
    page_stmt = stmt
    if after is not None:
        page_stmt = page_stmt.where(
            _beyond(order_by, decode_cursor(after, order_by, tag), upward=not descending)
        )
    if before is not None:
        page_stmt = page_stmt.where(
            _beyond(order_by, decode_cursor(before, order_by, tag), upward=descending)
        )
    # Walking backward reads the list in reverse, then flips the page.
    reverse = descending != backward
    page_stmt = page_stmt.order_by(*(col.desc() if reverse else col.asc() for col in order_by))
    total_column = None
    if with_total:
        total_column = (
            select(func.count())
            .select_from(stmt.order_by(None).subquery())
            .scalar_subquery()
            .label("lys_total_count")
        )
    rows, totals = load_with_column(session, model, page_stmt.limit(size + 1), total_column)
    total = 0
    if with_total:
        # No row on this page: the count still says how many there are elsewhere.
        total = int(totals[0]) if totals else _count(session, stmt)
    more = len(rows) > size
    rows = rows[:size]
    if backward:
        rows.reverse()
        has_previous, has_next = more, before is not None
    else:
        has_previous, has_next = after is not None, more
    return Page(rows, has_next, has_previous, total, keys=[col.key for col in order_by], tag=tag)


def _count(session: Session, stmt: Select[Any]) -> int:
    counted = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return int(counted or 0)


def encode_cursor(values: Sequence[Any], tag: str = "") -> str:
    """An opaque cursor: the row's sort key, tagged with the order it belongs to."""
    text = json.dumps([tag, *(_plain(v) for v in values)], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(
    cursor: str, order_by: Sequence[InstrumentedAttribute[Any]], tag: str = ""
) -> list[Any]:
    try:
        if not isinstance(cursor, str) or len(cursor) > 2048:
            raise ValueError("not a cursor")
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if not isinstance(values, list) or len(values) != len(order_by) + 1:
            raise ValueError("wrong arity")
        if values[0] != tag:
            raise ValueError("cursor of another order")
        return [_typed(v, col) for v, col in zip(values[1:], order_by, strict=True)]
    except (ValueError, TypeError, UnicodeError, binascii.Error, json.JSONDecodeError):
        raise InvalidCursorError() from None


def _beyond(
    order_by: Sequence[InstrumentedAttribute[Any]], values: Sequence[Any], *, upward: bool
) -> ColumnElement[bool]:
    """``(a, b) > (x, y)`` (or ``<``) spelled out, which every database understands."""
    clauses = []
    for i, column in enumerate(order_by):
        equal = [order_by[j] == values[j] for j in range(i)]
        step = column > values[i] if upward else column < values[i]
        clauses.append(and_(*equal, step))
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
        # Databases refuse numbers far out of any column's range (PostgreSQL: numeric
        # overflow), which would surface as an internal error.
        if not number.is_finite() or abs(number.adjusted()) > _MAX_DECIMAL_EXPONENT:
            raise ValueError("not a usable decimal in cursor")
        return number
    if python_type is datetime:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("naive datetime in cursor")  # UTCDateTime refuses naive values
        try:
            moment.astimezone(UTC)  # what UTCDateTime binds; year 1 at +01:00 overflows
        except OverflowError:
            raise ValueError("datetime out of range in cursor") from None
        return moment
    if not isinstance(value, python_type):
        raise TypeError("wrong type in cursor")
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("NUL in cursor")  # PostgreSQL refuses NUL characters in text
    if isinstance(value, str):
        value.encode("utf-8")  # a lone surrogate cannot be sent: UnicodeEncodeError
    return value

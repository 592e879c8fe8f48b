"""Executing a request's small statements on psycopg without SQLAlchemy's wrappers.

SQLAlchemy's execution context and result object cost about as much as a small query
itself. Here statements are still compiled by SQLAlchemy (cached), their parameters
built and processed, and their result values processed as SQLAlchemy would; only the
execution and the fetch skip the wrappers. What needs them goes through
``connection.execute``: other drivers, engine listeners (statement counters, logging),
expanding or literal parameters, values SQLAlchemy computes at execution (defaults,
RETURNING), and connections inside a transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Executable
from sqlalchemy.exc import DBAPIError

_MAX_COMPILED = 500


class _CompiledCache(dict):
    """SQLAlchemy's compiled-statement cache protocol, bounded."""

    def __setitem__(self, key: Any, value: Any) -> None:
        if len(self) >= _MAX_COMPILED:
            self.clear()
        super().__setitem__(key, value)


_COMPILED: Any = _CompiledCache()
#: compiled statement -> (bind processors, result processors or None until known), or
#: False when the statement needs SQLAlchemy's execution.
_PLANS: dict[Any, Any] = {}


def fetch(connection: Connection, stmt: Executable, params: dict[str, Any] | None = None) -> Any:
    """The rows of a select. Only selects come here, so after a driver error the
    statement runs again through SQLAlchemy, which reports the error as usual (and
    invalidates a lost connection)."""
    prepared = _prepare(connection, stmt, params)
    if prepared is None:
        return connection.execute(stmt, params).all()
    driver_connection, compiled, values, results = prepared
    try:
        cursor = driver_connection.cursor()
        try:
            cursor.execute(compiled.string, values)
            rows = cursor.fetchall()
            if results is None:
                results = _learn_result_processors(connection, compiled, cursor.description)
        finally:
            cursor.close()
    except Exception:
        return connection.execute(stmt, params).all()
    if not results:
        return rows
    active = [(index, process) for index, process in enumerate(results) if process]
    processed = []
    for row in rows:
        values_of_row = list(row)
        for index, process in active:
            values_of_row[index] = process(values_of_row[index])
        processed.append(values_of_row)
    return processed


def execute_write(connection: Connection, stmt: Executable, params: dict[str, Any]) -> None:
    """Run one INSERT, UPDATE or DELETE that returns nothing, on an autocommit
    connection. A driver error is raised as SQLAlchemy would raise it."""
    prepared = _prepare(connection, stmt, params)
    if prepared is None:
        connection.execute(stmt, params)
        return
    driver_connection, compiled, values, _results = prepared
    dialect = connection.dialect
    cursor = driver_connection.cursor()
    try:
        cursor.execute(compiled.string, values)
    except dialect.loaded_dbapi.Error as exc:
        lost = dialect.is_disconnect(exc, driver_connection, cursor)
        if lost:
            connection.invalidate(exc)
        raise DBAPIError.instance(
            compiled.string,
            values,
            exc,
            dialect.loaded_dbapi.Error,
            connection_invalidated=lost,
            dialect=dialect,
        ) from exc
    finally:
        cursor.close()


def _prepare(
    connection: Connection, stmt: Executable, params: dict[str, Any] | None
) -> tuple[Any, Any, dict[str, Any], Any] | None:
    """``(driver connection, compiled, parameters, result processors)``, or ``None``
    when SQLAlchemy must execute the statement."""
    dialect = connection.dialect
    if dialect.driver != "psycopg" or connection._has_events or connection.engine._has_events:
        return None
    driver_connection: Any = connection.connection.dbapi_connection
    if not driver_connection.autocommit:
        # In a transaction a failed statement aborts it: SQLAlchemy must see the first
        # error, not the one a second try would get.
        return None
    compiled: Any
    compiled, extracted, collected, _stats = stmt._compile_w_cache(
        dialect, compiled_cache=_COMPILED, column_keys=sorted(params or ())
    )
    plan = _PLANS.get(compiled)
    if plan is None:
        plan = _plan(compiled)
        if len(_PLANS) >= _MAX_COMPILED:
            _PLANS.clear()
        _PLANS[compiled] = plan
    if plan is False:
        return None
    binds, results = plan
    values = compiled.construct_params(
        params,
        extracted_parameters=extracted,
        escape_names=False,
        _collected_params=collected,
    )
    for name, process in binds:
        if name in values:
            values[name] = process(values[name])
    return driver_connection, compiled, values, results


def _plan(compiled: Any) -> Any:
    # Attributes a compiled select lacks (DML only) count as empty.
    needs_sqlalchemy = compiled.positional or any(
        getattr(compiled, name, None)
        for name in (
            "post_compile_params",
            "literal_execute_params",
            "insert_prefetch",
            "update_prefetch",
            "postfetch",
            "implicit_returning",
            "returning",
        )
    )
    if needs_sqlalchemy:
        return False
    return tuple(compiled._bind_processors.items()), None


def _learn_result_processors(connection: Connection, compiled: Any, description: Any) -> Any:
    """The result processors, once the driver has said the columns' types."""
    dialect = connection.dialect
    results = tuple(
        entry.type._cached_result_processor(dialect, column.type_code)
        for entry, column in zip(compiled._result_columns, description, strict=True)
    )
    if not any(results):
        results = ()
    _PLANS[compiled] = (tuple(compiled._bind_processors.items()), results)
    return results

"""Executing small selects on psycopg without SQLAlchemy's per-execution wrappers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select


def fetch(connection: Connection, stmt: Select[Any], params: dict[str, Any] | None = None) -> Any:
    """The rows of ``stmt``: on psycopg straight from the driver's cursor.

    SQLAlchemy's execution context and result object cost about as much as the query
    itself for the small selects of a request. The statement is still compiled by
    SQLAlchemy (cached), its parameters built and processed, and its result values
    processed as SQLAlchemy would; only the execution and the fetch skip the wrappers.
    What needs them goes through ``connection.execute``: engine listeners (statement
    counters, logging), expanding or literal parameters, and any driver error, which
    SQLAlchemy then reports (and, for a lost connection, invalidates) as usual. Only
    selects on autocommit connections (read-only operations) come here, so running
    one again after an error changes nothing.
    """
    dialect = connection.dialect
    if dialect.driver != "psycopg" or connection._has_events or connection.engine._has_events:
        return connection.execute(stmt, params).all()
    compiled: Any
    compiled, extracted, collected, _stats = stmt._compile_w_cache(
        dialect, compiled_cache=_COMPILED, column_keys=[]
    )
    plan = _PLANS.get(compiled)
    if plan is None:
        plan = _raw_plan(compiled)
        if len(_PLANS) > _MAX_COMPILED:
            _PLANS.clear()
        _PLANS[compiled] = plan
    if plan is False:
        return connection.execute(stmt, params).all()
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
    driver_connection: Any = connection.connection.dbapi_connection
    if not driver_connection.autocommit:
        # In a transaction a failed statement aborts it: SQLAlchemy must see the first
        # error, not the one a second try would get.
        return connection.execute(stmt, params).all()
    try:
        cursor = driver_connection.cursor()
        try:
            cursor.execute(compiled.string, values)
            rows = cursor.fetchall()
            if results is None:
                # The driver's column types are known once the statement ran.
                results = tuple(
                    entry.type._cached_result_processor(dialect, column.type_code)
                    for entry, column in zip(
                        compiled._result_columns,
                        cursor.description,
                        strict=True,
                    )
                )
                if not any(results):
                    results = ()
                _PLANS[compiled] = (binds, results)
        finally:
            cursor.close()
    except Exception:
        return connection.execute(stmt, params).all()
    if results:
        active = [(index, process) for index, process in enumerate(results) if process]
        processed = []
        for row in rows:
            values_of_row = list(row)
            for index, process in active:
                values_of_row[index] = process(values_of_row[index])
            processed.append(values_of_row)
        return processed
    return rows


class _CompiledCache(dict):
    """SQLAlchemy's compiled-statement cache protocol, bounded."""

    def __setitem__(self, key: Any, value: Any) -> None:
        if len(self) >= _MAX_COMPILED:
            self.clear()
        super().__setitem__(key, value)


_MAX_COMPILED = 500
_COMPILED: Any = _CompiledCache()
_PLANS: dict[Any, Any] = {}


def _raw_plan(compiled: Any) -> Any:
    """``(bind processors, result processors or None until known)``, or ``False``
    when the statement needs SQLAlchemy's execution (expanding or literal parameters)."""
    if compiled.post_compile_params or compiled.literal_execute_params or compiled.positional:
        return False
    return tuple(compiled._bind_processors.items()), None

"""Counting the SQL statements an engine runs: N+1 regressions show up as numbers."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


class QueryCounter:
    """Records every statement ``engine`` runs from :meth:`start` until :meth:`stop`.

    ``len(counter)`` is the count and ``counter.statements`` the SQL. Also a context
    manager: ``with count_queries() as queries: ...`` counts what runs inside only.
    """

    def __init__(self, engine: sa.Engine, *more: sa.Engine) -> None:
        self.engine = engine
        # An engine sharing the first one's pool (execution options) already reports
        # through it; listening on both would count its statements twice.
        self.engines = [engine, *(e for e in more if e.pool is not engine.pool)]
        self.statements: list[str] = []
        self._listening = False

    def start(self) -> QueryCounter:
        if not self._listening:
            for engine in self.engines:
                sa.event.listen(engine, "before_cursor_execute", self._record)
            self._listening = True
        return self

    def stop(self) -> None:
        if self._listening:
            for engine in self.engines:
                sa.event.remove(engine, "before_cursor_execute", self._record)
            self._listening = False

    def __len__(self) -> int:
        return len(self.statements)

    def __enter__(self) -> QueryCounter:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<QueryCounter {len(self)} statements>"

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements.append(statement)

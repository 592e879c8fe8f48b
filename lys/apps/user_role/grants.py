"""Which webservices each role lists: read often (every ROLE check), changed rarely.

Each process keeps the mapping for ``ttl`` seconds, so a role's new or withdrawn
webservice reaches every process within that time without a query per request. A
change made by this process (``RoleService.set_webservices``, ``loadfixtures``) drops
the copy as soon as it commits.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

#: ``session -> {role code: webservice names}``, enabled roles only.
Loader = Callable[[Session], dict[str, frozenset[str]]]


class RoleGrants:
    def __init__(self, load: Loader, ttl: float) -> None:
        self._load = load
        self.ttl = ttl
        self._mapping: Mapping[str, frozenset[str]] = MappingProxyType({})
        self._loaded_at = -math.inf
        # A reload that started before an invalidation must not look fresh after it.
        self._generation = 0
        self._lock = threading.Lock()

    def get(self, session: Session) -> Mapping[str, frozenset[str]]:
        if time.monotonic() - self._loaded_at <= self.ttl:
            return self._mapping
        with self._lock:
            if time.monotonic() - self._loaded_at <= self.ttl:
                return self._mapping
            generation = self._generation
            mapping = MappingProxyType(self._load(session))
            self._mapping = mapping
            if generation == self._generation:
                self._loaded_at = time.monotonic()
            return mapping

    def opened_by(self, session: Session, role_codes: Any) -> frozenset[str]:
        """The names listed by any of these (enabled) roles."""
        mapping = self.get(session)
        names: set[str] = set()
        for code in role_codes:
            names |= mapping.get(code, frozenset())
        return frozenset(names)

    def invalidate(self) -> None:
        self._generation += 1
        self._loaded_at = -math.inf

    def invalidate_on_commit(self, session: Session) -> None:
        """Drop the copy once ``session`` commits (a rollback changed nothing)."""
        event.listen(session, "after_commit", lambda _session: self.invalidate(), once=True)

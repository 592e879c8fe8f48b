"""What roles open, at a service without ``lys.apps.user_role``.

The role and organization permission classes ask the ``role`` service which
webservices the caller's role codes (from their token) open: ``opened_by``. Where
roles are not installed, this stand-in answers from the auth service
(``AUTH_SERVICE_URL``): it reads every enabled role and the webservices it lists with
``allRoles`` under a service token (the auth service opens ``all_roles`` to
INTERNAL_SERVICE), and keeps the mapping ``ttl`` seconds. While the auth service does
not answer, the last mapping stays in use; before the first answer, roles open
nothing (fail closed).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from lys.errors import LysError, NotFoundError
from lys.permissions import ROLE

logger = logging.getLogger("lys.auth.roles")

ALL_ROLES = """
query RoleGrants($after: String) {
  allRoles(enabled: true, first: 100, after: $after) {
    edges { node { code webservices } }
    pageInfo { hasNextPage endCursor }
  }
}"""
#: Seconds a process trusts its copy of the mapping.
ROLE_GRANTS_SECONDS = 30.0
#: After a failed fetch, requests use the copy they have for this long.
RETRY_AFTER_FAILURE = 5.0
MAX_PAGES = 50

#: ``() -> client`` with ``query(document, variables) -> data`` (a ``ServiceClient``).
ClientFactory = Callable[[], Any]


class RemoteRoles:
    def __init__(
        self,
        client: ClientFactory,
        registry: Any,
        *,
        ttl: float = ROLE_GRANTS_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.registry = registry
        self.ttl = ttl
        self.clock = clock
        self._mapping: dict[str, frozenset[str]] = {}
        self._next_fetch = -math.inf
        self._lock = threading.Lock()

    def opened_by(self, _session: Any, role_codes: Iterable[str]) -> frozenset[str]:
        """The webservice names any of these (enabled) roles lists."""
        mapping = self._current()
        names: set[str] = set()
        for code in role_codes:
            names |= mapping.get(code, frozenset())
        return frozenset(names)

    def webservice_names(self, session: Any, role_code: str) -> set[str]:
        """This service's webservices the role opens (``allAccessibleWebservices``)."""
        mapping = self._current()
        if role_code not in mapping:
            raise NotFoundError(f"No role {role_code!r}.", extensions={"field": "roleCode"})
        declared = self.registry.webservices
        return {
            name
            for name in mapping[role_code]
            if name in declared and ROLE in declared[name].access_levels
        }

    def _current(self) -> dict[str, frozenset[str]]:
        if self.clock() < self._next_fetch:
            return self._mapping
        with self._lock:
            if self.clock() >= self._next_fetch:
                self._fetch()
            return self._mapping

    def _fetch(self) -> None:
        try:
            mapping = self._read_all()
        except LysError as exc:
            self._next_fetch = self.clock() + RETRY_AFTER_FAILURE
            logger.warning(
                "could not read the roles from the auth service (%s: %s); %s",
                exc.code,
                exc.detail,
                "the previous copy stays in use" if self._mapping else "roles open nothing yet",
            )
            return
        self._mapping = mapping
        self._next_fetch = self.clock() + self.ttl

    def _read_all(self) -> dict[str, frozenset[str]]:
        mapping: dict[str, frozenset[str]] = {}
        after = None
        with self.client() as client:
            for _page in range(MAX_PAGES):
                data = client.query(ALL_ROLES, {"after": after})["allRoles"]
                for edge in data["edges"]:
                    node = edge["node"]
                    mapping[node["code"]] = frozenset(node["webservices"])
                if not data["pageInfo"]["hasNextPage"]:
                    break
                after = data["pageInfo"]["endCursor"]
        return mapping

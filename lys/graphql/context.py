"""What every resolver receives as ``info.context``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlmodel import Session

from lys.auth.principal import Principal
from lys.db.kept import KeptConnection
from lys.db.session import make_read_session, make_session
from lys.db.writes import commit
from lys.graphql.loaders import Loaders
from lys.permissions.grants import Access

if TYPE_CHECKING:
    from lys.conf.settings import Settings
    from lys.registry.registry import Registry


@dataclass
class RequestContext:
    """Per-request state: one database session, opened on first use, and the loaders."""

    settings: Settings
    registry: Registry
    engine: Engine
    request: Any = None
    #: Set by the executor for query operations: statements run without a transaction.
    read_only: bool = False
    #: Who is calling, set by the registry's authenticators; ``None`` when anonymous.
    principal: Principal | None = None
    #: What the permission chain granted for the current root field (row scopes);
    #: ``None`` outside one (the caller's baseline applies).
    access: Access | None = None
    #: The calling service, for requests signed with a service token.
    service_caller: Any = None
    #: Per-request values resolvers share (keyed by a name of the app's choosing).
    state: dict[str, Any] = field(default_factory=dict)
    #: Cookies the response sets (``name -> Cookie``) or deletes (value ``None``).
    response_cookies: dict[str, Any] = field(default_factory=dict)
    #: The connection reads and a lone INSERT borrow, when the web endpoint keeps one
    #: between requests (see lys.db.kept).
    kept_connection: KeptConnection | None = field(default=None, repr=False)
    _session: Session | None = field(default=None, repr=False)
    _loaders: Loaders | None = field(default=None, repr=False)

    @property
    def session(self) -> Session:
        if self._session is None:
            if self.read_only:
                self._session = make_read_session(self.engine, self.kept_connection)
            else:
                self._session = make_session(self.engine)
        return self._session

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            self._loaders = Loaders(
                lambda: self.session, scope=self._scope_rows, scope_key=lambda: self.access
            )
        return self._loaders

    def _scope_rows(self, stmt: Any, model: type) -> Any:
        return self.registry.access_policy.filter_rows(stmt, model, self)

    def authenticate(self) -> None:
        """Run the authenticators, then the guards (which may refuse the request)."""
        for authenticate in self.registry.authenticators:
            principal = authenticate(self)
            if principal is not None:
                self.principal = principal
                break
        for guard in self.registry.request_guards:
            guard(self)

    @property
    def user_id(self) -> Any:
        return self.principal.user_id if self.principal else None

    @property
    def has_session(self) -> bool:
        return self._session is not None

    def model(self, name: str) -> Any:
        return self.registry.model(name)

    def service(self, name: str) -> Any:
        return self.registry.service(name)

    def finish(self, success: bool) -> None:
        """Commit when the whole operation succeeded, otherwise roll everything back."""
        if self._session is None:
            return
        try:
            if self.read_only:
                pass  # autocommit reads: nothing to commit or roll back
            elif success:
                commit(self._session, closing=True, kept=self.kept_connection)
            else:
                self._session.rollback()
        finally:
            self._session.close()
            self._session = None

"""What the authentication code of one application shares: settings, the token codec,
the revocation list, the clock and the per-account login locks.

Built by ``lys.apps.user_auth.ready(application)`` and looked up by registry, so the
services (which only know their registry) and the request hooks find the same one.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from lys.apps.user_auth.modules.auth.revocation import Revocations
from lys.auth.tokens import TokenCodec
from lys.conf.settings import ASYMMETRIC_JWT_ALGORITHMS
from lys.db.types import utcnow
from lys.errors import ImproperlyConfigured

if TYPE_CHECKING:
    from collections.abc import Iterator

    from lys.conf.settings import Settings
    from lys.registry.registry import Registry

#: Where a registry keeps its runtime. On the registry itself, not in a module-level
#: weak mapping: the runtime refers back to the registry, so a mapping's entry would
#: keep every application ever built alive.
_ATTRIBUTE = "lys_auth_runtime"
#: Logins of one account run one at a time in a process (and, on databases that lock
#: rows, across processes): parallel guesses cannot all pass the lockout check.
_LOCK_STRIPES = 64


class AuthRuntime:
    def __init__(self, settings: Settings, registry: Registry) -> None:
        self.settings = settings
        self.revocations = Revocations(settings, registry)
        self.clock: Callable[[], datetime] = utcnow
        self._codec: TokenCodec | None = None
        self._locks = [threading.Lock() for _ in range(_LOCK_STRIPES)]
        if settings.jwt_algorithm in ASYMMETRIC_JWT_ALGORITHMS:
            # SIGNING_KEY must load (and match the algorithm) at start, not at a login.
            self._codec = TokenCodec.from_settings(settings)

    @property
    def codec(self) -> TokenCodec:
        """The access-token codec; SECRET_KEY (HS*) is required only once tokens are used."""
        if self._codec is None:
            self._codec = TokenCodec.from_settings(self.settings)
        return self._codec

    @property
    def can_sign(self) -> bool:
        return self._codec is not None or self.settings.secret_key is not None

    def now(self) -> datetime:
        return self.clock()

    @contextmanager
    def account_lock(self, user_id: uuid.UUID) -> Iterator[None]:
        with self._locks[user_id.int % _LOCK_STRIPES]:
            yield


def install(settings: Settings, registry: Registry) -> AuthRuntime:
    runtime = AuthRuntime(settings, registry)
    setattr(registry, _ATTRIBUTE, runtime)
    return runtime


def runtime_of(registry: Registry | Any) -> AuthRuntime:
    runtime = getattr(registry, _ATTRIBUTE, None)
    if runtime is None:
        raise ImproperlyConfigured(
            "lys.apps.user_auth is not set up for this registry: build the project with "
            "lys.Application, which calls the app's ready()"
        )
    return runtime

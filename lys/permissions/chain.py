"""The permission chain: configured permission classes, asked in order.

Each class answers a ``Verdict`` for a caller and a webservice: a boolean settles the
question (the first yes or no wins), a partial ``Access`` adds to what earlier classes
granted and lets the chain go on, and no opinion lets the next class speak. A class
may also name the error to answer if nobody grants access. A class that raises is
logged and counts as no opinion, so one broken class cannot open anything.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from lys.errors import LysError, PermissionDeniedError
from lys.permissions.grants import FULL, NOTHING, Access

logger = logging.getLogger("lys.permissions")


class AccessDeniedError(LysError):
    """An anonymous caller asked for something that needs a connection."""

    code = "ACCESS_DENIED_ERROR"
    status_code = 401
    default_detail = "Log in to do this."


@dataclass(frozen=True)
class Verdict:
    grant: bool | Access | None = None
    #: The error to answer if the chain ends without a grant.
    error: type[LysError] | LysError | None = None


ALLOW = Verdict(True)
NO_OPINION = Verdict()


def deny(error: type[LysError] | LysError | None = None) -> Verdict:
    """Refuse the call, with ``error`` (an error class or instance) if given."""
    return Verdict(False, error)


def partial(access: Access) -> Verdict:
    """Allow the call on the rows ``access`` reaches only."""
    return Verdict(access)


@runtime_checkable
class Permission(Protocol):
    def check(self, context: Any, webservice: Any) -> Verdict: ...


class Baseline(Protocol):
    """Optional: the scopes a connected caller reaches outside any webservice (``node``,
    ``nodes``, jobs): a permission class adds the organizations it knows of."""

    def baseline(self, context: Any) -> Access | None: ...


class PermissionChain:
    """The permission classes a webservice call goes through, in order."""

    def __init__(self, permissions: list[Any]) -> None:
        self.permissions = list(permissions)

    def evaluate(self, context: Any, webservice: Any) -> Access:
        """The caller's access to ``webservice``, or the error that refuses it."""
        granted: Access | None = None
        error: type[LysError] | LysError | None = None
        settled: bool | None = None
        for permission in self.permissions:
            try:
                verdict = permission.check(context, webservice)
            except Exception:
                logger.exception("permission %s failed; counted as no opinion", permission)
                continue
            if verdict.error is not None:
                error = verdict.error
            if isinstance(verdict.grant, bool):
                settled = verdict.grant
                break
            if isinstance(verdict.grant, Access):
                granted = verdict.grant if granted is None else granted.merge(verdict.grant)
        if settled is True:
            return FULL
        if settled is None and granted is not None and not granted.is_empty:
            return granted
        raise _refusal(context, error)

    def baseline(self, context: Any) -> Access:
        """What a caller reaches when no webservice decides: super users everything,
        connected callers their own rows plus the organizations the classes add."""
        principal = getattr(context, "principal", None)
        if principal is None:
            return NOTHING
        if principal.is_super_user:
            return FULL
        access = Access.scoped(owner=True)
        for permission in self.permissions:
            extra = getattr(permission, "baseline", None)
            if extra is None:
                continue
            try:
                more = extra(context)
            except Exception:
                logger.exception("permission %s baseline failed; ignored", permission)
                continue
            if more is not None:
                access = access.merge(more)
        return access


def _refusal(context: Any, error: type[LysError] | LysError | None) -> LysError:
    if isinstance(error, LysError):
        return error
    if error is not None:
        return error()
    # A service caller is authenticated, not a user: refused, not asked to log in.
    if getattr(context, "principal", None) is None and not getattr(context, "service_caller", None):
        return AccessDeniedError()
    return PermissionDeniedError()

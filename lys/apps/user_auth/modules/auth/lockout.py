"""Login lockout: consecutive failures of one account block it for a while.

Upstream's rules. The attempts of an account form a series: each wrong password adds
one to the last FAILED row (or starts a new row at 1); a successful login writes a
SUCCEED row, so the next failure starts a new series. Once the series reaches a
threshold of ``LOGIN_LOCKOUT_DURATIONS`` (``{3: 60, 5: 900}``: the 3rd and 4th failure
block 60 s, the 5th and later 900 s), ``blocked_until`` is set. While blocked, every
login is refused before the password is looked at, and the series does not grow.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lys.apps.user_auth.modules.auth.errors import LoginRateLimitError

FAILED = "FAILED"
SUCCEED = "SUCCEED"


def block_seconds(attempt_count: int, thresholds: Mapping[int, int]) -> int:
    """The block that ``attempt_count`` consecutive failures earn: the value of the highest
    threshold reached, 0 below the first."""
    reached = [threshold for threshold in thresholds if threshold <= attempt_count]
    return thresholds[max(reached)] if reached else 0


def remaining_seconds(blocked_until: datetime, now: datetime) -> int:
    return max(1, math.ceil((blocked_until - now).total_seconds()))


class LoginAttempts:
    """The attempt rows of ``user_login_attempt`` (model passed in: apps may extend it)."""

    def __init__(self, model: Any, thresholds: Mapping[int, int]) -> None:
        self.model = model
        self.thresholds = dict(thresholds)

    def last(self, session: Session, user_id: uuid.UUID) -> Any:
        model = self.model
        stmt = (
            select(model)
            .where(model.user_id == user_id)
            .order_by(model.created_at.desc(), model.id.desc())
            .limit(1)
        )
        return session.scalars(stmt).first()

    def refusal(self, last: Any, now: datetime) -> LoginRateLimitError | None:
        """The error to answer when the account is blocked, else None."""
        if last is None or last.status_id != FAILED or last.blocked_until is None:
            return None
        if last.blocked_until <= now:
            return None
        remaining = remaining_seconds(last.blocked_until, now)
        return LoginRateLimitError(
            f"Too many failed attempts; try again in {remaining} s.",
            extensions={"remaining_seconds": remaining, "attempt_count": last.attempt_count},
        )

    def record_failure(self, session: Session, user_id: uuid.UUID, last: Any, now: datetime) -> Any:
        if last is not None and last.status_id == FAILED:
            last.attempt_count += 1
            row = last
        else:
            row = self.model(user_id=user_id, status_id=FAILED, attempt_count=1)
            session.add(row)
        seconds = block_seconds(row.attempt_count, self.thresholds)
        row.blocked_until = now + timedelta(seconds=seconds) if seconds else None
        session.flush()
        return row

    def record_success(self, session: Session, user_id: uuid.UUID) -> Any:
        row = self.model(user_id=user_id, status_id=SUCCEED, attempt_count=1)
        session.add(row)
        session.flush()
        return row

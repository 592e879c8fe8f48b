"""When periodic jobs fire: the latest tick of a schedule, in UTC.

Ticks are absolute instants (cron minutes, or multiples of the interval since the Unix
epoch), never "N seconds after this process started": every scheduler computes the
same tick, so a Redis lock keyed by it lets exactly one of them fire it.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from lys.errors import ImproperlyConfigured
from lys.jobs.actors import Schedule

_EPSILON = timedelta(microseconds=1)


def check_cron(expression: str) -> None:
    """Refuse anything but a valid five-field expression (minute hour day month weekday)."""
    from croniter import croniter

    if len(expression.split()) != 5 or not croniter.is_valid(expression):
        raise ImproperlyConfigured(
            f"cron expression {expression!r} is not valid: five fields, "
            "minute hour day-of-month month day-of-week (e.g. '*/5 * * * *')"
        )


def latest_tick(schedule: Schedule, now: datetime) -> datetime:
    """The last instant at or before ``now`` the schedule fires."""
    if schedule.every is not None:
        seconds = math.floor(now.timestamp() / schedule.every) * schedule.every
        return datetime.fromtimestamp(seconds, UTC)
    from croniter import croniter

    previous: datetime = croniter(schedule.cron, now.astimezone(UTC) + _EPSILON).get_prev(datetime)
    return previous.astimezone(UTC)


def next_tick(schedule: Schedule, tick: datetime) -> datetime:
    """The instant after ``tick`` the schedule fires."""
    if schedule.every is not None:
        return tick + timedelta(seconds=schedule.every)
    from croniter import croniter

    following: datetime = croniter(schedule.cron, tick.astimezone(UTC)).get_next(datetime)
    return following.astimezone(UTC)


def due_tick(schedule: Schedule, after: datetime, now: datetime) -> datetime | None:
    """The latest tick in ``(after, now]``, or ``None``.

    Only the latest: a scheduler that was down for an hour fires a minutely job once
    when it is back, not sixty times.
    """
    tick = latest_tick(schedule, now)
    return tick if tick > after else None

"""A clock that stands still until a test moves it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

#: A fixed moment, well inside a day in any time zone from UTC-11 to UTC+11.
NOON = datetime(2025, 3, 12, 12, 0, tzinfo=UTC)


class FixedClock:
    """Tells the same time until :meth:`advance` moves it."""

    def __init__(self, now: datetime = NOON) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

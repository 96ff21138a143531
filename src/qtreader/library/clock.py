"""The clock that study state is kept by, apart from :mod:`qtreader.library.study` so that the
reader can start without importing the scheduler's module."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

__all__ = ["Clock", "utc_now"]

#: A function that tells the time (timezone-aware). Tests inject a fixed one.
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)

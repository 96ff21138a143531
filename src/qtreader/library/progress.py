"""What studying has done: a year of reviews day by day, streaks, the cards due in the
next 30 days, and retention week by week, for a scope (a subject, the bookmarks or the
whole library).

Every series comes from the reviews table, summed up by SQLite one row a day; the counts
per subject are the tree's own (:func:`qtreader.library.study.overview`), not counted again.
Days are local calendar days, as the daily limit of new cards counts them. No Rich or
Textual here: the shell and the app draw the same report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from qtreader.library.config import DEFAULT_DESIRED_RETENTION
from qtreader.library.state import StateStore
from qtreader.library.store import Library
from qtreader.library.study import (
    REVIEW_STATE,
    Overview,
    Progress,
    Scope,
    progress_of,
    start_of_day,
)

__all__ = [
    "CALENDAR_WEEKS",
    "FORECAST_DAYS",
    "DayReviews",
    "ProgressReport",
    "WeekRetention",
    "progress_report",
    "streaks",
]

#: Weeks in the calendar: the current one and the 52 before it (a year and a bit).
CALENDAR_WEEKS = 53

#: Days the forecast covers, today first.
FORECAST_DAYS = 30


@dataclass(frozen=True, slots=True)
class DayReviews:
    """One day's reviews: all of them, those of learned cards, and of those the ones
    remembered (graded hard or better)."""

    day: date
    reviews: int
    learned_reviews: int
    remembered: int


@dataclass(frozen=True, slots=True)
class WeekRetention:
    """A calendar week (Monday to Sunday): reviews of learned cards, and those remembered."""

    start: date
    reviews: int
    remembered: int

    @property
    def retention(self) -> float | None:
        """The share remembered, if any learned card was reviewed that week."""
        return self.remembered / self.reviews if self.reviews else None


@dataclass(frozen=True, slots=True)
class ProgressReport:
    """Everything the Progress screen and ``qtreader stats`` show for one scope.

    ``days``: each day with a review in the calendar's span, oldest first; ``forecast``:
    cards due on each of the next :data:`FORECAST_DAYS` days, today's count taking the
    overdue ones too; ``weeks``: the calendar's weeks, oldest first; ``subjects``: the
    tree's figures of each subject in scope (one row, the scope's, for the bookmarks);
    ``total``: the scope's figures.
    """

    scope: Scope
    today: date
    days: tuple[DayReviews, ...]
    current_streak: int
    longest_streak: int
    forecast: tuple[int, ...]
    weeks: tuple[WeekRetention, ...]
    desired_retention: float
    subjects: tuple[Progress, ...]
    total: Progress

    @property
    def first_day(self) -> date:
        """The Monday the calendar starts on."""
        return _monday(self.today) - timedelta(weeks=CALENDAR_WEEKS - 1)

    def reviews_on(self) -> dict[date, int]:
        """Reviews per day of the calendar (days without any are left out)."""
        return {day.day: day.reviews for day in self.days}

    @property
    def reviews_in_year(self) -> int:
        return sum(day.reviews for day in self.days)

    @property
    def active_days(self) -> int:
        return len(self.days)

    def retention_since(self, weeks: int) -> float | None:
        """Retention over the last ``weeks`` weeks, this one included."""
        recent = self.weeks[-weeks:]
        reviews = sum(week.reviews for week in recent)
        return sum(week.remembered for week in recent) / reviews if reviews else None


def _midnight(day: date) -> datetime:
    """The local midnight that starts ``day`` (a naive time is read as local time, with
    summer time as it is on that day)."""
    return datetime.combine(day, time()).astimezone()


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def streaks(days: list[date], today: date) -> tuple[int, int]:
    """The current streak (days in a row with a review, up to today, or up to yesterday
    while today has none yet) and the longest one. ``days`` must be sorted."""
    longest = run = 0
    previous: date | None = None
    for day in days:
        if day > today:
            break
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    alive = previous is not None and (today - previous) <= timedelta(days=1)
    return (run if alive else 0), longest


def _scope_progress(view: Overview, scope: Scope) -> tuple[tuple[Progress, ...], Progress]:
    if scope.kind == "subject":
        found = progress_of(view, scope.subject or "")
        if found is None:
            raise LookupError(f"no subject {scope.subject!r} in this library")
        return (found,), found
    if scope.kind == "bookmarks":
        return (view.bookmarks,), view.bookmarks
    return tuple(view.subjects.values()), view.library


def progress_report(
    library: Library,
    store: StateStore,
    scope: Scope,
    view: Overview,
    *,
    now: datetime,
    desired_retention: float = DEFAULT_DESIRED_RETENTION,
) -> ProgressReport:
    """Read the reviews of ``scope`` (the database: call it off the event loop) and sum
    them up. ``view``: the overview of the same moment, for the counts per subject."""
    subjects, total = _scope_progress(view, scope)
    members = {article_id for article_id, _ in scope.members(library, store)}
    # Filtering by id costs a lookup a review: skip it when every reviewed article is in
    # scope (the whole library, usually); a small scope is read through the id index.
    ids = None if store.reviewed_ids() <= members else members
    midnight = start_of_day(now)
    today = midnight.date()
    first = _monday(today) - timedelta(weeks=CALENDAR_WEEKS - 1)

    # Every day from the first review (or the calendar's first day) to today, by local
    # midnights: a naive time is read as local, summer time known.
    earliest = store.first_review(ids)
    start = min(first, earliest.astimezone().date()) if earliest else first
    span = [start + timedelta(days=n) for n in range((today - start).days + 1)]
    bounds = [_midnight(day) for day in [*span, today + timedelta(days=1)]]
    tallies = store.reviews_between(bounds, ids, REVIEW_STATE)
    active = [(day, tally) for day, tally in zip(span, tallies, strict=True) if tally[0]]
    current, longest = streaks([day for day, _ in active], today)
    days = tuple(DayReviews(day, *tally) for day, tally in active if day >= first)

    weekly: dict[date, list[int]] = {}
    for day in days:
        tally = weekly.setdefault(_monday(day.day), [0, 0])
        tally[0] += day.learned_reviews
        tally[1] += day.remembered
    weeks = tuple(
        WeekRetention(start, *weekly.get(start, (0, 0)))
        for start in (first + timedelta(weeks=n) for n in range(CALENDAR_WEEKS))
    )

    forecast = [0] * FORECAST_DAYS
    for text, count in store.due_by_day(
        ids, _midnight(today + timedelta(days=FORECAST_DAYS))
    ).items():
        offset = (date.fromisoformat(text) - today).days
        if offset < FORECAST_DAYS:
            forecast[max(0, offset)] += count  # overdue cards are due today
    return ProgressReport(
        scope=scope,
        today=today,
        days=days,
        current_streak=current,
        longest_streak=longest,
        forecast=tuple(forecast),
        weeks=weeks,
        desired_retention=desired_retention,
        subjects=subjects,
        total=total,
    )

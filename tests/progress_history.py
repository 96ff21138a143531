"""A deterministic year of reviews of the fixture library, written through the state API,
for the Progress tests and snapshots."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from qtreader.library.state import CardRecord, StateStore
from qtreader.library.store import Library

#: Days between reviews after each grade (again: ten minutes).
_INTERVALS = {1: timedelta(minutes=10), 2: timedelta(days=3), 3: timedelta(days=12)}


def simple_schedule(
    article_id: int, grade: int, when: datetime, days: int | None = None
) -> Callable[[CardRecord | None], CardRecord]:
    """A schedule for :meth:`StateStore.review`: the card after the review, due after a
    fixed interval for the grade (``days`` when given), learned once graded hard or
    better a second time."""

    def schedule(before: CardRecord | None) -> CardRecord:
        interval = timedelta(days=days) if days is not None else _INTERVALS.get(grade)
        if interval is None:  # easy
            interval = timedelta(days=30)
        learned = before is not None and grade > 1
        return CardRecord(
            article_id=article_id,
            state=2 if learned else 1,
            step=None if learned else 0,
            stability=float(interval.days or 1),
            difficulty=5.0,
            due=when + interval,
            last_review=when,
            answer_hash="h",
            reviews=(before.reviews if before else 0) + 1,
            lapses=(before.lapses if before else 0) + (before is not None and grade == 1),
        )

    return schedule


def write_year(store: StateStore, library: Library, now: datetime, seed: int = 7) -> int:
    """Reviews on most days of the 365 before ``now`` (every one of the last six), at
    hours inside the day in UTC; returns how many were written."""
    rng = random.Random(seed)
    ids = sorted({a for s in library.subjects for a, _ in library.titles_in(s.name)})
    written = 0
    for back in range(365, 0, -1):
        day = (now - timedelta(days=back)).replace(hour=9, minute=0, second=0, microsecond=0)
        if back > 6 and rng.random() < 0.4:
            continue
        for _ in range(rng.choice((1, 2, 3, 5, 8, 13))):
            article_id = rng.choice(ids)
            grade = rng.choices((1, 2, 3, 4), weights=(1, 2, 6, 2))[0]
            when = day + timedelta(minutes=rng.randrange(0, 10 * 60))
            store.review(article_id, grade, when, "h", simple_schedule(article_id, grade, when))
            written += 1
    return written

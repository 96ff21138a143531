"""Benchmark: the Progress report over a year of reviews.

    python bench/generate.py /tmp/lib2k --articles 2000
    python bench/bench_progress.py /tmp/lib2k --reviews 100000 --runs 15

Writes a state database (in a temporary folder) holding ``--reviews`` reviews spread over
the 365 days before now, of the library's articles, with the cards they leave, in the
schema of :mod:`qtreader.library.state` (direct SQL: going through FSRS for each would take
minutes). Then times, as medians of ``--runs``:

- ``report``: :func:`qtreader.library.progress.progress_report` for the whole library (calendar,
  streaks, forecast, weekly retention), given the overview;
- ``report + overview``: the same with :func:`qtreader.library.study.overview` first, as the
  Progress screen computes it;

against two floors measured in the same run: one pass of SQLite over every review
(``SELECT count(*), sum(grade > 1) FROM reviews``: ``count(*)`` alone is answered without
reading the rows) and reading every review row's time and grade into Python.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from qtreader.library.progress import progress_report
from qtreader.library.state import NEW_CARD, open_state, to_text
from qtreader.library.store import Library
from qtreader.library.study import LIBRARY_SCOPE, REVIEW_STATE, overview


def fill(path: Path, ids: list[int], reviews: int, now: datetime, seed: int) -> None:
    """``reviews`` reviews of ``ids`` over the last year, and each article's card."""
    rng = random.Random(seed)
    store = open_state(path).store
    store.close()
    import sqlite3

    db = sqlite3.connect(path)
    rows = []
    last: dict[int, tuple[str, str, int]] = {}
    start = now - timedelta(days=365)
    moments = sorted(start + timedelta(seconds=rng.uniform(0, 365 * 86400)) for _ in range(reviews))
    for moment in moments:
        article_id = rng.choice(ids)
        grade = rng.choices((1, 2, 3, 4), weights=(1, 2, 6, 1))[0]
        state_before = REVIEW_STATE if article_id in last else NEW_CARD
        due = moment + timedelta(days=rng.randint(1, 60))
        rows.append((article_id, grade, to_text(moment), "h", state_before, to_text(due), 5000))
        last[article_id] = (to_text(moment), to_text(due), grade)
    with db:
        db.executemany(
            "INSERT INTO reviews (article_id, grade, reviewed_at, answer_hash, state_before, "
            "due_after, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        db.executemany(
            "INSERT INTO cards (article_id, state, step, stability, difficulty, due, "
            "last_review, answer_hash, reviews, lapses) "
            "VALUES (?, 2, NULL, 10, 5, ?, ?, 'h', 1, 0)",
            [(article_id, due, when) for article_id, (when, due, _) in last.items()],
        )
    db.close()


def median_of(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    library = Library.open(options.library)
    library.refresh()
    ids = sorted(
        {article_id for s in library.subjects for article_id, _ in library.titles_in(s.name)}
    )
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "state.db"
        fill(path, ids, options.reviews, now, options.seed)
        store = open_state(path).store
        view = overview(library, store, now=now)

        def report() -> object:
            return progress_report(library, store, LIBRARY_SCOPE, view, now=now)

        def both() -> object:
            return progress_report(
                library, store, LIBRARY_SCOPE, overview(library, store, now=now), now=now
            )

        def count() -> object:
            return store._read("SELECT count(*), sum(grade > 1) FROM reviews")

        def read_all() -> object:
            return store._read("SELECT reviewed_at, grade FROM reviews")

        result = progress_report(library, store, LIBRARY_SCOPE, view, now=now)
        print(
            f"{options.reviews} reviews of {len(ids)} articles; {result.active_days} days "
            f"with reviews, {sum(result.forecast)} cards due in 30 days"
        )
        floor_count = median_of(options.runs, count)
        floor_read = median_of(options.runs, read_all)
        timed = median_of(options.runs, report)
        timed_both = median_of(options.runs, both)
        store.close()
    print(f"floor one SQL pass:    {floor_count * 1000:8.1f} ms")
    print(f"floor read all rows:   {floor_read * 1000:8.1f} ms")
    print(
        f"report:                {timed * 1000:8.1f} ms  "
        f"({timed / floor_count:.1f}x one pass, {timed / floor_read:.2f}x read all)"
    )
    print(
        f"report + overview:     {timed_both * 1000:8.1f} ms  "
        f"({timed_both / floor_count:.1f}x one pass, {timed_both / floor_read:.2f}x read all)"
    )


if __name__ == "__main__":
    main()

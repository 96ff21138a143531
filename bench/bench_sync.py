"""Benchmark: the first ``sync`` of a state with many reviews, against its floor.

    python bench/bench_sync.py [--reviews 20000] [--runs 3]

Each run makes a state of ``--reviews`` reviews over a tenth as many cards, then times, in
the same process: reading every review (``review_log``: the floor), the first sync of that
state into an empty folder (every review exported and every card replayed), a second
machine merging that file, and a sync with nothing to do. Prints the medians and the
ratio of each to the floor.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from fsrs import Scheduler

from qtreader.library.state import CardRecord, StateStore, open_state
from qtreader.library.study import Grade, schedule, utc_now
from qtreader.library.sync import sync


def timed(action: Callable[..., object], *args: object) -> float:
    started = time.perf_counter()
    action(*args)
    return time.perf_counter() - started


def filled(path: Path, reviews: int) -> StateStore:
    store = open_state(path).store
    scheduler, start = Scheduler(enable_fuzzing=False), utc_now() - timedelta(days=400)
    cards = max(1, reviews // 10)
    for number in range(reviews):
        article, now = number % cards, start + timedelta(minutes=number)

        def graded(card: CardRecord | None, a: int = article, n: datetime = now) -> CardRecord:
            return schedule(scheduler, card, a, Grade.GOOD, n, "h")

        store.review(article, 3, now, "h", graded)
    return store


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    figures: dict[str, list[float]] = {"floor": [], "first": [], "merge": [], "again": []}
    for _run in range(options.runs):
        with tempfile.TemporaryDirectory() as name:
            root = Path(name)
            (root / "shared").mkdir()
            store = filled(root / "one" / "state.db", options.reviews)
            other = open_state(root / "two" / "state.db").store
            figures["floor"].append(timed(store.review_log))
            figures["first"].append(timed(sync, store, root / "shared"))
            figures["merge"].append(timed(sync, other, root / "shared"))
            figures["again"].append(timed(sync, store, root / "shared"))
            assert len(other.review_log()) == options.reviews
            store.close()
            other.close()
    floor = statistics.median(figures["floor"])
    for label, values in figures.items():
        median = statistics.median(values)
        print(f"{label:>6}: {median * 1000:9.1f} ms  ({median / floor:6.1f} x floor)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

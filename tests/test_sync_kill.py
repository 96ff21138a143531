"""kill -9 at random moments of real ``qtreader sync`` processes, sending and receiving:
nothing saved on either machine is lost, both databases stay sound, and one more sync on
each side completes what the killed ones began."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from qtreader.library.state import CardRecord, StateStore, open_state

QTREADER = str(Path(sys.executable).with_name("qtreader"))
KILLS = 40


class Machine:
    """A qtreader user on a machine of their own: a home with XDG folders."""

    def __init__(self, home: Path) -> None:
        self.env = dict(os.environ)
        for name in ("CONFIG", "DATA", "STATE", "CACHE"):
            self.env[f"XDG_{name}_HOME"] = str(home / name.lower())
        where = "from qtreader.library.state import default_state_path as p; print(p())"
        found = subprocess.run(
            [sys.executable, "-c", where], env=self.env, capture_output=True, text=True, check=True
        )
        self.state = Path(found.stdout.strip())

    def store(self) -> StateStore:
        return open_state(self.state).store

    def sync(self, folder: Path) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [QTREADER, "sync", str(folder)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def synced(self, folder: Path) -> float:
        """Run a whole sync; how long it took."""
        start = time.perf_counter()
        assert self.sync(folder).wait(timeout=120) == 0
        return time.perf_counter() - start

    def saved(self) -> tuple[list[tuple[int, str, int]], set[int], set[int], str]:
        """Every review (article, time, grade), the read and bookmarked articles, and
        SQLite's own integrity check."""
        db = sqlite3.connect(self.state)
        try:
            check = db.execute("PRAGMA integrity_check").fetchone()[0]
            reviews = db.execute(
                "SELECT article_id, reviewed_at, grade FROM reviews "
                "ORDER BY reviewed_at, article_id"
            ).fetchall()
            read = {row[0] for row in db.execute("SELECT article_id FROM read_marks")}
            marks = {row[0] for row in db.execute("SELECT article_id FROM bookmarks")}
        finally:
            db.close()
        return reviews, read, marks, check


def study(machine: Machine, rng: random.Random, start: datetime, count: int) -> datetime:
    """``count`` reviews, readings and bookmarks on ``machine``, a minute apart from
    ``start``; returns the time after the last."""
    from fsrs import Scheduler

    from qtreader.library.study import Grade, schedule

    store = machine.store()
    scheduler = Scheduler(enable_fuzzing=False)

    def schedule_one(
        article: int, grade: Grade, at: datetime, card: CardRecord | None
    ) -> CardRecord:
        return schedule(scheduler, card, article, grade, at, "h")

    when = start
    try:
        for _ in range(count):
            article = rng.randrange(1, 300)
            grade = rng.choice(list(Grade))
            store.review(
                article, int(grade), when, "h", partial(schedule_one, article, grade, when)
            )
            store.record_open(rng.randrange(1, 300), "Physics", when)
            if rng.random() < 0.2:
                store.toggle_bookmark(rng.randrange(1, 300), when)
            when += timedelta(minutes=1)
    finally:
        store.close()
    return when


@pytest.mark.slow
def test_kill_9_during_syncs_on_both_sides_loses_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "sync"
    folder.mkdir()
    laptop, server = Machine(tmp_path / "laptop"), Machine(tmp_path / "server")
    rng = random.Random(16)
    when = study(laptop, rng, datetime(2026, 1, 5, 8, tzinfo=UTC), 300)
    # How long a whole sync takes here, start-up included: kills fall inside that span.
    spans = [laptop.synced(folder), server.synced(folder)]
    when = study(laptop, rng, when, 20)
    spans.append(server.synced(folder))
    span = statistics.median(spans)
    # And how long it takes to start and refuse a folder that is missing: kills before
    # that would only ever hit Python starting up.
    start = time.perf_counter()
    laptop.sync(tmp_path / "missing").wait(timeout=60)
    started = time.perf_counter() - start

    for round_number in range(KILLS):
        when = study(laptop, rng, when, 10)
        victim = laptop if round_number % 2 == 0 else server
        process = victim.sync(folder)
        time.sleep(rng.uniform(0.8 * started, 1.1 * span))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        for machine in (laptop, server):
            assert machine.saved()[3] == "ok"
        # Whatever the kill left, the laptop's own saved state is whole.
        assert len(laptop.saved()[0]) == 320 + 10 * (round_number + 1)

    laptop.synced(folder)
    server.synced(folder)
    laptop_saved, server_saved = laptop.saved(), server.saved()
    assert server_saved == laptop_saved  # every review, reading and bookmark arrived once
    for file in folder.glob("*.jsonl"):  # no line cut off by a kill is left behind
        assert all(json.loads(line) for line in file.read_text().splitlines())

"""kill -9 at random moments of study, fifty times: no confirmed review is ever lost, the
state database stays sound, and the index still opens.

Each round starts a real process that studies through the same code as the app
(``StudySession.grade`` returns only once the review is committed) and prints the article
of every review it has confirmed; the test kills it at a random moment. A process's clock
moves a day on after each session, so that cards come due again and grading never stops.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter

import pytest

from qtreader.library.state import default_state_path
from qtreader.library.store import Library, load_library

from .conftest import LIBRARY

KILLS = 50

STUDENT = """
import random, sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from qtreader.library.state import open_state
from qtreader.library.store import Library
from qtreader.library.study import LIBRARY_SCOPE, Grade, StudySession

library = Library.open(Path(sys.argv[1]))
store = open_state().store
day = [datetime(2026, 1, 1, 12, tzinfo=UTC) + timedelta(days=int(sys.argv[2]) * 400)]
while True:
    session = StudySession.start(library, store, LIBRARY_SCOPE, new_cards=8, clock=lambda: day[0])
    while not session.finished:
        article_id = session.current.article_id
        session.grade(random.choice(list(Grade)))
        print(article_id, flush=True)  # only now is the review confirmed
    day[0] += timedelta(days=1)
"""


@pytest.mark.slow
def test_kill_9_loop_during_study_loses_no_confirmed_review() -> None:
    load_library(LIBRARY)  # the index the students open
    confirmed: Counter[int] = Counter()
    chooser = random.Random(4)
    for round_number in range(KILLS):
        student = subprocess.Popen(
            [sys.executable, "-c", STUDENT, str(LIBRARY), str(round_number)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # Start-up (imports, opening both databases) takes a few hundred ms; kill before,
        # during and well into the grading.
        time.sleep(chooser.uniform(0.05, 1.2))
        student.send_signal(signal.SIGKILL)
        out, err = student.communicate(timeout=30)
        assert student.returncode == -signal.SIGKILL, err
        lines = out.split("\n")
        # The last line may be cut by the kill: only whole lines were confirmed.
        confirmed.update(int(line) for line in lines[:-1] if line)

    db = sqlite3.connect(default_state_path())
    try:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        saved = Counter(dict(db.execute("SELECT article_id, count(*) FROM reviews GROUP BY 1")))
    finally:
        db.close()
    assert sum(confirmed.values()) > KILLS  # the kills landed while grading
    for article_id, count in confirmed.items():
        assert saved[article_id] >= count, article_id
    # At most the grade in flight at each kill is saved without having been confirmed.
    assert sum(saved.values()) - sum(confirmed.values()) <= KILLS
    library = Library.open(LIBRARY)
    assert library.notice is None and len(library) == 8

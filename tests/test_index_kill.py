"""The index survives ``kill -9`` at any moment of ``qtreader index --rebuild``: after every
kill the catalog is the last complete one, and at the end the index opens, refreshes, counts
right and searches."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qtreader.library.store import Library

ROOT = Path(__file__).resolve().parents[1]
QTREADER = str(Path(sys.executable).with_name("qtreader"))
ARTICLES = 2000
KILLS = 50


@pytest.fixture(scope="session")
def generated_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 2,000 articles in the real format, written once per test session."""
    root = tmp_path_factory.mktemp("generated")
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), str(root),
         "--articles", str(ARTICLES), "--seed", "6"],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return root


def _rebuild(library: Path) -> subprocess.Popen[bytes]:
    """``qtreader index --rebuild`` in a process group of its own (it and its workers)."""
    return subprocess.Popen(
        [QTREADER, "index", str(library), "--rebuild"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):  # the group this test started, by its id
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@pytest.mark.slow
def test_index_survives_kill_9_at_random_moments_of_a_rebuild(generated_library: Path) -> None:
    # A complete index first; its figures are the truth. Timing one rebuild tells over
    # how long to spread the kills (it is not checked).
    started = time.monotonic()
    first = _rebuild(generated_library)
    _, error = first.communicate(timeout=300)
    assert first.returncode == 0, error.decode()
    duration = time.monotonic() - started
    truth = Library.open(generated_library)
    articles, subjects = len(truth), [s.name for s in truth.subjects]
    assert articles == ARTICLES and not truth.problems
    sample = next(truth.articles())
    word = max(sample.question.split(), key=len).strip("?,.")

    rng = random.Random(6)
    kills = finished = 0
    while kills < KILLS:
        assert finished < 5 * KILLS, "the rebuild always ended before the kill"
        # What a kill can leave differs by how far the one write transaction got: not yet
        # begun, open with some chunks written, or committing at the end. So most kills fall
        # in the first part of a run and some around its end, which keeps the loop short.
        if rng.random() < 0.8:
            moment = rng.uniform(0.0, 0.4 * duration)
        else:
            moment = rng.uniform(0.8 * duration, 1.05 * duration)
        process = _rebuild(generated_library)
        try:
            process.wait(timeout=moment)
        except subprocess.TimeoutExpired:
            _kill(process)
            kills += 1
        else:
            _, error = process.communicate()
            assert process.returncode == 0, error.decode()
            finished += 1
        # The last complete catalog is still there, whole.
        index = Library.open(generated_library)
        assert index.notice is None, (kills, index.notice)
        assert len(index) == articles, kills
        index.index.close()

    library = Library.open(generated_library)
    assert library.notice is None
    report = library.refresh()
    assert not report.changed_anything  # the catalog matches the folder as it is
    assert len(library) == articles
    assert [s.name for s in library.subjects] == subjects
    assert not library.problems
    assert sample.id in [hit.id for hit in library.search(word, limit=50)]
    assert library.answer(sample.id)

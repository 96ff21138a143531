"""``qtreader history``, ``stats`` and ``study``, and ``--incognito``, through click's runner
on the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pytest
from click.testing import CliRunner
from fsrs import Scheduler

from qtreader.cli import main
from qtreader.library.state import default_state_path, open_state
from qtreader.library.store import load_library
from qtreader.library.study import (
    BOOKMARKS_SCOPE,
    LIBRARY_SCOPE,
    Grade,
    Scope,
    StudyRequest,
    StudySession,
    answer_hash,
    schedule,
    utc_now,
)
from qtreader.tui.app import QTReaderApp

from .clock import NOON, FixedClock
from .conftest import LIBRARY


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_history_lists_clears_and_keeps_the_rest() -> None:
    code, out, _ = run("history", "--library", str(LIBRARY))
    assert code == 0 and out.strip() == "Nothing opened yet."
    store = open_state().store
    store.record_open(501, "Physics", NOON)
    store.record_open(503, "Mathematics", NOON + timedelta(minutes=5))
    store.record_open(777, "Physics", NOON + timedelta(minutes=6))  # since removed
    store.toggle_bookmark(501, NOON)
    store.close()
    code, out, _ = run("history", "--library", str(LIBRARY))
    lines = out.splitlines()
    assert code == 0 and len(lines) == 3
    assert lines[0].endswith("777  (no longer in this library)  (Physics)")
    assert lines[1].endswith("503  What is a gradient?  (Mathematics)")
    code, out, _ = run("history", "--library", str(LIBRARY), "--json", "--limit", "2")
    entries = json.loads(out)
    assert [e["id"] for e in entries] == [777, 503]
    assert entries[1] == {
        "id": 503,
        "title": "What is a gradient?",
        "subject": "Mathematics",
        "opened_at": "2025-03-12T12:05:00+00:00",
        "scroll": 0.0,
    }
    code, out, _ = run("history", "--clear")
    assert code == 0
    assert out.strip() == "History cleared (3 entries). Bookmarks, read marks and reviews are kept."
    store = open_state().store
    assert store.history() == [] and store.read_ids() == {501, 503, 777}
    assert [b.article_id for b in store.bookmarks()] == [501]


def test_stats_per_subject() -> None:
    library = load_library(LIBRARY)
    store = open_state().store
    clock = FixedClock(utc_now() - timedelta(days=30))  # stats tell the real time
    session = StudySession.start(library, store, Scope.of_subject("Physics"), clock=clock)
    assert session.current is not None
    learned = session.current.article_id
    session.grade(Grade.EASY)  # learned
    session.grade(Grade.GOOD)  # learning
    clock.advance(days=29)
    # A review of the learned card, remembered; the other stays due.
    scheduler, current = Scheduler(), answer_hash(library.answer(learned))
    store.review(
        learned, 3, clock.now, current,
        lambda card: schedule(scheduler, card, learned, Grade.GOOD, clock.now, current),
    )  # fmt: skip
    store.record_open(504, "Computer Science", NOON)
    store.close()

    code, out, _ = run("stats", "--library", str(LIBRARY), "--json")
    assert code == 0
    report = json.loads(out)
    physics = next(s for s in report["subjects"] if s["subject"] == "Physics")
    assert physics == {
        "subject": "Physics",
        "articles": 3,
        "read": 0,
        "seen": 2,
        "due_today": 1,  # the second card, due ten minutes after it was graded a month ago
        "learned": 1,
        "reviews_of_learned_cards": 1,
        "retention": 1.0,
        "new": 1,  # 501
        "learning": 1,  # 503
        "mature": 1,  # 502, next due weeks after its review
    }
    assert report["library"]["seen"] == 2 and report["library"]["read"] == 1
    assert report["new_cards_left_today"] == 20

    code, out, _ = run("stats", "--library", str(LIBRARY))
    lines = out.splitlines()
    assert lines[0].split() == [
        "subject", "articles", "read", "seen", "due", "today", "learned", "retention",
    ]  # fmt: skip
    assert lines[5].split() == ["Physics", "3", "0", "2", "1", "1", "100%"]
    assert lines[6].split() == ["Whole", "library", "8", "1", "2", "1", "1", "100%"]
    assert lines[-1] == "New cards left today: 20"


def test_a_corrupt_state_is_reported_on_stderr() -> None:
    path = default_state_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x00garbage" * 512)
    code, out, err = run("stats", "--library", str(LIBRARY))
    assert code == 0 and "Physics" in out
    assert f"The reading state {path} could not be read" in err
    assert "moved to" in err and "state.db.corrupt-" in err
    assert len(list(path.parent.glob("state.db.corrupt-*"))) == 1
    code, _, err = run("history", "--library", str(LIBRARY))
    assert code == 0 and err == ""  # told once; the fresh database is sound


def test_study_starts_the_app_in_a_session(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[QTReaderApp] = []
    monkeypatch.setattr(QTReaderApp, "run", lambda self: started.append(self))
    assert run("study", "--library", str(LIBRARY), "--subject", "physics", "--new", "3")[0] == 0
    assert run("study", "--library", str(LIBRARY), "--bookmarks", "--incognito")[0] == 0
    assert run("study", "--library", str(LIBRARY))[0] == 0
    assert [(app.study, app.incognito) for app in started] == [
        (StudyRequest(Scope.of_subject("Physics"), 3), False),
        (StudyRequest(BOOKMARKS_SCOPE, None), True),
        (StudyRequest(LIBRARY_SCOPE, None), False),
    ]
    code, _, err = run("study", "--subject", "Physics", "--bookmarks")
    assert code == 2 and "not both" in err
    # --incognito on the bare command and on read.
    started.clear()
    assert run("--incognito", "--library", str(LIBRARY))[0] == 0
    assert run("read", "501", "--incognito", "--library", str(LIBRARY))[0] == 0
    assert run("read", "501", "--library", str(LIBRARY))[0] == 0
    assert [(app.start_article, app.incognito) for app in started] == [
        (None, True),
        ("501", True),
        ("501", False),
    ]


def test_help_of_the_study_commands_has_an_example() -> None:
    for command in ("history", "study", "stats"):
        code, out, _ = run(command, "--help")
        assert code == 0 and "Example" in out, command


def test_history_and_stats_run_without_textual() -> None:
    probe = (
        "import sys, runpy; sys.argv = ['qtreader', sys.argv[1], '--library', sys.argv[2]];\n"
        "try:\n    runpy.run_module('qtreader', run_name='__main__')\n"
        "except SystemExit as exit:\n    code = exit.code\n"
        "print('TEXTUAL' if 'textual' in sys.modules else 'NO-TEXTUAL', code, file=sys.stderr)"
    )
    for command in ("history", "stats"):
        result = subprocess.run(
            [sys.executable, "-c", probe, command, str(LIBRARY)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert result.stderr.strip().endswith("NO-TEXTUAL 0"), result.stderr

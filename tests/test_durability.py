"""Nothing lost: real qtreader processes in pseudo-terminals, graded with keys as a person
would, then ``kill -9``-ed mid-review, or run two at once on the same state. Every review
that the app had confirmed (it shows the next card only once the grade is committed) must
be in the database, and the database must be sound."""

from __future__ import annotations

import sqlite3
import sys
from collections import Counter

import pytest

from qtreader.library.state import default_state_path

from .conftest import LIBRARY
from .terminal import Terminal

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")


def study(*extra: str) -> Terminal:
    terminal = Terminal("study", "--library", str(LIBRARY), "--new", "8", *extra)
    terminal.wait_for("0 reviewed")
    return terminal


def grade(terminal: Terminal, key: str, reviewed: int) -> None:
    """Show the answer, grade it, and wait until the app confirms the review."""
    terminal.press(" ")
    terminal.wait_for("1 Again")
    terminal.press(key)
    terminal.wait_for(f"{reviewed} reviewed")


def saved() -> tuple[list[tuple[int, int]], dict[int, int], str]:
    """(article, grade) of every review in order, each card's review count, and the
    database's own integrity check."""
    db = sqlite3.connect(default_state_path())
    try:
        check = db.execute("PRAGMA integrity_check").fetchone()[0]
        reviews = db.execute("SELECT article_id, grade FROM reviews ORDER BY id").fetchall()
        cards = dict(db.execute("SELECT article_id, reviews FROM cards").fetchall())
    finally:
        db.close()
    return reviews, cards, check


def test_kill_9_mid_review_loses_no_confirmed_grade() -> None:
    terminal = study()
    try:
        grades = "31423"
        for number, key in enumerate(grades, start=1):
            grade(terminal, key, number)
        terminal.press(" ")  # the next answer is on screen...
        terminal.wait_for("1 Again")
        terminal.press("3")  # ...and a grade is being entered when the process dies
        terminal.kill()
    finally:
        terminal.close()
    reviews, cards, check = saved()
    assert check == "ok"
    assert len(reviews) in (len(grades), len(grades) + 1)
    assert [g for _, g in reviews[: len(grades)]] == [int(k) for k in grades]
    assert sum(cards.values()) == len(reviews)

    # The next run carries on from the saved state.
    terminal = study()
    try:
        grade(terminal, "4", 1)
        terminal.kill()
    finally:
        terminal.close()
    after, _, check = saved()
    assert check == "ok" and after[: len(reviews)] == reviews and len(after) == len(reviews) + 1


def test_two_processes_at_once_lose_no_review() -> None:
    """Two sessions over the same cards, graded in turns, then both killed."""
    first, second = study(), study()
    try:
        for number in range(1, 7):
            grade(first, "3", number)
            grade(second, "4" if number % 2 else "2", number)
        first.press(" ")
        second.press(" ")
        first.kill()
        second.kill()
    finally:
        first.close()
        second.close()
    reviews, cards, check = saved()
    assert check == "ok"
    assert len(reviews) == 12
    assert Counter(g for _, g in reviews) == Counter({3: 6, 4: 3, 2: 3})
    # Each review built on the card as the other process had left it: no update was lost.
    per_card = Counter(article for article, _ in reviews)
    assert cards == dict(per_card)


def test_quitting_normally_keeps_everything_and_the_history() -> None:
    terminal = study()
    try:
        grade(terminal, "3", 1)
        terminal.press("\x1b")  # end the session: the summary
        terminal.wait_for("Session over")
        terminal.press("\r")
        terminal.wait_for("Study")  # the reader with its footer
        terminal.press("q")
        assert terminal.wait_exit() == 0
    finally:
        terminal.close()
    reviews, _, check = saved()
    assert check == "ok" and len(reviews) == 1

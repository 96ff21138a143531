"""The user's notes on articles: how the state keeps them, and that they survive what the
rest of the state survives."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from qtreader.library.state import Note, NotSaved, StateStore, default_state_path, open_state

from .clock import NOON


def fresh(path: Path | None = None) -> StateStore:
    opened = open_state(path)
    assert opened.notice is None
    return opened.store


# The state ------------------------------------------------------------------------------


def test_a_note_is_saved_read_back_and_replaced() -> None:
    store = fresh()
    assert store.note(501) is None
    store.save_note(501, "# Mine\n\nwork = *force* × distance\n", NOON)
    assert store.note(501) == Note(501, "# Mine\n\nwork = *force* × distance\n", NOON)
    later = NOON + timedelta(minutes=5)
    store.save_note(501, "second thoughts", later)
    assert store.note(501) == Note(501, "second thoughts", later)
    assert store.noted_ids() == {501}


def test_notes_are_listed_newest_first() -> None:
    store = fresh()
    store.save_note(503, "oldest", NOON)
    store.save_note(501, "middle", NOON + timedelta(minutes=1))
    store.save_note(900, "newest", NOON + timedelta(minutes=2))
    assert [(n.article_id, n.text) for n in store.notes()] == [
        (900, "newest"),
        (501, "middle"),
        (503, "oldest"),
    ]
    store.save_note(503, "oldest, edited", NOON + timedelta(minutes=3))
    assert [n.article_id for n in store.notes()] == [503, 900, 501]


@pytest.mark.parametrize("emptied", ["", "   ", "\n\t \n"])
def test_empty_or_blank_text_removes_the_note(emptied: str) -> None:
    store = fresh()
    store.save_note(501, "to be removed", NOON)
    store.save_note(503, "stays", NOON)
    store.save_note(501, emptied, NOON + timedelta(minutes=1))
    assert store.note(501) is None
    assert store.noted_ids() == {503}
    assert [n.article_id for n in store.notes()] == [503]


def test_saving_the_same_text_keeps_the_time_of_the_last_change() -> None:
    store = fresh()
    store.save_note(501, "unchanged", NOON)
    store.save_note(501, "unchanged", NOON + timedelta(hours=1))
    assert store.note(501) == Note(501, "unchanged", NOON)


def test_the_text_is_kept_exactly_markup_and_control_characters_included() -> None:
    text = "[bold red]not markup[/] \x1b[31mnot colour\x1b[0m\r\n  indented\n\n"
    store = fresh()
    store.save_note(501, text, NOON)
    store.close()
    reopened = fresh()
    note = reopened.note(501)
    assert note is not None and note.text == text


def test_a_note_outlives_its_article_and_a_reopened_state() -> None:
    """Nothing in the state knows the library: a note on an id no library holds is kept."""
    store = fresh()
    store.save_note(2**62, "on an article since removed", NOON)
    store.close()
    assert fresh().noted_ids() == {2**62}


def test_a_version_1_state_is_upgraded_and_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    db = sqlite3.connect(path)
    from qtreader.library import state

    db.executescript(state._MIGRATIONS[0])
    db.execute("INSERT INTO bookmarks VALUES (501, '2025-03-12T12:00:00.000000Z')")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    store = fresh(path)
    assert [b.article_id for b in store.bookmarks()] == [501]
    store.save_note(501, "after the upgrade", NOON)
    assert store.note(501) == Note(501, "after the upgrade", NOON)
    store.close()
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == 2
    check.close()


def test_read_only_state_shows_notes_and_refuses_to_save() -> None:
    store = fresh()
    store.save_note(501, "written before", NOON)
    store.close()
    path = default_state_path()
    saved = path.read_bytes()
    # A shared-memory file SQLite cannot open (a folder in its place) makes it read-only.
    path.with_name("state.db-shm").mkdir()
    opened = open_state()
    store = opened.store
    assert store.read_only is not None
    assert store.note(501) == Note(501, "written before", NOON)
    with pytest.raises(NotSaved, match=r"^not saved: Is a directory: "):
        store.save_note(501, "not saved", NOON + timedelta(minutes=1))
    with pytest.raises(NotSaved):
        store.save_note(501, "", NOON + timedelta(minutes=1))
    assert store.note(501) == Note(501, "written before", NOON)
    assert path.read_bytes() == saved


def test_incognito_shows_notes_and_writes_none_to_the_file() -> None:
    store = fresh()
    store.save_note(501, "saved", NOON)
    store.close()
    ghost = open_state(incognito=True).store
    assert ghost.noted_ids() == {501}
    ghost.save_note(501, "", NOON + timedelta(minutes=1))
    ghost.save_note(503, "incognito", NOON + timedelta(minutes=1))
    assert ghost.noted_ids() == {503}
    ghost.close()
    assert fresh().noted_ids() == {501}


WRITER = """
import sys
from datetime import UTC, datetime, timedelta
from qtreader.library.state import open_state

store = open_state().store
start = datetime(2026, 1, 1, tzinfo=UTC)
for number in range(1_000_000):
    text = f"note {number}\\n" + "x" * (number % 300)
    store.save_note(number % 50, text, start + timedelta(seconds=number))
    print(number, flush=True)  # only now is the note saved
"""


def test_kill_9_while_saving_loses_no_saved_note() -> None:
    """A process saving notes as fast as it can is killed once it has confirmed some: each
    confirmed note is in the state, or a later one of the same article is."""
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    confirmed: list[int] = []
    for line in writer.stdout:  # no timing: kill after the 200th confirmed save
        confirmed.append(int(line))
        if len(confirmed) == 200:
            writer.send_signal(signal.SIGKILL)
            break
    _, err = writer.communicate(timeout=60)
    assert writer.returncode == -signal.SIGKILL, err
    db = sqlite3.connect(default_state_path())
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    db.close()
    notes = {note.article_id: note.text for note in fresh().notes()}
    for number in confirmed:
        saved = notes[number % 50]
        assert int(saved.split("\n")[0].split()[1]) >= number

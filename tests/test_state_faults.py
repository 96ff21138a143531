"""Saved state is moved aside only when SQLite says it is corrupt or not a database. A full
disk, a WAL or shared-memory file that cannot be opened, or a read-only folder leave it as
it is: the shell and the app say what is wrong and where, and show the saved state
read-only. Each fault is made for real (see tests/faults.py), and checked through
``qtreader stats``/``history`` on the real entry point and in the app."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qtreader.cli import main
from qtreader.library.state import NotSaved, default_state_path, open_state
from qtreader.library.store import load_library
from qtreader.library.study import Grade, Scope, StudySession
from qtreader.tui.app import QTReaderApp
from qtreader.tui.widgets.subject_tree import SubjectTree

from .clock import FixedClock
from .conftest import LIBRARY
from .faults import filled, modes_bind_root, read_only_mount, small_disk
from .test_app import rendered
from .test_study_app import settle


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def stats() -> tuple[dict[str, Any], str]:  # parsed JSON
    code, out, err = run("stats", "--library", str(LIBRARY), "--json")
    assert code == 0, err
    return json.loads(out), err


def save_some_state() -> dict[str, object]:
    """Two reviews, two bookmarks and a visit, saved as the app saves them; the figures
    ``stats`` shows for them."""
    library = load_library(LIBRARY)
    store = open_state().store
    session = StudySession.start(library, store, Scope.of_subject("Physics"), clock=FixedClock())
    session.grade(Grade.EASY)
    session.grade(Grade.GOOD)
    store.toggle_bookmark(501, FixedClock()())
    store.toggle_bookmark(504, FixedClock()())
    store.record_open(504, "Computer Science", FixedClock()())
    store.close()
    figures, err = stats()
    assert err == ""
    assert figures["library"]["seen"] == 2
    assert figures["bookmarks"]["articles"] == 2
    return figures


def assert_left_alone(path: Path, saved: bytes, figures: dict[str, object], reason: str) -> None:
    """The state file is untouched and nothing is moved aside; ``stats`` names the file and
    the reason, and shows the saved figures; a write says it was not saved."""
    shown, err = stats()
    assert shown == figures  # the reviews and bookmarks, read-only
    assert err.startswith(f"qtreader: The reading state {path} cannot be written (")
    assert reason in err and "shown read-only" in err and err.count("\n") == 1
    code, _, err = run("history", "--clear")
    assert code == 1 and "qtreader: not saved: " in err and reason in err
    assert path.read_bytes() == saved
    assert not list(path.parent.glob("*.corrupt-*"))


@pytest.fixture
def data_dir(isolated_dirs: Path) -> Path:
    return default_state_path().parent


# A full disk ------------------------------------------------------------------------------


def test_a_full_disk_keeps_the_state_and_shows_it_read_only(data_dir: Path) -> None:
    with small_disk(data_dir, size_kb=512):
        figures = save_some_state()
        path = default_state_path()
        saved = path.read_bytes()
        filler = filled(data_dir)
        assert_left_alone(path, saved, figures, f"the disk is full: {data_dir}")
        # Once there is room again, the same state is written to as before.
        filler.unlink()
        opened = open_state()
        assert opened.notice is None and opened.store.read_only is None
        assert len(opened.store.review_log()) == 2
        opened.store.toggle_bookmark(502, FixedClock()())
        opened.store.close()
        assert stats()[0]["bookmarks"]["articles"] == 3


# A WAL or shared-memory file that cannot be opened -------------------------------------


def _unopenable(file: Path) -> AbstractContextManager[None]:
    file.touch()
    file.chmod(0)
    return modes_bind_root()


def _directory(file: Path) -> AbstractContextManager[None]:
    file.mkdir()
    return nullcontext()


@pytest.mark.parametrize("suffix", ["-wal", "-shm"])
@pytest.mark.parametrize(
    ("make", "reason"),
    [(_unopenable, "Permission denied"), (_directory, "Is a directory")],
    ids=["mode-000", "directory"],
)
def test_a_wal_or_shm_file_that_cannot_be_opened_leaves_the_state_alone(
    data_dir: Path,
    suffix: str,
    make: Callable[[Path], AbstractContextManager[None]],
    reason: str,
) -> None:
    figures = save_some_state()
    path = default_state_path()
    saved = path.read_bytes()
    companion = path.with_name(path.name + suffix)
    with make(companion):
        assert_left_alone(path, saved, figures, f"{reason}: {companion}")
    assert companion.exists()  # not removed or replaced either


# A read-only folder ----------------------------------------------------------------------


@pytest.mark.parametrize("how", ["mode-555", "read-only-mount"])
def test_a_read_only_data_folder_leaves_the_state_alone(data_dir: Path, how: str) -> None:
    figures = save_some_state()
    path = default_state_path()
    saved = path.read_bytes()
    fault: AbstractContextManager[object]
    if how == "mode-555":
        data_dir.chmod(0o555)
        fault, reason = modes_bind_root(), f"Permission denied: {data_dir}"
    else:
        fault, reason = read_only_mount(data_dir), f"Read-only file system: {data_dir}"
    try:
        with fault:
            assert_left_alone(path, saved, figures, reason)
    finally:
        data_dir.chmod(0o755)


# What is really damaged is still moved aside ---------------------------------------------


def _scribbled(path: Path) -> None:
    """Two pages of a real state database overwritten: SQLite finds it malformed."""
    store = open_state(path).store
    for n in range(300):
        store.record_open(n, "Physics " * 40, FixedClock()())
    store.close()
    data = bytearray(path.read_bytes())
    data[4096 * 3 : 4096 * 5] = b"\xff" * 8192
    path.write_bytes(bytes(data))


def _random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(16384))


def _text(path: Path) -> None:
    path.write_text("history: none\nbookmarks: none\n" * 200)


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (_scribbled, "malformed"),
        (_random_bytes, "file is not a database"),
        (_text, "file is not a database"),
    ],
    ids=["malformed", "garbage", "not-a-database"],
)
def test_a_corrupt_or_foreign_file_is_still_moved_aside(
    data_dir: Path, damage: Callable[[Path], None], reason: str
) -> None:
    path = default_state_path()
    data_dir.mkdir(parents=True)
    damage(path)
    damaged = path.read_bytes()
    code, out, err = run("stats", "--library", str(LIBRARY))
    assert code == 0 and "Physics" in out
    (moved,) = data_dir.glob("state.db.corrupt-*[0-9]Z")
    assert err.startswith(f"qtreader: The reading state {path} could not be read (")
    assert reason in err and f"moved to {moved};" in err
    assert moved.read_bytes() == damaged
    assert run("history")[0] == 0 and open_state().notice is None  # a fresh, sound one


# The same, in the app --------------------------------------------------------------------


async def test_the_app_says_why_shows_the_state_and_refuses_writes(data_dir: Path) -> None:
    save_some_state()
    path = default_state_path()
    saved = path.read_bytes()
    shm = path.with_name("state.db-shm")
    shm.mkdir()
    app = QTReaderApp(LIBRARY, start_article="502", clock=FixedClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        messages = [(n.title, str(n.message)) for n in app._notifications]
        assert (
            "Reading state",
            f"The reading state {path} cannot be written (Is a directory: {shm}). It is "
            "shown read-only: nothing will be saved in this run.",
        ) in messages
        lines = rendered(app.screen.query_one(SubjectTree)).splitlines()
        assert "★ Bookmarks 2" in lines[0]  # the saved bookmarks, shown
        await pilot.press("m")  # bookmark the open article
        await settle(pilot)
        said = [str(n.message) for n in app._notifications]
        assert f"The reading state could not be saved: Is a directory: {shm}" in said
    assert path.read_bytes() == saved
    assert not list(data_dir.glob("*.corrupt-*"))
    assert [b.article_id for b in open_state(path).store.bookmarks()] == [501, 504]


def test_a_write_to_a_read_only_state_raises_not_saved(data_dir: Path) -> None:
    save_some_state()
    path = default_state_path()
    path.with_name("state.db-shm").mkdir()
    opened = open_state()
    assert opened.store.read_only is not None
    with pytest.raises(NotSaved, match=r"^not saved: Is a directory: ") as caught:
        opened.store.toggle_bookmark(502, FixedClock()())
    assert isinstance(caught.value, sqlite3.OperationalError)  # handled where writes fail
    assert [b.article_id for b in opened.store.bookmarks()] == [501, 504]


def test_changes_in_a_wal_that_cannot_be_read_are_said_to_be_missing(data_dir: Path) -> None:
    """A process died with a bookmark in the WAL, and the WAL cannot be opened now: the
    state before it is shown, and the notice says the latest changes are not."""
    save_some_state()
    path = default_state_path()
    script = (
        "import os, sqlite3, sys\n"
        "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "db.execute('PRAGMA wal_autocheckpoint = 0')\n"
        "db.execute(\"INSERT INTO bookmarks VALUES (502, '2025-03-12T12:00:00.000000Z')\")\n"
        "os._exit(0)  # no checkpoint: the bookmark is only in the WAL\n"
    )
    subprocess.run([sys.executable, "-c", script, str(path)], check=True)
    wal = path.with_name("state.db-wal")
    assert wal.stat().st_size > 0
    saved = {p.name: p.read_bytes() for p in data_dir.iterdir()}
    wal.chmod(0)
    with modes_bind_root():
        opened = open_state()
    assert opened.notice is not None
    assert f"(Permission denied: {wal})" in opened.notice
    assert opened.notice.endswith(f"The latest changes, in {wal}, could not be read.")
    assert [b.article_id for b in opened.store.bookmarks()] == [501, 504]
    wal.chmod(0o644)
    assert {p.name: p.read_bytes() for p in data_dir.iterdir()} == saved
    assert [b.article_id for b in open_state().store.bookmarks()] == [501, 502, 504]

"""The app syncs by itself when ``sync_dir`` is set: at start, after a study session and
(through the command line) at quit; a sync that cannot run is said once, the app goes on."""

from __future__ import annotations

import json
import time
from pathlib import Path

from textual.pilot import Pilot

from qtreader.library.config import config_file
from qtreader.library.state import open_state
from qtreader.library.study import Scope, StudyRequest
from qtreader.library.sync import device_id
from qtreader.tui.app import QTReaderApp
from qtreader.tui.screens.reader import ReaderScreen
from qtreader.tui.screens.study import StudyScreen, SummaryScreen
from qtreader.tui.widgets.state_keeper import StateKeeper

from .clock import FixedClock
from .conftest import LIBRARY
from .pilot import settled
from .terminal import Terminal

OTHER = "beef0001"


def configure(folder: Path) -> None:
    config_file().parent.mkdir(parents=True, exist_ok=True)
    config_file().write_text(f"sync_dir = {json.dumps(str(folder))}\n")


def other_machine(folder: Path) -> None:
    """A file of another machine: a review of the Doppler card and a bookmark on the lens."""
    events = [
        {"id": "r1", "kind": "review", "article": 501, "grade": 3,
         "at": "2025-03-12T12:00:00Z", "answer_hash": "h", "device": OTHER},
        {"id": "b1", "kind": "bookmark", "article": 502, "on": True,
         "at": "2025-03-12T12:01:00Z", "device": OTHER},
    ]  # fmt: skip
    lines = [{"qtreader_sync": 1, "device": OTHER}, *events]
    (folder / f"{OTHER}.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))


def sent_events(folder: Path) -> list[dict[str, object]]:
    """The events this machine has written to its own file."""
    lines = (folder / f"{device_id()}.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines[1:]]


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(3):
        await settled(pilot)


def told(app: QTReaderApp, title: str) -> list[str]:
    return [str(n.message) for n in app._notifications if n.title == title]


async def test_the_app_takes_in_the_other_machines_at_start(tmp_path: Path) -> None:
    other_machine(tmp_path)
    configure(tmp_path)
    app = QTReaderApp(LIBRARY, clock=FixedClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        keeper = app.screen.query_one(StateKeeper)
        assert keeper.overview is not None
        assert keeper.overview.bookmark_ids == (502,)
        assert "Received 1 bookmark(s), 1 review(s) from 1 other device(s)." in told(app, "Sync")
    assert [r["article_id"] for r in open_state().store.review_log()] == [501]
    assert (tmp_path / f"{device_id()}.jsonl").exists()  # this machine's file is made


async def test_a_study_session_is_sent_when_it_ends(tmp_path: Path) -> None:
    configure(tmp_path)
    request = StudyRequest(Scope.of_subject("physics"), new_cards=1)
    app = QTReaderApp(LIBRARY, study=request, clock=FixedClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, StudyScreen)
        await pilot.press("space", "4")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        reviews = [e for e in sent_events(tmp_path) if e["kind"] == "review"]
        assert len(reviews) == 1 and reviews[0]["grade"] == 4  # sent before the app quits
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)


async def test_a_sync_folder_that_is_gone_is_said_once_and_the_app_goes_on(
    tmp_path: Path,
) -> None:
    configure(tmp_path / "unplugged")
    app = QTReaderApp(LIBRARY, "501", clock=FixedClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        keeper = app.screen.query_one(StateKeeper)
        keeper.sync()
        await settle(pilot)
        said = told(app, "Sync")
        assert said == [f"Not synced: {tmp_path / 'unplugged'}: not a folder"]
        assert app.screen.history.current is not None  # still reading


async def test_a_wrong_sync_dir_is_said_at_start_and_nothing_syncs(tmp_path: Path) -> None:
    config_file().parent.mkdir(parents=True)
    config_file().write_text("sync_dir = 3\n")
    app = QTReaderApp(LIBRARY, clock=FixedClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        state = told(app, "Reading state")
        assert len(state) == 1 and "sync_dir must be a folder path" in state[0]
        assert "not syncing" in state[0]
        assert told(app, "Sync") == []


def test_what_was_read_is_sent_at_quit(tmp_path: Path) -> None:
    configure(tmp_path)
    own = tmp_path / f"{device_id()}.jsonl"
    terminal = Terminal("read", "503", "--library", str(LIBRARY))
    try:
        terminal.wait_for("What is a gradient?")
        for _ in range(300):  # the sync at start has written this machine's file
            if own.exists():
                break
            time.sleep(0.1)
        assert 501 not in {e["article"] for e in sent_events(tmp_path) if e["kind"] == "open"}
        terminal.press("1")  # related 1: the Doppler effect, opened after that sync
        terminal.wait_for("What is the Doppler effect?")
        terminal.press("q")
        assert terminal.wait_exit() == 0
    finally:
        terminal.close()
    opened = {e["article"] for e in sent_events(tmp_path) if e["kind"] == "open"}
    assert 501 in opened  # the sync at quit sent it

"""The Progress screen in the app: opened by its key, for the subject under the cursor,
read again after a study session; and snapshots of it over a year of reviews."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from qtreader.library.state import open_state
from qtreader.library.store import load_library
from qtreader.tui.app import QTReaderApp
from qtreader.tui.screens.help import HelpScreen
from qtreader.tui.screens.progress import ProgressScreen
from qtreader.tui.screens.study import StudyScreen

from .clock import NOON, FixedClock
from .conftest import LIBRARY
from .pilot import loaded, settled
from .progress_history import write_year
from .snap_compare import SnapCompare

TESTS = Path(__file__).parent


@pytest.fixture(autouse=True)
def in_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Calendar days are local days: the same zone on every machine. The status bar shows
    the library path: the same on every checkout."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.chdir(TESTS)
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def year() -> int:
    store = open_state().store
    written = write_year(store, load_library(LIBRARY), NOON)
    store.close()
    return written


async def open_progress(pilot: Pilot[None]) -> ProgressScreen:
    for _ in range(3):
        await settled(pilot)
    await pilot.press("P")
    for _ in range(3):
        await settled(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ProgressScreen)
    return screen


async def test_the_key_opens_it_and_a_session_updates_it(year: int) -> None:
    clock = FixedClock()
    app = QTReaderApp(LIBRARY, clock=clock)
    async with app.run_test(size=(100, 40)) as pilot:
        await loaded(pilot)
        screen = await open_progress(pilot)
        first = screen.report
        # The subject under the tree's cursor first, then the bookmarks, then everything.
        assert first is not None and first.scope.label == "Computer Science"
        assert 0 < first.reviews_in_year < year
        await pilot.press("c")
        await settled(pilot)
        assert screen.report is not None and screen.report.scope.label == "Bookmarks"
        assert screen.report.reviews_in_year == 0
        await pilot.press("c")
        await settled(pilot)
        report = screen.report
        assert report is not None and report.scope.label == "Whole library"
        assert report.reviews_in_year == year
        today_before = report.reviews_on().get(report.today, 0)
        # A session over it from here; the screen reads the reviews again after it.
        due = report.forecast[0]
        assert due > 0
        await pilot.press("s")
        for _ in range(3):
            await settled(pilot)
        study = app.screen  # not app.screen itself: mypy would keep it narrowed below
        assert isinstance(study, StudyScreen)
        for key in ("space", "3", "escape"):
            await pilot.press(key)
            for _ in range(3):
                await settled(pilot)
        await pilot.press("escape")  # the summary
        for _ in range(3):
            await settled(pilot)
        assert app.screen is screen
        after = screen.report
        assert after is not None and after is not report
        assert after.reviews_in_year == year + 1
        assert after.reviews_on()[after.today] == today_before + 1
        await pilot.press("escape")
        await settled(pilot)
        assert not isinstance(app.screen, ProgressScreen)


async def test_it_is_listed_in_the_help() -> None:
    app = QTReaderApp(LIBRARY, clock=FixedClock())
    async with app.run_test(size=(100, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await settled(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert any(
            keys == "P" and description.startswith("Progress")
            for keys, description in app.screen.rows
        ), app.screen.rows


def progress_app() -> QTReaderApp:
    return QTReaderApp(Path("fixtures/library"), clock=FixedClock())


async def show(pilot: Pilot[None]) -> None:
    await open_progress(pilot)
    for _ in range(2):  # from the subject under the cursor to the whole library
        await pilot.press("c")
        await settled(pilot)


def test_snapshot_at_80x24(year: int, snap_compare: SnapCompare) -> None:
    assert snap_compare(progress_app(), terminal_size=(80, 24), run_before=show)


def test_snapshot_at_120x40(year: int, snap_compare: SnapCompare) -> None:
    assert snap_compare(progress_app(), terminal_size=(120, 40), run_before=show)


async def test_a_bad_desired_retention_is_reported() -> None:
    from qtreader.library.config import config_file

    path = config_file()
    path.parent.mkdir(parents=True)
    path.write_text('desired_retention = "high"\n')
    app = QTReaderApp(LIBRARY, clock=FixedClock())
    async with app.run_test(size=(100, 40)) as pilot:
        await loaded(pilot)
        messages = [str(n.message) for n in app._notifications]
        assert any(
            f"{path}: desired_retention must be a number from 0.7 to 0.99" in m
            and "not 'high'" in m
            and "aiming at 0.9" in m
            for m in messages
        ), messages

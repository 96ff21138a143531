"""Snapshots of what the polish items changed on screen: the reader and a session at 60x20
(footer, short grade and progress lines), a tree of long, alike titles at 80x24 (cut with
"…", counts whole, the whole title in the status line) and a card after reveal at 80x24
(the article's summary first). Review changes with ``--snapshot-update``."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from qtreader.library.study import LIBRARY_SCOPE, StudyRequest
from qtreader.tui.app import QTReaderApp

from .clock import FixedClock
from .pilot import started
from .polish_library import write_library
from .snap_compare import SnapCompare

TESTS = Path(__file__).parent


async def settle(pilot: Pilot[None]) -> None:
    await started(pilot)


async def reveal(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("space")
    await settle(pilot)


async def expand_and_move(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("enter", "down", "down")
    await settle(pilot)


@pytest.fixture
def fixtures(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The status bar shows the library path: make it the same on every checkout."""
    monkeypatch.chdir(TESTS)
    return Path("fixtures/library")


@pytest.fixture
def polish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The library of long titles, under a path that reads the same in every run."""
    write_library(tmp_path / "polish")
    monkeypatch.chdir(tmp_path)
    return Path("polish")


def test_reader_at_60x20(snap_compare: SnapCompare, fixtures: Path) -> None:
    app = QTReaderApp(fixtures, start_article="501", clock=FixedClock())
    assert snap_compare(app, terminal_size=(60, 20), run_before=settle)


def test_long_titles_in_the_tree_at_80x24(snap_compare: SnapCompare, polish: Path) -> None:
    app = QTReaderApp(polish, clock=FixedClock())
    assert snap_compare(app, terminal_size=(80, 24), run_before=expand_and_move)


def test_card_after_reveal_at_60x20(snap_compare: SnapCompare, polish: Path) -> None:
    app = QTReaderApp(polish, study=StudyRequest(LIBRARY_SCOPE), clock=FixedClock())
    assert snap_compare(app, terminal_size=(60, 20), run_before=reveal)


def test_card_summary_after_reveal_at_80x24(snap_compare: SnapCompare, polish: Path) -> None:
    app = QTReaderApp(polish, study=StudyRequest(LIBRARY_SCOPE), clock=FixedClock())
    assert snap_compare(app, terminal_size=(80, 24), run_before=reveal)

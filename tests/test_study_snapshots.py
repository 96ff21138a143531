"""Snapshots of study mode at 80x24: a card before and after its answer shows, and the
summary of a session. The clock is fixed, so every time shown is the same on every run."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from qtreader.library.study import Scope, StudyRequest
from qtreader.tui.app import QTReaderApp

from .clock import FixedClock
from .pilot import started
from .snap_compare import SnapCompare

TESTS = Path(__file__).parent


@pytest.fixture(autouse=True)
def stable_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """The status bar shows the library path: make it the same on every checkout."""
    monkeypatch.chdir(TESTS)


def physics_session() -> QTReaderApp:
    request = StudyRequest(Scope.of_subject("Physics"))
    return QTReaderApp(Path("fixtures/library"), study=request, clock=FixedClock())


async def settle(pilot: Pilot[None]) -> None:
    await started(pilot)


async def reveal(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("space")
    await settle(pilot)


async def grade_and_end(pilot: Pilot[None]) -> None:
    await settle(pilot)
    for key in ("space", "3", "space", "4", "escape"):
        await pilot.press(key)
        await settle(pilot)


def test_card_before_reveal_at_80x24(snap_compare: SnapCompare) -> None:
    assert snap_compare(physics_session(), terminal_size=(80, 24), run_before=settle)


def test_card_after_reveal_at_80x24(snap_compare: SnapCompare) -> None:
    assert snap_compare(physics_session(), terminal_size=(80, 24), run_before=reveal)


def test_summary_at_80x24(snap_compare: SnapCompare) -> None:
    assert snap_compare(physics_session(), terminal_size=(80, 24), run_before=grade_and_end)

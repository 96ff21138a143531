"""Snapshots of the screens people see, at the two sizes that matter: 80x24 (SSH default)
and 120x40. Review changes with ``pytest --snapshot-update`` and the HTML report."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from qtreader.tui.app import QTReaderApp

from .pilot import started
from .snap_compare import SnapCompare

TESTS = Path(__file__).parent


@pytest.fixture(autouse=True)
def stable_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """The status bar shows the library path: make it the same on every checkout."""
    monkeypatch.chdir(TESTS)


async def settle(pilot: Pilot[None]) -> None:
    await started(pilot)
    await pilot.pause()


def test_article_with_math_at_80x24(snap_compare: SnapCompare) -> None:
    app = QTReaderApp(Path("fixtures/library"), start_article="501")
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


def test_cross_listed_article_at_120x40(snap_compare: SnapCompare) -> None:
    app = QTReaderApp(Path("fixtures/library"), start_article="503")
    assert snap_compare(app, terminal_size=(120, 40), run_before=settle)


def test_welcome_at_80x24(snap_compare: SnapCompare) -> None:
    app = QTReaderApp(Path("fixtures/library"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


def test_help_at_80x24(snap_compare: SnapCompare) -> None:
    app = QTReaderApp(Path("fixtures/library"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle, press=["question_mark"])


def test_related_cited_by_and_similar_at_100x40(snap_compare: SnapCompare) -> None:
    """The end of the pane of a shipped article with three related articles: Related,
    Cited by, and Similar numbered 6 to 0."""
    app = QTReaderApp(Path("../content"), start_article="2025")
    assert snap_compare(app, terminal_size=(100, 40), run_before=settle, press=["end"])

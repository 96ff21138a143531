"""The problems list opens with its first page and grows as it is scrolled to its end, so
that a library with thousands of broken files opens it as fast as one with two."""

from __future__ import annotations

from pathlib import Path

from textual.containers import VerticalScroll
from textual.widgets import Static

from qtreader.tui.app import QTReaderApp
from qtreader.tui.screens.problems import PAGE, ProblemsScreen

from .conftest import LIBRARY
from .pilot import loaded, screen_lines


async def test_the_problems_list_grows_as_it_is_scrolled(tmp_path: Path) -> None:
    broken = tmp_path / "learn/broken"
    broken.mkdir(parents=True)
    count = 2 * PAGE + 50
    for n in range(count):
        (broken / f"empty-{n:04}.md").write_text("")
    (tmp_path / "learn/physics").mkdir()
    for source in (LIBRARY / "learn/physics").glob("*.md"):
        (tmp_path / "learn/physics" / source.name).write_bytes(source.read_bytes())
    app = QTReaderApp(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("e")
        screen = app.screen
        assert isinstance(screen, ProblemsScreen)
        assert screen.query_one(VerticalScroll).border_title == f"Problems ({count})"
        assert screen.shown == PAGE
        for shown in (2 * PAGE, count):
            screen.query_one(VerticalScroll).scroll_end(animate=False)
            await pilot.pause()
            assert screen.shown == shown
        screen.query_one(VerticalScroll).scroll_end(animate=False)
        await pilot.pause()
        lines = screen_lines(screen.query_one(Static))
        assert f"learn/broken/empty-{count - 1:04}.md: empty file" in "\n".join(lines)
        assert "more below" not in "\n".join(lines)

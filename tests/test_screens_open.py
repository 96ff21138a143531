"""Screens show at once: what they list comes after their first paint, never before."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from textual.command import CommandInput, CommandList, DiscoveryHit, Hit
from textual.pilot import Pilot
from textual.renderables.background_screen import BackgroundScreen
from textual.widgets import Static

from qtreader.tui.app import QTReaderApp
from qtreader.tui.commands import ArticleCommands, Palette
from qtreader.tui.screens.help import HelpScreen
from qtreader.tui.screens.tint import quick_tint

from .conftest import LIBRARY
from .pilot import loaded, screen_lines
from .test_app import shown_question


async def test_palette_box_shows_before_its_list_is_gathered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The palette's input is on screen while the discovery list is still being gathered
    (Textual hid the whole box until then: 470 ms at 50,000 articles)."""
    release = asyncio.Event()
    discover = ArticleCommands.discover

    async def slow_discover(self: ArticleCommands) -> AsyncIterator[DiscoveryHit | Hit]:
        await release.wait()
        async for hit in discover(self):
            yield hit

    monkeypatch.setattr(ArticleCommands, "discover", slow_discover)
    app = QTReaderApp(LIBRARY)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        palette = app.screen
        assert isinstance(palette, Palette)
        assert palette.query_one("#--container").display
        assert palette.query_one(CommandInput).region.height > 0
        release.set()
        await pilot.pause(0.3)
        assert palette.query_one(CommandInput).region.height > 0


async def test_palette_finds_a_title_typed_at_once() -> None:
    """Keys typed in the same burst as ctrl+p reach the palette and find the title."""
    app = QTReaderApp(LIBRARY)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+p", *"lens focus")
        palette = app.screen
        assert isinstance(palette, Palette)
        assert palette.query_one(CommandInput).value == "lens focus"
        for _ in range(60):  # the list is gathered by a worker
            await pilot.pause(0.05)
            if palette.query_one(CommandList).option_count:
                break
        await pilot.press("enter")
        await pilot.pause()
        assert shown_question(app) == "How does a lens focus light?"


async def help_lines(pilot: Pilot[None]) -> list[str]:
    await pilot.press("question_mark")
    await pilot.pause()
    help_screen = pilot.app.screen
    assert isinstance(help_screen, HelpScreen)
    lines = screen_lines(help_screen.query_one(Static))
    await pilot.press("escape")
    await pilot.pause()
    return lines


async def test_help_drawn_again_at_a_new_width() -> None:
    """The key table is kept between opens of the help, once per width: after a resize it
    is laid out for the new width."""
    app = QTReaderApp(LIBRARY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        wide = await help_lines(pilot)
        assert await help_lines(pilot) == wide
        await pilot.resize_terminal(60, 40)
        await pilot.pause()
        narrow = await help_lines(pilot)
    assert narrow != wide and max(map(len, narrow)) <= 60


async def test_reader_under_a_modal_is_tinted_as_textual_tints_it() -> None:
    """The dimmed reader under the help is segment for segment what Textual's own
    ``BackgroundScreen`` draws, the first time and with the tints kept."""
    app = QTReaderApp(LIBRARY, start_article="503")
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        reader, color = app.screen_stack[0], help_screen.styles.background
        assert color.a < 1  # the reader shows through
        options = app.console.options.update_width(100)
        textuals = list(app.console.render(BackgroundScreen(reader, color), options))
        for _ in range(2):
            ours = list(app.console.render(quick_tint(BackgroundScreen(reader, color)), options))
            assert ours == textuals
        assert len({segment.style for segment in textuals}) > 3

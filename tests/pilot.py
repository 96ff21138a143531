"""Helpers for tests that drive the reader through Textual's pilot."""

from __future__ import annotations

from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget

from qtreader.screens.reader import ReaderScreen


async def loaded(pilot: Pilot[None]) -> ReaderScreen:
    """Wait for the library to load and the screen to settle."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ReaderScreen)
    return screen


def screen_lines(widget: Widget, *, outer: bool = False) -> list[str]:
    """The lines a widget shows on screen, from its rendered strips (``outer``: with its
    padding and border)."""
    width, height = widget.outer_size if outer else widget.size
    strips = widget.render_lines(Region(0, 0, width, height))
    return ["".join(segment.text for segment in strip).rstrip() for strip in strips]

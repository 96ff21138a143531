"""Helpers for tests that drive the reader through Textual's pilot."""

from __future__ import annotations

from contextlib import suppress

from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.worker import WorkerCancelled

from qtreader.screens.reader import ReaderScreen


async def settled(pilot: Pilot[None]) -> None:
    """Wait until every worker has finished, then for the screen to settle.

    Textual's ``wait_for_complete`` raises ``WorkerCancelled`` when it meets a worker that a
    newer one of its exclusive group cancelled (each keystroke of a search does): whether
    it meets one depends on timing. A cancelled worker has finished as far as a test cares.
    """
    await pilot.pause()  # the screen mounts and starts its workers
    while pending := [worker for worker in pilot.app.workers if not worker.is_finished]:
        for worker in pending:
            with suppress(WorkerCancelled):
                await worker.wait()
    await pilot.pause()


async def loaded(pilot: Pilot[None]) -> ReaderScreen:
    """Wait for the library to load and the screen to settle."""
    await settled(pilot)
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

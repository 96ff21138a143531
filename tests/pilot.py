"""Helpers for tests that drive the reader through Textual's pilot."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress

from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.worker import WorkerCancelled

from qtreader.tui.screens.reader import ReaderScreen


async def settled(pilot: Pilot[None]) -> None:
    """Wait until the reader has started loading and every worker has finished, then for
    the screen to settle.

    On a busy machine the reader screen may mount (and start its load worker) several
    frames after the test starts: wait for that first, up to 20 s. Textual's
    ``wait_for_complete`` raises ``WorkerCancelled`` when it meets a worker that a newer one
    of its exclusive group cancelled (each keystroke of a search does): whether it meets one
    depends on timing. A cancelled worker has finished as far as a test cares.
    """
    app = pilot.app
    for _ in range(400):
        screen = app.screen
        started = not isinstance(screen, ReaderScreen) or screen.library is not None
        if started or any(not worker.is_finished for worker in app.workers):
            break
        await pilot.pause(0.05)
    while True:
        pending = [worker for worker in app.workers if not worker.is_finished]
        for worker in pending:
            with suppress(WorkerCancelled):
                await worker.wait()
        if not pending and not _loading(pilot) and not _painting(pilot):
            break
        if not pending:  # opened, or an article shown: work starts once it is painted
            await pilot.pause()
    await pilot.pause()


async def until(pilot: Pilot[None], condition: Callable[[], bool], seconds: float = 30) -> None:
    """Let the app run until ``condition`` holds, looking every 50 ms for up to
    ``seconds`` (then return: the test's assertions say what did not happen)."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)


def _painting(pilot: Pilot[None]) -> bool:
    """Whether the reader, on top, shows an article not painted yet (its links, note and
    the articles ahead are looked for once it is; under another screen, once it is back)."""
    screen = pilot.app.screen
    return isinstance(screen, ReaderScreen) and screen.is_mounted and screen.painting


def _loading(pilot: Pilot[None]) -> bool:
    """Whether the reader's library loader is between opening and refreshing."""
    from qtreader.tui.widgets.library_loader import LibraryLoader

    stack = pilot.app.screen_stack
    reader = stack[0] if stack else None
    if not isinstance(reader, ReaderScreen) or not reader.is_mounted:
        return False
    return any(loader.busy for loader in reader.query(LibraryLoader))


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


async def started(pilot: Pilot[None]) -> None:
    """Wait until the reader shows its library with the reading state open (and a study
    session its first card), then for every worker: a snapshot's ``run_before`` can run
    before the screen has mounted, when there is no worker yet to wait for."""
    from qtreader.tui.screens.study import StudyScreen
    from qtreader.tui.widgets.state_keeper import StateKeeper

    app = pilot.app
    for _ in range(2000):  # a bound, not a time: each pause lets the app process messages
        await pilot.pause()
        reader = app.screen_stack[0] if app.screen_stack else None
        if not isinstance(reader, ReaderScreen) or not reader.is_mounted:
            continue
        keeper = reader.query_one(StateKeeper)
        if reader.library is None or keeper.overview is None:
            continue
        if reader.study is not None and isinstance(app.screen, StudyScreen):
            if app.screen._shown is None:
                continue
        elif reader.study is not None and app.screen is reader:
            continue  # the session is not on screen yet
        break
    for _ in range(3):  # a worker may start another
        await settled(pilot)

"""The type of pytest-textual-snapshot's ``snap_compare`` fixture. Fixtures arrive by
name, so no type reaches the tests from the plugin; and its own annotation,
``Callable[[str | PurePath], bool]``, leaves out the keyword arguments of the closure
it returns. The app is an ``App[None]``: every app of these tests is a QTReaderApp."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from pathlib import PurePath
from typing import Protocol

from textual.app import App
from textual.pilot import Pilot


class SnapCompare(Protocol):
    """Compare a screenshot of ``app`` after ``press`` and ``run_before`` with the stored
    snapshot; true when they match."""

    def __call__(
        self,
        app: str | PurePath | App[None],
        press: Iterable[str] = (),
        terminal_size: tuple[int, int] = (80, 24),
        run_before: Callable[[Pilot[None]], Awaitable[None] | None] | None = None,
    ) -> bool: ...

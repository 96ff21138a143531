"""The list of files the library could not load as they stand."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from qtreader.library.decode import escape_controls
from qtreader.library.store import Library
from qtreader.tui.screens.tint import TintedModal
from qtreader.tui.widgets.key_scroll import KeyScroll
from qtreader.tui.widgets.plain import data

__all__ = ["ProblemsScreen"]

#: Problems shown at first, and added each time the list is scrolled to its end: a
#: library with thousands of broken files took over a second to open the list whole.
PAGE = 200


class ProblemsScreen(TintedModal[None]):
    """Every problem as ``path: reason``, paths relative to the library folder."""

    BINDINGS = [
        Binding("escape,e,q", "dismiss", "Close", id="problems.close"),
        Binding("j", "scroll_down", "Down", show=False, id="problems.down"),
        Binding("k", "scroll_up", "Up", show=False, id="problems.up"),
    ]

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self.problems = library.problems
        #: How many problems the list holds now (more as it is scrolled to its end).
        self.shown = min(PAGE, len(self.problems))

    def compose(self) -> ComposeResult:
        with KeyScroll(id="problems-box") as box:
            box.border_title = data(f"Problems ({len(self.problems)})")
            box.border_subtitle = "escape to close"
            yield Static(self._lines(0, self.shown))

    def on_mount(self) -> None:
        self.watch(self.query_one(KeyScroll), "scroll_y", self._scrolled, init=False)

    def _lines(self, start: int, end: int) -> Text:
        lines = Text()
        for problem in self.problems[start:end]:
            try:
                path = str(problem.path.relative_to(self.library.root))
            except ValueError:
                path = str(problem.path)
            # A file name can hold escape sequences: show them, never send them.
            lines.append(escape_controls(path), "bold")
            lines.append(f": {escape_controls(problem.reason)}\n")
        if not self.problems:
            lines.append("Every file loaded without a problem.")
        elif end < len(self.problems):
            lines.append(f"… {len(self.problems) - end} more below", "dim italic")
        return lines

    def _scrolled(self, scroll_y: float) -> None:
        box = self.query_one(KeyScroll)
        if self.shown < len(self.problems) and scroll_y >= box.max_scroll_y - box.size.height:
            self.shown = min(self.shown + PAGE, len(self.problems))
            self.query_one(Static).update(self._lines(0, self.shown))

    def action_scroll_down(self) -> None:
        self.query_one(KeyScroll).action_scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one(KeyScroll).action_scroll_up()

"""The list of files the library could not load as they stand."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

from qtreader.decode import escape_controls
from qtreader.store import Library
from qtreader.widgets.key_scroll import KeyScroll
from qtreader.widgets.plain import data

__all__ = ["ProblemsScreen"]


class ProblemsScreen(ModalScreen[None]):
    """Every problem as ``path: reason``, paths relative to the library folder."""

    BINDINGS = [
        Binding("escape,e,q", "dismiss", "Close", id="problems.close"),
        Binding("j", "scroll_down", "Down", show=False, id="problems.down"),
        Binding("k", "scroll_up", "Up", show=False, id="problems.up"),
    ]

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library

    def compose(self) -> ComposeResult:
        lines = Text()
        for problem in self.library.problems:
            try:
                path = str(problem.path.relative_to(self.library.root))
            except ValueError:
                path = str(problem.path)
            # A file name can hold escape sequences: show them, never send them.
            lines.append(escape_controls(path), "bold")
            lines.append(f": {escape_controls(problem.reason)}\n")
        if not self.library.problems:
            lines.append("Every file loaded without a problem.")
        with KeyScroll(id="problems-box") as box:
            box.border_title = data(f"Problems ({len(self.library.problems)})")
            box.border_subtitle = "escape to close"
            yield Static(lines)

    def action_scroll_down(self) -> None:
        self.query_one(KeyScroll).action_scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one(KeyScroll).action_scroll_up()

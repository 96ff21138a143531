"""The status line above the footer: what is loaded, progress, and problems."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from qtreader.store import Library
from qtreader.widgets.plain import data, visible_controls

__all__ = ["StatusBar"]


class StatusBar(Static):
    """One line about the library: loading progress, then counts and problems."""

    def show_progress(self, done: int, total: int) -> None:
        """Loading: ``done`` of ``total`` files parsed."""
        share = f" {done * 100 // total}%" if total else ""
        self.update(Text(f"Indexing… {done}/{total} files{share}"))

    def show_library(self, library: Library, name: str, note: str | None = None) -> None:
        """Loaded: the figures, a warning when files had problems, then where the library is
        (last, so that a long path is what gets cut)."""
        line = Text(
            f"{len(library)} articles · {len(library.subjects)} subjects",
            no_wrap=True,
            overflow="ellipsis",
        )
        if library.problems:
            count = len(library.problems)
            line.append(f" · ⚠ {count} problem{'s' if count != 1 else ''} (e to list)", "bold")
        if note:
            line.append(f" · {note}", "italic")
        line.append(f" · {visible_controls(name)}")
        self.set_class(bool(library.problems), "-problems")
        self.update(line)

    def show_error(self, message: str) -> None:
        """Loading failed."""
        self.set_class(True, "-problems")
        self.update(data(message))

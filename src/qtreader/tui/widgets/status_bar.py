"""The status line above the footer: what is loaded, progress, and problems."""

from __future__ import annotations

from rich.text import Text
from textual.content import Content
from textual.widgets import Static

from qtreader.library.store import Library
from qtreader.tui.widgets.plain import data, visible_controls

__all__ = ["StatusBar"]


class StatusBar(Static):
    """One line about the library: loading progress, then counts and problems; or, while
    the tree cuts the label under its cursor, that whole label."""

    _line = Content("")
    _whole: Text | None = None

    def _show_line(self, line: Content) -> None:
        """Keep the library's line, to show again once no whole label is shown."""
        self._line = line
        if self._whole is None:
            self.update(line)

    def show_whole_label(self, label: Text | None) -> None:
        """Show the whole ``label`` of the tree's cursor row (``None``: the library's line)."""
        self._whole = label
        if label is None:
            self.update(data(self._line))
        else:
            # The tree shows the start of the label: when it is too long here too, the
            # end is what is kept.
            room = self.content_region.width - 3  # "▸ ", and a cell Static keeps free
            if room > 1 and label.cell_len > room:
                label = Text("…").append_text(label[len(label) - room + 1 :])
            whole = Text("▸ ", style="bold", no_wrap=True, overflow="ellipsis")
            whole.append_text(label)
            self.update(whole)

    def show_progress(self, done: int, total: int) -> None:
        """Loading: ``done`` of ``total`` files parsed."""
        share = f" {done * 100 // total}%" if total else ""
        self._show_line(data(f"Indexing… {done}/{total} files{share}"))

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
        self._show_line(data(line))

    def show_error(self, message: str) -> None:
        """Loading failed."""
        self.set_class(True, "-problems")
        self._show_line(data(message))

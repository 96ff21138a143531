"""The header line of the reader and of study sessions."""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Header
from textual.widgets._header import HeaderTitle

from qtreader.tui.widgets.plain import data

__all__ = ["TitleHeader"]


class TitleHeader(Header):
    """Textual's ``Header``, safe when its screen goes as soon as it came.

    ``Header`` watches the app's and the screen's titles with a callback that runs later
    and looks up its ``HeaderTitle``: a study session with nothing to study is dismissed
    right after it mounts, and the lookup then raised ``NoMatches`` (found by
    tests/test_properties_tui.py). This header watches the same titles and updates its
    title only while it has one.
    """

    def _on_mount(self, event: events.Mount) -> None:
        event.prevent_default()  # not Header's watchers: these replace them
        Widget._on_mount(self, event)

        async def set_title() -> None:
            for title in self.query(HeaderTitle):
                title.update(data(self.format_title()))

        self.watch(self.app, "title", set_title)
        self.watch(self.app, "sub_title", set_title)
        self.watch(self.screen, "title", set_title)
        self.watch(self.screen, "sub_title", set_title)

"""The Progress screen: the review calendar, the due forecast, retention and the counts per
subject of the selected subject, the bookmarks or the whole library.

The figures are read off the event loop each time the screen comes to the front, so they
are new after a study session started from here (``s``) or from the reader.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.color import Color
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from qtreader.library.clock import Clock
from qtreader.library.progress import ProgressReport, progress_report
from qtreader.library.state import StateStore
from qtreader.library.store import Library
from qtreader.library.study import (
    BOOKMARKS_SCOPE,
    LIBRARY_SCOPE,
    Scope,
    configured_retention,
    overview,
)
from qtreader.render.progress import Palette, report_renderable
from qtreader.tui.widgets.subject_tree import SubjectTree

__all__ = ["ProgressScreen", "scope_at"]


def scope_at(library: Library, tree: SubjectTree) -> Scope:
    """What the tree's cursor is on: a subject, the bookmarks, else the whole library."""
    if tree.cursor_on_bookmarks:
        return BOOKMARKS_SCOPE
    subject = tree.cursor_subject
    found = library.subject(subject) if subject else None
    return Scope.of_subject(found.name) if found else LIBRARY_SCOPE


class ProgressScreen(Screen[None]):
    """Shows a :class:`ProgressReport`; ``study`` starts a session over the scope shown."""

    DEFAULT_CSS = """
    ProgressScreen #progress-scroll { padding: 0 1; }
    """

    BINDINGS = [
        Binding(
            "escape", "app.pop_screen", "Close", tooltip="Back to the reader", id="progress.close"
        ),
        Binding(
            "c",
            "next_scope",
            "Scope",
            tooltip="Show the selected subject, the bookmarks or the whole library",
            id="progress.scope",
        ),
        Binding("s", "study", "Study", tooltip="Study what is shown here", id="progress.study"),
    ]

    def __init__(
        self,
        library: Library,
        store: StateStore,
        scope: Scope,
        *,
        clock: Clock,
        new_per_day: int,
        study: Callable[[Scope], None],
    ) -> None:
        super().__init__()
        self.library = library
        self.store = store
        self.scopes = [scope] + [s for s in (BOOKMARKS_SCOPE, LIBRARY_SCOPE) if s != scope]
        self.scope = scope
        self.clock = clock
        self.new_per_day = new_per_day
        self._study = study
        self.report: ProgressReport | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="progress-scroll"):
            yield Static(Text("Reading the reviews…"), id="progress-body")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = f"Progress · {self.scope.label}"
        self.query_one(VerticalScroll).focus()

    def on_screen_resume(self) -> None:
        """Read the figures again: a study session may have just ended."""
        self.compute(self.scope)

    @work(thread=True, exclusive=True, group="progress")
    def compute(self, scope: Scope) -> None:
        """Sum up the reviews of ``scope`` (the database is read off the event loop)."""
        now = self.clock()
        try:
            view = overview(self.library, self.store, now=now, new_per_day=self.new_per_day)
            report = progress_report(
                self.library,
                self.store,
                scope,
                view,
                now=now,
                desired_retention=configured_retention(),
            )
        except (sqlite3.Error, LookupError) as error:
            self.app.call_from_thread(self._failed, str(error))
            return
        self.app.call_from_thread(self._show, report)

    def _show(self, report: ProgressReport) -> None:
        if report.scope != self.scope:
            return  # a scope asked for later is on its way
        self.report = report
        self.sub_title = f"Progress · {report.scope.label}"
        self.query_one("#progress-body", Static).update(report_renderable(report, self.palette()))

    def _failed(self, reason: str) -> None:
        self.query_one("#progress-body", Static).update(
            Text(f"The reviews could not be read: {reason}", style="bold")
        )

    def palette(self) -> Palette:
        """The charts' colours from the app's theme: the heat levels are its success colour
        blended into the background."""
        variables = self.app.theme_variables
        background = Color.parse(variables.get("background", "#000000"))
        success = Color.parse(variables.get("success", "green"))
        heat = tuple(background.blend(success, share).hex for share in (0.4, 0.6, 0.8, 1.0))
        return Palette(
            heat=(heat[0], heat[1], heat[2], heat[3]),
            bar=variables.get("primary", "blue"),
            good=variables.get("success", "green"),
            bad=variables.get("warning", "yellow"),
            label="dim",
            aim=variables.get("accent", "magenta"),
        )

    def action_next_scope(self) -> None:
        self.scope = self.scopes[(self.scopes.index(self.scope) + 1) % len(self.scopes)]
        self.sub_title = f"Progress · {self.scope.label}"
        self.compute(self.scope)

    def action_study(self) -> None:
        """Study the scope shown; the figures are read again when the session is over."""
        self._study(self.scope)

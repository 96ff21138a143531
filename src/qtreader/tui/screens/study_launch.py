"""Starting a study session from the reader: the session, then its summary."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from qtreader.tui.screens.study import StudyScreen, SummaryScreen

if TYPE_CHECKING:
    from textual.app import App

    from qtreader.library.clock import Clock
    from qtreader.library.store import Library
    from qtreader.library.study import Scope, SessionSummary
    from qtreader.tui.widgets.state_keeper import StateKeeper

__all__ = ["launch_study"]


def launch_study(
    app: App[None],
    library: Library,
    keeper: StateKeeper,
    scope: Scope,
    *,
    clock: Clock,
    new_cards: int | None = None,
    edit_note: Callable[[int], None] | None = None,
) -> None:
    """Run a session of ``scope``; then its summary, and new figures for the tree (the
    keeper posts them). A session ended by quitting ends the app. ``edit_note``: opens the
    note editor on an article (``a`` on a card once its answer shows)."""
    if keeper.store is None:
        return
    if scope.kind == "subject" and library.subject(scope.subject or "") is None:
        app.notify(f"No subject {scope.subject!r} in this library.", severity="error")
        return

    def ended(summary: SessionSummary | None) -> None:
        keeper.refresh_marks(library)
        keeper.sync()  # this session's reviews reach the other machines now
        if session.quitting and summary is None:
            app.exit()
        elif summary is not None:
            app.push_screen(SummaryScreen(summary, quitting=session.quitting), closed)

    def closed(_result: None) -> None:
        if session.quitting:
            app.exit()

    session = StudyScreen(
        library,
        keeper.store,
        scope,
        clock=clock,
        new_per_day=keeper.new_per_day,
        new_order=keeper.new_order,
        new_cards=new_cards,
        edit_note=edit_note,
    )
    app.push_screen(session, ended)

"""Study mode: choose what to study, go through the cards, see the summary."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from qtreader.library.state import StateStore
from qtreader.library.store import AnswerUnavailable, Library
from qtreader.library.study import (
    BOOKMARKS_SCOPE,
    LIBRARY_SCOPE,
    Clock,
    Grade,
    Overview,
    Progress,
    QueueCounts,
    Scope,
    SessionSummary,
    StudyCard,
    StudySession,
    describe_due,
    describe_interval,
    progress_of,
)
from qtreader.tui.screens.tint import TintedModal
from qtreader.tui.widgets.card_view import CardView, grade_line
from qtreader.tui.widgets.header import TitleHeader
from qtreader.tui.widgets.plain import cell, data

__all__ = ["StudyScopeScreen", "StudyScreen", "SummaryScreen"]


# Choosing what to study -------------------------------------------------------------------


def _figures(progress: Progress, new: int) -> Text:
    parts = [f"{progress.due} due", f"{new} new"]
    if progress.seen:
        parts.append(f"{progress.learned} learned")
    return Text("  " + " · ".join(parts), style="dim")


class StudyScopeScreen(TintedModal[Scope | None]):
    """Asks what to study: the subject under the cursor, the bookmarks, or everything."""

    BINDINGS = [Binding("escape", "dismiss", "Cancel", id="study-scope.cancel")]

    def __init__(self, overview: Overview, subject: str | None, *, bookmarks: bool) -> None:
        super().__init__()
        self.overview = overview
        self.choices: list[Scope] = []
        options: list[Option] = []
        progress = progress_of(overview, subject) if subject else None
        if progress is not None:
            self.choices.append(Scope.of_subject(progress.name))
            options.append(self._option(progress.name, progress))
        self.choices += [BOOKMARKS_SCOPE, LIBRARY_SCOPE]
        options.append(self._option("Bookmarks", overview.bookmarks))
        options.append(self._option("Whole library", overview.library))
        self.options = options
        if bookmarks or progress is None:
            target = BOOKMARKS_SCOPE if bookmarks or overview.bookmarks.total else LIBRARY_SCOPE
        else:
            target = self.choices[0]
        self.default = self.choices.index(target)

    def _option(self, name: str, progress: Progress) -> Option:
        prompt = Text(name, style="bold")
        prompt.append_text(_figures(progress, self.overview.startable_new(progress)))
        return Option(prompt)

    def compose(self) -> ComposeResult:
        with Vertical(id="study-scope-box") as box:
            box.border_title = "Study"
            box.border_subtitle = "enter to start · escape to cancel"
            yield OptionList(*self.options, id="study-scope")

    def on_mount(self) -> None:
        choices = self.query_one(OptionList)
        choices.highlighted = self.default
        choices.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[event.option_index])


# The session ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Prepared:
    """The next card with what it needs on screen, read off the event loop."""

    card: StudyCard
    answer: str
    summary: str
    preview: dict[Grade, str]
    counts: QueueCounts
    reviews: int


def _prepare(session: StudySession) -> _Prepared | None:
    card = session.current
    if card is None:
        return None
    try:
        answer = session.answer()
    except AnswerUnavailable as error:
        answer = f"*This answer cannot be shown now: {error}*"
    article = session.library.article(card.article_id)
    summary = " ".join(article.description.split()) if article is not None else ""
    now = session.clock()
    preview = {grade: describe_interval(due - now) for grade, due in session.preview().items()}
    return _Prepared(card, answer, summary, preview, session.counts(), session.reviews)


class StudyScreen(Screen[SessionSummary | None]):
    """One study session. Each grade is saved before the next card shows; the screen is
    dismissed with the session's summary."""

    class CardShown(Message):
        """A card of article ``article_id``, read from ``path``, is on screen (the app names
        it if it crashes)."""

        def __init__(self, article_id: int, path: Path) -> None:
            super().__init__()
            self.article_id = article_id
            self.path = path

    BINDINGS = [
        Binding(
            "space",
            "reveal",
            "Show answer",
            tooltip="Show the answer: its summary first, then the full answer",
            id="study.reveal",
        ),
        Binding("f", "full", "Full", tooltip="Show the full answer", id="study.full"),
        # The grade line above the footer shows 1-4 with their intervals.
        Binding("1", "grade(1)", "Again", show=False, tooltip="Grade: forgotten", id="study.again"),
        Binding(
            "2",
            "grade(2)",
            "Hard",
            show=False,
            tooltip="Grade: remembered, with effort",
            id="study.hard",
        ),
        Binding("3", "grade(3)", "Good", show=False, tooltip="Grade: remembered", id="study.good"),
        Binding(
            "4",
            "grade(4)",
            "Easy",
            show=False,
            tooltip="Grade: remembered at once",
            id="study.easy",
        ),
        Binding(
            "a",
            "edit_note",
            "Note",
            show=False,
            tooltip="Write a note on the card's article (once its answer shows)",
            id="study.note",
        ),
        Binding("escape", "end", "End", tooltip="End the session: its summary", id="study.end"),
        Binding(
            "q",
            "end(True)",
            "Quit",
            tooltip="End the session, show its summary, then quit qtreader",
            id="study.quit",
        ),
    ]

    def __init__(
        self,
        library: Library,
        store: StateStore,
        scope: Scope,
        *,
        clock: Clock,
        new_per_day: int,
        new_cards: int | None = None,
        new_order: str = "interleaved",
        edit_note: Callable[[int], None] | None = None,
    ) -> None:
        """``edit_note``: opens the note editor on an article (none: ``a`` does nothing)."""
        super().__init__()
        self._edit_note = edit_note
        self.library = library
        self.store = store
        self.scope = scope
        self.clock = clock
        self.new_per_day = new_per_day
        self.new_cards = new_cards
        self.new_order = new_order
        self.session: StudySession | None = None
        self._shown: _Prepared | None = None
        self._revealed = False
        self._full = False
        self._busy = True
        self.quitting = False
        """The user ended the session with ``q``: qtreader quits after the summary."""

    def compose(self) -> ComposeResult:
        yield TitleHeader()
        yield Static(id="study-progress")
        yield CardView(id="card")
        yield Static(id="card-grades")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = f"Study · {self.scope.label}"
        self.query_one("#study-progress", Static).update(Text(f"{self.scope.label} · preparing…"))
        self.query_one(CardView).focus()
        self.begin()

    # Workers: the database and the article files are read off the event loop -----------

    @work(thread=True, group="study")
    def begin(self) -> None:
        """Plan the session and prepare its first card."""
        try:
            session = StudySession.start(
                self.library,
                self.store,
                self.scope,
                new_per_day=self.new_per_day,
                new_cards=self.new_cards,
                new_order=self.new_order,
                clock=self.clock,
            )
            prepared = _prepare(session)
            summary = session.summary() if prepared is None else None
        except (sqlite3.Error, OSError) as error:
            self.app.call_from_thread(self._failed, f"The session could not start: {error}")
            return
        self.app.call_from_thread(self._started, session, prepared, summary)

    @work(thread=True, group="study")
    def save_grade(self, grade: Grade) -> None:
        """Save the grade (committed before anything else shows), then prepare the next."""
        session = self.session
        assert session is not None
        try:
            session.grade(grade)
            prepared = _prepare(session)
            summary = session.summary() if prepared is None else None
        except (sqlite3.Error, OSError) as error:
            message = f"This grade was not saved ({error}). Grade the card again."
            self.app.call_from_thread(self._grade_failed, message)
            return
        self.app.call_from_thread(self._next, prepared, summary)

    @work(thread=True, group="study")
    def finish(self) -> None:
        """End the session early: its summary."""
        assert self.session is not None
        try:
            summary = self.session.summary()
        except sqlite3.Error as error:
            self.app.call_from_thread(self._failed, f"The summary could not be read: {error}")
            return
        self.app.call_from_thread(self.dismiss, summary)

    # Showing ----------------------------------------------------------------------------

    def _started(
        self, session: StudySession, prepared: _Prepared | None, summary: SessionSummary | None
    ) -> None:
        self.session = session
        self._next(prepared, summary)

    def _next(self, prepared: _Prepared | None, summary: SessionSummary | None) -> None:
        self._busy = False
        if prepared is None:
            self.dismiss(summary)
            return
        self._shown = prepared
        self._revealed = False
        self._note_reading(prepared.card.article_id)
        self._full = False
        self.query_one(CardView).show_card(prepared.card)
        self._show_progress(prepared)
        self._show_grades()
        self.refresh_bindings()

    def _note_reading(self, article_id: int) -> None:
        """Tell the app which file the card comes from (a crash report names it)."""
        article = self.library.article(article_id)
        if article is not None:
            self.post_message(self.CardShown(article_id, article.path))

    def _show_progress(self, prepared: _Prepared) -> None:
        counts = prepared.counts
        line = Text(self.scope.label, style="bold")
        line.append(f" · {counts.total} left: ")
        line.append(f"{counts.due} due · {counts.new} new · {counts.learning} learning")
        line.append(f" · {prepared.reviews} reviewed", "dim")
        progress = self.query_one("#study-progress", Static)
        room = progress.content_region.width
        if room and line.cell_len > room:  # narrow: the scope is in the header already
            line = Text(f"{counts.total} left: {counts.due} due · {counts.new} new")
            line.append(f" · {counts.learning} learning · {prepared.reviews} done", "dim")
            if line.cell_len > room:
                line = Text(f"{counts.total} left · {counts.due} due · {counts.new} new")
                line.append(f" · {counts.learning} lrn · {prepared.reviews} done", "dim")
        progress.update(line)

    def _show_grades(self) -> None:
        preview = self._shown.preview if self._shown and self._revealed else None
        grades = self.query_one("#card-grades", Static)
        grades.update(grade_line(preview, grades.content_region.width))

    def on_resize(self) -> None:
        if self._shown is not None:
            self._show_progress(self._shown)
            self._show_grades()

    def _grade_failed(self, message: str) -> None:
        self._busy = False
        self.notify(message, title="Not saved", severity="error", timeout=10)
        self.refresh_bindings()

    def _failed(self, message: str) -> None:
        self.notify(message, title="Study", severity="error", timeout=10)
        self.dismiss(None)

    # Actions ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reveal":
            return self._shown is not None and not self._full
        if action == "full":
            return self._shown is not None and not self._full
        if action == "grade":
            if not self._revealed:
                return False
            return None if self._busy else True
        if action == "end":
            return None if self._busy else True
        if action == "edit_note":  # not before the answer: it would give the card away
            return self._revealed and self._edit_note is not None
        return True

    def action_edit_note(self) -> None:
        """Write a note on the card's article (the reader opens the editor)."""
        if self._shown is not None and self._revealed and self._edit_note is not None:
            self._edit_note(self._shown.card.article_id)

    def action_reveal(self) -> None:
        """The article's own summary first, when it has one (a review takes seconds);
        pressed again, the full answer."""
        if self._shown is None or self._busy:
            return
        if self._revealed or not self._shown.summary:
            self.action_full()
            return
        self._revealed = True
        self.query_one(CardView).reveal_summary(self._shown.summary)
        self._show_grades()
        self.refresh_bindings()

    def action_full(self) -> None:
        """Show the whole answer."""
        if self._shown is None or self._full or self._busy:
            return
        self._revealed = self._full = True
        self.query_one(CardView).reveal(self._shown.answer, self._shown.card.article_id)
        self._show_grades()
        self.refresh_bindings()

    def action_grade(self, grade: int) -> None:
        if not self._revealed or self._busy or self.session is None:
            return
        self._busy = True
        self.refresh_bindings()
        self.save_grade(Grade(grade))

    def action_end(self, quitting: bool = False) -> None:
        """End the session: its summary (``quitting``: then qtreader quits)."""
        if self._busy:
            return
        self.quitting = quitting
        if self.session is None:
            self.dismiss(None)
            return
        self._busy = True
        self.finish()


# The summary ------------------------------------------------------------------------------


class SummaryScreen(TintedModal[None]):
    """What the session did and when the next cards are due."""

    BINDINGS = [Binding("escape,enter,q", "dismiss", "Close", id="summary.close")]

    def __init__(self, summary: SessionSummary, *, quitting: bool = False) -> None:
        """``quitting``: qtreader quits once this is closed (the session ended with q)."""
        super().__init__()
        self.summary = summary
        self.quitting = quitting

    def compose(self) -> ComposeResult:
        summary = self.summary
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        answers = f"{summary.reviews} answer{'s' if summary.reviews != 1 else ''}"
        table.add_row("Cards reviewed", cell(f"{summary.cards} ({answers})"))
        share = summary.share_remembered
        if share is None:
            table.add_row("Remembered", "nothing graded")
        else:
            remembered = f"{share:.0%} ({summary.remembered} of {summary.reviews})"
            table.add_row("Remembered", cell(remembered))
        if summary.next_due is None:
            table.add_row("Next cards due", "none scheduled yet")
        else:
            when = describe_due(summary.next_due, summary.now)
            table.add_row("Next cards due", cell(f"{when} ({summary.due_within_day} within a day)"))
        with Vertical(id="summary-box") as box:
            box.border_title = data(f"Session over · {summary.scope}")
            box.border_subtitle = (
                "enter or q to quit" if self.quitting else "enter or escape to close"
            )
            if not summary.reviews:
                yield Static(Text("Nothing was due to study here.", style="italic"))
            yield Static(table)

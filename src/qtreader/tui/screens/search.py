"""Full-text search: results update as you type, without ever holding up the keys."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Checkbox, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from qtreader.library.models import SearchHit
from qtreader.library.query import QueryError, parse_query
from qtreader.library.store import Library
from qtreader.tui.screens.tint import TintedModal

if TYPE_CHECKING:
    from qtreader.library.state import StateStore

__all__ = ["SearchScreen"]

#: What a search returns to the reader: the article to open and the subject to read it under.
SearchChoice = tuple[int, str]

#: Results listed at most; the summary says how many match in all.
SHOWN = 50


class SearchScreen(TintedModal[SearchChoice | None]):
    """Type to search; ``enter`` opens the highlighted result, ``escape`` goes back."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Back", tooltip="Close search", id="search.close"),
        Binding("down", "move(1)", "Next result", show=False, id="search.down"),
        Binding("up", "move(-1)", "Previous result", show=False, id="search.up"),
        Binding("pagedown", "move(8)", "Page down", show=False, id="search.pagedown"),
        Binding("pageup", "move(-8)", "Page up", show=False, id="search.pageup"),
    ]

    def __init__(
        self, library: Library, query: str = "", *, state: StateStore | None = None
    ) -> None:
        """``state``: where the user's notes are, searched with the articles."""
        super().__init__()
        self.library = library
        self.state = state
        self.query_text = query
        self.hits: list[SearchHit] = []
        #: The query (text, no_index included) whose results are shown.
        self.shown: tuple[str, bool] | None = None
        #: Enter came before the results of what was typed: open the best one when they do.
        self.submitted = False

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box") as box:
            box.border_title = "Search"
            box.border_subtitle = 'words · "a phrase" · prefix* · subject:name · note:word'
            yield Input(self.query_text, placeholder="Search every article…", id="search-input")
            yield Checkbox("Include articles marked no_index", id="search-no-index")
            yield Static(id="search-summary")
            yield OptionList(id="search-results")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        if self.query_text:
            self.run_search(self.query_text, self.query_one(Checkbox).value)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.submitted = False  # typed on after enter: that was not the query to open
        self.query_text = event.value  # the reader keeps it for the next search
        self.run_search(event.value, self.query_one(Checkbox).value)

    @property
    def marked_words(self) -> tuple[str, ...]:
        """The words of the query shown, for the reader to mark in the article opened."""
        if self.shown is None:
            return ()
        try:
            return parse_query(self.shown[0]).words
        except QueryError:
            return ()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.run_search(self.query_one(Input).value, event.value)
        self.query_one(Input).focus()

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, text: str, include: bool) -> None:
        """Search off the event loop; a newer keystroke cancels this one's display.

        It reads no widget: during a cold index the thread can start (or end) after the
        screen was closed, when its widgets are gone.
        """
        notes = None
        if self.state is not None:
            try:
                notes = self.state.note_texts()
            except sqlite3.Error:  # the articles are still searched
                notes = None
        worker = get_current_worker()
        try:
            hits = self.library.search(text, limit=SHOWN, include_no_index=include, notes=notes)
        except QueryError as error:  # say so, rather than search for something else
            if not worker.is_cancelled:
                self.app.call_from_thread(self.show_hits, text, [], include, 0, str(error))
            return
        if len(hits) < SHOWN:
            if not worker.is_cancelled:
                self.app.call_from_thread(self.show_hits, text, hits, include, len(hits))
            return
        # Listed before all the matches are counted: at a million articles counting those
        # of common words takes 60-150 ms (a prefix* up to a second), ten times the search.
        if worker.is_cancelled:
            return
        self.app.call_from_thread(self.show_hits, text, hits, include)
        total = self.library.count_matches(text, include_no_index=include, notes=notes)
        if not worker.is_cancelled:
            self.app.call_from_thread(self.show_total, text, include, total)

    def show_hits(
        self,
        text: str,
        hits: list[SearchHit],
        include: bool,
        total: int | None = None,
        problem: str | None = None,
    ) -> None:
        """List ``hits`` of the query ``text`` (``include``: no_index articles too): title,
        subject, and the snippet with the matched words marked. ``total``: how many
        articles match in all, None while they are counted (:meth:`show_total` says it);
        ``problem``: why the query was not searched. Nothing once the screen is closed
        (results can come after)."""
        if not self.is_attached or not self.query(OptionList):
            return
        self.hits = hits
        self.shown = (text, include)
        results = self.query_one(OptionList)
        results.clear_options()
        for hit in hits:
            results.add_option(Option(_hit_prompt(hit)))
        if hits:
            results.highlighted = 0
        summary = Text()
        if problem is not None:
            summary.append(problem, "bold red")
        elif text.strip():
            summary = _summary(total, len(hits))
        self.query_one("#search-summary", Static).update(summary)
        if self.submitted and self._current():
            self.submitted = False
            self._choose(0)

    def show_total(self, text: str, include: bool, total: int) -> None:
        """Say how many articles match the query ``text`` in all, if its hits are still
        the ones listed."""
        if not self.is_attached or self.shown != (text, include):
            return
        self.query_one("#search-summary", Static).update(_summary(total, len(self.hits)))

    def _current(self) -> bool:
        """Whether the results shown are those of the query as it stands."""
        return self.shown == (self.query_one(Input).value, self.query_one(Checkbox).value)

    def action_move(self, step: int) -> None:
        results = self.query_one(OptionList)
        if not self.hits:
            return
        current = results.highlighted or 0
        results.highlighted = max(0, min(len(self.hits) - 1, current + step))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # Typing fast then enter: the results shown may still be those of a shorter query.
        if self._current():
            self._choose(self.query_one(OptionList).highlighted)
        else:
            self.submitted = True

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option_index)

    def _choose(self, index: int | None) -> None:
        if index is not None and 0 <= index < len(self.hits):
            hit = self.hits[index]
            self.dismiss((hit.id, hit.subject))


def _summary(total: int | None, listed: int) -> Text:
    """How many articles match (None: not counted yet) and how many of them are listed."""
    if total is None:
        return Text(f"Counting the articles that match: the {listed} best are listed")
    summary = Text("1 article matches" if total == 1 else f"{total} articles match")
    if total > listed:
        summary.append(f": the {listed} best are listed")
    return summary


def _hit_prompt(hit: SearchHit) -> Text:
    prompt = Text(no_wrap=False)
    prompt.append(hit.title, "bold")
    prompt.append(f"  {hit.subject}", "dim")
    if hit.no_index:
        prompt.append("  (no_index)", "dim italic")
    if hit.in_note:
        prompt.append("  (in your note)", "italic")
    snippet = Text(hit.snippet, style="dim")
    for start, end in hit.highlights:
        snippet.stylize("bold reverse", start, end)
    prompt.append("\n")
    prompt.append_text(snippet)
    return prompt

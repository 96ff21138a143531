"""The reader's link to its state database: it opens it, writes to it and sums it up, all
off the event loop, and tells the screen what happened through messages."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import Future
from datetime import datetime
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message
from textual.widget import Widget

from qtreader.library.config import (
    DEFAULT_DESIRED_RETENTION,
    DEFAULT_NEW_PER_DAY,
    NEW_CARD_ORDERS,
    ConfigError,
    desired_retention,
    new_card_order,
    new_cards_per_day,
)

if TYPE_CHECKING:
    from pathlib import Path

    from qtreader.library.clock import Clock
    from qtreader.library.state import HistoryEntry, Note, StateStore
    from qtreader.library.store import Library
    from qtreader.library.study import Overview
    from qtreader.library.sync import SyncReport

__all__ = ["StateKeeper"]


class StateKeeper(Widget):
    """Holds the :class:`StateStore` of a run. Shows nothing."""

    DEFAULT_CSS = "StateKeeper { display: none; }"

    class Opened(Message):
        """The state is open. ``notice``: what the user must know about it (a file moved
        aside, nothing recorded); ``last``: where the reader left off last time."""

        def __init__(self, notice: str | None, last: HistoryEntry | None) -> None:
            super().__init__()
            self.notice = notice
            self.last = last

    class MarksChanged(Message):
        """New figures for the tree: read marks, bookmarks, due and new counts, and the
        articles with a note (``noted``)."""

        def __init__(self, overview: Overview, noted: frozenset[int] = frozenset()) -> None:
            super().__init__()
            self.overview = overview
            self.noted = noted

    class BookmarkToggled(Message):
        """A bookmark was added (``bookmarked``) or removed."""

        def __init__(self, article_id: int, bookmarked: bool) -> None:
            super().__init__()
            self.article_id = article_id
            self.bookmarked = bookmarked

    class Synced(Message):
        """A sync through ``sync_dir`` ended; ``report`` says what came in and went out."""

        def __init__(self, report: SyncReport) -> None:
            super().__init__()
            self.report = report

    class SyncFailed(Message):
        """A sync through ``sync_dir`` could not run; ``reason`` says why."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    class NoteLoaded(Message):
        """The note of ``article_id`` was read: ``None`` when it has none."""

        def __init__(self, article_id: int, note: Note | None) -> None:
            super().__init__()
            self.article_id = article_id
            self.note = note

    class NoteSaved(Message):
        """The note of ``article_id`` was saved as ``text`` (removed when it is blank)."""

        def __init__(self, article_id: int, text: str) -> None:
            super().__init__()
            self.article_id = article_id
            self.text = text

    class NoteNotSaved(Message):
        """A note could not be saved; ``reason`` says why. The editor keeps its text."""

        def __init__(self, article_id: int, reason: str) -> None:
            super().__init__()
            self.article_id = article_id
            self.reason = reason

    class WriteFailed(Message):
        """A write to the state database failed; ``reason`` says why."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    def __init__(self, *, incognito: bool, clock: Clock, id: str | None = None) -> None:
        super().__init__(id=id)
        self.incognito = incognito
        self.clock = clock
        self.store: StateStore | None = None
        self.new_per_day = DEFAULT_NEW_PER_DAY
        self.new_order = NEW_CARD_ORDERS[0]
        self.overview: Overview | None = None
        self.noted: frozenset[int] = frozenset()
        """The articles with a note, as last summed up."""
        self.tree_width: int | None = None
        """The tree's width as the user last set it (``<`` ``>``), if ever."""
        self.sync_dir: Path | None = None
        """``sync_dir`` of config.toml: the state syncs through it at start and after each
        study session (and the command line syncs once more at quit)."""
        self._pending: list[tuple[int, str, datetime]] = []
        self._generation = 0
        self._sync_lock = threading.Lock()
        self._syncing = False
        self._sync_again = False

    def on_mount(self) -> None:
        # After the first paint: importing and opening the state would hold the GIL
        # while the screen is first drawn.
        self.call_after_refresh(self.open)

    def on_unmount(self) -> None:
        if self.store is not None:
            self.store.close()  # waits for the writes still queued
            self.store = None

    @work(thread=True, group="state-open")
    def open(self) -> None:
        """Open the database (moving a corrupt one aside, or showing it read-only if it
        cannot be written) and read the settings."""
        from qtreader.library.state import open_state  # here, off the event loop: after first paint

        opened = open_state(incognito=self.incognito, now=self.clock())
        notices = [opened.notice] if opened.notice else []
        told: set[str] = set()  # a config.toml that cannot be read fails every setting

        def fall_back(error: ConfigError, to: str) -> None:
            if str(error) not in told:
                told.add(str(error))
                notices.append(f"{error}; {to}.")

        try:
            self.new_per_day = new_cards_per_day(DEFAULT_NEW_PER_DAY)
        except ConfigError as error:
            fall_back(error, f"using {DEFAULT_NEW_PER_DAY} new cards a day")
        try:
            desired_retention()
        except ConfigError as error:  # sessions schedule with FSRS's default then
            fall_back(error, f"aiming at {DEFAULT_DESIRED_RETENTION}")
        try:
            self.new_order = new_card_order()
        except ConfigError as error:
            fall_back(error, f"new cards come {NEW_CARD_ORDERS[0]}")
        if not self.incognito:
            from qtreader.library.sync import configured_sync_dir

            try:
                self.sync_dir = configured_sync_dir()
            except ConfigError as error:
                fall_back(error, "not syncing")
        try:
            last = opened.store.last_visit()
            width = opened.store.setting("tree_width")
            self.tree_width = int(width) if width and width.isdigit() else None
        except sqlite3.Error:
            last = None
        self.app.call_from_thread(self._opened, opened.store, "\n".join(notices) or None, last)

    def _opened(self, store: StateStore, notice: str | None, last: HistoryEntry | None) -> None:
        self.store = store
        if store.read_only is not None:
            self._pending.clear()
        for article_id, subject, when in self._pending:  # opened before the state was
            store.later(store.record_open, article_id, subject, when).add_done_callback(
                self._report
            )
        self._pending.clear()
        self.post_message(self.Opened(notice, last))
        self.sync()

    # Writes nobody waits for: in order, on the store's own thread ------------------------

    def record_open(self, article_id: int, subject: str) -> None:
        """An article was opened: history and read mark."""
        if self.store is None:
            self._pending.append((article_id, subject, self.clock()))
            return
        if self.store.read_only is not None:  # the notice at opening said so, once
            return
        future = self.store.later(self.store.record_open, article_id, subject, self.clock())
        future.add_done_callback(self._report)

    def save_scroll(self, article_id: int, scroll: float) -> None:
        """Remember how far down an article was read."""
        if self.store is not None and self.store.read_only is None:
            future = self.store.later(self.store.set_scroll, article_id, scroll)
            future.add_done_callback(self._report)

    def save_tree_width(self, width: int) -> None:
        """Remember the tree's width for the next start."""
        self.tree_width = width
        if self.store is not None and self.store.read_only is None:
            future = self.store.later(self.store.set_setting, "tree_width", str(width))
            future.add_done_callback(self._report)

    def _report(self, future: Future[None]) -> None:
        error = future.exception()
        if error is not None:
            self.post_message(self.WriteFailed(str(error)))

    # Sync with the user's other machines ------------------------------------------------

    def sync(self) -> None:
        """Sync through ``sync_dir`` in the background, if it is set and the state can be
        written. A sync asked for while one runs follows it, once."""
        store = self.store
        if self.sync_dir is None or store is None or store.incognito or store.read_only:
            return
        with self._sync_lock:
            if self._syncing:
                self._sync_again = True
                return
            self._syncing = True
        self._sync(store, self.sync_dir)

    @work(thread=True, group="state-sync")
    def _sync(self, store: StateStore, folder: Path) -> None:
        from qtreader.library.sync import SyncError, sync

        while True:
            try:
                store.flush()  # the writes asked for so far go out with this sync
                self.post_message(self.Synced(sync(store, folder)))
            except SyncError as error:
                self.post_message(self.SyncFailed(str(error)))
            except (sqlite3.Error, OSError) as error:  # the store closed at quit, a full disk
                self.post_message(self.SyncFailed(f"{folder}: {error}"))
            with self._sync_lock:
                if not self._sync_again:
                    self._syncing = False
                    return
                self._sync_again = False

    # Work whose result the screen shows -------------------------------------------------

    def refresh_marks(self, library: Library) -> None:
        """Sum the state up for the tree (the latest request wins)."""
        self._generation += 1
        self._sum_up(library, self._generation)

    @work(thread=True, group="state-marks")
    def _sum_up(self, library: Library, generation: int) -> None:
        if self.store is None:
            return
        self.store.flush()  # count the writes asked for so far
        try:
            from qtreader.library.study import overview

            figures = overview(library, self.store, now=self.clock(), new_per_day=self.new_per_day)
            noted = frozenset(self.store.noted_ids())
        except sqlite3.Error as error:
            self.post_message(self.WriteFailed(str(error)))
            return
        self.app.call_from_thread(self._summed_up, figures, noted, generation)

    def _summed_up(self, figures: Overview, noted: frozenset[int], generation: int) -> None:
        if generation == self._generation:  # not overtaken by a later request
            self.overview = figures
            self.noted = noted
            self.post_message(self.MarksChanged(figures, noted))

    @work(thread=True, group="state-bookmark")
    def toggle_bookmark(self, article_id: int) -> None:
        """Add or remove the bookmark of an article."""
        if self.store is None:
            return
        from qtreader.library.state import NotSaved  # loaded by now: the store is open

        try:
            bookmarked = self.store.toggle_bookmark(article_id, self.clock())
        except NotSaved as error:  # a state shown read-only: say why, not SQLite's words
            self.post_message(self.WriteFailed(error.reason))
            return
        except sqlite3.Error as error:
            self.post_message(self.WriteFailed(str(error)))
            return
        self.post_message(self.BookmarkToggled(article_id, bookmarked))

    @work(thread=True, group="state-note")
    def load_note(self, article_id: int) -> None:
        """Read the note of an article (:class:`NoteLoaded` tells it)."""
        if self.store is None:
            return
        self.store.flush()  # a note saved a moment ago is read back as saved
        try:
            note = self.store.note(article_id)
        except sqlite3.Error as error:
            self.post_message(self.WriteFailed(str(error)))
            return
        self.post_message(self.NoteLoaded(article_id, note))

    @work(thread=True, group="state-note")
    def save_note(self, article_id: int, text: str) -> None:
        """Save the note of an article; blank ``text`` removes it."""
        if self.store is None:
            self.post_message(self.NoteNotSaved(article_id, "the reading state is not open yet"))
            return
        from qtreader.library.state import NotSaved  # loaded by now: the store is open

        try:
            self.store.save_note(article_id, text, self.clock())
        except NotSaved as error:
            self.post_message(self.NoteNotSaved(article_id, error.reason))
            return
        except (sqlite3.Error, OSError) as error:
            self.post_message(self.NoteNotSaved(article_id, str(error)))
            return
        self.post_message(self.NoteSaved(article_id, text))

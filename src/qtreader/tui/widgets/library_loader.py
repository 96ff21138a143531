"""Opens and refreshes the library off the event loop and tells the screen through messages.

A load is two steps, so that a warm start paints the tree from the index before any file
is read: :meth:`LibraryLoader.load` opens the index and posts :class:`LibraryLoader.Opened`;
whoever shows the library calls :meth:`LibraryLoader.refresh_library` once that is
painted, which stats every file (parsing the changed ones, with
:class:`LibraryLoader.Progress`) and posts :class:`LibraryLoader.Refreshed`. Either step
posts :class:`LibraryLoader.Failed` instead when it cannot finish.
"""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import Future
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message
from textual.widget import Widget
from textual.worker import get_current_worker

from qtreader.library.store import Library

if TYPE_CHECKING:
    from pathlib import Path

    from qtreader.library.index import RefreshReport

__all__ = ["LibraryLoader", "open_in_background"]


def open_in_background(path: Path) -> Future[Library]:
    """Start opening the library's index now, on a thread of its own, so that it is ready
    (a millisecond or two of SQLite) by the time the screen mounts."""
    future: Future[Library] = Future()

    def opening() -> None:
        try:
            future.set_result(Library.open(path))
        except BaseException as error:  # handed to whoever waits for the library
            future.set_exception(error)

    threading.Thread(target=opening, name="qtreader-open", daemon=True).start()
    return future


class _LoadCancelled(Exception):
    """Raised from the progress callback to abandon a load nobody waits for any more."""


class LibraryLoader(Widget):
    """Loads the library at ``path``. Shows nothing."""

    DEFAULT_CSS = "LibraryLoader { display: none; }"

    class Opened(Message):
        """The index is open: ``library`` holds what it knew (nothing on a cold start)."""

        def __init__(self, loader: LibraryLoader, library: Library) -> None:
            super().__init__()
            self.loader = loader
            self.library = library

        @property
        def control(self) -> LibraryLoader:
            return self.loader

    class Progress(Message):
        """``done`` of ``total`` files parsed so far by a refresh."""

        def __init__(self, loader: LibraryLoader, done: int, total: int) -> None:
            super().__init__()
            self.loader = loader
            self.done = done
            self.total = total

        @property
        def control(self) -> LibraryLoader:
            return self.loader

    class Refreshed(Message):
        """The index of ``library`` is up to date with the folder."""

        def __init__(self, loader: LibraryLoader, library: Library, report: RefreshReport):
            super().__init__()
            self.loader = loader
            self.library = library
            self.report = report

        @property
        def control(self) -> LibraryLoader:
            return self.loader

    class Failed(Message):
        """Loading stopped; ``reason`` says why, for the status bar."""

        def __init__(self, loader: LibraryLoader, reason: str) -> None:
            super().__init__()
            self.loader = loader
            self.reason = reason

        @property
        def control(self) -> LibraryLoader:
            return self.loader

    def __init__(
        self, path: Path, *, opening: Future[Library] | None = None, id: str | None = None
    ) -> None:
        """``opening``: the library being opened already (see :func:`open_in_background`)."""
        super().__init__(id=id)
        self.path = path
        self._opening = opening
        self._library: Library | None = None
        #: From :meth:`load` until a refresh ends or fails: a load is under way.
        self.busy = False

    def load(self) -> bool:
        """Open the library (again) and post :class:`Opened`; whether it was open already,
        so that :class:`Opened` follows without reading anything."""
        self.busy = True
        opening, self._opening = self._opening, None
        if opening is not None and opening.done() and opening.exception() is None:
            # Opened while Textual started: the first frame can show the tree.
            self._opened(opening.result())
            return True
        self._open(opening)
        return False

    def refresh_library(self) -> None:
        """Bring the index of the library last opened up to date with the folder."""
        if self._library is not None:
            self._refresh(self._library)

    def _opened(self, library: Library) -> None:
        self._library = library
        self.post_message(self.Opened(self, library))

    def _failed(self, reason: str) -> None:
        self.busy = False
        self.post_message(self.Failed(self, reason))

    @work(thread=True, exclusive=True, group="load")
    def _open(self, opening: Future[Library] | None) -> None:
        try:
            library = opening.result() if opening is not None else Library.open(self.path)
        except (OSError, sqlite3.Error) as error:
            self.app.call_from_thread(self._failed, f"Cannot load the library: {error}")
            return
        except Exception as error:  # whatever it is, the reader stays and says so
            message = f"Cannot load the library: {type(error).__name__}: {error}"
            self.app.call_from_thread(self._failed, message)
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._opened, library)

    @work(thread=True, exclusive=True, group="load")
    def _refresh(self, library: Library) -> None:
        worker = get_current_worker()

        def progress(done: int, total: int) -> None:
            if worker.is_cancelled:  # the app is closing: stop parsing
                raise _LoadCancelled
            self.post_message(self.Progress(self, done, total))

        if worker.is_cancelled:
            return
        try:
            report = library.refresh(progress)
        except _LoadCancelled:
            return
        except (OSError, sqlite3.Error) as error:
            self.app.call_from_thread(self._failed, f"Cannot load the library: {error}")
            return
        except Exception as error:  # e.g. a parsing process died: keep the reader alive
            message = f"Indexing stopped: {type(error).__name__}: {error}"
            self.app.call_from_thread(self._failed, message)
            return
        self.app.call_from_thread(self._refreshed, library, report)

    def _refreshed(self, library: Library, report: RefreshReport) -> None:
        self.busy = False
        self.post_message(self.Refreshed(self, library, report))

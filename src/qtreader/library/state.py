"""The reader's own state, kept in SQLite: history, bookmarks, read marks, study cards and
the user's notes.

Everything is keyed by article id and nothing is ever deleted for an id the library no longer
holds, so a changed library keeps the reviews of the articles that remain. The database
lives in the user data dir (``state.db``), in WAL mode with a busy timeout; every write is
one short transaction committed at once, so two qtreader processes can share it and a
``kill -9`` loses at most the write under way. Only a database SQLite itself reports as
corrupt or not a database is moved aside (the notice says where) and a fresh one started;
any other failure (a full disk, a read-only folder, a WAL file that cannot be opened) leaves
the file as it is and shows its state read-only. In incognito mode the state is read into
memory and nothing is written back.

No Textual here: the command line and the app share this layer.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from platformdirs import user_data_path

try:  # POSIX: a lock file keeps two processes from checking and moving the file at once.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "SCHEMA_VERSION",
    "Bookmark",
    "CardRecord",
    "HistoryEntry",
    "NotSaved",
    "Note",
    "OpenedState",
    "ReviewTally",
    "StateError",
    "StateStore",
    "default_state_path",
    "open_state",
    "read_notes",
]

#: The version of the schema below, kept in SQLite's ``user_version``.
SCHEMA_VERSION = 2

#: How long a write waits for another process's transaction before giving up.
BUSY_TIMEOUT_S = 15.0

#: ``state_before`` of a review of a card that had never been reviewed.
NEW_CARD = 0

_SCHEMA = """
CREATE TABLE history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL,
    subject TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    scroll REAL NOT NULL DEFAULT 0
);
CREATE INDEX history_article ON history (article_id);
CREATE TABLE read_marks (
    article_id INTEGER PRIMARY KEY,
    first_read_at TEXT NOT NULL
);
CREATE TABLE bookmarks (
    article_id INTEGER PRIMARY KEY,
    added_at TEXT NOT NULL
);
CREATE TABLE cards (
    article_id INTEGER PRIMARY KEY,
    state INTEGER NOT NULL,
    step INTEGER,
    stability REAL,
    difficulty REAL,
    due TEXT NOT NULL,
    last_review TEXT,
    answer_hash TEXT NOT NULL,
    reviews INTEGER NOT NULL,
    lapses INTEGER NOT NULL
);
CREATE INDEX cards_due ON cards (due);
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL,
    grade INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 4),
    reviewed_at TEXT NOT NULL,
    answer_hash TEXT NOT NULL,
    state_before INTEGER NOT NULL,
    due_after TEXT NOT NULL,
    duration_ms INTEGER
);
CREATE INDEX reviews_article ON reviews (article_id);
CREATE INDEX reviews_time ON reviews (reviewed_at);
"""

# Version 2: the user's notes. A removed note stays as a row with empty text and the time
# of its removal, so that sync can tell a note deleted from one never written.
_NOTES = """
CREATE TABLE notes (
    article_id INTEGER PRIMARY KEY,
    text TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""

# Each entry migrates from its index to the next version: _MIGRATIONS[0] creates version 1.
_MIGRATIONS: tuple[str, ...] = (_SCHEMA, _NOTES)
assert len(_MIGRATIONS) == SCHEMA_VERSION


class StateError(Exception):
    """The state database cannot be used as it is; the message says why."""


class NotSaved(sqlite3.OperationalError):
    """A write to a state that is shown read-only. An :class:`sqlite3.OperationalError`, as
    SQLite's own "attempt to write a readonly database" is: whoever handles failed writes
    handles this one too. ``reason``: why the state cannot be written."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"not saved: {reason}")
        self.reason = reason


# Times ----------------------------------------------------------------------------------
# Stored as UTC text of one fixed width, so that SQL compares them as it sorts them.

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def to_text(moment: datetime) -> str:
    """A timezone-aware time as stored."""
    if moment.tzinfo is None:
        raise ValueError("state times must be timezone-aware")
    return moment.astimezone(UTC).strftime(_FORMAT)


def from_text(text: str) -> datetime:
    """A stored time, in UTC."""
    # fromisoformat reads this format (the Z included) without importing _strptime.
    return datetime.fromisoformat(text).astimezone(UTC)


def _maybe_time(text: str | None) -> datetime | None:
    return from_text(text) if text is not None else None


# Records --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """An article as it was opened, when, and how far down it was read."""

    article_id: int
    subject: str
    opened_at: datetime
    scroll: float


@dataclass(frozen=True, slots=True)
class Bookmark:
    """A bookmarked article and when it was bookmarked."""

    article_id: int
    added_at: datetime


@dataclass(frozen=True, slots=True)
class Note:
    """The user's own Markdown note on one article."""

    article_id: int
    text: str
    updated: datetime


@dataclass(frozen=True, slots=True)
class CardRecord:
    """A study card as stored: FSRS's fields, counts, and the hash of the answer as it was
    at the last review."""

    article_id: int
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    answer_hash: str
    reviews: int
    lapses: int


@dataclass(frozen=True, slots=True)
class ReviewTally:
    """The reviews of one article: all of them, those of a learned card (in FSRS's review
    state), and how many of those were remembered (any grade but again)."""

    reviews: int
    mature_reviews: int
    remembered: int


@dataclass(frozen=True, slots=True)
class OpenedState:
    """A state store and, when the file could not be used as it was, what the user must be
    told about it."""

    store: StateStore
    notice: str | None


P = ParamSpec("P")
T = TypeVar("T")


class StateStore:
    """The state database. Every method is safe to call from any thread; each write is one
    transaction, committed before the method returns."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        path: Path | None,
        *,
        read_only: str | None = None,
    ) -> None:
        self._db = connection
        self._lock = threading.RLock()
        self._later: ThreadPoolExecutor | None = None
        self.path = path
        """The database file, or ``None`` when nothing is written (incognito)."""
        self.read_only = read_only
        """Why the saved state is shown read-only (every write raises :class:`NotSaved`),
        or ``None``."""

    @property
    def incognito(self) -> bool:
        """True when the state lives in memory only and nothing is recorded."""
        return self.path is None

    # Plumbing ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (``BEGIN IMMEDIATE``) so that what it reads
        cannot change under it; committed on leaving, rolled back on an error."""
        if self.read_only is not None:
            raise NotSaved(self.read_only)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _read(self, sql: str, parameters: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, tuple(parameters)).fetchall()

    def later(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Run a write on the store's one background thread, in the order asked: for writes
        nobody waits on (history, scroll positions). :meth:`close` waits for them."""
        with self._lock:
            if self._later is None:
                self._later = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qtstate")
            return self._later.submit(function, *args, **kwargs)

    def flush(self) -> None:
        """Wait until every write asked for with :meth:`later` so far is done."""
        with self._lock:
            executor = self._later
            marker = executor.submit(lambda: None) if executor is not None else None
        if marker is not None:
            marker.result()

    def close(self) -> None:
        """Finish pending writes and close the database."""
        with self._lock:
            executor, self._later = self._later, None
        if executor is not None:
            executor.shutdown(wait=True)
        with self._lock:
            self._db.close()

    # History and read marks -------------------------------------------------------------

    def record_open(self, article_id: int, subject: str, when: datetime) -> None:
        """An article was opened: add it to the history and mark it read."""
        stamp = to_text(when)
        with self._write() as db:
            db.execute(
                "INSERT INTO history (article_id, subject, opened_at) VALUES (?, ?, ?)",
                (article_id, subject, stamp),
            )
            db.execute(
                "INSERT OR IGNORE INTO read_marks (article_id, first_read_at) VALUES (?, ?)",
                (article_id, stamp),
            )

    def set_scroll(self, article_id: int, scroll: float) -> None:
        """Remember how far down the latest opening of an article was read."""
        with self._write() as db:
            db.execute(
                "UPDATE history SET scroll = ? WHERE id = "
                "(SELECT max(id) FROM history WHERE article_id = ?)",
                (max(0.0, scroll), article_id),
            )

    def history(self, limit: int | None = None) -> list[HistoryEntry]:
        """The articles opened, latest first."""
        rows = self._read(
            "SELECT article_id, subject, opened_at, scroll FROM history "
            "ORDER BY opened_at DESC, id DESC LIMIT ?",
            (-1 if limit is None else limit,),
        )
        return [
            HistoryEntry(
                row["article_id"], row["subject"], from_text(row["opened_at"]), row["scroll"]
            )
            for row in rows
        ]

    def last_visit(self) -> HistoryEntry | None:
        """The article opened last, where the reader left off."""
        entries = self.history(limit=1)
        return entries[0] if entries else None

    def clear_history(self) -> int:
        """Forget what was opened when; read marks, bookmarks and reviews stay. Returns the
        number of entries removed."""
        with self._write() as db:
            return db.execute("DELETE FROM history").rowcount

    def read_ids(self) -> set[int]:
        """The articles opened at least once."""
        return {row[0] for row in self._read("SELECT article_id FROM read_marks")}

    # Bookmarks --------------------------------------------------------------------------

    def bookmarks(self) -> list[Bookmark]:
        """Every bookmark, oldest first."""
        rows = self._read("SELECT article_id, added_at FROM bookmarks ORDER BY added_at, rowid")
        return [Bookmark(row[0], from_text(row[1])) for row in rows]

    def is_bookmarked(self, article_id: int) -> bool:
        """Whether the article is bookmarked."""
        return bool(self._read("SELECT 1 FROM bookmarks WHERE article_id = ?", (article_id,)))

    def toggle_bookmark(self, article_id: int, when: datetime) -> bool:
        """Bookmark the article, or remove its bookmark; returns whether it is now bookmarked."""
        with self._write() as db:
            removed = db.execute("DELETE FROM bookmarks WHERE article_id = ?", (article_id,))
            _note_bookmark(db, article_id, None if removed.rowcount else when, when)
            if removed.rowcount:
                return False
            db.execute(
                "INSERT INTO bookmarks (article_id, added_at) VALUES (?, ?)",
                (article_id, to_text(when)),
            )
            return True

    # Notes ------------------------------------------------------------------------------
    # Kept whatever becomes of the article: they are the user's writing, not the library's.

    def note(self, article_id: int) -> Note | None:
        """The note on an article, if there is one."""
        rows = self._read(
            "SELECT article_id, text, updated_at FROM notes WHERE article_id = ? AND text != ''",
            (article_id,),
        )
        return _note(rows[0]) if rows else None

    def save_note(self, article_id: int, text: str, when: datetime) -> None:
        """Saves the note; text that is empty or only whitespace removes it.

        The text is kept exactly as given. Saving the text the note already has changes
        nothing (its time stays that of the last change); removing a note that does not
        exist records nothing.
        """
        stamp = to_text(when)
        kept = text if text.strip() else ""
        with self._write() as db:
            row = db.execute(
                "SELECT text FROM notes WHERE article_id = ?", (article_id,)
            ).fetchone()
            if (row[0] if row is not None else "") == kept:
                return
            db.execute(
                "INSERT INTO notes (article_id, text, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (article_id) DO UPDATE SET "
                "text = excluded.text, updated_at = excluded.updated_at",
                (article_id, kept, stamp),
            )

    def notes(self) -> list[Note]:
        """Every note, the latest changed first."""
        rows = self._read(
            "SELECT article_id, text, updated_at FROM notes WHERE text != '' "
            "ORDER BY updated_at DESC, article_id"
        )
        return [_note(row) for row in rows]

    def noted_ids(self) -> set[int]:
        """The articles that have a note."""
        return {row[0] for row in self._read("SELECT article_id FROM notes WHERE text != ''")}

    def note_texts(self) -> dict[int, str]:
        """Every note's text by article id, the latest changed first: what
        :meth:`qtreader.library.store.Library.search` takes as ``notes``."""
        return {note.article_id: note.text for note in self.notes()}

    # Sync (library/sync.py) ------------------------------------------------------------

    @contextlib.contextmanager
    def sync_transaction(self, *, keep: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction for :mod:`qtreader.library.sync`, its tables made; rolled
        back instead of committed when ``keep`` is false (``qtreader sync --status``)."""
        if self.read_only is not None:
            raise NotSaved(self.read_only)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for statement in _SYNC_SCHEMA.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT" if keep else "ROLLBACK")

    # Settings of the reader (the tree's width) ------------------------------------------
    # A table made when first written, not a schema version: an older qtreader ignores it.

    def setting(self, name: str) -> str | None:
        """A saved setting of the reader, or ``None``."""
        try:
            rows = self._read("SELECT value FROM ui_settings WHERE name = ?", (name,))
        except sqlite3.OperationalError:  # no such table: nothing saved yet
            return None
        return str(rows[0][0]) if rows else None

    def set_setting(self, name: str, value: str) -> None:
        """Save a setting of the reader."""
        with self._write() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS ui_settings "
                "(name TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            db.execute(
                "INSERT INTO ui_settings (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )

    # Cards and reviews ------------------------------------------------------------------

    def cards(self, article_ids: Iterable[int] | None = None) -> dict[int, CardRecord]:
        """The cards of these articles (every card when ``None``); articles never studied
        have none."""
        rows = self._read("SELECT * FROM cards")
        cards = {row["article_id"]: _card(row) for row in rows}
        if article_ids is None:
            return cards
        return {i: cards[i] for i in article_ids if i in cards}

    def card(self, article_id: int) -> CardRecord | None:
        """The card of one article, if it was ever studied."""
        rows = self._read("SELECT * FROM cards WHERE article_id = ?", (article_id,))
        return _card(rows[0]) if rows else None

    def review(
        self,
        article_id: int,
        grade: int,
        reviewed_at: datetime,
        answer_hash: str,
        schedule: Callable[[CardRecord | None], CardRecord],
        duration_ms: int | None = None,
    ) -> CardRecord:
        """Record one review and the card it leaves, in one transaction committed at once.

        ``schedule`` gets the card as stored *inside* the transaction (so a review made by
        another process a moment ago counts) and returns the card after this review.
        """
        with self._write() as db:
            rows = db.execute("SELECT * FROM cards WHERE article_id = ?", (article_id,)).fetchall()
            before = _card(rows[0]) if rows else None
            after = schedule(before)
            db.execute(
                "INSERT OR REPLACE INTO cards (article_id, state, step, stability, difficulty, "
                "due, last_review, answer_hash, reviews, lapses) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    article_id,
                    after.state,
                    after.step,
                    after.stability,
                    after.difficulty,
                    to_text(after.due),
                    to_text(after.last_review) if after.last_review else None,
                    after.answer_hash,
                    after.reviews,
                    after.lapses,
                ),
            )
            db.execute(
                "INSERT INTO reviews (article_id, grade, reviewed_at, answer_hash, state_before, "
                "due_after, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    article_id,
                    grade,
                    to_text(reviewed_at),
                    answer_hash,
                    before.state if before else NEW_CARD,
                    to_text(after.due),
                    duration_ms,
                ),
            )
        return after

    def review_log(self, article_id: int | None = None) -> list[dict[str, Any]]:
        """Every review (of one article, or all), oldest first, as plain fields."""
        sql = "SELECT * FROM reviews"
        parameters: tuple[int, ...] = ()
        if article_id is not None:
            sql += " WHERE article_id = ?"
            parameters = (article_id,)
        rows = self._read(sql + " ORDER BY id", parameters)
        return [
            {
                **dict(row),
                "reviewed_at": from_text(row["reviewed_at"]),
                "due_after": from_text(row["due_after"]),
            }
            for row in rows
        ]

    def review_tallies(self, mature_state: int) -> dict[int, ReviewTally]:
        """Per article: reviews in all, reviews of a learned card (``state_before`` is
        ``mature_state``) and how many of those were remembered."""
        rows = self._read(
            "SELECT article_id, count(*), "
            "sum(state_before = ?), sum(state_before = ? AND grade > 1) "
            # In table order, then sorted: walking the article index fetches each row at
            # random, about twice as slow for 100,000 reviews (bench/bench_progress.py).
            "FROM reviews NOT INDEXED GROUP BY article_id",
            (mature_state, mature_state),
        )
        return {row[0]: ReviewTally(row[1], row[2], row[3]) for row in rows}

    def reviewed_ids(self) -> set[int]:
        """The articles reviewed at least once (read from the index on ``article_id``)."""
        return {row[0] for row in self._read("SELECT DISTINCT article_id FROM reviews")}

    def reviews_between(
        self, bounds: Sequence[datetime], article_ids: Iterable[int] | None, mature_state: int
    ) -> list[tuple[int, int, int]]:
        """For each span between two consecutive ``bounds`` (say local midnights): reviews
        in all, reviews of a learned card (``state_before`` is ``mature_state``) and those
        of them remembered (any grade but again). Only the reviews of ``article_ids`` (all
        when ``None``) count.

        One range query a span on the index of review times, all in one read transaction:
        no sort of the reviews (grouping them by a computed day sorts them all, several
        times slower), and the days are exactly the caller's.
        """
        where, parameters = _among(article_ids, "AND")
        sql = (
            "SELECT count(*), coalesce(sum(state_before = ?), 0), "
            "coalesce(sum(state_before = ? AND grade > 1), 0) FROM reviews "
            f"WHERE reviewed_at >= ? AND reviewed_at < ? {where}"
        )
        stamps = [to_text(bound) for bound in bounds]
        with self._lock:
            cursor = self._db.cursor()
            cursor.execute("BEGIN")
            try:
                rows = [
                    cursor.execute(
                        sql, (mature_state, mature_state, low, high, *parameters)
                    ).fetchone()
                    for low, high in pairwise(stamps)
                ]
            finally:
                cursor.execute("COMMIT")
        return [(row[0], row[1], row[2]) for row in rows]

    def first_review(self, article_ids: Iterable[int] | None) -> datetime | None:
        """When the first review of ``article_ids`` (any when ``None``) was made."""
        where, parameters = _among(article_ids)
        rows = self._read(f"SELECT min(reviewed_at) FROM reviews {where}", parameters)
        return _maybe_time(rows[0][0])

    def due_by_day(self, article_ids: Iterable[int] | None, until: datetime) -> dict[str, int]:
        """Per local calendar day (``YYYY-MM-DD``): the cards whose latest review left them
        due that day, for those due before ``until``; from the reviews alone, so it is the
        schedule the reviews made (a card's due time is its last review's ``due_after``)."""
        where, parameters = _among(article_ids)
        rows = self._read(
            "SELECT date(r.due_after, 'localtime') AS day, count(*) FROM reviews AS r "
            f"JOIN (SELECT max(id) AS id FROM reviews {where} GROUP BY article_id) AS last "
            "ON r.id = last.id WHERE r.due_after < ? GROUP BY day",
            (*parameters, to_text(until)),
        )
        return {row[0]: row[1] for row in rows}

    def new_cards_since(self, since: datetime) -> int:
        """How many cards were studied for the first time since ``since``."""
        rows = self._read(
            "SELECT count(DISTINCT article_id) FROM reviews "
            "WHERE state_before = ? AND reviewed_at >= ?",
            (NEW_CARD, to_text(since)),
        )
        return int(rows[0][0])


# Sync tables ----------------------------------------------------------------------------
# Made when first needed, not a schema version: an older qtreader ignores them.

_SYNC_SCHEMA = """
CREATE TABLE IF NOT EXISTS bookmark_removals (
    article_id INTEGER PRIMARY KEY,
    removed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sync_events (
    id TEXT PRIMARY KEY,
    device TEXT NOT NULL,
    kind TEXT NOT NULL,
    article_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    body TEXT NOT NULL,
    exported INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sync_events_article ON sync_events (kind, article_id);
CREATE TABLE IF NOT EXISTS sync_rows (
    tbl TEXT NOT NULL,
    row INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    PRIMARY KEY (tbl, row)
);
CREATE TABLE IF NOT EXISTS sync_files (
    name TEXT PRIMARY KEY,
    offset INTEGER NOT NULL,
    lines INTEGER NOT NULL
)
"""


def _note_bookmark(
    db: sqlite3.Connection, article_id: int, added: datetime | None, when: datetime
) -> None:
    """Keep when a bookmark was removed (``added`` is ``None``): sync must tell a removal
    from a bookmark never made, and the latest of the two wins on every machine."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS bookmark_removals "
        "(article_id INTEGER PRIMARY KEY, removed_at TEXT NOT NULL)"
    )
    if added is not None:
        db.execute("DELETE FROM bookmark_removals WHERE article_id = ?", (article_id,))
    else:
        db.execute(
            "INSERT OR REPLACE INTO bookmark_removals (article_id, removed_at) VALUES (?, ?)",
            (article_id, to_text(when)),
        )


def _among(article_ids: Iterable[int] | None, verb: str = "WHERE") -> tuple[str, tuple[str, ...]]:
    """A ``WHERE`` (or ``AND``) clause keeping the reviews of ``article_ids`` (none when
    ``None``): the ids go in as one JSON array, whatever their number."""
    if article_ids is None:
        return "", ()
    import json

    clause = f"{verb} article_id IN (SELECT value FROM json_each(?))"
    return clause, (json.dumps(sorted(article_ids)),)


def _note(row: sqlite3.Row) -> Note:
    return Note(row[0], row[1], from_text(row[2]))


def _card(row: sqlite3.Row) -> CardRecord:
    return CardRecord(
        article_id=row["article_id"],
        state=row["state"],
        step=row["step"],
        stability=row["stability"],
        difficulty=row["difficulty"],
        due=from_text(row["due"]),
        last_review=_maybe_time(row["last_review"]),
        answer_hash=row["answer_hash"],
        reviews=row["reviews"],
        lapses=row["lapses"],
    )


# Opening --------------------------------------------------------------------------------


def default_state_path() -> Path:
    """``state.db`` in the user data dir (``~/.local/share/qtreader`` on Linux)."""
    return user_data_path("qtreader", appauthor=False) / "state.db"


def open_state(
    path: Path | None = None, *, incognito: bool = False, now: datetime | None = None
) -> OpenedState:
    """Open the state database, creating or upgrading it as needed.

    Only a file SQLite reports as corrupt or not a database is moved aside to
    ``state.db.corrupt-<time>`` and a fresh one started; the returned notice says so and
    where the old file is. Any other failure (a full disk, a read-only folder, a WAL or
    shared-memory file that cannot be opened, a lock) leaves the files untouched: the
    notice says what is wrong and where, and the saved state, if it can be read, is shown
    read-only (writes raise :class:`NotSaved`). A state written by a newer qtreader is
    left alone and nothing is recorded. ``incognito`` reads the file, if it is sound, into
    memory and never writes to it.
    """
    path = path or default_state_path()
    now = now or datetime.now(UTC)
    if incognito:
        return _open_incognito(path)
    moved: tuple[Path, str] | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _file_lock(path):
            try:
                connection = _connect(path)
            except _Corrupt as error:
                moved = (_move_aside(path, now), str(error))
                connection = _connect(path)
    except StateError as error:
        return OpenedState(
            StateStore(_memory(), None),
            f"The reading state {path} cannot be used ({error}); nothing will be recorded "
            "in this run.",
        )
    except (OSError, sqlite3.Error, _Corrupt) as error:
        opened = _read_only(path, _diagnose(path, error))
        if moved is not None:
            # Seen only when the fresh file cannot be made either: both things are told.
            told = f"The reading state was moved to {moved[0]} ({moved[1]}). {opened.notice}"
            return OpenedState(opened.store, told)
        return opened
    notice: str | None = None
    if moved is not None:
        notice = (
            f"The reading state {path} could not be read ({moved[1]}). It was moved to "
            f"{moved[0]}; qtreader starts with a fresh one: history, bookmarks and "
            "reviews begin again."
        )
    return OpenedState(StateStore(connection, path), notice)


def read_notes(path: Path | None = None) -> dict[int, str]:
    """The notes' texts by article id, the latest changed first, read from the file as it
    is: for a lookup (``qtreader search``) that must start fast. :func:`open_state` checks
    the whole file first, a quarter of a second for a state of 200,000 reviews; this opens
    it read-only, checks and changes nothing, and is empty when there is no state yet.

    Raises :class:`StateError` when the notes cannot be read (the message says why).
    """
    path = path or default_state_path()
    if not path.exists():
        return {}
    failure: BaseException | None = None
    # With nothing in the WAL the file alone is the state: read as immutable, which makes
    # no WAL or shared-memory file. Else read-only, which sees what the WAL holds, and
    # immutable only if that cannot be opened (a read-only folder).
    wal = path.with_name(path.name + "-wal")
    modes = ("mode=ro", "mode=ro&immutable=1") if _nonempty(wal) else ("mode=ro&immutable=1",)
    for mode in modes:
        try:
            source = sqlite3.connect(
                f"{path.absolute().as_uri()}?{mode}", uri=True, timeout=BUSY_TIMEOUT_S
            )
        except sqlite3.Error as error:
            failure = error
            continue
        try:
            version = source.execute("PRAGMA user_version").fetchone()[0]
            if version < 2:
                return {}  # from before notes
            rows = source.execute(
                "SELECT article_id, text FROM notes WHERE text != '' "
                "ORDER BY updated_at DESC, article_id"
            ).fetchall()
            return dict(rows)
        except sqlite3.Error as error:
            failure = error
        finally:
            source.close()
    raise StateError(f"the notes in {path} cannot be read ({failure})")


class _Corrupt(Exception):
    """SQLite reports the file corrupt or not a database (the message says what it found)."""


#: What SQLite says of a file that really is damaged, or not a database at all: the only
#: failures that move a state file aside. Anything else (full, I/O, permission, read-only,
#: locked, cannot open) is about the disk or the folder, and the file may well be sound.
_CORRUPT_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


def _is_corrupt(error: sqlite3.Error) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in _CORRUPT_CODES


def _connect(path: Path) -> sqlite3.Connection:
    """Connect, check the file, set WAL and bring the schema up to date."""
    connection = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
    )
    try:
        connection.row_factory = sqlite3.Row
        connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        try:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            check = [row[0] for row in connection.execute("PRAGMA quick_check").fetchall()]
        except sqlite3.DatabaseError as error:
            if _is_corrupt(error):
                raise _Corrupt(str(error)) from None
            raise
        if check != ["ok"]:
            raise _Corrupt("; ".join(check[:3]))
        if version > SCHEMA_VERSION:
            raise StateError(
                f"it was written by a newer qtreader (schema {version}, this one knows "
                f"{SCHEMA_VERSION})"
            )
        connection.execute("PRAGMA journal_mode = WAL")
        # FULL: a committed review survives a power cut too, not only a killed process.
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("PRAGMA foreign_keys = ON")
        _migrate(connection)
    except BaseException:
        connection.close()
        raise
    return connection


def _diagnose(path: Path, error: BaseException) -> str:
    """What is wrong, and where, for a state that could not be opened for writing.

    SQLite's own words are often vague ("disk I/O error" for a full disk, "unable to open
    database file" for a WAL file it may not open): the files it needs are tried here
    directly, so that the system's reason and the path can be told.
    """
    folder = path.parent
    code = getattr(error, "sqlite_errorcode", None)
    full = (code is not None and code & 0xFF == sqlite3.SQLITE_FULL) or (
        isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)
    )
    with contextlib.suppress(OSError):
        full = full or shutil.disk_usage(folder).free == 0
    if full:
        return f"the disk is full: {folder}"
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as failure:
        return f"{failure.strerror}: {folder}"
    for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if not os.path.lexists(name):
            continue
        try:
            os.close(os.open(name, os.O_RDWR))
        except OSError as failure:
            return f"{failure.strerror}: {name}"
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror}: {error.filename or path}"
    return f"{error}: {path}"


def _read_only(path: Path, reason: str) -> OpenedState:
    """The saved state, read into memory and refused every write, after ``reason`` kept
    it from being opened as it should; an empty state kept in memory if it cannot even
    be read."""
    memory: sqlite3.Connection | None = None
    missed: Path | None = None
    with contextlib.suppress(OSError, sqlite3.Error, StateError):
        # With nothing in the WAL the file alone is the state: read it as immutable, which
        # makes no WAL or shared-memory file (on a full disk, in a read-only folder).
        wal = path.with_name(path.name + "-wal")
        memory, missed = _snapshot(path, immutable=not _nonempty(wal))
    if memory is None:
        return OpenedState(
            StateStore(_memory(), None),
            f"The reading state {path} cannot be used ({reason}); nothing will be recorded "
            "in this run.",
        )
    _migrate(memory)
    notice = (
        f"The reading state {path} cannot be written ({reason}). It is shown read-only: "
        "nothing will be saved in this run."
    )
    if missed is not None:
        notice += f" The latest changes, in {missed}, could not be read."
    return OpenedState(StateStore(memory, path, read_only=reason), notice)


def _snapshot(path: Path, *, immutable: bool) -> tuple[sqlite3.Connection | None, Path | None]:
    """A copy in memory of the database at ``path`` (``None`` if there is no file), and
    the WAL file whose changes it lacks, if any.

    Opened read-only, so nothing in the folder changes; ``immutable`` reads it as a plain
    file at once (no WAL or shared-memory file made or read). Without it, read-only is
    tried first, and an immutable read (which ignores the WAL) only if that fails.
    """
    if not path.exists():
        return None, None
    wal = path.with_name(path.name + "-wal")
    attempts = ["mode=ro&immutable=1"] if immutable else ["mode=ro", "mode=ro&immutable=1"]
    for number, mode in enumerate(attempts, start=1):
        memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        memory.row_factory = sqlite3.Row
        try:
            source = sqlite3.connect(
                f"{path.absolute().as_uri()}?{mode}", uri=True, timeout=BUSY_TIMEOUT_S
            )
            try:
                version = source.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise StateError(f"written by a newer qtreader (schema {version})")
                source.backup(memory)
            finally:
                source.close()
        except (sqlite3.Error, StateError):
            memory.close()
            if number == len(attempts):
                raise
            continue
        ignored = "immutable" in mode and not immutable and _nonempty(wal)
        return memory, wal if ignored else None
    raise AssertionError("unreachable")  # pragma: no cover


def _nonempty(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return os.path.lexists(path)


def _migrate(connection: sqlite3.Connection) -> None:
    """Run the migrations the file lacks, each in its transaction (another process may be
    doing the same: the version is read again once the write lock is held)."""
    while True:
        connection.execute("BEGIN IMMEDIATE")
        try:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version >= SCHEMA_VERSION:
                connection.execute("COMMIT")
                return
            for statement in _MIGRATIONS[version].split(";"):
                if statement.strip():
                    connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")


def _memory() -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    connection.row_factory = sqlite3.Row
    _migrate(connection)
    return connection


def _open_incognito(path: Path) -> OpenedState:
    """The saved state, copied into memory; the file is opened read-only and never changed."""
    notice = None
    memory: sqlite3.Connection | None = None
    try:
        # With no WAL file beside it no process has the database open: read it as
        # immutable, which creates no WAL or shared-memory file either.
        wal = path.with_name(path.name + "-wal").exists()
        memory, _missed = _snapshot(path, immutable=not wal)
    except (OSError, sqlite3.Error, StateError) as error:
        notice = (
            f"The reading state {path} could not be read ({error}); incognito leaves it "
            "as it is and starts empty."
        )
    if memory is None:
        memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        memory.row_factory = sqlite3.Row
    _migrate(memory)
    return OpenedState(StateStore(memory, None), notice)


def _move_aside(path: Path, now: datetime) -> Path:
    """Rename the database (and its WAL and shared-memory files) out of the way."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.rename(target.with_name(target.name + suffix))
    return target


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Hold ``state.db.lock`` while the file is checked, moved aside or upgraded."""
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    with open(path.with_name(path.name + ".lock"), "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

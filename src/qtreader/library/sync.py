"""Sync of the reading and study state between machines through a shared folder.

No server: any tool that copies files (Syncthing, Dropbox, git, rsync, a USB stick) carries
the folder. Each machine appends only to its own file, ``<device>.jsonl``, named by a
device id made once beside ``state.db``; it reads every other file and merges it into its
``state.db``. A file is JSON Lines: a header ``{"qtreader_sync": 1, "device": ...}``, then
one event a line (a review, a bookmark set or removed, a read mark, an opening, a note
written or removed). A file holding a note says format 2, which a qtreader of format 1
skips and names instead of misreading; until then a file stays format 1, so machines not
yet upgraded keep syncing.

Merging is idempotent and order-free: events are kept by id, a card's FSRS state is
recomputed by replaying all its reviews in time order (fuzz off, so every machine gets the
same due dates), a bookmark is what its latest event says (ties broken by device id, then
event id), and so is a note (an empty text is a removal, which stays removed), a read
mark is the earliest read, openings are added once each.

Nothing is lost to a ``kill -9``: this machine's events are put in ``state.db`` first and
marked sent only after the appended lines are flushed and fsynced; what was read of each
other file, and up to which byte, is remembered in the same transaction as the merge; a
half-written line is not read until it is complete.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qtreader.library.state import (
    NEW_CARD,
    CardRecord,
    StateStore,
    default_state_path,
    from_text,
    to_text,
)

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "FORMAT",
    "SyncError",
    "SyncReport",
    "configured_sync_dir",
    "counted",
    "device_id",
    "device_reviews",
    "sync",
]

#: The newest file format, read and written; a file of a higher one is skipped.
FORMAT = 2

KINDS = ("review", "bookmark", "read", "open", "note")

#: The format a file must say it is once it holds an event of this kind (1 otherwise).
_FORMAT_OF = {"note": 2}
_DEVICE = re.compile(r"[0-9a-f]{8,64}")


class SyncError(Exception):
    """Sync cannot run; the message says why."""


@dataclass(frozen=True)
class SyncReport:
    """What a sync did, or (``--status``) would do."""

    devices: dict[str, str | None]
    """Every device seen, with the time of its latest event (UTC text) if any."""
    received: dict[str, int]
    """New events of other machines, by kind."""
    sent: dict[str, int]
    """Events of this machine not yet in its file, by kind."""
    warnings: list[str] = field(default_factory=list)


def counted(events: dict[str, int]) -> str:
    """Events by kind as a person reads them: ``2 review(s), 1 read(s)``, or ``nothing``."""
    return ", ".join(f"{n} {kind}(s)" for kind, n in sorted(events.items())) or "nothing"


# Device id and configuration --------------------------------------------------------------


def device_id(data_dir: Path | None = None) -> str:
    """This machine's id, made once and kept in ``sync-device`` beside ``state.db``."""
    folder = data_dir or default_state_path().parent
    path = folder / "sync-device"
    with contextlib.suppress(FileNotFoundError):
        text = path.read_text("ascii").strip()
        if _DEVICE.fullmatch(text):
            return text
        raise SyncError(f"{path}: not a device id ({text[:40]!r}); remove it to make a new one")
    folder.mkdir(parents=True, exist_ok=True)
    made = folder / f"sync-device.{os.getpid()}.tmp"
    made.write_text(uuid.uuid4().hex[:16] + "\n", "ascii")
    try:
        os.link(made, path)  # fails if another process made one first: keep that one
    except FileExistsError:
        pass
    finally:
        made.unlink()
    return device_id(folder)


def device_reviews(store: StateStore) -> tuple[str | None, dict[str, int]]:
    """This machine's device id (``None`` before its first sync) and the reviews of the
    state by device id, this machine's not yet synced counted as its own."""
    me = None
    if store.path is not None:
        with contextlib.suppress(OSError, SyncError):
            if (store.path.parent / "sync-device").exists():
                me = device_id(store.path.parent)
    counts: dict[str, int] = {}
    for device, reviews in store.reviews_by_device().items():
        key = device if device is not None else (me or "this machine")
        counts[key] = counts.get(key, 0) + reviews
    return me, counts


def configured_sync_dir() -> Path | None:
    """``sync_dir`` of ``config.toml``, if set."""
    from qtreader.library import config

    value = config._settings().get("sync_dir")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or "\0" in value:
        raise config._error(f"sync_dir must be a folder path in quotes, not {config._shown(value)}")
    return Path(value).expanduser()


# Reading the folder -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Read:
    """The new complete events of one file and the byte up to which it is now read."""

    name: str
    device: str
    events: list[dict[str, Any]]
    offset: int
    lines: int


def _valid_device(device: object) -> bool:
    """A device id as made here: it is shown to the user and names a file."""
    return isinstance(device, str) and _DEVICE.fullmatch(device) is not None


def _event(line: bytes, device: str) -> dict[str, Any] | None:
    """One event as merged (``at`` in the stored time format), or ``None`` if invalid."""
    try:
        raw = json.loads(line)
        kind, article, at, ident = raw["kind"], raw["article"], raw["at"], raw["id"]
        if kind not in KINDS or type(article) is not int or not isinstance(ident, str):
            return None
        if not _valid_device(raw.get("device", device)):
            return None
        event: dict[str, Any] = {
            "id": ident,
            "device": raw.get("device", device),
            "kind": kind,
            "article": article,
            "at": to_text(from_text(at)),
        }
        if kind == "review":
            grade, duration = raw["grade"], raw.get("duration_ms")
            if type(grade) is not int or not 1 <= grade <= 4:
                return None
            if duration is not None and type(duration) is not int:
                return None
            event.update(grade=grade, answer_hash=str(raw["answer_hash"]), duration_ms=duration)
        elif kind == "bookmark":
            if type(raw["on"]) is not bool:
                return None
            event["on"] = raw["on"]
        elif kind == "open":
            event.update(subject=str(raw["subject"]), scroll=float(raw.get("scroll", 0.0)))
        elif kind == "note":
            if not isinstance(raw["text"], str):
                return None
            event["text"] = raw["text"] if raw["text"].strip() else ""
        return event
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
        return None


def _read_file(path: Path, offset: int, lines: int, warnings: list[str]) -> _Read | None:
    """The complete lines of ``path`` after ``offset``; ``None`` for a file that is not a
    sync file of this format (a newer one is told in ``warnings``)."""
    try:
        with path.open("rb") as handle:
            header_line = handle.readline(4096)  # not a whole file of something else
            if not header_line.endswith(b"\n"):
                return None  # not (yet) a whole header: read again next time
            try:
                header = json.loads(header_line)
            except ValueError:
                return None
            if not isinstance(header, dict) or "qtreader_sync" not in header:
                return None
            version, device = header.get("qtreader_sync"), str(header.get("device"))
            if type(version) is not int or not _valid_device(device):
                warnings.append(f"{path}: not a valid sync header; skipped")
                return None
            if version > FORMAT:
                warnings.append(f"{path}: written by a newer qtreader (format {version}); skipped")
                return None
            size = os.fstat(handle.fileno()).st_size
            if offset < len(header_line) or offset > size:  # new, or replaced by a shorter one
                offset, lines = len(header_line), 0
            handle.seek(offset)
            data = handle.read()
    except OSError as error:
        warnings.append(f"{path}: cannot be read ({error.strerror or error}); skipped")
        return None
    end = data.rfind(b"\n") + 1  # a last line without its newline is not complete yet
    events, bad = [], 0
    for line in data[:end].splitlines():
        if not line.strip():
            continue
        event = _event(line, device)
        if event is None:
            bad += 1
        else:
            events.append(event)
    if bad:
        warnings.append(f"{path}: {bad} line(s) are not valid events; skipped")
    return _Read(path.name, device, events, offset + end, lines + data[:end].count(b"\n"))


def _read_folder(
    folder: Path, known: dict[str, tuple[int, int]], warnings: list[str]
) -> list[_Read]:
    """Every sync file of ``folder``, temporary names and conflict copies included (their
    complete lines are valid events; merging them twice changes nothing). This machine's
    own file too: after the first time nothing in it is new, but a ``state.db`` started
    afresh gets back what this machine had sent."""
    found = []
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        offset, lines = known.get(path.name, (0, 0))
        read = _read_file(path, offset, lines, warnings)
        if read is not None:
            found.append(read)
    return found


# Merging ------------------------------------------------------------------------------------


def _body(event: dict[str, Any]) -> str:
    return json.dumps(event, sort_keys=True, separators=(",", ":"))


def _add_own(
    db: sqlite3.Connection, device: str, kind: str, article: int, at: str, **extra: Any
) -> str:
    ident = f"{device}-{uuid.uuid4().hex[:16]}"
    event = {"id": ident, "device": device, "kind": kind, "article": article, "at": at, **extra}
    db.execute(
        "INSERT INTO sync_events (id, device, kind, article_id, at, body, exported) "
        "VALUES (?, ?, ?, ?, ?, ?, 0)",
        (ident, device, kind, article, at, _body(event)),
    )
    return ident


def _capture(db: sqlite3.Connection, device: str) -> dict[str, set[int]]:
    """Turn what this machine did since its last sync into events of its own; returns the
    articles touched, by kind. The first sync takes the whole existing state in."""
    touched: dict[str, set[int]] = {kind: set() for kind in KINDS}
    reviews = db.execute(
        "SELECT id, article_id, grade, reviewed_at, answer_hash, duration_ms FROM reviews "
        "WHERE id NOT IN (SELECT row FROM sync_rows WHERE tbl = 'reviews') ORDER BY id"
    ).fetchall()
    for row in reviews:
        ident = _add_own(
            db, device, "review", row[1], row[3],
            grade=row[2], answer_hash=row[4], duration_ms=row[5],
        )  # fmt: skip
        db.execute("INSERT INTO sync_rows VALUES ('reviews', ?, ?)", (row[0], ident))
        touched["review"].add(row[1])
    opens = db.execute(
        "SELECT id, article_id, subject, opened_at, scroll FROM history "
        "WHERE id NOT IN (SELECT row FROM sync_rows WHERE tbl = 'history') ORDER BY id"
    ).fetchall()
    for row in opens:
        ident = _add_own(db, device, "open", row[1], row[3], subject=row[2], scroll=row[4])
        db.execute("INSERT INTO sync_rows VALUES ('history', ?, ?)", (row[0], ident))
    reads = db.execute(
        "SELECT m.article_id, m.first_read_at FROM read_marks AS m WHERE NOT EXISTS "
        "(SELECT 1 FROM sync_events AS e WHERE e.kind = 'read' "
        "AND e.article_id = m.article_id AND e.at <= m.first_read_at)"
    ).fetchall()
    for article, at in reads:
        _add_own(db, device, "read", article, at)
    local = {
        row[0]: (True, row[1])
        for row in db.execute("SELECT article_id, added_at FROM bookmarks").fetchall()
    }
    for article, at in db.execute("SELECT article_id, removed_at FROM bookmark_removals"):
        local.setdefault(article, (False, at))
    for article, state in local.items():
        if _bookmark_winner(db, article) != state:
            _add_own(db, device, "bookmark", article, state[1], on=state[0])
            touched["bookmark"].add(article)
    # A removed note is a row with empty text: its removal is sent like any other change.
    notes = db.execute("SELECT article_id, text, updated_at FROM notes").fetchall()
    for article, text, at in notes:
        if _note_winner(db, article) != (text, at):
            _add_own(db, device, "note", article, at, text=text)
            touched["note"].add(article)
    return touched


def _latest(db: sqlite3.Connection, kind: str, article: int) -> dict[str, Any] | None:
    """The latest event of ``kind`` for ``article``, on any machine: ties in time are broken
    by device id, then event id, so every machine picks the same one."""
    row = db.execute(
        "SELECT body FROM sync_events WHERE kind = ? AND article_id = ? "
        "ORDER BY at DESC, device DESC, id DESC LIMIT 1",
        (kind, article),
    ).fetchone()
    return None if row is None else dict(json.loads(row[0]))


def _bookmark_winner(db: sqlite3.Connection, article: int) -> tuple[bool, str] | None:
    event = _latest(db, "bookmark", article)
    return None if event is None else (bool(event["on"]), str(event["at"]))


def _note_winner(db: sqlite3.Connection, article: int) -> tuple[str, str] | None:
    """The text and time of the latest note event of ``article``."""
    event = _latest(db, "note", article)
    return None if event is None else (str(event["text"]), str(event["at"]))


def _replay(db: sqlite3.Connection, article: int, scheduler: Any) -> None:
    """Rebuild the reviews and the card of ``article`` from every review event of it."""
    from qtreader.library.study import Grade, schedule

    events = [
        json.loads(row[0])
        for row in db.execute(
            "SELECT body FROM sync_events WHERE kind = 'review' AND article_id = ? ORDER BY at, id",
            (article,),
        )
    ]
    db.execute(
        "DELETE FROM sync_rows WHERE tbl = 'reviews' AND row IN "
        "(SELECT id FROM reviews WHERE article_id = ?)",
        (article,),
    )
    db.execute("DELETE FROM reviews WHERE article_id = ?", (article,))
    record: CardRecord | None = None
    for event in events:
        at = from_text(event["at"])
        after = schedule(
            scheduler, record, article, Grade(event["grade"]), at, event["answer_hash"]
        )
        cursor = db.execute(
            "INSERT INTO reviews (article_id, grade, reviewed_at, answer_hash, state_before, "
            "due_after, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                article, event["grade"], event["at"], event["answer_hash"],
                record.state if record else NEW_CARD, to_text(after.due), event["duration_ms"],
            ),
        )  # fmt: skip
        db.execute(
            "INSERT INTO sync_rows VALUES ('reviews', ?, ?)", (cursor.lastrowid, event["id"])
        )
        record = after
    if record is None:
        return
    db.execute(
        "INSERT OR REPLACE INTO cards (article_id, state, step, stability, difficulty, due, "
        "last_review, answer_hash, reviews, lapses) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            article, record.state, record.step, record.stability, record.difficulty,
            to_text(record.due), to_text(record.last_review) if record.last_review else None,
            record.answer_hash, record.reviews, record.lapses,
        ),
    )  # fmt: skip


def _apply(db: sqlite3.Connection, new: list[dict[str, Any]], touched: dict[str, set[int]]) -> None:
    """Bring the tables in line with the events: ``new`` ones of other machines, and the
    articles ``touched`` by this machine's own new events."""
    for event in new:
        if event["kind"] == "open":
            cursor = db.execute(
                "INSERT INTO history (article_id, subject, opened_at, scroll) VALUES (?, ?, ?, ?)",
                (event["article"], event["subject"], event["at"], event["scroll"]),
            )
            db.execute(
                "INSERT INTO sync_rows VALUES ('history', ?, ?)", (cursor.lastrowid, event["id"])
            )
        elif event["kind"] == "read":
            db.execute(
                "INSERT INTO read_marks (article_id, first_read_at) VALUES (?, ?) "
                "ON CONFLICT (article_id) DO UPDATE SET first_read_at = "
                "min(first_read_at, excluded.first_read_at)",
                (event["article"], event["at"]),
            )
        else:
            touched[event["kind"]].add(event["article"])
    if touched["review"]:
        from fsrs import Scheduler

        from qtreader.library.study import configured_retention

        scheduler = Scheduler(desired_retention=configured_retention(), enable_fuzzing=False)
        for article in sorted(touched["review"]):
            _replay(db, article, scheduler)
    for article in sorted(touched["bookmark"]):
        winner = _bookmark_winner(db, article)
        if winner is None:
            continue
        on, at = winner
        if on:
            db.execute(
                "INSERT OR REPLACE INTO bookmarks (article_id, added_at) VALUES (?, ?)",
                (article, at),
            )
            db.execute("DELETE FROM bookmark_removals WHERE article_id = ?", (article,))
        else:
            db.execute("DELETE FROM bookmarks WHERE article_id = ?", (article,))
            db.execute(
                "INSERT OR REPLACE INTO bookmark_removals (article_id, removed_at) VALUES (?, ?)",
                (article, at),
            )
    for article in sorted(touched["note"]):
        note = _note_winner(db, article)
        if note is not None:
            db.execute(
                "INSERT INTO notes (article_id, text, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (article_id) DO UPDATE SET "
                "text = excluded.text, updated_at = excluded.updated_at",
                (article, *note),
            )


# Writing this machine's file ----------------------------------------------------------------


def _header(device: str, version: int) -> bytes:
    return (json.dumps({"qtreader_sync": version, "device": device}) + "\n").encode()


def _append(folder: Path, device: str, lines: list[str], rewrite: bool, version: int = 1) -> int:
    """Append ``lines`` to this machine's file (made, with its header, if missing), flushed
    and fsynced; a half-written last line left by a killed run is cut off first. The header
    says at least ``version``: an older one is raised in place (the same length, so that
    readers keep their offsets), and fsynced, before the lines that need it are written.
    Returns the file's size."""
    path = folder / f"{device}.jsonl"
    headers = {number: _header(device, number) for number in range(1, FORMAT + 1)}
    with open(path, "a+b") as handle:
        handle.seek(0)
        data = handle.read()
        whole = data.rfind(b"\n") + 1
        found = next((n for n, header in headers.items() if data.startswith(header)), None)
        if rewrite or found is None:
            whole = 0
        if whole != len(data):
            handle.truncate(whole)
        if found is not None and whole and found < version:
            with open(path, "r+b") as raised:  # "a" mode would append it instead
                raised.write(headers[version])
                raised.flush()
                os.fsync(raised.fileno())
        handle.seek(whole)
        if whole == 0:
            handle.write(headers[version])
        handle.write("".join(line + "\n" for line in lines).encode())
        handle.flush()
        os.fsync(handle.fileno())
        return handle.tell()


@contextlib.contextmanager
def _sync_lock(data_dir: Path) -> Iterator[None]:
    """One sync at a time on this machine (the app's and a command's)."""
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    with open(data_dir / "sync.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# The sync -----------------------------------------------------------------------------------


def sync(store: StateStore, folder: Path, *, dry_run: bool = False) -> SyncReport:
    """Merge every other machine's file of ``folder`` into ``store`` and append this
    machine's new events to its own file. ``dry_run``: change nothing, tell what would."""
    if store.path is None:
        raise SyncError("incognito: nothing is synced")
    if store.read_only is not None:
        raise SyncError(f"the reading state cannot be written ({store.read_only})")
    if not folder.is_dir():
        raise SyncError(f"{folder}: not a folder")
    data_dir = store.path.parent
    device = device_id(data_dir)
    own = f"{device}.jsonl"
    warnings: list[str] = []
    with _sync_lock(data_dir):
        with store.sync_transaction(keep=True) as db:  # make the tables; read what is known
            known = {
                row[0]: (row[1], row[2])
                for row in db.execute("SELECT name, offset, lines FROM sync_files")
            }
        reads = _read_folder(folder, known, warnings)
        received: Counter[str] = Counter()
        with store.sync_transaction(keep=not dry_run) as db:
            touched = _capture(db, device)
            new: list[dict[str, Any]] = []
            for read in reads:
                for event in read.events:
                    cursor = db.execute(
                        "INSERT OR IGNORE INTO sync_events (id, device, kind, article_id, at, "
                        "body, exported) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (
                            event["id"], event["device"], event["kind"], event["article"],
                            event["at"], _body(event), 1,
                        ),
                    )  # fmt: skip
                    if cursor.rowcount:
                        new.append(event)
                        received[event["kind"]] += 1
                db.execute(
                    "INSERT OR REPLACE INTO sync_files (name, offset, lines) VALUES (?, ?, ?)",
                    (read.name, read.offset, read.lines),
                )
            _apply(db, new, touched)
            own_size = known[own][0] if own in known else None
            size = _size(folder / own)
            # This machine's file lost (a new folder, a copy put back): write it all again.
            rewrite = size is None or (own_size is not None and size < own_size)
            if rewrite:
                db.execute("UPDATE sync_events SET exported = 0 WHERE device = ?", (device,))
            pending = db.execute(
                "SELECT id, kind, body FROM sync_events WHERE exported = 0 AND device = ? "
                "ORDER BY at, id",
                (device,),
            ).fetchall()
            sent = Counter(row[1] for row in pending)
            devices: dict[str, str | None] = {
                row[0]: row[1]
                for row in db.execute("SELECT device, max(at) FROM sync_events GROUP BY device")
            }
            for read in reads:
                devices.setdefault(read.device, None)
            devices.setdefault(device, None)
        if not dry_run and (pending or rewrite):
            version = max((_FORMAT_OF.get(row[1], 1) for row in pending), default=1)
            size = _append(folder, device, [row[2] for row in pending], rewrite, version)
            with store.sync_transaction() as db:
                db.executemany(
                    "UPDATE sync_events SET exported = 1 WHERE id = ?",
                    [(row[0],) for row in pending],
                )
                db.execute(
                    "INSERT OR REPLACE INTO sync_files (name, offset, lines) VALUES (?, ?, 0)",
                    (own, size),
                )
    return SyncReport(devices, dict(received), dict(sent), warnings)


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return None

"""The state database: what it keeps, and that it loses nothing and never silently starts
over."""

from __future__ import annotations

import functools
import sqlite3
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from qtreader.library.state import (
    SCHEMA_VERSION,
    CardRecord,
    StateStore,
    default_state_path,
    open_state,
)

from .clock import NOON


def fresh(path: Path | None = None) -> StateStore:
    opened = open_state(path)
    assert opened.notice is None
    return opened.store


def one_more(before: CardRecord | None, article_id: int = 501) -> CardRecord:
    """A stand-in scheduler: one more review, due a day after the last one."""
    reviews = before.reviews if before else 0
    return CardRecord(article_id, 2, None, 1.0, 5.0, NOON + timedelta(days=reviews + 1),
                      NOON, "hash", reviews + 1, 0)  # fmt: skip


def test_lives_in_the_user_data_dir_in_wal_mode_with_a_schema_version(
    isolated_dirs: Path,
) -> None:
    store = fresh()
    assert store.path == default_state_path()
    assert str(store.path).startswith(str(isolated_dirs / "data"))
    store.close()
    db = sqlite3.connect(default_state_path())
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()


def test_history_scroll_and_read_marks() -> None:
    store = fresh()
    assert store.last_visit() is None
    store.record_open(501, "Physics", NOON)
    store.record_open(503, "Mathematics", NOON + timedelta(minutes=1))
    store.set_scroll(503, 12.0)
    store.record_open(501, "Physics", NOON + timedelta(minutes=2))
    store.set_scroll(501, 7.5)
    last = store.last_visit()
    assert last is not None
    assert (last.article_id, last.subject, last.scroll) == (501, "Physics", 7.5)
    assert last.opened_at == NOON + timedelta(minutes=2)
    assert [(e.article_id, e.scroll) for e in store.history()] == [
        (501, 7.5),
        (503, 12.0),
        (501, 0),
    ]
    assert store.read_ids() == {501, 503}
    assert store.clear_history() == 3
    assert store.history() == [] and store.last_visit() is None
    assert store.read_ids() == {501, 503}  # clearing the history keeps the read marks


def test_bookmarks_toggle_in_order() -> None:
    store = fresh()
    assert store.toggle_bookmark(503, NOON) is True
    assert store.toggle_bookmark(501, NOON + timedelta(seconds=1)) is True
    assert [b.article_id for b in store.bookmarks()] == [503, 501]
    assert store.is_bookmarked(501)
    assert store.toggle_bookmark(503, NOON) is False
    assert [b.article_id for b in store.bookmarks()] == [501]


def test_later_writes_in_order_and_close_waits_for_them() -> None:
    path = default_state_path()
    store = fresh(path)
    for minute in range(20):
        store.later(store.record_open, 500 + minute, "Physics", NOON + timedelta(minutes=minute))
    store.later(store.set_scroll, 519, 3.0)
    store.close()
    store = fresh(path)
    history = store.history()
    assert [entry.article_id for entry in history] == list(range(519, 499, -1))
    assert history[0].scroll == 3.0


def test_a_review_reads_the_card_inside_its_transaction() -> None:
    """Two processes that review the same card one after the other: the second builds on
    the first, and both reviews are logged."""
    path = default_state_path()
    first, second = fresh(path), fresh(path)
    first.review(501, 3, NOON, "hash", one_more)
    after = second.review(501, 3, NOON, "hash", one_more)
    assert after.reviews == 2
    assert first.card(501) == after
    assert [review["grade"] for review in first.review_log(501)] == [3, 3]
    assert first.review_log()[0]["state_before"] == 0
    assert first.review_log()[1]["state_before"] == 2


def test_concurrent_writers_lose_no_review() -> None:
    path = default_state_path()
    stores = [fresh(path) for _ in range(4)]

    def grade_many(store: StateStore, article_id: int) -> None:
        for _ in range(25):
            store.review(article_id, 3, NOON, "h", lambda card: one_more(card, article_id))
            store.record_open(article_id, "Physics", NOON)

    threads = [
        threading.Thread(target=grade_many, args=(store, 501 + n % 2))
        for n, store in enumerate(stores)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    check = stores[0]
    assert len(check.review_log()) == 100
    assert {i: c.reviews for i, c in check.cards().items()} == {501: 50, 502: 50}


def test_a_failed_schedule_writes_nothing() -> None:
    store = fresh()

    def broken(card: CardRecord | None) -> CardRecord:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        store.review(501, 3, NOON, "h", broken)
    assert store.review_log() == [] and store.cards() == {}
    store.review(501, 3, NOON, "h", one_more)  # the store still works
    assert len(store.review_log()) == 1


def test_a_corrupt_database_is_moved_aside_and_the_user_told_where() -> None:
    path = default_state_path()
    path.parent.mkdir(parents=True)
    garbage = b"this is not a database, it was overwritten" * 100
    path.write_bytes(garbage)
    opened = open_state(path, now=NOON)
    moved = path.with_name("state.db.corrupt-20250312T120000Z")
    assert opened.notice is not None
    assert str(path) in opened.notice and str(moved) in opened.notice
    assert "fresh" in opened.notice
    assert moved.read_bytes() == garbage
    store = opened.store
    assert store.path == path
    store.toggle_bookmark(501, NOON)
    store.close()
    assert [b.article_id for b in fresh(path).bookmarks()] == [501]
    # A second corrupt file the same second does not overwrite the first one moved aside.
    path.write_bytes(garbage[:500])
    again = open_state(path, now=NOON)
    assert again.notice is not None and "corrupt-20250312T120000Z-2" in again.notice
    assert moved.read_bytes() == garbage


def test_a_damaged_page_is_found_by_the_check(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = fresh(path)
    for n in range(300):
        store.review(n, 3, NOON, "x" * 200, functools.partial(one_more, article_id=n))
    store.close()
    data = bytearray(path.read_bytes())
    assert len(data) > 8 * 4096
    data[4096 * 3 : 4096 * 5] = b"\xff" * 8192  # scribble over two pages
    path.write_bytes(bytes(data))
    opened = open_state(path, now=NOON)
    assert opened.notice is not None and "moved to" in opened.notice
    assert opened.store.review_log() == []


def test_a_newer_schema_is_left_alone_and_nothing_recorded(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    before = path.read_bytes()
    opened = open_state(path)
    assert opened.notice is not None and "newer qtreader" in opened.notice
    assert "nothing will be recorded" in opened.notice
    assert opened.store.incognito
    opened.store.toggle_bookmark(1, NOON)
    opened.store.close()
    assert path.read_bytes() == before


def test_an_unwritable_place_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    opened = open_state(blocker / "state.db")
    assert opened.notice is not None and "nothing will be recorded" in opened.notice
    opened.store.record_open(501, "Physics", NOON)
    assert opened.store.read_ids() == {501}


def test_incognito_reads_the_state_and_writes_nothing() -> None:
    path = default_state_path()
    store = fresh(path)
    store.toggle_bookmark(501, NOON)
    store.review(501, 3, NOON, "h", one_more)
    store.close()
    files = {p.name: p.read_bytes() for p in path.parent.iterdir()}
    opened = open_state(path, incognito=True)
    assert opened.notice is None
    ghost = opened.store
    assert ghost.incognito and ghost.path is None
    assert [b.article_id for b in ghost.bookmarks()] == [501]
    assert ghost.card(501) is not None
    ghost.toggle_bookmark(502, NOON)
    ghost.record_open(502, "Physics", NOON)
    ghost.review(501, 3, NOON, "h", one_more)
    assert (card := ghost.card(501)) is not None and card.reviews == 2
    ghost.close()
    assert {p.name: p.read_bytes() for p in path.parent.iterdir()} == files


def test_incognito_leaves_a_corrupt_file_as_it_is() -> None:
    path = default_state_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"garbage" * 1000)
    opened = open_state(path, incognito=True)
    assert opened.notice is not None and str(path) in opened.notice
    assert path.read_bytes() == b"garbage" * 1000
    assert opened.store.bookmarks() == []
    assert opened.store.toggle_bookmark(501, NOON) is True


def test_many_first_opens_at_once_make_one_sound_database() -> None:
    """Processes starting together on a machine with no state yet: the file lock and the
    version check inside the migration's transaction keep them from tripping each other."""
    path = default_state_path()
    notices: list[str | None] = []

    def start(n: int) -> None:
        opened = open_state(path)
        notices.append(opened.notice)
        opened.store.record_open(n, "Physics", NOON)
        opened.store.close()

    threads = [threading.Thread(target=start, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert notices == [None] * 8
    assert fresh(path).read_ids() == set(range(8))

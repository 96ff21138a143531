"""Study sessions in the data layer, with a fixed clock: FSRS's own schedule, the order of
the queue, the daily limit, changed answers and removed articles."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fsrs import Card, Rating, Scheduler

from qtreader.library.state import StateStore, open_state
from qtreader.library.store import Library, load_library
from qtreader.library.study import (
    BOOKMARKS_SCOPE,
    LIBRARY_SCOPE,
    Grade,
    Scope,
    StudySession,
    answer_hash,
    describe_due,
    overview,
)

from .clock import NOON, FixedClock
from .conftest import LIBRARY

PHYSICS = Scope.of_subject("physics")  # any case


@pytest.fixture
def library() -> Library:
    return load_library(LIBRARY)


@pytest.fixture
def store() -> StateStore:
    opened = open_state()
    assert opened.notice is None
    return opened.store


def fsrs_schedule(
    grades: list[tuple[Grade, datetime]], scheduler: Scheduler, article_id: int
) -> Card:
    """What FSRS itself makes of the same grades at the same times."""
    card = Card(card_id=article_id, due=grades[0][1])
    for grade, when in grades:
        card, _ = scheduler.review_card(card, Rating(int(grade)), when)
    return card


@pytest.mark.parametrize("fuzz", [False, True])
def test_schedule_after_grades_matches_fsrs(
    library: Library, store: StateStore, fuzz: bool
) -> None:
    """One card graded again, good, good, hard, easy, again, good... when it falls due (once
    two days late): the stored card is FSRS's card, field for field."""
    clock = FixedClock()
    scheduler = Scheduler(enable_fuzzing=fuzz)
    pattern = [Grade.AGAIN, Grade.GOOD, Grade.GOOD, Grade.HARD, Grade.EASY, Grade.AGAIN]
    pattern += [Grade.GOOD, Grade.GOOD, Grade.GOOD]
    done: list[tuple[Grade, datetime]] = []
    random.seed(1234)
    for number, grade in enumerate(pattern):
        session = StudySession.start(
            library, store, Scope.of_subject("Mathematics"), clock=clock, scheduler=scheduler
        )
        assert session.current is not None and session.current.article_id == 503
        session.grade(grade)
        done.append((grade, clock.now))
        card = store.card(503)
        assert card is not None
        # The next review: when it falls due, but the fourth one two days late.
        clock.now = card.due + (timedelta(days=2) if number == 3 else timedelta(0))
    random.seed(1234)
    expected = fsrs_schedule(done, Scheduler(enable_fuzzing=fuzz), 503)
    stored = store.card(503)
    assert stored is not None
    assert (stored.state, stored.step) == (int(expected.state), expected.step)
    assert (stored.stability, stored.difficulty) == (expected.stability, expected.difficulty)
    assert (stored.due, stored.last_review) == (expected.due, expected.last_review)
    assert stored.reviews == len(pattern) and stored.lapses == 1
    log = store.review_log(503)
    assert [entry["grade"] for entry in log] == [int(g) for g in pattern]
    assert [entry["reviewed_at"] for entry in log] == [when for _, when in done]
    assert {entry["answer_hash"] for entry in log} == {answer_hash(library.answer(503))}
    assert stored.due > done[-1][1] + timedelta(days=3)


def test_due_reviews_first_then_new_cards_in_title_order(
    library: Library, store: StateStore
) -> None:
    clock = FixedClock()
    first = StudySession.start(library, store, PHYSICS, clock=clock)
    assert first.current is not None and first.current.article_id == 502  # title order
    assert first.counts().new == 3 and first.counts().due == 0
    shown = []

    def grade(grade: Grade) -> None:
        assert first.current is not None
        shown.append(first.current.article_id)
        first.grade(grade)
        clock.advance(minutes=1)

    grade(Grade.EASY)  # 502: a review in days
    grade(Grade.GOOD)  # 503: back in ten minutes
    grade(Grade.AGAIN)  # 501: back in a minute
    assert first.counts().learning == 2 and first.counts().total == 2
    grade(Grade.GOOD)  # 501 is due: shown at once; ten more minutes
    grade(Grade.GOOD)  # nothing due: 503, ahead of time; it graduates
    grade(Grade.GOOD)  # 501 graduates
    assert first.finished
    assert shown == [502, 503, 501, 501, 503, 501]
    summary = first.summary()
    assert (summary.cards, summary.reviews, summary.remembered) == (3, 6, 5)
    assert summary.share_remembered == pytest.approx(5 / 6)
    assert summary.scope == "Physics"
    assert summary.next_due is not None and summary.next_due > clock.now + timedelta(hours=20)
    assert summary.due_within_day <= 3

    # Days later: everything is due, oldest due first, and nothing is new any more.
    cards = store.cards()
    clock.advance(days=60)
    later = StudySession.start(library, store, PHYSICS, clock=clock)
    order = sorted(cards, key=lambda i: cards[i].due)
    seen = []
    while later.current is not None:
        assert not later.current.is_new
        seen.append(later.current.article_id)
        later.grade(Grade.EASY)
    assert seen == order


def test_daily_limit_of_new_cards_and_the_override(library: Library, store: StateStore) -> None:
    clock = FixedClock()
    session = StudySession.start(library, store, LIBRARY_SCOPE, new_per_day=2, clock=clock)
    assert session.counts().new == 2
    session.grade(Grade.EASY)
    session.grade(Grade.EASY)
    assert session.finished
    # Two new cards were studied today: the limit is reached, in every scope.
    again = StudySession.start(library, store, PHYSICS, new_per_day=2, clock=clock)
    assert again.finished
    assert overview(library, store, now=clock.now, new_per_day=2).new_left_today == 0
    # --new N asks for N more anyway.
    more = StudySession.start(library, store, LIBRARY_SCOPE, new_cards=3, clock=clock)
    assert more.counts().new == 3
    # Tomorrow the limit starts again.
    clock.advance(days=1)
    tomorrow = StudySession.start(library, store, LIBRARY_SCOPE, new_per_day=2, clock=clock)
    assert tomorrow.counts().new == 2


def test_a_changed_answer_is_flagged_on_its_card(library_copy: Path, store: StateStore) -> None:
    clock = FixedClock()
    library = load_library(library_copy)
    session = StudySession.start(library, store, Scope.of_subject("History"), clock=clock)
    assert session.current is not None and not session.current.answer_changed
    old_hash = answer_hash(library.answer(508))
    session.grade(Grade.GOOD)
    session.grade(Grade.GOOD)
    assert (card := store.card(508)) is not None and card.answer_hash == old_hash

    path = library_copy / "learn/history/why-did-the-printing-press-spread-quickly.md"
    text = path.read_text()
    path.write_text(text.replace("answer: >-\n  ", "answer: >-\n  A new first sentence. ", 1))
    changed = load_library(library_copy)
    assert answer_hash(changed.answer(508)) != old_hash
    card = store.card(508)
    assert card is not None
    clock.now = card.due
    session = StudySession.start(changed, store, Scope.of_subject("History"), clock=clock)
    assert session.current is not None and session.current.answer_changed
    session.grade(Grade.GOOD)
    log = store.review_log(508)
    new_hash = answer_hash(changed.answer(508))
    assert [entry["answer_hash"] for entry in log] == [old_hash, old_hash, new_hash]
    # Reviewed again: the card holds the new hash and is no longer flagged.
    card = store.card(508)
    assert card is not None
    clock.now = card.due
    session = StudySession.start(changed, store, Scope.of_subject("History"), clock=clock)
    assert session.current is not None and not session.current.answer_changed


def test_removed_articles_keep_their_reviews_and_the_rest_go_on(
    library_copy: Path, store: StateStore
) -> None:
    clock = FixedClock()
    library = load_library(library_copy)
    session = StudySession.start(library, store, PHYSICS, new_cards=3, clock=clock)
    while session.current is not None:
        session.grade(Grade.EASY)
    store.toggle_bookmark(502, clock.now)
    store.toggle_bookmark(501, clock.now)
    (library_copy / "learn/physics/how-does-a-lens-focus-light.md").unlink()  # 502
    smaller = load_library(library_copy)
    assert smaller.article(502) is None
    clock.advance(days=90)
    later = StudySession.start(smaller, store, PHYSICS, clock=clock)
    shown = []
    while later.current is not None:
        shown.append(later.current.article_id)
        later.grade(Grade.GOOD)
    assert sorted(shown) == [501, 503]
    assert set(store.cards()) == {501, 502, 503}  # 502's card is kept
    assert len(store.review_log(502)) == 1
    figures = overview(smaller, store, now=clock.now)
    assert figures.bookmark_ids == (501,)
    assert figures.subjects["physics"].total == 2
    # The article comes back: its card and history with it.
    (library_copy / "learn/physics/how-does-a-lens-focus-light.md").write_text(
        (LIBRARY / "learn/physics/how-does-a-lens-focus-light.md").read_text()
    )
    restored = load_library(library_copy)
    back = StudySession.start(restored, store, PHYSICS, clock=clock)
    assert back.current is not None and back.current.article_id == 502
    assert not back.current.is_new


def test_bookmarks_scope_and_empty_sessions(library: Library, store: StateStore) -> None:
    clock = FixedClock()
    empty = StudySession.start(library, store, BOOKMARKS_SCOPE, clock=clock)
    assert empty.finished and empty.summary().next_due is None
    store.toggle_bookmark(505, clock.now)
    store.toggle_bookmark(501, clock.now + timedelta(seconds=1))
    marked = StudySession.start(library, store, BOOKMARKS_SCOPE, clock=clock)
    assert marked.current is not None and marked.current.article_id == 505
    assert marked.current.subject == "Computer Science"
    assert marked.current.question == "What is a hash table?"
    assert marked.answer() == library.answer(505)
    nowhere = StudySession.start(library, store, Scope.of_subject("Astrology"), clock=clock)
    assert nowhere.finished


def test_preview_shows_when_each_grade_would_bring_the_card_back(
    library: Library, store: StateStore
) -> None:
    clock = FixedClock()
    session = StudySession.start(library, store, PHYSICS, clock=clock)
    preview = session.preview()
    assert preview[Grade.AGAIN] == NOON + timedelta(minutes=1)
    assert preview[Grade.GOOD] == NOON + timedelta(minutes=10)
    assert preview[Grade.EASY] > NOON + timedelta(days=1)
    assert store.cards() == {}  # a preview records nothing


def test_overview_per_subject(library: Library, store: StateStore) -> None:
    clock = FixedClock()
    store.record_open(501, "Physics", clock.now)
    session = StudySession.start(library, store, PHYSICS, clock=clock)
    session.grade(Grade.EASY)  # 502, learned
    session.grade(Grade.GOOD)  # 503, learning, due in 10 minutes
    clock.advance(minutes=30)
    figures = overview(library, store, now=clock.now, new_per_day=20)
    physics = figures.subjects["physics"]
    assert (physics.total, physics.read, physics.seen, physics.new) == (3, 1, 2, 1)
    assert (physics.due, physics.learned) == (1, 1)
    assert physics.due_today == 1
    assert figures.subjects["mathematics"].due == 1  # 503 is listed there too
    assert figures.library.total == 8 and figures.library.seen == 2
    assert figures.new_left_today == 18
    assert figures.startable_new(figures.library) == 6
    assert physics.retention is None
    card = store.card(502)
    assert card is not None
    clock.now = card.due
    session = StudySession.start(library, store, Scope.of_subject("Physics"), clock=clock)
    while session.current is not None and session.current.article_id != 502:
        session.grade(Grade.GOOD)
    session.grade(Grade.AGAIN)  # a lapse of a learned card
    figures = overview(library, store, now=clock.now)
    assert figures.subjects["physics"].retention == 0.0


def test_describe_due() -> None:
    assert describe_due(NOON, NOON) == "now"
    assert describe_due(NOON + timedelta(seconds=30), NOON) == "in 1 minute"
    assert describe_due(NOON + timedelta(minutes=10), NOON) == "in 10 minutes"
    assert describe_due(NOON + timedelta(hours=5), NOON) == "in 5 hours"
    assert describe_due(NOON + timedelta(days=3, hours=1), NOON) == "in 3 days"
    assert describe_due(datetime(2025, 3, 13, 12, tzinfo=UTC), NOON) == "in 1 day"


def test_describe_interval() -> None:
    from qtreader.library.study import describe_interval

    assert describe_interval(timedelta(seconds=10)) == "1 min"
    assert describe_interval(timedelta(minutes=10)) == "10 min"
    assert describe_interval(timedelta(hours=5)) == "5 h"
    assert describe_interval(timedelta(days=1)) == "1 day"
    assert describe_interval(timedelta(days=12)) == "12 days"
    assert describe_interval(timedelta(days=120)) == "4 months"
    assert describe_interval(timedelta(days=1000)) == "2.7 years"


def test_review_state_is_fsrs_review() -> None:
    """The tree's counts read the stored state without importing fsrs: the value must agree."""
    from fsrs import State

    from qtreader.library.study import REVIEW_STATE

    assert int(State.Review) == REVIEW_STATE

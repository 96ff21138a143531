"""The order new cards come in (``study.order_new``, ``new_card_order`` in config.toml), in
the data layer: no Textual."""

from __future__ import annotations

from pathlib import Path

import pytest

from qtreader.library.config import ConfigError, config_file, new_card_order
from qtreader.library.state import open_state
from qtreader.library.store import Library, load_library
from qtreader.library.study import LIBRARY_SCOPE, Grade, Scope, StudySession, order_new

from .clock import FixedClock
from .polish_library import SUBJECTS, write_library

DAY = "2025-03-12"


@pytest.fixture
def library(tmp_path: Path) -> Library:
    return load_library(write_library(tmp_path / "polish", paragraphs=1))


def unseen(library: Library) -> list[tuple[int, str]]:
    """Every article with its subject, subject by subject in title order (as scopes list
    them)."""
    return [
        (article_id, subject.name)
        for subject in library.subjects
        for article_id, _ in library.titles_in(subject.name)
    ]


def subject_of(library: Library, article_id: int) -> str:
    article = library.article(article_id)
    assert article is not None
    return article.subjects[0]


def test_interleaved_takes_one_card_of_each_subject_in_turn(library: Library) -> None:
    members = unseen(library)
    ordered = order_new(library, members, "interleaved", seed=DAY)
    assert sorted(ordered) == sorted(article_id for article_id, _ in members)
    subjects = [subject_of(library, article_id) for article_id in ordered]
    # Rounds: three subjects while all have cards, then two, then one (6, 3 and 2 cards).
    assert len(set(subjects[0:3])) == 3
    assert len(set(subjects[3:6])) == 3
    assert len(set(subjects[6:8])) == 2
    assert set(subjects[8:]) == {"American Culture and Society"}
    # Within a subject, not the title order.
    american = [i for i, s in zip(ordered, subjects, strict=True) if s.startswith("American")]
    by_title = [i for i, s in members if s.startswith("American")]
    assert american != by_title


def test_the_order_is_the_same_all_day_and_changes_with_the_day(library: Library) -> None:
    members = unseen(library)
    for order in ("interleaved", "random"):
        today = order_new(library, members, order, seed=DAY)
        assert order_new(library, list(reversed(members)), order, seed=DAY) == today
        assert order_new(library, members, order, seed="2025-03-13") != today


def test_random_shuffles_the_whole_scope(library: Library) -> None:
    members = unseen(library)
    ordered = order_new(library, members, "random", seed=DAY)
    assert sorted(ordered) == sorted(article_id for article_id, _ in members)
    assert ordered != [article_id for article_id, _ in members]
    assert ordered != order_new(library, members, "interleaved", seed=DAY)


def test_date_takes_the_oldest_articles_first(library: Library) -> None:
    ordered = order_new(library, unseen(library), "date", seed=DAY)
    dates = []
    for article_id in ordered:
        article = library.article(article_id)
        assert article is not None and article.date is not None
        dates.append(article.date)
    assert dates == sorted(dates)


def test_a_session_starts_with_new_cards_from_different_subjects(library: Library) -> None:
    store = open_state().store
    session = StudySession.start(library, store, LIBRARY_SCOPE, clock=FixedClock(), new_cards=3)
    subjects = []
    while session.current is not None:
        subjects.append(session.current.subject)
        session.grade(Grade.EASY)  # days away: not shown again in this session
    assert sorted(subjects) == sorted(SUBJECTS)
    # A subject's session uses the configured order too: by date, oldest first.
    scope = Scope.of_subject("Biology")
    dated = StudySession.start(library, store, scope, clock=FixedClock(), new_order="date")
    assert dated.current is not None
    first = library.article(dated.current.article_id)
    others = [library.article(i) for i, _ in library.titles_in("Biology")]
    assert first is not None and first.date == min(a.date for a in others if a and a.date)


def test_new_card_order_is_read_from_config_and_checked() -> None:
    assert new_card_order() == "interleaved"  # no config.toml
    config_file().parent.mkdir(parents=True)
    config_file().write_text('new_card_order = "date"\n')
    assert new_card_order() == "date"
    config_file().write_text("new_card_order = 3\n")
    with pytest.raises(ConfigError) as raised:
        new_card_order()
    message = str(raised.value)
    assert str(config_file()) in message and "new_card_order" in message and "3" in message
    assert '"interleaved", "random", "date"' in message

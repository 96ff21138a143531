"""Study mode, bookmarks, read marks and resuming, driven through Textual's pilot with a
fixed clock."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fsrs import Card, Rating, Scheduler
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from qtreader.library.config import config_file
from qtreader.library.state import default_state_path, open_state
from qtreader.library.study import Scope, StudyRequest
from qtreader.tui.app import QTReaderApp
from qtreader.tui.screens.bookmarks import BookmarksScreen
from qtreader.tui.screens.help import HelpScreen
from qtreader.tui.screens.reader import ReaderScreen
from qtreader.tui.screens.study import StudyScopeScreen, StudyScreen, SummaryScreen
from qtreader.tui.widgets.article_view import ArticleView
from qtreader.tui.widgets.subject_tree import BookmarksEntry, SubjectTree

from .clock import NOON, FixedClock
from .conftest import LIBRARY
from .pilot import settled
from .test_app import rendered, shown_question


async def settle(pilot: Pilot[None]) -> None:
    """Let every worker finish and the screen catch up, twice (a worker may start another)."""
    for _ in range(3):
        await settled(pilot)


def tree_lines(app: QTReaderApp) -> list[str]:
    return [line for line in rendered(app.screen.query_one(SubjectTree)).splitlines() if line]


def screen_text(app: QTReaderApp) -> str:
    """The text of every ``Static`` of the screen on top."""
    return "\n".join(rendered(static) for static in app.screen.query(Static))


def card_text(app: QTReaderApp) -> str:
    return rendered(app.screen.query_one("#card-question", Static)).strip()


async def test_a_session_over_the_subject_under_the_cursor() -> None:
    # New cards by date, oldest first: gradient (503), Doppler (501), lens (502).
    config_file().parent.mkdir(parents=True)
    config_file().write_text('new_card_order = "date"\n')
    clock = FixedClock()
    app = QTReaderApp(LIBRARY, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "Physics 0/3 3 new" in tree_lines(app)[-1]
        await pilot.press("end", "s")  # the cursor on Physics
        await settle(pilot)
        assert isinstance(app.screen, StudyScopeScreen)
        choices = app.screen.query_one(OptionList)
        assert choices.highlighted == 0
        assert [str(choices.get_option_at_index(i).prompt) for i in range(3)] == [
            "Physics  0 due · 3 new",
            "Bookmarks  0 due · 0 new",
            "Whole library  0 due · 8 new",
        ]
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        assert card_text(app) == "What is a gradient?"
        assert "New card" in rendered(screen.query_one("#card-kind", Static))
        answer = screen.query_one("#card-answer", Static)
        assert "press space" in rendered(answer)
        await pilot.press("3")  # grades do nothing before the answer shows
        await settle(pilot)
        assert card_text(app) == "What is a gradient?"
        assert open_state().store.review_log() == []

        await pilot.press("space")  # the article's summary first
        await settle(pilot)
        assert "collects the partial derivatives of a scalar field" in rendered(answer)
        await pilot.press("f")
        await settle(pilot)
        assert "The gradient of a scalar field" in rendered(answer)
        grades = rendered(screen.query_one("#card-grades", Static))
        assert "1 Again 1 min" in grades and "3 Good 10 min" in grades
        await pilot.press("4")  # easy
        await settle(pilot)
        assert card_text(app) == "What is the Doppler effect?"
        assert "2 left: 0 due · 2 new" in rendered(screen.query_one("#study-progress", Static))
        await pilot.press("space", "1")  # again: back in a minute
        await settle(pilot)
        assert card_text(app) == "How does a lens focus light?"
        clock.advance(minutes=2)
        await pilot.press("space", "3")
        await settle(pilot)
        assert card_text(app) == "What is the Doppler effect?"  # due again: its learning step
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        summary = screen_text(app)
        assert "Cards reviewed  3 (3 answers)" in summary
        assert "Remembered      67% (2 of 3)" in summary
        assert "Next cards due  now (2 within a day)" in summary
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert "Physics 0/3 1 due" in tree_lines(app)[-1]

    store = open_state().store
    log = store.review_log()
    assert [(r["article_id"], r["grade"]) for r in log] == [(503, 4), (501, 1), (502, 3)]
    assert [r["reviewed_at"] for r in log] == [NOON, NOON, NOON.replace(minute=2)]
    # FSRS's own schedule for the gradient card graded easy at noon (the app fuzzes the
    # interval, as FSRS does by default: 8 days become 6 to 11; test_study seeds it).
    scheduler = Scheduler(enable_fuzzing=False)
    expected, _ = scheduler.review_card(Card(card_id=503, due=NOON), Rating.Easy, NOON)
    card = store.card(503)
    assert card is not None
    assert (card.stability, card.difficulty) == (expected.stability, expected.difficulty)
    assert timedelta(days=-2) <= card.due - expected.due <= timedelta(days=3)


async def test_study_from_the_command_line_and_nothing_to_study() -> None:
    request = StudyRequest(Scope.of_subject("mathematics"), new_cards=0)
    app = QTReaderApp(LIBRARY, study=request, clock=FixedClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert "Nothing was due to study here." in screen_text(app)
        box = app.screen.query_one("#summary-box")
        assert box.border_title == "Session over · Mathematics"
        await pilot.press("escape")
        assert isinstance(app.screen, ReaderScreen)

    app = QTReaderApp(LIBRARY, study=StudyRequest(Scope.of_subject("History")), clock=FixedClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, StudyScreen)
        assert card_text(app) == "Why did the printing press spread quickly?"

    app = QTReaderApp(LIBRARY, study=StudyRequest(Scope.of_subject("Alchemy")))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert any("No subject 'Alchemy'" in str(n.message) for n in app._notifications)


async def test_help_in_a_session_lists_the_session_keys() -> None:
    app = QTReaderApp(LIBRARY, study=StudyRequest(Scope.of_subject("History")), clock=FixedClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, StudyScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = screen_text(app)
        assert "Show the answer" in shown and "Grade: remembered at once" in shown
        assert "Open related article" not in shown and "Move in the tree" not in shown
        await pilot.press("escape")
        assert isinstance(app.screen, StudyScreen)


async def test_bookmarks_read_marks_and_the_bookmarks_list() -> None:
    app = QTReaderApp(LIBRARY, start_article="501", clock=FixedClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        physics = [line for line in tree_lines(app) if "Physics" in line]
        assert physics == ["▼ Physics 1/3 3 new"]
        assert "✓ What is the Doppler effect?" in "\n".join(tree_lines(app))
        await pilot.press("m")
        await settle(pilot)
        assert tree_lines(app)[0].startswith("▶ ★ Bookmarks 1")
        assert any("Bookmarked “What is the Doppler effect?”" in str(n.message)
                   for n in app._notifications)  # fmt: skip
        await pilot.press("2")  # related: What is a gradient?
        await pilot.press("m")
        await settle(pilot)
        assert tree_lines(app)[0].startswith("▶ ★ Bookmarks 2")
        await pilot.press("b")
        assert isinstance(app.screen, BookmarksScreen)
        listed = rendered(app.screen.query_one(OptionList))
        assert "✓ What is the Doppler effect?  Physics" in listed
        assert "✓ What is a gradient?  Mathematics" in listed
        await pilot.press("enter")  # the first, oldest bookmark
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert shown_question(app) == "What is the Doppler effect?"
        await pilot.press("m")  # remove it
        await settle(pilot)
        assert tree_lines(app)[0].startswith("▶ ★ Bookmarks 1")
        # The Bookmarks node lists the bookmarked articles; s from it offers the bookmarks.
        tree = app.screen.query_one(SubjectTree)
        tree.focus()
        tree.move_cursor(tree.root.children[0])
        await pilot.press("enter")
        await settle(pilot)
        assert tree.cursor_node is not None
        assert isinstance(tree.cursor_node.data, BookmarksEntry)
        assert "What is a gradient?" in tree_lines(app)[1]
        await pilot.press("s")
        assert isinstance(app.screen, StudyScopeScreen)
        choices = app.screen.query_one(OptionList)
        assert choices.highlighted is not None
        assert str(choices.get_option_at_index(choices.highlighted).prompt).startswith("Bookmarks")
        await pilot.press("escape")
    store = open_state().store
    assert [b.article_id for b in store.bookmarks()] == [503]
    assert store.read_ids() == {501, 503}


async def test_reopens_where_the_reader_left_off() -> None:
    app = QTReaderApp(LIBRARY, clock=FixedClock())
    async with app.run_test(size=(80, 12)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        screen.open_article(504)  # a long answer
        await settle(pilot)
        view = screen.query_one(ArticleView)
        view.scroll_to(y=9, animate=False)
        await pilot.pause(1.3)  # the position is saved every second
        await settle(pilot)
    last = open_state().store.last_visit()
    assert last is not None and (last.article_id, last.scroll) == (504, 9)

    app = QTReaderApp(LIBRARY, clock=FixedClock())
    async with app.run_test(size=(80, 12)) as pilot:
        await settle(pilot)
        assert shown_question(app) == "How does printf format integers?"
        assert app.screen.query_one(ArticleView).scroll_y == 9
    # Reopening is the same visit: one entry in the history.
    assert [entry.article_id for entry in open_state().store.history()] == [504]


async def test_incognito_records_nothing(isolated_dirs: Path) -> None:
    app = QTReaderApp(LIBRARY, start_article="501", incognito=True, clock=FixedClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("m", "2")
        await settle(pilot)
        assert tree_lines(app)[0].startswith("▶ ★ Bookmarks 1")  # in memory, for this run
    assert not default_state_path().exists()


async def test_a_corrupt_state_is_moved_aside_and_the_app_says_where() -> None:
    path = default_state_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database" * 100)
    app = QTReaderApp(LIBRARY, clock=FixedClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        messages = [str(n.message) for n in app._notifications]
        moved = path.with_name("state.db.corrupt-20250312T120000Z")
        assert any(str(path) in m and str(moved) in m for m in messages), messages
        assert moved.exists()
        await pilot.press("enter", "down", "enter")
        await settle(pilot)
    assert open_state().store.read_ids() == {504}

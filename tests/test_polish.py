"""What a new reader meets first, driven through Textual's pilot: where they are in the tree,
which pane has the focus, keys that say what they do, and study sessions that teach."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.color import Color
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Footer, OptionList, Static

from qtreader.cli import main
from qtreader.library.config import config_file
from qtreader.library.state import open_state
from qtreader.library.study import LIBRARY_SCOPE, Grade, StudyRequest
from qtreader.tui.app import QTReaderApp
from qtreader.tui.screens.help import HelpScreen
from qtreader.tui.screens.reader import ReaderScreen
from qtreader.tui.screens.search import SearchScreen
from qtreader.tui.screens.study import StudyScreen, SummaryScreen
from qtreader.tui.widgets.article_view import ArticleView, RelatedList
from qtreader.tui.widgets.status_bar import StatusBar
from qtreader.tui.widgets.subject_tree import SubjectTree

from .clock import FixedClock
from .conftest import LIBRARY
from .pilot import screen_lines, settled
from .polish_library import FIRST_ID, SUBJECTS, write_library

README = Path(__file__).parents[1] / "README.md"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return write_library(tmp_path / "polish")


def lines_of(widget: Widget) -> list[str]:
    return screen_lines(widget)


def messages(app: QTReaderApp) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(3):  # a worker may start another
        await settled(pilot)


# Seeing where you are ---------------------------------------------------------------------


async def test_long_titles_end_in_an_ellipsis_and_counts_stay_whole(library: Path) -> None:
    app = QTReaderApp(library, clock=FixedClock())
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # expand the first subject
        await settle(pilot)
        tree = app.screen.query_one(SubjectTree)
        lines = [line for line in lines_of(tree) if line.strip()]
        subject = lines[0]
        # The subject's name is cut, its counts are not.
        assert subject.startswith("▼ American") and "…" in subject, subject
        assert subject.endswith(" 0/6 6 new"), subject
        titles = [line for line in lines if "How did the" in line]
        assert len(titles) == 6
        assert all(line.endswith("…") for line in titles), titles


async def test_the_status_line_shows_the_whole_title_of_the_cursor_row(library: Path) -> None:
    app = QTReaderApp(library, clock=FixedClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "down")
        await settle(pilot)
        status = app.screen.query_one(StatusBar)
        question = min(SUBJECTS["American Culture and Society"])  # the tree sorts by title
        assert "".join(lines_of(status)).strip() == f"▸   {question}"
        await pilot.press("tab")  # reading: the status line is the library's again
        await settle(pilot)
        assert "11 articles" in "".join(lines_of(status))


async def test_at_60_columns_the_status_line_shows_the_end_the_tree_cuts(library: Path) -> None:
    app = QTReaderApp(library, clock=FixedClock())
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "down")
        await settle(pilot)
        status = "".join(lines_of(app.screen.query_one(StatusBar))).strip()
        assert status.startswith("▸ …") and status.endswith("banking in the nineteenth century?")


async def test_the_tree_is_widened_and_keeps_its_width_across_starts(library: Path) -> None:
    app = QTReaderApp(library, clock=FixedClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(SubjectTree)
        before = tree.outer_size.width
        await pilot.press("greater_than_sign", "greater_than_sign")
        await settle(pilot)
        assert tree.outer_size.width == before + 8
        await pilot.press("less_than_sign")
        await settle(pilot)
        wider = tree.outer_size.width
        assert wider == before + 4
    app = QTReaderApp(library, clock=FixedClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.screen.query_one(SubjectTree).outer_size.width == wider


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "nord"])
async def test_the_focused_pane_is_marked_with_the_accent(theme: str) -> None:
    app = QTReaderApp(LIBRARY, start_article="501", clock=FixedClock())
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = theme
        await settle(pilot)
        view = app.screen.query_one(ArticleView)
        tree = app.screen.query_one(SubjectTree)
        accent = Color.parse(app.theme_variables["accent"])
        focused = app.focused  # not app.focused itself: mypy would keep it narrowed below
        assert focused is view
        kind, color = view.styles.outline_left
        assert kind != "" and color == accent
        await pilot.press("shift+tab")
        await pilot.pause()
        assert app.focused is tree
        assert view.styles.outline_left[0] == ""
        assert tree.styles.border_right[1] == accent


async def test_an_article_opened_from_the_command_line_is_paged_at_once(library: Path) -> None:
    app = QTReaderApp(library, start_article=str(FIRST_ID), clock=FixedClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = app.screen.query_one(ArticleView)
        assert app.focused is view
        await pilot.press("pagedown")
        await pilot.pause()
        assert view.scroll_y > 0


async def test_search_and_palette_give_the_focus_to_the_article(library: Path) -> None:
    app = QTReaderApp(library, clock=FixedClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.focused, SubjectTree)
        await pilot.press("slash", *"ribosome")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.focused, ArticleView)
        await pilot.press("shift+tab")  # back to the tree, then the palette
        assert isinstance(app.focused, SubjectTree)
        await pilot.press("ctrl+p", *"covalent")
        for _ in range(200):  # the palette searches in its own task: wait for the hit
            await pilot.pause()
            options = app.screen.query(OptionList)
            if options and options.first().option_count:
                break
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        question = rendered_question(app)
        assert question == "What is a covalent bond?"
        assert isinstance(app.focused, ArticleView)


def rendered_question(app: QTReaderApp) -> str:
    return "".join(lines_of(app.screen.query_one("#question", Static))).strip()


async def test_all_five_related_articles_show_without_focusing_the_list(library: Path) -> None:
    app = QTReaderApp(library, start_article=str(FIRST_ID), clock=FixedClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        related = app.screen.query_one(RelatedList)
        assert not related.has_focus
        assert related.option_count == 5
        shown = "\n".join(lines_of(related))
        for number in range(1, 6):
            assert re.search(rf"^ ?{number} ", shown, re.MULTILINE), shown


async def test_back_and_forward_return_where_the_article_was_left(library: Path) -> None:
    app = QTReaderApp(library, start_article=str(FIRST_ID), clock=FixedClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = app.screen.query_one(ArticleView)
        view.scroll_to(y=15, animate=False)
        await pilot.pause()
        await pilot.press("1")  # a related article, read from its top
        await settle(pilot)
        assert view.scroll_y == 0
        view.scroll_to(y=7, animate=False)
        await pilot.pause()
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert rendered_question(app) == SUBJECTS["American Culture and Society"][0]
        assert view.scroll_y == 15
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert view.scroll_y == 7


async def test_hiding_the_tree_keeps_the_place_in_the_article(library: Path) -> None:
    app = QTReaderApp(library, start_article=str(FIRST_ID), clock=FixedClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = app.screen.query_one(ArticleView)
        view.scroll_to(y=view.max_scroll_y // 2, animate=False)
        await pilot.pause()
        share = view.scroll_y / view.max_scroll_y
        for _ in range(2):  # hide, then show again
            await pilot.press("t")
            await settle(pilot)
            assert abs(view.scroll_y / view.max_scroll_y - share) < 0.05


# Keys that tell the truth -----------------------------------------------------------------


def help_rows(app: QTReaderApp) -> list[tuple[str, str]]:
    screen = app.screen
    assert isinstance(screen, HelpScreen)
    return screen.rows


async def test_help_lists_every_key_of_the_screen_in_front() -> None:
    app = QTReaderApp(LIBRARY, start_article="501", clock=FixedClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        keys = {keys for keys, _ in help_rows(app)}
        assert {"ctrl+p", "<", ">", "q  ctrl+q", "1 … 5", "[  backspace  alt+left"} <= keys
        await pilot.press("escape", "s", "enter")  # study the subject under the cursor
        await settle(pilot)
        assert isinstance(app.screen, StudyScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        study = dict(help_rows(app))
        assert {"space", "f", "1", "2", "3", "4", "escape", "q", "ctrl+p", "?"} <= set(study)
        assert "summary" in study["q"]


def footer_text(app: QTReaderApp) -> str:
    """The last line of the screen, as the terminal shows it."""
    assert app.screen.query_one(Footer).region.y == app.size.height - 1
    last = app.screen._compositor.render_strips()[-1]
    return "".join(segment.text for segment in last)


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 40)])
async def test_the_footer_keeps_quit_and_help_at_every_width(size: tuple[int, int]) -> None:
    app = QTReaderApp(LIBRARY, start_article="501", clock=FixedClock())
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        footer = footer_text(app)
        for item in ("q Quit", "? Help", "/ Search", "s Study", "^p palette"):
            assert item in footer, footer
        assert not footer.rstrip().endswith("palettel")


async def test_keys_for_the_open_article_say_when_none_is_open() -> None:
    app = QTReaderApp(LIBRARY, clock=FixedClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        keys = ["x", "l", "n", "p", "1", "2", "3", "4", "5"]
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        said = messages(app)
        assert said.count("No article is open.") == len(keys), said
        assert "Formulas as raw TeX." not in said


async def test_q_in_a_session_shows_its_summary_then_quits() -> None:
    request = StudyRequest(LIBRARY_SCOPE)
    app = QTReaderApp(LIBRARY, study=request, clock=FixedClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("space", "3", "q")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert app.return_code is None  # still running: the summary is read first
        assert "Cards reviewed  1 (1 answer)" in "\n".join(
            "\n".join(lines_of(static)) for static in app.screen.query(Static)
        )
        await pilot.press("enter")
        await pilot.pause()
        assert app.return_code == 0


async def test_the_session_lines_fit_at_60_columns() -> None:
    app = QTReaderApp(LIBRARY, study=StudyRequest(LIBRARY_SCOPE), clock=FixedClock())
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StudyScreen) and screen._shown is not None
        progress = " ".join(lines_of(screen.query_one("#study-progress", Static))).strip()
        assert progress.endswith("0 done"), progress
        grades = " ".join(lines_of(screen.query_one("#card-grades", Static))).strip()
        easy = screen._shown.preview[Grade.EASY]
        assert grades.replace(" ", "").endswith(easy.replace(" ", "")), grades
        assert grades.startswith("1 A") and "4 E" in grades


async def test_an_incognito_bookmark_says_it_lasts_for_this_run_only() -> None:
    app = QTReaderApp(LIBRARY, start_article="501", incognito=True, clock=FixedClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        said = [m for m in messages(app) if m.startswith("Bookmarked")]
        assert said and "For this run only: nothing is recorded." in said[0], said
    # Started again, the bookmark is gone, as the message said.
    app = QTReaderApp(LIBRARY, clock=FixedClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "★ Bookmarks" not in "\n".join(lines_of(app.screen.query_one(SubjectTree)))
    assert open_state().store.bookmarks() == []
    # Outside incognito the message says nothing of the kind.
    app = QTReaderApp(LIBRARY, start_article="501", clock=FixedClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert "Bookmarked “What is the Doppler effect?”." in messages(app)


# Studying well ----------------------------------------------------------------------------


async def test_new_cards_of_the_whole_library_alternate_subjects(library: Path) -> None:
    app = QTReaderApp(library, study=StudyRequest(LIBRARY_SCOPE), clock=FixedClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        subjects = []
        for _ in range(3):
            screen = app.screen
            assert isinstance(screen, StudyScreen) and screen._shown is not None
            subjects.append(screen._shown.card.subject)
            await pilot.press("space", "4")
            await settle(pilot)
        assert len(set(subjects)) == 3, subjects


def test_a_wrong_new_card_order_is_named_with_its_file(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[QTReaderApp] = []
    monkeypatch.setattr(QTReaderApp, "run", lambda app, *args, **kwargs: started.append(app))
    config_file().parent.mkdir(parents=True)
    config_file().write_text('new_card_order = "alphabetical"\n')
    result = CliRunner().invoke(main, ["study", "--library", str(LIBRARY)])
    assert result.exit_code == 2 and not started  # said before the screen is taken
    assert str(config_file()) in result.output
    assert "new_card_order" in result.output and "'alphabetical'" in result.output


async def test_the_card_shows_the_summary_then_the_full_answer(library: Path) -> None:
    app = QTReaderApp(library, study=StudyRequest(LIBRARY_SCOPE), clock=FixedClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StudyScreen) and screen._shown is not None
        answer = screen.query_one("#card-answer", Static)
        article_id = screen._shown.card.article_id
        await pilot.press("space")
        await settle(pilot)
        shown = " ".join(lines_of(answer))
        assert f"In short: article {article_id} gives the gist" in shown
        assert "Part 1" not in shown
        await pilot.press("space")  # again: the whole answer
        await settle(pilot)
        shown = " ".join(lines_of(answer))
        assert "Part 1" in shown and "In short" not in shown


# The README's keys ------------------------------------------------------------------------


def readme_keys() -> set[str]:
    text = README.read_text(encoding="utf-8")
    table = text.split("## Keys", 1)[1].split("\n## ", 1)[0]
    keys: set[str] = set()
    for row in table.splitlines():
        if row.startswith("| `"):
            keys |= set(re.findall(r"`([^`]+)`", row.split(" | ")[0]))
    return keys


async def test_the_readme_keys_table_is_what_help_shows() -> None:
    shown: set[str] = set()
    app = QTReaderApp(LIBRARY, start_article="501", clock=FixedClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for in_study in (False, True):
            await pilot.press("question_mark")
            await pilot.pause()
            for keys, _ in help_rows(app):
                shown |= {key for key in keys.split() if key != "…"}
            await pilot.press("escape")
            if not in_study:
                await pilot.press("a")  # the note editor, where ? is text: the palette's way
                await settle(pilot)
                app.action_help()
                await pilot.pause()
                for keys, _ in help_rows(app):
                    shown |= set(keys.split())
                await pilot.press("escape", "escape")
                await pilot.press("s", "enter")
                await settle(pilot)
                assert isinstance(app.screen, StudyScreen)
    assert readme_keys() == shown

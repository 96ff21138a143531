"""The reader app driven through Textual's pilot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.app import App
from textual.widget import Widget
from textual.widgets import Static

from qtreader.library.store import load_library
from qtreader.tui.app import QTReaderApp
from qtreader.tui.screens.help import HelpScreen
from qtreader.tui.screens.problems import ProblemsScreen
from qtreader.tui.screens.reader import ReaderScreen
from qtreader.tui.widgets.article_view import ArticleView, RelatedList
from qtreader.tui.widgets.subject_tree import ArticleEntry, SubjectTree, TreeEntry

from .conftest import FIXTURES, LIBRARY
from .pilot import loaded, screen_lines, settled


def rendered(widget: Widget) -> str:
    """The text a widget shows on screen, line by line."""
    return "\n".join(screen_lines(widget))


def shown_question(app: App[None]) -> str:
    return rendered(app.screen.query_one("#question", Static)).strip()


def cursor_entry(app: QTReaderApp) -> TreeEntry | None:
    node = app.screen.query_one(SubjectTree).cursor_node
    return node.data if node is not None else None


async def test_opens_an_article_from_the_tree() -> None:
    app = QTReaderApp(LIBRARY)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        assert "8 articles in 5 subjects" in rendered(screen.query_one("#answer", Static))
        await pilot.press("enter")  # expand Computer Science
        await pilot.press("down", "enter")  # its first article, by title
        assert shown_question(app) == "How does printf format integers?"
        assert screen.history.current is not None and screen.history.current.article_id == 504
        answer = rendered(screen.query_one("#answer", Static))
        assert 'printf("%d\\n", x);' in answer


async def test_related_back_forward_and_the_tree_follows() -> None:
    app = QTReaderApp(LIBRARY, start_article="501")
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        assert shown_question(app) == "What is the Doppler effect?"
        assert cursor_entry(app) == ArticleEntry(501, "Physics")
        await pilot.press("2")  # What is a gradient? (Mathematics)
        await pilot.pause()
        assert shown_question(app) == "What is a gradient?"
        assert cursor_entry(app) == ArticleEntry(503, "Mathematics")
        await pilot.press("1")  # back to Doppler through its related link
        await pilot.press("1")  # How does a lens focus light?
        assert shown_question(app) == "How does a lens focus light?"
        await pilot.press("left_square_bracket")
        assert shown_question(app) == "What is the Doppler effect?"
        await pilot.press("backspace")
        assert shown_question(app) == "What is a gradient?"
        await pilot.press("alt+left")
        assert shown_question(app) == "What is the Doppler effect?"
        await pilot.press("alt+right", "right_square_bracket")
        assert shown_question(app) == "What is the Doppler effect?"
        await pilot.press("right_square_bracket")
        assert shown_question(app) == "How does a lens focus light?"
        await pilot.press("right_square_bracket")  # nothing further forward
        assert shown_question(app) == "How does a lens focus light?"
        await pilot.pause()
        assert cursor_entry(app) == ArticleEntry(502, "Physics")


async def test_dangling_related_link_is_dimmed_and_does_not_open() -> None:
    app = QTReaderApp(LIBRARY, start_article="501")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        related = screen.query_one(RelatedList)
        assert [option.disabled for option in related.options] == [False, False, True]
        assert "(not in this library)" in str(related.options[2].prompt)
        await pilot.press("3")
        await pilot.pause()
        assert shown_question(app) == "What is the Doppler effect?"
        assert any("not in this library" in str(n.message) for n in app._notifications)
        await pilot.press("5")  # there is no fifth link
        assert shown_question(app) == "What is the Doppler effect?"


async def test_related_list_opens_with_keyboard_selection() -> None:
    app = QTReaderApp(LIBRARY, start_article="505")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        screen.query_one(RelatedList).focus()
        await pilot.press("j", "k", "enter")
        assert shown_question(app) == "How does printf format integers?"


async def test_next_and_previous_in_the_current_subject() -> None:
    app = QTReaderApp(LIBRARY, start_article="what-is-a-gradient")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        # Opened under its first subject, Mathematics, where it is alone.
        await pilot.press("n")
        assert shown_question(app) == "What is a gradient?"
        # Read under Physics, next and previous follow Physics' title order.
        screen.open_article(503, "Physics")
        await pilot.press("n")
        assert shown_question(app) == "What is the Doppler effect?"
        await pilot.press("p", "p")
        assert shown_question(app) == "How does a lens focus light?"
        await pilot.press("p")  # already the first
        assert shown_question(app) == "How does a lens focus light?"
        await pilot.pause()
        assert cursor_entry(app) == ArticleEntry(502, "Physics")


async def test_start_article_by_url_and_unknown_article() -> None:
    app = QTReaderApp(LIBRARY, start_article="/learn/physics/questions/what-is-a-gradient")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        assert shown_question(app) == "What is a gradient?"
        assert screen.history.current is not None
        assert screen.history.current.subject == "Mathematics"
    app = QTReaderApp(LIBRARY, start_article="no-such-thing")
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        assert shown_question(app) == "Welcome to qtreader"
        assert any("no-such-thing" in str(n.message) for n in app._notifications)


async def test_toggle_tree_help_and_quit() -> None:
    app = QTReaderApp(LIBRARY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        tree = screen.query_one(SubjectTree)
        await pilot.press("t")
        assert not tree.display
        assert screen.query_one(ArticleView).has_focus
        await pilot.press("t")
        assert tree.display
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        help_text = rendered(app.screen.query_one(Static))
        for words in ("Back to the article read before", "Next article in this subject", "Quit"):
            assert words in help_text
        await pilot.press("escape")
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("q")
    assert app.return_code == 0


async def test_problems_are_counted_and_listed_without_stopping(library_copy: Path) -> None:
    (library_copy / "learn/physics/empty.md").write_text("")
    (library_copy / "learn/physics/bad.md").write_text("---\n[\n---\n")
    app = QTReaderApp(library_copy, start_article="502")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        assert shown_question(app) == "How does a lens focus light?"
        status = rendered(screen.query_one("#status", Static))
        assert "8 articles" in status and "2 problems (e to list)" in status
        await pilot.press("e")
        assert isinstance(app.screen, ProblemsScreen)
        listed = rendered(app.screen.query_one(Static))
        assert "learn/physics/empty.md: empty file" in listed
        assert "learn/physics/bad.md: YAML error" in listed
        await pilot.press("escape")
        assert isinstance(app.screen, ReaderScreen)


async def test_missing_library_shows_an_error_not_a_traceback(tmp_path: Path) -> None:
    app = QTReaderApp(tmp_path / "gone")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        assert "Cannot load the library" in rendered(screen.query_one("#status", Static))


async def test_search_as_you_type_then_open_and_escape() -> None:
    from qtreader.tui.screens.search import SearchScreen

    app = QTReaderApp(LIBRARY)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"redsh")
        await settled(pilot)
        await pilot.press(*"ift")
        await settled(pilot)
        screen = app.screen
        assert [hit.id for hit in screen.hits] == [501]
        results = rendered(screen.query_one("#search-results"))
        assert "What is the Doppler effect?" in results and "redshift" in results
        await pilot.press("escape")
        assert isinstance(app.screen, ReaderScreen)
        assert shown_question(app) == "Welcome to qtreader"
        await pilot.press("slash", *"gradient subject:physics")
        await settled(pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, ReaderScreen)
        assert shown_question(app) == "What is a gradient?"
        assert cursor_entry(app) == ArticleEntry(503, "Physics")


async def test_enter_before_the_results_arrive_opens_the_best_hit_of_what_was_typed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Typing fast then enter: the list still shows the results of a shorter query, and
    enter waits for those of the whole one instead of opening a stale hit."""
    import threading

    from qtreader.library.store import Library
    from qtreader.tui.screens.search import SearchScreen

    release = threading.Event()
    real_search = Library.search

    def slow_for_the_whole_query(self: Library, text: str, **options: Any) -> object:
        if text == "gradient":
            release.wait(5)
        return real_search(self, text, **options)

    monkeypatch.setattr(Library, "search", slow_for_the_whole_query)
    app = QTReaderApp(LIBRARY)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"doppler")
        await settled(pilot)
        await pilot.press("ctrl+u", *"gradient", "enter")  # its results are held back
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)  # not the Doppler hit still listed
        release.set()
        await settled(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert shown_question(app) == "What is a gradient?"


async def test_palette_jumps_to_an_article_by_fuzzy_title() -> None:
    app = QTReaderApp(LIBRARY)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+p", *"hshtbl")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert shown_question(app) == "What is a hash table?"


async def test_random_article_of_the_subject_under_the_cursor() -> None:
    app = QTReaderApp(LIBRARY)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        await pilot.press("down", "down", "down", "down")  # the cursor on Physics
        for _ in range(5):
            await pilot.press("r")
            current = screen.history.current
            assert current is not None and current.subject == "Physics"
            assert current.article_id in (501, 502, 503)


async def test_cold_start_with_a_process_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """A library big enough for the process pool indexes inside the running app."""
    from qtreader.library import pool

    monkeypatch.setattr(pool, "_POOL_THRESHOLD", 1)
    monkeypatch.setattr(pool, "_CHUNK", 2)
    app = QTReaderApp(LIBRARY, start_article="503")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        assert shown_question(app) == "What is a gradient?"
        assert "8 articles" in rendered(screen.query_one("#status", Static))


async def test_a_failed_refresh_is_reported_and_the_reader_stays(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from concurrent.futures.process import BrokenProcessPool

    from qtreader.library.store import Library

    load_library(LIBRARY)  # the catalog exists: the app paints it, then refreshes

    def broken(self: Library, *args: object, **kwargs: object) -> None:
        raise BrokenProcessPool("a child process terminated abruptly")

    monkeypatch.setattr(Library, "refresh", broken)
    app = QTReaderApp(LIBRARY, start_article="501")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        assert shown_question(app) == "What is the Doppler effect?"
        status = rendered(screen.query_one("#status", Static))
        assert "Indexing stopped: BrokenProcessPool" in status
        await pilot.press("1")
        assert shown_question(app) == "How does a lens focus light?"


async def test_welcome_counts_are_singular_for_one() -> None:
    app = QTReaderApp(FIXTURES / "one-article")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        assert "1 article in 1 subject." in rendered(screen.query_one("#answer", Static))


async def test_an_indexed_library_is_in_the_first_frame(
    library_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app opens the index while Textual starts: once it is open, the screen mounts
    with the tree and the welcome, never 'Loading the library…'."""
    load_library(library_copy)
    titles: list[str] = []
    show_message = ArticleView.show_message

    def recording(view: ArticleView, title: str, body: str | Text) -> None:
        titles.append(title)
        show_message(view, title, body)

    monkeypatch.setattr(ArticleView, "show_message", recording)
    app = QTReaderApp(library_copy)
    app._opening.result(timeout=10)  # the state a warm start is in by the time it mounts

    async with app.run_test(size=(100, 30)) as pilot:
        tree = app.screen.query_one(SubjectTree)
        assert tree.library is not None  # before any worker has run to the end
        labels = [str(node.label) for node in tree.root.children]
        assert labels[:2] == ["Computer Science 3", "History 1"]
        await loaded(pilot)
    assert titles == ["Welcome to qtreader"]

"""The search screen through the pilot: a too-short prefix is refused with a message, the
summary counts every match, the last query comes back, and the words searched are marked
in the article opened until the next one opens."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Input, Static

from qtreader.library.store import Library
from qtreader.tui.app import QTReaderApp
from qtreader.tui.screens.reader import ReaderScreen
from qtreader.tui.screens.search import SearchScreen
from qtreader.tui.widgets.article_view import AnswerText, ArticleView

from .conftest import LIBRARY
from .pilot import loaded, settled, until


async def _settle(pilot: Pilot[None]) -> None:
    await settled(pilot)


def _summary(screen: SearchScreen) -> str:
    return str(screen.query_one("#search-summary", Static).render())


def _marked(app: QTReaderApp) -> list[str]:
    """The words drawn in the mark style in the answer pane."""
    answer = app.screen.query_one(AnswerText)
    width, height = answer.size
    strips = answer.render_lines(Region(0, 0, width, height))
    return [s.text for strip in strips for s in strip if s.style and s.style.reverse]


async def test_a_too_short_prefix_says_so_instead_of_searching() -> None:
    app = QTReaderApp(LIBRARY)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"en*")
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        assert screen.hits == []
        assert "'en*': a prefix* needs 3 letters or more" in _summary(screen)
        await pilot.press("backspace", "backspace", *"xample")  # "example": a word
        await _settle(pilot)
        assert "prefix" not in _summary(screen)


def _many(root: Path, count: int) -> None:
    for n in range(1, count + 1):
        path = root / "learn/biology" / f"leaf-{n}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"---\nid: {n}\nquestion: How does leaf {n} use photosynthesis?\n"
            f"answer: >-\n    Leaf {n} turns light into sugar by photosynthesis.\n"
            "subject: Biology\n---\n",
            encoding="utf-8",
        )


async def test_the_summary_counts_every_match_not_only_those_listed(tmp_path: Path) -> None:
    _many(tmp_path, 63)
    app = QTReaderApp(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"photosynthesis")
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        assert len(screen.hits) == 50
        assert _summary(screen) == "63 articles match: the 50 best are listed"
        await pilot.press("ctrl+u", *"leaf 7")
        await _settle(pilot)
        assert _summary(screen) == "1 article matches"


async def test_the_hits_are_listed_before_every_match_is_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counting every match of common words takes ten times the search in a large library:
    the hits do not wait for it, and a count that comes after the query changed is not
    shown."""
    _many(tmp_path, 63)
    counting = threading.Event()
    counted = threading.Event()
    count = Library.count_matches

    def slow_count(library: Library, text: str, **options: Any) -> int:
        counting.set()
        assert counted.wait(30)
        return count(library, text, **options)

    monkeypatch.setattr(Library, "count_matches", slow_count)
    app = QTReaderApp(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"photosynthesis")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        # Until the last keystroke's search is counting.
        await until(pilot, lambda: screen.shown == ("photosynthesis", False) and counting.is_set())
        await pilot.pause()
        assert len(screen.hits) == 50
        assert _summary(screen) == "Counting the articles that match: the 50 best are listed"
        counted.set()
        await _settle(pilot)
        assert _summary(screen) == "63 articles match: the 50 best are listed"
        # The query changes while its count is under way: that count is not shown.
        counted.clear()
        counting.clear()
        await pilot.press("ctrl+u", *"leaf")
        await until(pilot, lambda: screen.shown == ("leaf", False) and counting.is_set())
        await pilot.press(*" 7")
        await until(pilot, lambda: screen.shown == ("leaf 7", False))
        counted.set()
        await _settle(pilot)
        assert _summary(screen) == "1 article matches"


async def test_the_last_query_comes_back_and_its_words_are_marked_until_the_next_article() -> None:
    app = QTReaderApp(LIBRARY)
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await loaded(pilot)
        await pilot.press("slash", *"redshift")
        await _settle(pilot)
        await pilot.press("escape")
        await pilot.press("slash")
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        assert screen.query_one(Input).value == "redshift"
        assert [hit.id for hit in screen.hits] == [501]  # searched again, listed
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.query_one(ArticleView).marks == ("redshift",)
        marked = _marked(app)
        assert marked and {word.lower() for word in marked} == {"redshift"}
        reader.open_article(502)  # the next article: nothing marked
        await pilot.pause()
        assert app.screen.query_one(ArticleView).marks == ()
        assert _marked(app) == []


async def test_search_finds_an_article_by_the_users_note() -> None:
    from datetime import UTC, datetime

    from textual.widgets import OptionList

    from qtreader.library.state import open_state

    store = open_state().store
    store.save_note(503, "Remember the zebrafish example from class.", datetime.now(UTC))
    store.close()
    app = QTReaderApp(LIBRARY)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"zebrafish")
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        assert [hit.id for hit in screen.hits] == [503]
        assert screen.hits[0].in_note
        prompt = str(screen.query_one(OptionList).get_option_at_index(0).prompt)
        assert "What is a gradient?" in prompt and "(in your note)" in prompt
        await pilot.press("ctrl+a", "ctrl+k", *"note:zebrafish gradient")
        await _settle(pilot)
        assert [hit.id for hit in screen.hits] == [503]
        await pilot.press("ctrl+a", "ctrl+k", *"note:zebrafish doppler")
        await _settle(pilot)
        assert screen.hits == []

"""The library changing under a running app: files edited, deleted and added while it runs.
Nothing crashes, and the next refresh (``ctrl+r``, or the load the app starts itself) shows
the change."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static

from qtreader.tui.app import QTReaderApp
from qtreader.tui.screens.reader import ReaderScreen
from qtreader.tui.widgets.article_view import ArticleView

from .pilot import loaded, settled
from .test_app import rendered, shown_question

DOPPLER = "learn/physics/what-is-the-doppler-effect.md"
LENS = "learn/physics/how-does-a-lens-focus-light.md"


def answer_text(screen: ReaderScreen) -> str:
    """The answer's words, one space apart (a long path wraps anywhere)."""
    return " ".join(rendered(screen.query_one("#answer", Static)).split())


def status_text(screen: ReaderScreen) -> str:
    return rendered(screen.query_one("#status", Static))


def tree_text(screen: ReaderScreen) -> str:
    return rendered(screen.query_one("#tree"))


async def refresh(pilot: Pilot[None]) -> None:
    """What a user does to see the folder again: ``ctrl+r``, then wait for the load."""
    await pilot.press("ctrl+r")
    await settled(pilot)


async def test_deleted_open_article_shows_why_and_refresh_drops_it(library_copy: Path) -> None:
    app = QTReaderApp(library_copy, start_article="501")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        assert shown_question(app) == "What is the Doppler effect?"
        await pilot.press("1")  # the lens article, then back to Doppler after its file went
        assert shown_question(app) == "How does a lens focus light?"
        (library_copy / DOPPLER).unlink()
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert shown_question(app) == "What is the Doppler effect?"
        answer = answer_text(screen)
        assert "This answer cannot be shown now" in answer
        assert "No such file or directory" in answer
        await refresh(pilot)
        assert "7 articles" in status_text(screen)
        await pilot.press("1")  # the open article is gone: nothing to follow, no crash
        await pilot.pause()
        screen.go_to_subject("Physics")
        await pilot.pause()
        assert "How does a lens" in tree_text(screen) and "Doppler" not in tree_text(screen)
        screen.open_article(501)
        await pilot.pause()
        assert any("501 is not in this library" in str(n.message) for n in app._notifications)


async def test_edited_article_shows_its_new_text_after_refresh(library_copy: Path) -> None:
    app = QTReaderApp(library_copy, start_article="502")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        assert shown_question(app) == "How does a lens focus light?"
        path = library_copy / LENS
        text = path.read_text(encoding="utf-8")
        path.write_text(
            text.replace("How does a lens focus light?", "How does a lens bend light?").replace(
                "A convex lens bends light", "A convex lens, thicker in the middle, bends light"
            ),
            encoding="utf-8",
        )
        await refresh(pilot)
        assert shown_question(app) == "How does a lens bend light?"
        assert "thicker in the middle" in answer_text(screen)
        await pilot.press("down", "down", "down", "down", "enter")  # expand Physics
        await pilot.pause()
        assert "How does a lens bend light?" in tree_text(screen)


async def test_a_refresh_keeps_the_place_in_the_article_being_read(library_copy: Path) -> None:
    """Another file changed: the open article stays where it was read, its related list
    keeps the focus; its own file changed: its new text, at the same place."""
    app = QTReaderApp(library_copy, start_article="501")
    async with app.run_test(size=(80, 16)) as pilot:
        screen = await loaded(pilot)
        view = screen.query_one(ArticleView)
        await pilot.press("tab")  # into the related list, below the answer
        await pilot.pause()
        related = screen.query_one("#related")
        assert related.has_focus
        y = view.scroll_y
        assert y > 0
        lens = library_copy / LENS
        lens.write_text(lens.read_text(encoding="utf-8").replace("convex", "curved"), "utf-8")
        await refresh(pilot)
        assert "8 articles" in status_text(screen)
        assert shown_question(app) == "What is the Doppler effect?"
        assert view.scroll_y == y and related.has_focus
        doppler = library_copy / DOPPLER
        text = doppler.read_text(encoding="utf-8")
        doppler.write_text(text.replace("pitch rises", "the pitch rises"), "utf-8")
        await refresh(pilot)
        await pilot.pause()
        assert "the pitch rises" in answer_text(screen)
        assert view.scroll_y == y and related.has_focus


async def test_added_file_and_a_file_broken_while_running(library_copy: Path) -> None:
    app = QTReaderApp(library_copy, start_article="502")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        new = library_copy / "learn/astronomy/what-is-a-light-year.md"
        new.parent.mkdir()
        new.write_text(
            "---\nid: 900\nquestion: What is a light year?\n"
            "answer: >-\n    The distance light travels in a year."
            "\\n\\nAbout $9.46 \\times 10^{15}$ m.\n"
            "subject: Astronomy\n---\n\n&nbsp;\n",
            encoding="utf-8",
        )
        (library_copy / LENS).write_bytes(b"\x00\x01 not an article any more")
        # Before the refresh the lens is still listed; opening it says why it cannot show.
        screen.open_article(502)
        await pilot.pause()
        assert "This answer cannot be shown now" in answer_text(screen)
        assert "no front matter" in answer_text(screen)
        await refresh(pilot)
        status = status_text(screen)
        assert "8 articles" in status and "6 subjects" in status
        assert "1 problem (e to list)" in status
        assert "Astronomy" in tree_text(screen)
        screen.open_article(900)
        await pilot.pause()
        assert shown_question(app) == "What is a light year?"
        assert "The distance light travels in a year." in answer_text(screen)


async def test_the_load_the_app_starts_sees_changes_made_while_the_index_was_closed(
    library_copy: Path,
) -> None:
    """Changes between two runs: the second run's own load shows them, no key needed."""
    app = QTReaderApp(library_copy)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        assert "8 articles" in status_text(screen)
    (library_copy / LENS).unlink()
    app = QTReaderApp(library_copy)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        assert "7 articles" in status_text(screen)


async def test_refresh_is_listed_in_help() -> None:
    from .conftest import LIBRARY

    app = QTReaderApp(LIBRARY)
    async with app.run_test(size=(100, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        help_text = rendered(app.screen.query_one(Static))
        assert "ctrl+r" in help_text and "Read the library folder again" in help_text

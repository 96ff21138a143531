"""The reader holds on real and hostile articles: repeated related links, crashes, key
bursts, palette page-downs, huge study answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

import pytest
from click.testing import CliRunner
from textual import events
from textual.command import CommandList, CommandPalette
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Static

from qtreader.cli import main
from qtreader.tui.app import QTReaderApp
from qtreader.tui.screens.reader import ReaderScreen
from qtreader.tui.screens.search import SearchScreen
from qtreader.tui.screens.study import StudyScreen
from qtreader.tui.widgets.article_view import ArticleView, RelatedList

from .articles import Spec, write_article
from .conftest import FIXTURES
from .pilot import loaded, screen_lines, settled

RELATED = FIXTURES / "related-library"


def question(app: QTReaderApp) -> str:
    return "\n".join(screen_lines(app.screen.query_one("#question", Static))).strip()


def related_titles(app: QTReaderApp) -> list[str]:
    return [str(option.prompt) for option in app.screen.query_one(RelatedList).options]


async def test_related_links_listed_twice_or_to_itself_show_once_and_open() -> None:
    """701 lists 702 twice, itself, 703 and a missing 799: the list numbers 702, 703, 799."""
    app = QTReaderApp(RELATED, start_article="701")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        assert question(app) == "Why do leaves turn red and yellow in autumn?"
        assert related_titles(app) == [
            "1 What does chlorophyll absorb?  Biology",
            "2 How do plants keep the energy of light?  Chemistry",
            "3 Why do evergreen needles stay green?  Biology  (not in this library)",
        ]
        await pilot.press("1")
        assert question(app) == "What does chlorophyll absorb?"
        # 702 lists 701 three times: one link.
        assert related_titles(app) == ["1 Why do leaves turn red and yellow in autumn?  Biology"]
        await pilot.press("2", "3", "4", "5")  # none of these exist here
        assert question(app) == "What does chlorophyll absorb?"
        await pilot.press("1", "2")
        assert question(app) == "How do plants keep the energy of light?"
        # 703 links only to itself: no related list at all.
        assert related_titles(app) == []
        assert not screen.query_one(RelatedList).option_count
        await pilot.press("1", "left_square_bracket", "3")
        assert question(app) == "Why do leaves turn red and yellow in autumn?"
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
        assert any("Why do evergreen needles stay green?" in m for m in messages)
        assert any("no related article 4" in m for m in messages)


async def test_related_list_takes_an_id_listed_twice() -> None:
    """The list does not rely on ids being unique (an index written before links were
    de-duplicated still holds repeats)."""
    app = QTReaderApp(RELATED, start_article="701")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        article = screen.library.article(701) if screen.library else None
        assert article is not None
        twice = (article.related[0], article.related[1], article.related[0])
        screen.query_one(RelatedList).show_links(twice)
        await pilot.pause()
        assert len(screen.query_one(RelatedList).options) == 3
        screen.query_one(RelatedList).focus()
        await pilot.press("down", "down", "down", "enter")  # the repeat
        assert question(app) == "What does chlorophyll absorb?"


def test_show_json_lists_each_related_article_once() -> None:
    result = CliRunner().invoke(
        main, ["show", "701", "--format", "json", "--library", str(RELATED)]
    )
    assert result.exit_code == 0, result.output
    related = json.loads(result.output)["related"]
    assert [link["id"] for link in related] == [702, 703, 799]


def test_a_crash_exits_non_zero_and_names_the_open_article(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`read` runs the app (headless here); an exception in an action ends it with status 1,
    Textual's traceback, and a line naming the article and file on screen."""
    run = QTReaderApp.run

    async def drive(pilot: Pilot[object]) -> None:
        # The auto pilot starts before the screen has started loading: wait for the article.
        for _ in range(400):
            screen = pilot.app.screen
            if isinstance(screen, ReaderScreen) and screen.library is not None:
                break
            await pilot.pause(0.05)
        # Textual types every auto pilot as Pilot[object]; this app is an App[None].
        await loaded(cast("Pilot[None]", pilot))
        await pilot.press("n")  # next article: the injected failure

    def headless_run(self: QTReaderApp) -> None:
        run(self, headless=True, size=(100, 30), auto_pilot=drive)

    def injected(self: ReaderScreen, step: int) -> None:
        raise RuntimeError("injected failure")

    monkeypatch.setattr(QTReaderApp, "run", headless_run)
    monkeypatch.setattr(ReaderScreen, "action_neighbour", injected)
    result = CliRunner().invoke(main, ["read", "701", "--library", str(RELATED)])
    assert result.exit_code == 1
    assert "injected failure" in result.stderr
    path = RELATED.absolute() / "learn/biology/why-do-leaves-turn-red-and-yellow-in-autumn.md"
    assert f"qtreader: crashed while article 701 ({path}) was open" in result.stderr


def _many_titles(library: Path, count: int) -> None:
    for n in range(count):
        title = f"Why does wave number {n} bend around a corner?"
        write_article(library, Spec(1000 + n, title, "Physics", slug=f"wave-{n}"))


async def test_palette_takes_a_burst_of_page_downs_after_a_letter(tmp_path: Path) -> None:
    """ctrl+p, a letter and page-downs in one burst (as a terminal delivers them): the
    palette filled its list between two keys and the next page-down found no lines."""
    _many_titles(tmp_path, 100)
    app = QTReaderApp(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        burst = [("ctrl+p", None), ("w", "w"), *[("pagedown", None)] * 20]
        for key, character in burst:  # queued at once, unlike pilot.press
            app.post_message(events.Key(key, character))
        await pilot.pause()
        await settled(pilot)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        commands = palette.query_one(CommandList)
        assert commands.option_count > 8
        await pilot.press("pagedown", "pagedown")
        assert commands.highlighted is not None and commands.highlighted > 0
        await pilot.press("enter")
        assert question(app).startswith("Why does wave number")


async def test_search_results_after_the_search_screen_closed_are_dropped() -> None:
    """Results can arrive after escape closed search (a cold index makes searches slow):
    they used to look for the screen's list and raise NoMatches."""
    app = QTReaderApp(RELATED)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        await pilot.press("slash")
        search = app.screen
        assert isinstance(search, SearchScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        search.show_hits("leaves", [], False)  # what the worker's late call does
        await pilot.press("slash", *"chlorophyll")
        await settled(pilot)
        await pilot.press("enter")
        assert question(app) == "What does chlorophyll absorb?"


async def test_every_key_of_a_burst_scrolls_the_article(tmp_path: Path) -> None:
    """20 downs in one read of the terminal scrolled one line: each asked for the target
    as it was before the first scroll happened."""
    answer = "\n\n".join(f"Paragraph {n} of a long answer." for n in range(200))
    write_article(tmp_path, Spec(1, "A long article", "Physics", answer=answer))
    app = QTReaderApp(tmp_path, start_article="1")
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        view = app.screen.query_one(ArticleView)
        view.focus()
        await pilot.pause()
        for key in ["down"] * 20 + ["j"] * 5 + ["k"] * 2:  # queued at once
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await pilot.pause()
        await app.animator.wait_until_complete()
        assert view.scroll_y == 23
        page = view.scrollable_content_region.height
        for _ in range(3):
            app.post_message(events.Key("pagedown", None))
        await pilot.pause()
        await app.animator.wait_until_complete()
        assert view.scroll_y == 23 + 3 * page


async def test_a_study_card_cuts_a_huge_answer_as_the_reader_does(tmp_path: Path) -> None:
    """Revealing a card of 200,000 lines froze the app for 30 s: the card renders the part
    the reader shows, with the same note."""
    answer = "\n".join(f"- step {n}" for n in range(30_000))
    write_article(tmp_path, Spec(5, "How many steps are there?", "Physics", answer=answer))
    app = QTReaderApp(tmp_path, start_article="5")
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await settled(pilot)
        reader_answer = app.screen.query_one(ArticleView).answer
        await pilot.press("s")
        await settled(pilot)
        await pilot.press("enter")
        await settled(pilot)
        assert isinstance(app.screen, StudyScreen)
        await pilot.press("f")  # the full answer, not the summary
        card = app.screen.query_one("#card-answer", Static)
        lines = card.render_lines(Region(0, 0, 98, card.virtual_size.height))
        assert len(lines) < 2_100  # 2,000 items and the note, not 30,000
        text = "".join(segment.text for strip in lines[-4:] for segment in strip)
        note = "This answer has 30,000 lines: the first 2,000 are shown here."
        assert note in text
        assert note in reader_answer

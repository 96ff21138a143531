"""Titles, subjects and paths that look like markup appear exactly as written on every
surface of the reader, and have no effect: no error, no click action, no hyperlink, no
restyling, no text dropped."""

from __future__ import annotations

from pathlib import Path

from rich.segment import Segment
from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets._toast import Toast

from qtreader.tui.app import QTReaderApp
from qtreader.tui.screens.bookmarks import BookmarksScreen
from qtreader.tui.screens.links import LinksScreen
from qtreader.tui.screens.problems import ProblemsScreen
from qtreader.tui.screens.search import SearchScreen
from qtreader.tui.screens.study import StudyScopeScreen, StudyScreen, SummaryScreen

from .articles import Related, Spec, write_article
from .pilot import loaded, settled

SUBJECT = "Notes [draft]"
SLASH = "Why does [/x] break a parser?"
CLICK = "[@click=app.quit]Press here[/] to leave?"
LINK = '[link="http://e.x"]x[/link] is a link?'
REVERSE = "[reverse]Loud[/reverse] or quiet?"
MISSING = "[@click=app.screenshot('f.txt','/tmp')]Missing[/] article"
KEYWORDS = ("[b]bold[/b]", "[/x]")
ANSWER = (
    "Read [the [draft] notes](https://e.x/notes) and "
    "[what [/x] means](/learn/subject/questions/article-902).\n\nMore words here."
)


def hostile_library(root: Path) -> Path:
    """Four articles of the subject ``Notes [draft]`` whose titles look like markup, in
    a folder whose name does too, and a broken file with brackets in its name."""
    library = root / "lib [/x] [b]"
    links = (
        Related(902, SLASH, SUBJECT),
        Related(903, CLICK, SUBJECT),
        Related(904, LINK, SUBJECT),
        Related(990, MISSING, SUBJECT),
    )
    write_article(
        library,
        Spec(901, REVERSE, SUBJECT, answer=ANSWER, keywords=KEYWORDS, related=links),
    )
    write_article(library, Spec(902, SLASH, SUBJECT, related=(Related(901, REVERSE, SUBJECT),)))
    write_article(library, Spec(903, CLICK, SUBJECT))
    write_article(library, Spec(904, LINK, SUBJECT))
    broken = library / "learn" / "subject" / "broken [reverse]x [@click=app.quit].md"
    broken.write_text("---\nid: [unclosed\n---\n", encoding="utf-8")
    return library


def screen_segments(app: App[None]) -> list[list[Segment]]:
    """What the terminal would show: every line of the screen as segments."""
    strips = app.screen._compositor.render_strips()
    return [list(strip) for strip in strips]


def screen_text(app: App[None]) -> str:
    return "\n".join("".join(s.text for s in line) for line in screen_segments(app))


def assert_no_markup_effects(app: App[None]) -> None:
    """No hyperlink, no click action but the answer's own links, no reversed text."""
    for line in screen_segments(app):
        for segment in line:
            style = segment.style
            if style is None:
                continue
            assert not style.link, segment
            click = style.meta.get("@click")
            assert click is None or str(click).startswith(("follow_link(", "app.")), segment
            assert "screenshot" not in str(click), segment
            assert "quit" not in str(click), segment


def toasts(app: App[None]) -> list[str]:
    """The notifications on screen, as shown (title, then message), each checked to have
    no markup effect."""
    shown = []
    for toast in app.screen.query(Toast):
        content = toast.render()
        for span in content.spans:
            style = span.style
            assert not isinstance(style, str) or "link" not in style, content
            assert isinstance(style, str) or not (style.link or "@click" in style.meta), content
        shown.append(content.plain)
    return shown


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(3):
        await settled(pilot)


async def test_reader_tree_pane_related_links_and_status(tmp_path: Path) -> None:
    library = hostile_library(tmp_path)
    app = QTReaderApp(library, start_article="901")
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await loaded(pilot)
        await settle(pilot)
        text = screen_text(app)
        # Tree: the subject and its titles.
        assert SUBJECT in text
        for title in (SLASH, CLICK, LINK, REVERSE):
            assert title[:20] in text, title
        # Pane: question, facts with subject and keywords, related list.
        assert REVERSE in text
        assert "[b]bold[/b], [/x]" in text
        for number, title in enumerate((SLASH, CLICK, LINK, MISSING), start=1):
            assert f"{number} {title}" in text, title
        # Status line: the library folder as named.
        assert "lib [/x] [b]" in text
        assert "1 problem" in text
        assert_no_markup_effects(app)

        # The links of the answer.
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, LinksScreen)
        text = screen_text(app)
        assert "the [draft] notes" in text and "what [/x] means" in text
        assert_no_markup_effects(app)
        await pilot.press("2")  # the internal link: article 902
        await pilot.pause()
        assert SLASH in screen_text(app)

        # A related link the library lacks: the toast shows its title as written.
        await pilot.press("left_square_bracket", "4")
        await pilot.pause()
        assert f"“{MISSING}” is not in this library." in toasts(app)
        assert_no_markup_effects(app)

        # The problems: the broken file's name.
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        assert "learn/subject/broken [reverse]x [@click=app.quit].md: YAML error" in screen_text(
            app
        )
        await pilot.press("escape")


async def test_search_palette_and_bookmarks(tmp_path: Path) -> None:
    library = hostile_library(tmp_path)
    app = QTReaderApp(library, start_article="901")
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await loaded(pilot)
        await settle(pilot)

        await pilot.press("slash", *"parser")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        text = screen_text(app)
        assert SLASH in text and SUBJECT in text
        assert_no_markup_effects(app)
        await pilot.press("escape")
        await pilot.pause()

        # The palette: subjects on opening, then titles matched fuzzily.
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        assert f"Subject: {SUBJECT}" in screen_text(app)
        for query in ("press", "link", "loud", "break"):
            await pilot.press(*query)
            await settle(pilot)
            commands = app.screen.query_one(CommandList)
            assert commands.option_count
            text = screen_text(app)
            assert any(t in text for t in (CLICK, LINK, REVERSE, SLASH)), text
            assert SUBJECT in text  # each hit's help line
            assert_no_markup_effects(app)
            await pilot.press(*["backspace"] * len(query))
        await pilot.press("escape")
        await pilot.pause()

        # Bookmark: the toast and the list.
        await pilot.press("m")
        await settle(pilot)
        assert f"Bookmarked “{REVERSE}”." in toasts(app)
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, BookmarksScreen)
        assert REVERSE in screen_text(app)
        assert_no_markup_effects(app)
        await pilot.press("escape")


async def test_study_card_and_summary(tmp_path: Path) -> None:
    library = hostile_library(tmp_path)
    app = QTReaderApp(library, start_article="902")
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await loaded(pilot)
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, StudyScopeScreen)
        assert SUBJECT in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, StudyScreen)
        seen = []
        for _ in range(4):
            await pilot.press("space")
            await pilot.pause()
            text = screen_text(app)
            seen += [t for t in (SLASH, CLICK, LINK, REVERSE) if t in text]
            assert SUBJECT in text
            assert_no_markup_effects(app)
            await pilot.press("4")
            await settle(pilot)
        assert sorted(seen) == sorted((SLASH, CLICK, LINK, REVERSE))
        if isinstance(app.screen, StudyScreen):
            await pilot.press("escape")
            await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert f"Session over · {SUBJECT}" in screen_text(app)
        assert_no_markup_effects(app)

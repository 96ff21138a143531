"""Terminals qtreader cannot choose: 80x24, 16 colours (``TERM=linux``), ``NO_COLOR``, no
mouse. Every text cell stays readable in the colours the terminal will really show, and every
key of the help screen works from wherever the focus is.

Textual picks its colour system from the environment when the app is made (Rich reads
``TERM`` and ``COLORTERM``; ``NO_COLOR`` turns on Textual's monochrome filter), so these tests
set the environment first, then read the screen's cells and turn each colour into the one a
16-colour (or 256-colour) terminal shows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.color import Color, ColorSystem
from rich.style import Style
from textual.binding import Binding
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Checkbox, Static

from qtreader.tui.app import QTReaderApp
from qtreader.tui.screens.help import HelpScreen
from qtreader.tui.screens.reader import ReaderScreen
from qtreader.tui.widgets.article_view import ArticleView, RelatedList
from qtreader.tui.widgets.subject_tree import SubjectTree

from .conftest import LIBRARY
from .pilot import loaded, settled
from .test_app import rendered, shown_question

#: The Linux console's (VGA) palette: what colours 0-15 look like at TERM=linux.
VGA = [
    (0, 0, 0), (170, 0, 0), (0, 170, 0), (170, 85, 0),
    (0, 0, 170), (170, 0, 170), (0, 170, 170), (170, 170, 170),
    (85, 85, 85), (255, 85, 85), (85, 255, 85), (255, 255, 85),
    (85, 85, 255), (255, 85, 255), (85, 255, 255), (255, 255, 255),
]  # fmt: skip
#: WCAG contrast ratio below which text counts as unreadable (1 is invisible, 21 is black on
#: white; the dimmest text qtreader shows, dark grey on black, is 2.8).
MIN_CONTRAST = 2.0

RGB = tuple[int, int, int]
SYSTEMS = {
    "standard": ColorSystem.STANDARD,
    "256": ColorSystem.EIGHT_BIT,
    "truecolor": ColorSystem.TRUECOLOR,
}


def _luminance(rgb: RGB) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = rgb
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(a: RGB, b: RGB) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def shown_rgb(color: Color | None, system: ColorSystem, *, foreground: bool, bold: bool) -> RGB:
    """The colour a terminal with ``system`` shows for ``color`` (default: light grey on
    black). In 16 colours, bold text in colours 0-7 is drawn in their bright versions."""
    if color is None or color.is_default:
        return VGA[15 if bold else 7] if foreground else VGA[0]
    shown = color.downgrade(system)
    if system == ColorSystem.STANDARD:
        number = shown.number or 0
        if foreground and bold and number < 8:
            number += 8
        return VGA[number]
    triplet = shown.get_truecolor()
    return (triplet.red, triplet.green, triplet.blue)


def cells(app: QTReaderApp) -> Iterator[tuple[int, int, str, Style]]:
    """(x, y, text, style) of each run of text on the active screen, modal or not."""
    screen = app.screen
    regions = [widget.region for widget in screen.query("*") if widget.region]
    for y, strip in enumerate(screen._compositor.render_strips()):
        x = 0
        for segment in strip:
            width = cell_len(segment.text)
            if segment.style is not None and any(r.contains(x, y) for r in regions):
                yield x, y, segment.text, segment.style
            x += width


def unreadable(app: QTReaderApp) -> list[str]:
    """Every run of letters or digits whose colours are too close to read."""
    system = SYSTEMS[app.console.color_system or "standard"]
    found = []
    for x, y, text, style in cells(app):
        if not any(char.isalnum() for char in text):
            continue  # box drawing, scroll bars
        if text == "X" and isinstance(app.screen.get_widget_at(x, y)[0], Checkbox):
            continue  # an unticked checkbox shows its X faintly on purpose
        bold = bool(style.bold)
        fore = shown_rgb(style.color, system, foreground=True, bold=bold)
        back = shown_rgb(style.bgcolor, system, foreground=False, bold=False)
        if style.reverse:
            fore, back = back, fore
        if contrast(fore, back) < MIN_CONTRAST:
            found.append(f"({x},{y}) {text.strip()!r}: {fore} on {back}")
    return found


#: What a reader sees, step by step: keys pressed, then the screen checked.
TOUR: list[tuple[str, ...]] = [
    (),  # an article with math, the tree cursor on it
    ("tab",),  # focus on the article
    ("tab",),  # focus on the related list
    ("shift+tab", "shift+tab", "up", "up"),  # the tree, cursor on other rows
    ("question_mark",),
    ("escape", "e"),  # problems
    ("escape", "slash", *"doppler"),  # search with results
    ("escape", "t"),  # no tree
]


async def tour(pilot: Pilot[None], check: Callable[[str], None]) -> None:
    await loaded(pilot)
    assert shown_question(pilot.app) == "What is the Doppler effect?"
    for keys in TOUR:
        await pilot.press(*keys)
        await settled(pilot)
        check(" ".join(keys) or "start")


@pytest.fixture
def linux_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "linux")
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


async def test_16_colours_at_80x24_every_text_is_readable(linux_console: None) -> None:
    app = QTReaderApp(LIBRARY, start_article="501")
    assert app.console.color_system == "standard"

    def check(step: str) -> None:
        assert not unreadable(app), (step, unreadable(app))

    async with app.run_test(size=(80, 24)) as pilot:
        await tour(pilot, check)


@pytest.fixture
def no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("COLORTERM", raising=False)


async def test_no_color_shows_no_colour(no_color: None) -> None:
    app = QTReaderApp(LIBRARY, start_article="501")
    assert app.no_color

    def check(step: str) -> None:
        for _x, _y, text, style in cells(app):
            for color in (style.color, style.bgcolor):
                if color is not None and not color.is_default:
                    red, green, blue = color.get_truecolor()
                    assert max(red, green, blue) - min(red, green, blue) <= 8, (step, text, color)

    async with app.run_test(size=(80, 24)) as pilot:
        await tour(pilot, check)


async def test_no_color_every_text_is_readable(no_color: None) -> None:
    app = QTReaderApp(LIBRARY, start_article="501")
    found: list[str] = []

    def check(step: str) -> None:
        found.extend(f"{step}: {cell}" for cell in unreadable(app))

    async with app.run_test(size=(80, 24)) as pilot:
        await tour(pilot, check)
    assert not found


# Keys ------------------------------------------------------------------------------------


def help_bindings() -> list[Binding]:
    """The bindings the help screen lists, and the related-article keys it sums up."""
    return [b for b in [*QTReaderApp.BINDINGS, *ReaderScreen.BINDINGS] if isinstance(b, Binding)]


def _action_name(binding: Binding) -> str:
    return binding.action.split("(", 1)[0]


FOCUS: dict[str, type[Widget]] = {
    "tree": SubjectTree,
    "article": ArticleView,
    "related list": RelatedList,
}


@pytest.mark.parametrize("focus", list(FOCUS))
async def test_every_key_in_help_works_wherever_the_focus_is(
    focus: str, library_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Press every key of every binding the help lists, with the focus on the tree, the
    article or the related list: each reaches its action (recorded, not run, so that
    ``q`` does not quit and ``s`` opens no study session)."""
    app = QTReaderApp(library_copy, start_article="501")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        ran: list[str] = []
        for binding in help_bindings():
            name = _action_name(binding)
            target: QTReaderApp | ReaderScreen = app if name in ("quit", "help") else screen
            monkeypatch.setattr(target, f"action_{name}", lambda *_, n=name: ran.append(n))
        screen.query_one(FOCUS[focus]).focus()
        await pilot.pause()
        missing = []
        for binding in help_bindings():
            for key in binding.key.split(","):
                ran.clear()
                await pilot.press(key)
                await pilot.pause()
                assert isinstance(app.screen, ReaderScreen), (key, app.screen)
                if ran != [_action_name(binding)]:
                    missing.append(f"{key} -> {binding.action} (ran {ran})")
                assert isinstance(app.focused, FOCUS[focus]), (key, app.focused)
        assert not missing, missing


async def test_the_help_lists_every_binding_with_its_keys() -> None:
    app = QTReaderApp(LIBRARY)
    async with app.run_test(size=(120, 60)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = rendered(app.screen.query_one(Static))
        for binding in help_bindings():
            if binding.id and binding.id.startswith(("related-", "similar-")):
                continue  # one row each, checked below
            assert (binding.tooltip or binding.description) in shown, binding
        assert "1 … 5" in shown and "Open related article 1 to 5" in shown
        assert "6 … 9  0" in shown and "Open similar article 1 to 5" in shown


async def test_tab_cycles_through_tree_article_and_related_list() -> None:
    app = QTReaderApp(LIBRARY, start_article="501")
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        seen: list[type[Widget]] = []
        for _ in range(5):
            assert app.focused is not None
            seen.append(type(app.focused))
            await pilot.press("tab")
            if isinstance(app.focused, ArticleView):
                break
        # Then the lists under the related one that this article has (Cited by, Similar).
        below = [
            RelatedList
            for name in ("#cited-by", "#similar")
            if app.screen.query_one(name, RelatedList).option_count
        ]
        assert below
        # An article opened from the command line has the focus first.
        assert seen == [ArticleView, RelatedList, *below, SubjectTree]
        assert isinstance(app.focused, ArticleView)  # and round again
        await pilot.press("tab")
        assert isinstance(app.focused, RelatedList)
        await pilot.press("down", "enter")  # the first related link, by keyboard
        assert shown_question(app) == "How does a lens focus light?"


async def test_a_whole_session_at_80x24_by_keyboard_alone() -> None:
    """Tree, open, related, back, search and quit with keys only (no mouse)."""
    app = QTReaderApp(LIBRARY)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("down", "down", "down", "down", "enter")  # expand Physics
        await pilot.press("down", "enter")  # its first article
        assert shown_question(app) == "How does a lens focus light?"
        await pilot.press("1")
        assert shown_question(app) == "What is the Doppler effect?"
        await pilot.press("left_square_bracket")
        assert shown_question(app) == "How does a lens focus light?"
        await pilot.press("slash", *"gradient")
        await settled(pilot)
        await pilot.press("enter")
        assert shown_question(app) == "What is a gradient?"
        await pilot.press("q")
    assert app.return_code == 0

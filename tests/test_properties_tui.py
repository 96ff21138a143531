"""For any text in an article's fields, every surface of the reader holds: generated
articles (markup-like brackets, control characters, escape sequences, bidi overrides, odd
ids) in real-format files, driven through the pilot over the tree, the pane, related links,
links, search, the palette, bookmarks, study, problems and help. Nothing raises, no markup
takes effect and no escape byte reaches the screen."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.pilot import Pilot

from qtreader.tui.app import QTReaderApp
from qtreader.tui.screens.reader import ReaderScreen

from .articles import Related, Spec, write_article
from .pilot import settled
from .test_hostile_text import assert_no_markup_effects, screen_text, toasts

FRAGMENTS = st.sampled_from(
    [
        "[/x]", "[@click=app.quit]", "[@click=app.screenshot('f.txt','/tmp')]", "[/]",
        '[link="http://e.x"]x[/link]', "[reverse]", "[b]", "[", "]", "[draft]", "\\[",
        "\x1b]0;PWNED\x07", "\x1b[31m", "\x1b[2J", "\x1b]52;c;SGVsbG8=\x07", "\x9b1m",
        "\u202e", "\u2066", "\x00", "\r", "\t", "\x07", "$x^2$", "*", "`", "\n",
    ]
)  # fmt: skip
WORDS = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
FIELD = st.lists(st.one_of(FRAGMENTS, WORDS), min_size=1, max_size=5).map("".join)
IDS = st.one_of(st.integers(-13, -1), st.integers(0, 10**6), st.integers(2**31, 2**53))


@st.composite
def libraries(draw: st.DrawFn) -> list[Spec]:
    ids = draw(st.lists(IDS, min_size=2, max_size=4, unique=True))
    subjects = draw(st.lists(FIELD, min_size=1, max_size=2))
    specs = []
    for number, article_id in enumerate(ids):
        targets = draw(st.lists(st.one_of(st.sampled_from(ids), IDS), max_size=5))
        related = tuple(
            Related(target, draw(FIELD), draw(st.sampled_from(subjects))) for target in targets
        )
        specs.append(
            Spec(
                article_id,
                draw(FIELD),
                draw(st.sampled_from(subjects)),
                answer=draw(FIELD) + "\n\nSee [a link](https://e.x/a).",
                question=draw(FIELD),
                keywords=tuple(draw(st.lists(FIELD, max_size=3))),
                description=draw(FIELD),
                slug=f"article-{number}",
                related=related,
            )
        )
    return specs


def check_screen(pilot: Pilot[None]) -> None:
    app = pilot.app
    text = screen_text(app)
    assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text
    assert_no_markup_effects(app)
    toasts(app)


async def drive(library: Path) -> None:
    app = QTReaderApp(library)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:

        async def press(*keys: str) -> None:
            await pilot.press(*keys)
            await settled(pilot)
            check_screen(pilot)

        await press()
        assert isinstance(app.screen, ReaderScreen)
        await press("enter", "down", "enter", "1", "2")  # a subject, its first article
        await press("3", "4", "5", "tab", "down", "tab")
        await press("l")
        await press("escape", "slash", "a")
        await press("escape", "ctrl+p", "e")
        await press("escape", "m", "b")
        await press("escape", "s", "enter", "space")
        await press("3", "escape", "escape", "e")
        await press("escape", "question_mark")


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(libraries())
def test_every_surface_holds_any_text(specs: list[Spec]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        library = Path(folder) / "library"
        for spec in specs:
            write_article(library, spec)
        asyncio.run(drive(library))

"""The answer pane in the reader: math as Unicode, ``x`` for raw TeX, links followed by
keyboard or click, external addresses only after a confirmation."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widget import Widget

from qtreader.tui.app import QTReaderApp
from qtreader.tui.screens.links import ConfirmOpenScreen, LinksScreen
from qtreader.tui.screens.reader import ReaderScreen
from qtreader.tui.widgets.article_view import AnswerText

from .conftest import LIBRARY
from .pilot import loaded, screen_lines

LINKS_ARTICLE = """---
_schema: default
id: 520
date: 2025-04-01
title: >-
    Where can I read more about waves?
question: >-
    Where can I read more about waves?
answer: >-
    Start with [the Doppler effect](/learn/physics/questions/what-is-the-doppler-effect),
    then [a lens](/learn/physics/questions/how-does-a-lens-focus-light/).\\n\\nOutside
    this library, [a wave simulator](https://example.org/waves) helps, and
    [a missing one](/learn/physics/questions/what-is-a-sonic-boom) is not here.
subject: Physics
file_name: where-can-i-read-more-about-waves.md
url: /learn/physics/questions/where-can-i-read-more-about-waves
---

&nbsp;
"""


def lines(widget: Widget) -> list[str]:
    return screen_lines(widget, outer=True)


def answer(app: QTReaderApp) -> str:
    return "\n".join(lines(app.screen.query_one(AnswerText)))


def question(app: QTReaderApp) -> str:
    return "\n".join(lines(app.screen.query_one("#question", Widget))).strip()


async def test_math_is_rendered_and_x_toggles_raw_tex_for_the_open_article() -> None:
    app = QTReaderApp(LIBRARY, start_article="501")
    async with app.run_test(size=(100, 40)) as pilot:
        await loaded(pilot)
        assert "vₛ ≠ 0" in answer(app)
        assert "f' = f╶──────╴" in answer(app)
        await pilot.press("x")
        await pilot.pause()
        assert "$v_s \\neq 0$" in answer(app)
        assert "$$" in answer(app) and "f' = f \\frac{v}{v - v_s}" in answer(app)
        await pilot.press("x")
        await pilot.pause()
        assert "vₛ ≠ 0" in answer(app)
        await pilot.press("x", "2")  # raw, then open another article: rendered again
        await pilot.pause()
        assert "∇f ≠ 0" in answer(app)


@pytest.fixture
def links_library(library_copy: Path) -> Path:
    target = library_copy / "learn" / "physics" / "where-can-i-read-more-about-waves.md"
    target.write_text(LINKS_ARTICLE, encoding="utf-8")
    return library_copy


async def test_links_are_numbered_and_l_follows_one_into_the_history(links_library: Path) -> None:
    app = QTReaderApp(links_library, start_article="520")
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await loaded(pilot)
        text = " ".join(answer(app).split())
        assert "the Doppler effect [1]" in text
        assert "a wave simulator [3] (https://example.org/waves)" in text
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, LinksScreen)
        await pilot.press("2")
        await pilot.pause()
        assert question(app) == "How does a lens focus light?"
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert question(app) == "Where can I read more about waves?"
        await pilot.press("l", "down", "enter")  # the list works with the cursor too
        await pilot.pause()
        assert question(app) == "How does a lens focus light?"
        assert screen.history.current is not None and screen.history.current.article_id == 502


async def test_a_link_to_an_article_the_library_lacks_says_so(links_library: Path) -> None:
    app = QTReaderApp(links_library, start_article="520")
    async with app.run_test(size=(100, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("l", "4")
        await pilot.pause()
        assert question(app) == "Where can I read more about waves?"
        assert any("not in this library" in str(n.message) for n in app._notifications)


async def test_external_links_open_only_after_confirmation(
    links_library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    app = QTReaderApp(links_library, start_article="520")
    monkeypatch.setattr(app, "open_url", lambda url, **kwargs: opened.append(url))
    async with app.run_test(size=(100, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("l", "3")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmOpenScreen)
        assert opened == []
        await pilot.press("n")
        await pilot.pause()
        assert opened == [] and isinstance(app.screen, ReaderScreen)
        await pilot.press("l", "3", "y")
        await pilot.pause()
        assert opened == ["https://example.org/waves"]


async def test_clicking_a_link_follows_it(links_library: Path) -> None:
    app = QTReaderApp(links_library, start_article="520")
    async with app.run_test(size=(100, 40)) as pilot:
        await loaded(pilot)
        widget = app.screen.query_one(AnswerText)
        row, text = next((n, line) for n, line in enumerate(lines(widget)) if "Doppler" in line)
        await pilot.click(AnswerText, offset=(text.index("Doppler") + 1, row))
        await pilot.pause()
        assert question(app) == "What is the Doppler effect?"


async def test_an_answer_without_links_says_so() -> None:
    app = QTReaderApp(LIBRARY, start_article="501")
    async with app.run_test(size=(100, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert any("no links" in str(n.message) for n in app._notifications)


def test_a_huge_answer_is_cut_with_a_note() -> None:
    from qtreader.tui.widgets.article_view import MAX_SHOWN, shown_part

    paragraph = "A sentence that repeats to make a very long answer. " * 20
    answer = "\n\n".join([paragraph] * 2000)  # about 2 MB
    shown = shown_part(answer, 42)
    assert len(shown) < MAX_SHOWN + 300
    body, _, note = shown.rpartition("\n\n---\n\n")
    assert answer.startswith(body) and body.endswith(paragraph)  # cut at a paragraph
    assert note.startswith(f"*This answer is 2.1 MB long: the first {len(body) // 1000} KB are")
    assert "`qtreader show 42 --format markdown` prints all of it." in note
    assert shown_part("short answer", 42) == "short answer"

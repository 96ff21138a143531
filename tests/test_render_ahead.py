"""Rendering ahead: while an article is read, the ones a key opens next (``n``, related
``1``-``5``, ``p``) are rendered in a thread, and opening one shows exactly what rendering
it then would have shown."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from rich.console import Console
from textual.worker import Worker, WorkerState

from qtreader.library.store import Library
from qtreader.render.markdown import render_answer
from qtreader.tui.app import QTReaderApp
from qtreader.tui.screens.reader import ReaderScreen
from qtreader.tui.widgets.article_view import (
    FIRST_PART,
    AnswerCache,
    AnswerKey,
    AnswerLayout,
    AnswerText,
    ArticleView,
    RenderedAnswer,
    first_part,
    shown_part,
)

from .articles import Related, Spec, write_article
from .pilot import loaded, screen_lines, settled

ANSWER = """\
Answer {n} starts with a paragraph long enough to wrap at every width the tests use, so
that a width change moves its words to other lines.

### Part one

1. **A list item** with $x^2 + y_1$ inline and `code` too.
2. Another item, with [a link](https://example.org/{n}) in it.

$$
\\frac{{a}}{{b}} = \\sqrt{{c}}
$$

| step | size |
| --- | --- |
| 0 | 10 |

```python
def step(n: int) -> int:
    return n + {n}
```

The last paragraph of answer {n} ends here.
"""


def spec(n: int, related: tuple[int, ...] = ()) -> Spec:
    return Spec(
        id=n,
        title=f"Wave article {n}",
        subject="Waves",
        answer=ANSWER.format(n=n),
        related=tuple(Related(r, f"Wave article {r}", "Waves") for r in related),
    )


@pytest.fixture
def waves(tmp_path: Path) -> Path:
    """Articles 1-4 in title order; 1 and 2 link to 4 as their first related article."""
    for article in (spec(1, (4,)), spec(2, (4,)), spec(3), spec(4)):
        write_article(tmp_path, article)
    return tmp_path


def ahead_key(screen: ReaderScreen, article_id: int) -> AnswerKey:
    """The key under which the pane keeps article ``article_id`` at its present layout."""
    assert screen.library is not None
    layout = screen.query_one(ArticleView).answer_layout()
    assert layout is not None
    return layout.key(shown_part(screen.library.answer(article_id), article_id))


def answer_lines(screen: ReaderScreen) -> list[str]:
    return screen_lines(screen.query_one(AnswerText), outer=True)


def rich_lines(screen: ReaderScreen, article_id: int, width: int) -> list[str]:
    """The answer's lines as Rich draws it at ``width``, stripped: what the pane showed
    before it laid out answers itself."""
    assert screen.library is not None
    answer = shown_part(screen.library.answer(article_id), article_id)
    console = Console(width=width, force_terminal=True, color_system="truecolor")
    rendered = render_answer(answer, link_action="follow_link({})")
    return ["".join(s.text for s in line).strip() for line in console.render_lines(rendered)]


async def rendered_now(screen: ReaderScreen, pilot: object, article_id: int) -> list[str]:
    """The answer's lines as the pane shows it rendered from nothing (an empty cache)."""
    view = screen.query_one(ArticleView)
    view.cache = AnswerCache()
    screen.open_article(article_id, record=False)
    await settled(pilot)  # type: ignore[arg-type]
    return answer_lines(screen)


async def test_next_and_related_articles_are_rendered_ahead_and_shown_as_rendered_now(
    waves: Path,
) -> None:
    app = QTReaderApp(waves, start_article="1")
    async with app.run_test(size=(90, 30)) as pilot:
        screen = await loaded(pilot)
        view = screen.query_one(ArticleView)
        # n opens 2, related 1 opens 4: both are waiting, their lines rendered.
        for article_id in (2, 4):
            assert ahead_key(screen, article_id) in view.cache
        ahead = view.cache.get(ahead_key(screen, 2))
        assert ahead is not None

        width = ahead_key(screen, 2).width
        assert width in ahead.lines  # laid out already

        await pilot.press("n")
        await settled(pilot)
        assert view.cache.get(ahead_key(screen, 2)) is ahead  # shown from it, not again
        shown = answer_lines(screen)
        assert "Answer 2 starts" in "\n".join(shown)
        assert [line.strip() for line in shown] == rich_lines(screen, 2, width)
        assert shown == await rendered_now(screen, pilot, 2)


async def test_a_resize_renders_ahead_again_at_the_new_width(waves: Path) -> None:
    app = QTReaderApp(waves, start_article="2")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        view = screen.query_one(ArticleView)
        wide = ahead_key(screen, 4)
        assert wide in view.cache

        await pilot.resize_terminal(64, 30)
        await settled(pilot)
        narrow = ahead_key(screen, 4)
        assert narrow.width < wide.width
        # The resize reaches the answer, then the screen, which starts rendering ahead
        # after its next refresh: maybe after the workers above were waited for.
        for _ in range(100):
            if narrow in view.cache:
                break
            await settled(pilot)
        assert narrow in view.cache
        ahead = view.cache.get(narrow)
        assert ahead is not None

        await pilot.press("1")
        await settled(pilot)
        assert view.cache.get(ahead_key(screen, 4)) is ahead
        shown = answer_lines(screen)
        assert "Answer 4 starts" in "\n".join(shown)
        assert max(map(len, shown)) <= screen.query_one(AnswerText).outer_size.width
        assert shown == await rendered_now(screen, pilot, 4)


async def test_a_theme_change_never_shows_an_answer_rendered_for_the_old_theme(
    waves: Path,
) -> None:
    app = QTReaderApp(waves, start_article="1")
    async with app.run_test(size=(90, 30)) as pilot:
        screen = await loaded(pilot)
        view = screen.query_one(ArticleView)
        dark = ahead_key(screen, 2)
        stale = view.cache.get(dark)
        assert stale is not None

        app.theme = "textual-light"
        await settled(pilot)
        await pilot.press("n")
        await settled(pilot)
        light = ahead_key(screen, 2)
        assert light.theme == "textual-light" != dark.theme
        assert view.cache.get(light) is not stale
        assert answer_lines(screen) == await rendered_now(screen, pilot, 2)


async def test_rendering_ahead_runs_off_the_event_loop(
    waves: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[threading.Thread] = []
    render = AnswerLayout.render

    def recording(
        layout: AnswerLayout, answer: str, raw_tex: bool = False, *, ahead: bool = False
    ) -> RenderedAnswer:
        if ahead:
            threads.append(threading.current_thread())
        return render(layout, answer, raw_tex, ahead=ahead)

    monkeypatch.setattr(AnswerLayout, "render", recording)
    app = QTReaderApp(waves, start_article="1")
    async with app.run_test(size=(90, 30)) as pilot:
        await loaded(pilot)
    assert threads
    assert threading.main_thread() not in threads


async def test_a_broken_neighbour_neither_stops_nor_breaks_the_reader(
    waves: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Article 2's file breaks after it was indexed, and rendering article 4 ahead raises:
    rendering ahead skips both and ends well; opening 2 says what is wrong."""
    Library.open(waves).refresh()
    broken = waves / "learn" / "subject" / "article-2.md"
    render = AnswerLayout.render

    def failing(
        layout: AnswerLayout, answer: str, raw_tex: bool = False, *, ahead: bool = False
    ) -> RenderedAnswer:
        if "Answer 4" in answer and ahead:
            raise ValueError("a formula the renderer cannot draw")
        return render(layout, answer, raw_tex, ahead=ahead)

    monkeypatch.setattr(AnswerLayout, "render", failing)
    states: list[WorkerState] = []

    def record(screen: ReaderScreen, event: Worker.StateChanged) -> None:
        if event.worker.group == "render-ahead":
            states.append(event.state)

    monkeypatch.setattr(ReaderScreen, "on_worker_state_changed", record, raising=False)
    app = QTReaderApp(waves, start_article="3")
    async with app.run_test(size=(90, 30)) as pilot:
        screen = await loaded(pilot)
        broken.write_text("---\nid: [unclosed\n---\n", encoding="utf-8")
        view = screen.query_one(ArticleView)
        view.cache = AnswerCache()
        states.clear()
        screen.open_article(1)  # next is the broken 2, related 1 is 4
        await settled(pilot)
        assert states[-1] == WorkerState.SUCCESS
        assert WorkerState.ERROR not in states
        assert app.is_running
        assert len(view.cache) == 1  # article 1 itself, nothing else

        await pilot.press("n")
        await settled(pilot)
        shown = "\n".join(answer_lines(screen))
        assert "cannot be shown" in shown
        assert "article-2.md" in shown.replace("\n", "")


async def test_a_long_answer_shows_its_first_screens_and_the_rest_below_them(
    tmp_path: Path,
) -> None:
    """The first lines in one widget, the rest in another laid out only when scrolled
    to: together the lines Rich draws, and x (raw TeX) redraws both."""
    long = "\n".join(ANSWER.format(n=f"5.{part}") for part in range(12))
    write_article(tmp_path, Spec(5, "A long one", "Waves", answer=long))
    app = QTReaderApp(tmp_path, start_article="5")
    async with app.run_test(size=(90, 30)) as pilot:
        screen = await loaded(pilot)
        head, rest = screen.query_one("#answer", AnswerText), screen.query_one("#answer-rest")
        assert rest.display
        width = ahead_key(screen, 5).width
        shown = screen_lines(head, outer=True) + screen_lines(rest, outer=True)
        assert [line.strip() for line in shown] == rich_lines(screen, 5, width)
        assert head.size.height == 60
        assert "answer 5.11 ends here." in "\n".join(screen_lines(rest, outer=True))

        await pilot.press("x")
        await settled(pilot)
        assert "\\frac{a}{b}" in "\n".join(screen_lines(rest, outer=True))
        assert "\\frac{a}{b}" in "\n".join(screen_lines(head, outer=True))


def test_the_first_part_of_a_long_answer_ends_at_a_blank_line_outside_code_and_math() -> None:
    code = "```python\n" + "x = 1\n\n" * 300 + "```\n"
    math = "$$\n" + "a = b\n\n" * 300 + "$$\n"
    prose = "A line of prose.\n\n" * 200
    answer = code + math + prose + "The end.\n"
    part = first_part(answer, size=100)
    assert part is not None
    assert part == code + math + "A line of prose.\n"
    assert first_part("short\n\nanswer\n", size=100) is None
    assert first_part("no blank line " * 1000, size=100) is None


async def test_a_long_answer_not_rendered_ahead_shows_its_first_part_then_the_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    long = "\n".join(ANSWER.format(n=f"6.{part}") for part in range(40))
    assert len(long) > 3 * FIRST_PART
    write_article(tmp_path, Spec(6, "A very long one", "Waves", answer=long))
    render_ahead = ReaderScreen._render_ahead
    monkeypatch.setattr(ReaderScreen, "_render_ahead", lambda screen: None)
    app = QTReaderApp(tmp_path, start_article="6")
    async with app.run_test(size=(90, 30)) as pilot:
        screen = await loaded(pilot)
        view = screen.query_one(ArticleView)
        head, rest = screen.query_one("#answer", AnswerText), screen.query_one("#answer-rest")
        width = ahead_key(screen, 6).width
        whole = rich_lines(screen, 6, width)
        assert view.partial and not rest.display
        shown = [line.strip() for line in screen_lines(head, outer=True)]
        assert shown == whole[: len(shown)]
        assert len(shown) == 60

        render_ahead(screen)  # the render thread renders the whole, then shows it
        await settled(pilot)
        assert not view.partial and rest.display
        shown = screen_lines(head, outer=True) + screen_lines(rest, outer=True)
        assert [line.strip() for line in shown] == whole

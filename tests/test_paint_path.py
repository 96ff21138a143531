"""Opening an article only paints it: what a key opens was rendered and read ahead, the
work that follows the open waits until the article is on screen, and nothing is laid out
or drawn that the screen does not show."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from textual.screen import Screen

from qtreader.library import parse
from qtreader.tui.app import QTReaderApp
from qtreader.tui.screens.reader import ReaderScreen
from qtreader.tui.widgets.article_view import AnswerLines, AnswerText, ArticleView
from qtreader.tui.widgets.subject_tree import SubjectTree

from .articles import Related, Spec, write_article
from .pilot import loaded, screen_lines, settled

PARAGRAPH = """\
Paragraph {n} of the orbit answer explains how a body keeps falling around another one and
never lands, because its speed sideways carries it past the edge of what it falls towards.
"""


def orbit(n: int, paragraphs: int = 3, related: tuple[int, ...] = ()) -> Spec:
    answer = f"Orbit answer {n} begins here.\n\n" + "\n".join(
        PARAGRAPH.format(n=f"{n}.{p}") for p in range(paragraphs)
    )
    return Spec(
        id=n,
        title=f"Orbit article {n}",
        subject="Orbits",
        answer=answer,
        related=tuple(Related(r, f"Orbit article {r}", "Orbits") for r in related),
    )


@pytest.fixture
def orbits(tmp_path: Path) -> Path:
    """Articles 1-3 in title order (2 is long), 1 linking to 3 as its first related one."""
    for spec in (orbit(1, related=(3,)), orbit(2, paragraphs=120), orbit(3)):
        write_article(tmp_path, spec)
    return tmp_path


async def test_rendering_ahead_starts_once_the_opened_article_is_on_screen(
    orbits: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The render thread would compete for the interpreter with the layout and paint of
    the article just opened: it starts after the screen's next layout refresh."""
    events: list[str] = []
    render_ahead = ReaderScreen._render_ahead

    def recording(screen: ReaderScreen) -> None:
        events.append("render ahead")
        render_ahead(screen)

    monkeypatch.setattr(ReaderScreen, "_render_ahead", recording)
    app = QTReaderApp(orbits, start_article="1")
    async with app.run_test(size=(90, 30)) as pilot:
        screen = await loaded(pilot)

        def refreshed(_screen: Screen[object]) -> None:
            events.append("refreshed")

        screen.screen_layout_refresh_signal.subscribe(screen, refreshed, immediate=True)
        for key in ("n", "p", "1"):
            events.clear()
            await pilot.press(key)
            await settled(pilot)
            assert "render ahead" in events
            assert events.index("refreshed") < events.index("render ahead"), key
        assert "Orbit answer 3 begins" in "\n".join(screen_lines(screen.query_one(AnswerText)))


async def test_an_article_read_ahead_opens_without_reading_its_file_again(
    orbits: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = QTReaderApp(orbits, start_article="1")
    async with app.run_test(size=(90, 30)) as pilot:
        await loaded(pilot)
        read: list[Path] = []
        parse_file = parse.parse_file

        def counting(path: Path, root: Path) -> object:
            if threading.current_thread() is threading.main_thread():
                read.append(path)
            return parse_file(path, root)

        monkeypatch.setattr(parse, "parse_file", counting)
        await pilot.press("n")  # article 2 was read ahead while 1 was shown
        await settled(pilot)
        assert read == []  # the thread reads the next ones again, not the event loop
        assert "Orbit answer 2 begins" in "\n".join(screen_lines(app.screen.query_one(AnswerText)))


async def test_a_file_changed_after_it_was_read_ahead_is_shown_as_it_is_now(
    orbits: Path,
) -> None:
    app = QTReaderApp(orbits, start_article="1")
    async with app.run_test(size=(90, 30)) as pilot:
        await loaded(pilot)
        # Article 3 (related 1) was read ahead; now its answer changes (and its length).
        changed = orbit(3)
        write_article(
            orbits, Spec(3, changed.title, "Orbits", answer="Orbit answer 3 was rewritten.")
        )
        await pilot.press("1")
        await settled(pilot)
        shown = "\n".join(screen_lines(app.screen.query_one(AnswerText)))
        assert "Orbit answer 3 was rewritten." in shown
        assert "begins here" not in shown


async def test_a_long_answer_rendered_ahead_is_laid_out_without_drawing_its_lines(
    orbits: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lines below the first screens are counted, not drawn, to lay the pane out:
    only the lines of the first screens are drawn when it opens."""
    app = QTReaderApp(orbits, start_article="1")
    async with app.run_test(size=(90, 30)) as pilot:
        screen = await loaded(pilot)
        drawn: list[int] = []
        draw = AnswerLines.__rich_console__

        def counting(lines: AnswerLines, console: Console, options: ConsoleOptions) -> RenderResult:
            for segment in draw(lines, console, options):
                if isinstance(segment, Segment) and segment.text == "\n":
                    drawn.append(lines.start)
                yield segment

        monkeypatch.setattr(AnswerLines, "__rich_console__", counting)
        await pilot.press("n")  # the long article 2, rendered ahead
        await settled(pilot)
        head, rest = screen.query_one("#answer", AnswerText), screen.query_one("#answer-rest")
        assert rest.display and rest.size.height > 100
        assert len(drawn) <= head.size.height  # the head's lines, once
        view = screen.query_one(ArticleView)
        assert view.virtual_size.height >= head.size.height + rest.size.height

        view.scroll_end(animate=False)  # scrolled to: the rest is drawn, as Rich draws it
        await settled(pilot)
        assert "Paragraph 2.119" in "\n".join(screen_lines(rest))


async def test_opening_the_next_article_keeps_its_expanded_subject_as_it_is(
    orbits: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Expanding a subject that is open already rebuilt and redrew the whole tree."""
    expanded: list[object] = []
    handler = SubjectTree.on_tree_node_expanded

    def recording(tree: SubjectTree, event: SubjectTree.NodeExpanded[object]) -> None:
        expanded.append(event.node)
        handler(tree, event)  # type: ignore[arg-type]

    monkeypatch.setattr(SubjectTree, "on_tree_node_expanded", recording)
    app = QTReaderApp(orbits, start_article="1")
    async with app.run_test(size=(90, 30)) as pilot:
        screen = await loaded(pilot)
        assert expanded  # the subject, opened with the first article
        expanded.clear()
        await pilot.press("n")
        await settled(pilot)
        assert expanded == []
        tree = screen.query_one(SubjectTree)
        assert tree.cursor_node is not None and "Orbit article 2" in str(tree.cursor_node.label)

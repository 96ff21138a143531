"""Golden tests: answers of each kind (``tests/golden/*.md``) rendered at 80 columns and
compared with reviewed text files, once as the app shows them (the answer widget's rendered
lines) and once as the shell prints them (a Rich console rendering ``render_answer``, which
``qtreader show`` uses).

To accept a change, run ``QTREADER_GOLDEN_UPDATE=1 pytest tests/test_golden.py`` and review
every changed ``*.app.txt`` / ``*.show.txt`` by eye before committing it.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from rich.console import Console
from textual.app import App, ComposeResult
from textual.geometry import Region

from qtreader.library.models import Article, Listing
from qtreader.library.resources import stylesheet
from qtreader.render.markdown import render_answer
from qtreader.tui.widgets.article_view import AnswerText, ArticleView

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(path.stem for path in GOLDEN.glob("*.md"))
WIDTH = 80
UPDATE = os.environ.get("QTREADER_GOLDEN_UPDATE") == "1"


def _tidy(lines: list[str]) -> str:
    lines = [line.rstrip() for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def _compare(rendered: str, expected_path: Path) -> None:
    if UPDATE:
        expected_path.write_text(rendered, encoding="utf-8")
    assert expected_path.exists(), f"no reviewed output yet: {expected_path.name}"
    assert rendered == expected_path.read_text(encoding="utf-8")


def shell_rendering(markdown: str) -> str:
    console = Console(width=WIDTH, color_system=None, force_terminal=False, legacy_windows=False)
    with console.capture() as capture:
        console.print(render_answer(markdown))
    return _tidy(capture.get().splitlines())


class _OneArticle(App[None]):
    """Just the article pane, 80 columns wide, styled as in the reader."""

    CSS_PATH = stylesheet()

    def compose(self) -> ComposeResult:
        yield ArticleView(id="article")


def _article(name: str) -> Article:
    return Article(
        id=1,
        title=name,
        question=name,
        slug=name,
        date=datetime.date(2025, 1, 1),
        keywords=(),
        description="",
        score=None,
        no_index=False,
        listings=(Listing("Golden", f"/learn/golden/questions/{name}", GOLDEN / f"{name}.md"),),
        related=(),
    )


async def app_rendering(name: str, markdown: str) -> str:
    app = _OneArticle()
    async with app.run_test(size=(WIDTH, 60)) as pilot:
        view = app.query_one(ArticleView)
        view.show_article(_article(name), markdown, "Golden")
        await pilot.pause()
        answer = app.query_one(AnswerText)
        width, height = answer.outer_size  # padding included: it is part of what is seen
        lines = answer.render_lines(Region(0, 0, width, height))
        return _tidy(["".join(segment.text for segment in line) for line in lines])


@pytest.mark.parametrize("name", CASES)
def test_shell_rendering(name: str) -> None:
    markdown = (GOLDEN / f"{name}.md").read_text(encoding="utf-8")
    _compare(shell_rendering(markdown), GOLDEN / f"{name}.show.txt")


@pytest.mark.parametrize("name", CASES)
async def test_app_rendering(name: str) -> None:
    markdown = (GOLDEN / f"{name}.md").read_text(encoding="utf-8")
    _compare(await app_rendering(name, markdown), GOLDEN / f"{name}.app.txt")


def test_every_kind_has_a_fixture() -> None:
    assert set(CASES) >= {"inline-math", "display-math", "code", "table", "links"}

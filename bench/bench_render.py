"""Benchmark: key to painted answer, qtreader's answer pane against Textual's ``Markdown``.

    python bench/bench_render.py [--runs 7] [--library content]

Two documents from the library: a typical answer of about 4 KB with math, and a 60 KB
document made of answers one after another. For each, in the same run and at 80x24, a key
press opens the document:

- in qtreader's ``ArticleView`` (Rich renderable in a ``Static``, math drawn as Unicode),
  with every render cache emptied first, as for an article never opened before;
- in Textual's ``Markdown`` widget in a ``VerticalScroll``, on the same text.

Key to painted is the time from the key press to the first frame sent to the terminal after
the content is complete (for ``Markdown``, after its ``update`` has mounted every block).
Each figure is the median of ``--runs`` runs; the two widgets alternate run by run.
Targets: at most 0.25x for 4 KB and 0.5x for 60 KB.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import statistics
import time
from pathlib import Path

from rich.console import RenderableType
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Markdown

from qtreader.library.decode import math_spans
from qtreader.library.models import Article, Listing
from qtreader.library.resources import shipped_library, stylesheet
from qtreader.library.store import load_library
from qtreader.render import markdown as render
from qtreader.render import texmath
from qtreader.tui.widgets.article_view import ArticleView

SIZE = (80, 24)


class _Bench(App[None]):
    """Opens ``text`` on the key ``o``; records when the finished content is first painted."""

    CSS_PATH = stylesheet()
    BINDINGS = [Binding("o", "open", "Open")]

    def __init__(self, text: str, *, textual_markdown: bool) -> None:
        super().__init__()
        self.text = text
        self.textual_markdown = textual_markdown
        self.ready_at: float | None = None
        self.painted_at: float | None = None

    def compose(self) -> ComposeResult:
        if self.textual_markdown:
            with VerticalScroll(id="article"):
                yield Markdown("Nothing open yet.")
        else:
            yield ArticleView(id="article")

    async def action_open(self) -> None:
        if self.textual_markdown:
            await self.query_one(Markdown).update(self.text)
        else:
            self.query_one(ArticleView).show_article(_article(), self.text, "Bench")
        self.ready_at = time.perf_counter()
        self.refresh()

    def _display(self, screen: Screen[object], renderable: RenderableType | None) -> None:
        if renderable is not None and self.ready_at is not None and self.painted_at is None:
            self.painted_at = time.perf_counter()
        super()._display(screen, renderable)


def _article() -> Article:
    return Article(
        id=1,
        title="Bench",
        question="A benchmark answer",
        slug="bench",
        date=datetime.date(2025, 1, 1),
        keywords=(),
        description="",
        score=None,
        no_index=False,
        listings=(Listing("Bench", "/learn/bench/questions/bench", Path("bench.md")),),
        related=(),
    )


def _clear_caches() -> None:
    for cached in (
        render._prepare,
        texmath.display_math,
        texmath.inline_math,
        texmath.display_pieces,
    ):
        cached.cache_clear()


async def key_to_paint(text: str, *, textual_markdown: bool) -> float:
    """Seconds from pressing the key to the first paint of the complete content."""
    if not textual_markdown:
        _clear_caches()
    app = _Bench(text, textual_markdown=textual_markdown)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        started = time.perf_counter()
        await pilot.press("o")
        while app.painted_at is None:
            await asyncio.sleep(0.001)
        return app.painted_at - started


def documents(library_path: Path) -> tuple[str, str]:
    """A ~4 KB answer with the most math, and a 60 KB run of answers."""
    library = load_library(library_path)
    answers = [library.answer(article.id) for article in library.articles()]
    typical = [a for a in answers if 3500 <= len(a.encode()) <= 4600]
    four_kb = max(typical or answers, key=lambda a: (len(math_spans(a)), -abs(len(a) - 4096)))
    ordered = sorted(answers, key=lambda a: -len(math_spans(a)))
    parts: list[str] = []
    while sum(len(part.encode()) for part in parts) < 60_000:
        parts.extend(ordered)
    sixty_kb = ""
    for part in parts:
        if len(sixty_kb.encode()) >= 60_000:
            break
        sixty_kb += part + "\n\n"
    return four_kb, sixty_kb


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--library", type=Path, default=None)
    args = parser.parse_args()
    four_kb, sixty_kb = documents(args.library or shipped_library())
    print(f"terminal {SIZE[0]}x{SIZE[1]}, median of {args.runs} runs")
    for name, text, target in (("4 KB", four_kb, 0.25), ("60 KB", sixty_kb, 0.5)):
        ours: list[float] = []
        theirs: list[float] = []
        for _ in range(args.runs):
            ours.append(await key_to_paint(text, textual_markdown=False))
            theirs.append(await key_to_paint(text, textual_markdown=True))
        mine, base = statistics.median(ours), statistics.median(theirs)
        ratio = mine / base
        verdict = "meets" if ratio <= target else "MISSES"
        print(
            f"{name:>5} ({len(text.encode()):,} bytes, {len(math_spans(text))} formulas): "
            f"qtreader {mine * 1000:7.1f} ms   Textual Markdown {base * 1000:7.1f} ms   "
            f"ratio {ratio:.2f}x ({verdict} the {target}x target)"
        )


if __name__ == "__main__":
    asyncio.run(main())

"""``qtreader check --render``: every article rendered as ``qtreader show`` prints it and as
the reader's pane draws its answer, to find the articles whose rendering raises and the
formulas left as raw TeX.

The pane and ``show`` share their renderer (:func:`qtreader.render.markdown.render_answer`); this
module drives it through the same functions they call, into a console that discards what
it is given. Each answer is parsed once (the renderer keeps the last answers' tokens) and
its blocks laid out once: the pane's rendering (link actions) and the raw-TeX one lay out
again only the blocks with links or math, as the reader does. Articles are rendered on
every core, in chunks, each worker reading the library's index itself. No Textual here.
"""

from __future__ import annotations

import functools
import io
import itertools
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from qtreader.library.models import Article
from qtreader.library.pool import start_pool
from qtreader.library.store import Library, ProgressCallback
from qtreader.render import markdown as render
from qtreader.render.markdown import FormulaOutcome

__all__ = [
    "WIDTH",
    "ArticleRender",
    "RenderReport",
    "render_article",
    "render_console",
    "render_library",
]

#: Columns the articles are rendered at: ``show``'s width in a pipe.
WIDTH = 80

#: The Textual action the pane puts on each link of an answer (``ArticleView``).
_PANE_LINK_ACTION = "follow_link({})"


@dataclass(frozen=True, slots=True)
class ArticleRender:
    """What rendering one article found: its formulas, those left as raw TeX, and the
    exception rendering raised (``"TypeError: message"``), if any."""

    article_id: int
    path: Path
    formulas: int
    raw: tuple[FormulaOutcome, ...]
    error: str | None


@dataclass(frozen=True, slots=True)
class RenderReport:
    """The rendering of a whole library: every article with a raw formula or an error."""

    articles: int
    formulas: int
    raw_formulas: int
    findings: tuple[ArticleRender, ...]
    seconds: float

    @property
    def failures(self) -> tuple[ArticleRender, ...]:
        """The articles whose rendering raised."""
        return tuple(found for found in self.findings if found.error is not None)

    @property
    def with_raw(self) -> tuple[ArticleRender, ...]:
        """The articles with at least one formula left as raw TeX."""
        return tuple(found for found in self.findings if found.raw)


class _Discard(io.StringIO):
    """A text stream that forgets what is written: the rendering is the test, not its text."""

    def write(self, text: str) -> int:
        return len(text)

    def isatty(self) -> bool:
        return False


def render_console(width: int = WIDTH) -> Console:
    """``show``'s console for a pipe (plain text) at ``width``, writing nowhere. A new one
    for each chunk of articles: the renderer keeps an answer's layout per console, and a
    run must render, not find what an earlier run laid out."""
    from qtreader.render.output import OutputOptions

    return OutputOptions("plain", "never", width, pager=False).console(_Discard())


def render_article(article: Article, answer: str, console: Console) -> list[FormulaOutcome]:
    """Render ``article`` as ``qtreader show`` prints it and its answer as the pane draws
    it (with link actions when it has links, and with formulas as TeX, the ``x`` key, when
    it has formulas). Returns the answer's formulas; raises whatever rendering raises."""
    from qtreader.render.output import article_renderable

    outcomes = render.formula_outcomes(answer)
    console.print(article_renderable(article, answer))
    # The pane's answer differs from show's only by the links' click actions and the raw
    # TeX toggle: rendered again only where those change something, and then only the
    # blocks with links or math are laid out again (the renderer reuses the others).
    if render.answer_links(answer):
        console.print(render.render_answer(answer, link_action=_PANE_LINK_ACTION))
    if outcomes:
        console.print(render.render_answer(answer, raw_tex=True, link_action=_PANE_LINK_ACTION))
    return outcomes


# A worker's library, by (root, index database); the main process puts its own in first.
_LIBRARIES: dict[tuple[Path, str], Library] = {}


def _library(root: Path, database: str) -> Library:
    library = _LIBRARIES.get((root, database))
    if library is None:
        from qtreader.library.index import Index

        # The database by its path, not found again from the user's cache folder (a
        # worker's environment may differ), and never validated or rebuilt here.
        library = Library(Index(root, database, uri=False, notice=None))
        _LIBRARIES[(root, database)] = library
    return library


def _render_chunk(ids: list[int], root: Path, *, database: str, width: int) -> list[ArticleRender]:
    """Render the articles ``ids`` (in a worker, or in this process)."""
    library = _library(root, database)
    console = render_console(width)
    results = []
    for article_id in ids:
        path = root
        outcomes: list[FormulaOutcome] = []
        error = None
        try:
            article = library.article(article_id)
            if article is None:  # removed since the list was made
                continue
            path = article.path
            outcomes = render_article(article, library.answer(article_id), console)
        except Exception as exception:  # the finding: any exception at all, reported
            error = f"{type(exception).__name__}: {exception}"
        results.append(
            ArticleRender(
                article_id,
                path,
                len(outcomes),
                tuple(outcome for outcome in outcomes if outcome.raw),
                error,
            )
        )
    return results


def render_library(
    library: Library, progress: ProgressCallback | None = None, *, width: int = WIDTH
) -> RenderReport:
    """Render every article of ``library`` on every core; report what went wrong."""
    started = time.perf_counter()
    ids = [row[0] for row in library.index.db.execute("SELECT id FROM articles ORDER BY id")]
    root, database = library.root, library.index.database
    work = functools.partial(_render_chunk, database=database, width=width)
    _LIBRARIES[(root, database)] = library
    try:
        articles = formulas = raw = 0
        findings: list[ArticleRender] = []
        # An in-memory index cannot be opened by other processes: rendered here.
        for chunk in _chunks(ids, root, work, progress, pool=not library.index.in_memory):
            for result in chunk:
                articles += 1
                formulas += result.formulas
                raw += len(result.raw)
                if result.raw or result.error is not None:
                    findings.append(result)
    finally:
        _LIBRARIES.pop((root, database), None)
    return RenderReport(articles, formulas, raw, tuple(findings), time.perf_counter() - started)


#: Articles per task: about a second of work, so progress moves and both cores stay busy.
_CHUNK = 200
#: Below this many articles, starting the workers (each imports the renderer) costs more
#: than it saves.
POOL_FROM = 600


def _chunks(
    ids: list[int],
    root: Path,
    work: functools.partial[list[ArticleRender]],
    progress: ProgressCallback | None,
    *,
    pool: bool,
) -> Iterator[list[ArticleRender]]:
    """``work`` over chunks of ``ids``, in order: on every core when there are many."""
    chunks = [ids[start : start + _CHUNK] for start in range(0, len(ids), _CHUNK)]
    workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    # Its workers keep the normal priority: no writer waits on them here.
    many = pool and len(ids) >= POOL_FROM and (workers or 1) > 1
    executor = start_pool(workers or 1) if many else None
    results: Iterator[list[ArticleRender]] = (
        executor.map(work, chunks, itertools.repeat(root))
        if executor is not None
        else (work(chunk, root) for chunk in chunks)
    )
    done = 0
    try:
        if progress:
            progress(0, len(ids))
        for result in results:
            yield result
            done += len(result)
            if progress:
                progress(done, len(ids))
    finally:
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

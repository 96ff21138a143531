"""The commands about a library as a whole: ``read`` opens the reader on it, ``check``
reports what it holds and its problems, ``index`` brings its index up to date.

:mod:`qtreader.cli.group` adds them to the ``qtreader`` group when one of them runs.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from qtreader.cli.common import (
    IdCommand,
    LibraryError,
    json_text,
    library_argument,
    library_option,
    open_library,
    progress_bar,
    run_reader,
    tell_index_notice,
)
from qtreader.library.config import ConfigError, choose_library
from qtreader.library.decode import escape_controls
from qtreader.library.store import Library

if TYPE_CHECKING:
    from qtreader.render.check import RenderReport

__all__ = ["check", "index", "read"]


@click.command(cls=IdCommand)
@click.argument("article", required=False)
@click.option("--incognito", is_flag=True, help="Record nothing: no history, no read marks.")
@library_option
def read(article: str | None, incognito: bool, library_path: Path | None) -> None:
    """Open the reader, optionally at ARTICLE (id, slug or url). Without ARTICLE it
    reopens the article read last, where it was left.

    \b
    Examples:
      qtreader read how-does-a-hash-table-work
      qtreader --incognito
    """
    try:
        choice = choose_library(library_path)
    except ConfigError as error:
        raise LibraryError(str(error)) from None
    from qtreader.tui.app import QTReaderApp  # Textual only for the full-screen reader

    run_reader(QTReaderApp(library_path=choice.path, start_article=article, incognito=incognito))


@click.command()
@library_argument
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--render",
    is_flag=True,
    help="Also render every article as the reader and `show` do; report each one whose "
    "rendering fails and each formula left as raw TeX.",
)
def check(path: Path | None, as_json: bool, render: bool) -> None:
    """Load a library and report what it holds and every problem found.

    Exits 1 when any file has a problem (with --render: also when an article fails to
    render or a formula is left as raw TeX).

    \b
    Examples:
      qtreader check ~/quicktakes --json
      qtreader check ~/quicktakes --render
    """
    choice, library = open_library(path, refresh="always")
    problems = [
        {"path": _display_path(p.path, library, choice.path), "reason": p.reason}
        for p in library.problems
    ]
    report: dict[str, object] = {
        "articles": len(library),
        "subjects": len(library.subjects),
        "cross_listed": len(library.cross_listed),
        "dangling_links": len(library.dangling_links),
        "problems": problems,
    }
    failed = bool(problems)
    lines = []
    if render:
        rendered = _render_with_progress(library)
        failed = failed or bool(rendered.findings)
        findings = []
        for found in rendered.findings:
            where = _display_path(found.path, library, choice.path)
            if found.error is not None:
                findings.append({"path": where, "id": found.article_id, "error": found.error})
                lines.append(f"{where}: rendering failed: {found.error}")
            for formula in found.raw:
                # One line per formula: the TeX of a multi-line one with its spaces folded.
                tex = " ".join(formula.tex.split())
                findings.append(
                    {"path": where, "id": found.article_id, "raw_tex": tex,
                     "display": formula.display}
                )  # fmt: skip
                lines.append(f"{where}: formula left as raw TeX: {tex}")
        report["render"] = {
            "articles": rendered.articles,
            "formulas": rendered.formulas,
            "drawn": rendered.formulas - rendered.raw_formulas,
            "raw": rendered.raw_formulas,
            "failed": len(rendered.failures),
            "seconds": round(rendered.seconds, 2),
            "findings": findings,
        }
    if as_json:
        click.echo(json_text(report))
    else:
        click.echo(f"library:        {escape_controls(choice.path)}")
        click.echo(f"articles:       {report['articles']}")
        click.echo(f"subjects:       {report['subjects']}")
        click.echo(f"cross-listed:   {report['cross_listed']}")
        click.echo(f"dangling links: {report['dangling_links']}")
        click.echo(f"problems:       {len(problems)}")
        if render:
            click.echo(
                f"rendered:       {rendered.articles} articles in {rendered.seconds:.1f} s; "
                f"{rendered.formulas - rendered.raw_formulas} formulas drawn, "
                f"{rendered.raw_formulas} left as raw TeX (in {len(rendered.with_raw)} "
                f"articles); {len(rendered.failures)} articles failed"
            )
        for problem in problems:
            # A file name can hold escape sequences: print them visibly, never raw.
            click.echo(escape_controls(f"{problem['path']}: {problem['reason']}"))
        for line in lines:
            click.echo(escape_controls(line))
    if failed:
        sys.exit(1)


def _render_with_progress(library: Library) -> RenderReport:
    """Render every article, with a progress bar on stderr when it is a terminal."""
    from qtreader.render.check import render_library

    with progress_bar("Rendering") as progress:
        return render_library(library, progress)


def _display_path(path: Path, library: Library, given: Path) -> str:
    """A problem's path as the user can reach it: under the folder as they named it."""
    try:
        return str(given / path.relative_to(library.root))
    except ValueError:
        return str(path)


@click.command()
@library_argument
@click.option("--rebuild", is_flag=True, help="Parse every file again, not only changed ones.")
def index(path: Path | None, rebuild: bool) -> None:
    """Bring the library's search index up to date, with a progress bar.

    Only files added, changed or removed since the last run are parsed, unless --rebuild.

    \b
    Example:
      qtreader index ~/quicktakes --rebuild
    """
    _choice, library = open_library(path, refresh="never")
    with progress_bar("Indexing") as progress:
        report = library.refresh(progress, rebuild=rebuild)
    tell_index_notice(library)
    click.echo(
        f"{report.total} files: {report.added} added, {report.changed} changed, "
        f"{report.removed} removed; {len(library)} articles, {len(library.problems)} problems"
    )
    place = "in memory, for this run" if library.index.in_memory else library.index.database
    click.echo(f"index: {escape_controls(place)}")

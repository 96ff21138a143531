"""The ``qtreader`` command line.

``qtreader [ARTICLE]`` opens the reader; the other commands answer in the shell and import
only the data layer, never Textual, so they start fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Literal

import click

from qtreader.config import ConfigError, LibraryChoice, choose_library
from qtreader.models import Article
from qtreader.store import AnswerUnavailable, Library

__all__ = ["main"]

EXIT_NOT_FOUND = 1


class LibraryError(click.ClickException):
    """A library or configuration that cannot be used: one line on stderr, exit 2."""

    exit_code = 2


class _ReaderGroup(click.Group):
    """A group whose bare form (``qtreader`` or ``qtreader ARTICLE``) runs ``read``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        first = next((arg for arg in args if not arg.startswith("-")), None)
        if not any(arg in ("--help", "-h") for arg in args[:1]) and (
            first is None or first not in self.commands
        ):
            args = ["read", *args]
        return super().parse_args(ctx, args)


def _library_option(function: Any) -> Any:
    return click.option(
        "--library",
        "library_path",
        type=click.Path(path_type=Path),
        default=None,
        help="Library folder (default: $QTREADER_LIBRARY, config.toml, or the shipped one).",
    )(function)


def _open_library(
    library_path: Path | None, *, refresh: Literal["always", "if-stale", "never"] = "if-stale"
) -> tuple[LibraryChoice, Library]:
    """The chosen library with its index. Quick lookups refresh it only if files were added
    or removed since the last refresh (one stat per folder), not by a full scan."""
    try:
        choice = choose_library(library_path)
        library = Library.open(choice.path)
        if library.notice:
            click.echo(f"qtreader: {library.notice}", err=True)
        if refresh == "always" or (refresh == "if-stale" and library.is_stale()):
            library.refresh()
        return choice, library
    except (ConfigError, OSError) as error:
        raise LibraryError(str(error)) from None


def _display_path(path: Path, library: Library, given: Path) -> str:
    """A problem's path as the user can reach it: under the folder as they named it."""
    try:
        return str(given / path.relative_to(library.root))
    except ValueError:
        return str(path)


@click.group(cls=_ReaderGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qtreader")
def main() -> None:
    """A terminal reader for libraries of QuickTakes study articles.

    Run with no command to browse the library; ARTICLE (an id, slug or url) opens that
    article directly.

    \b
    Examples:
      qtreader
      qtreader --library ~/quicktakes 118067
      qtreader check ~/quicktakes
    """


@main.command()
@click.argument("article", required=False)
@_library_option
def read(article: str | None, library_path: Path | None) -> None:
    """Open the reader, optionally at ARTICLE (id, slug or url).

    \b
    Example:
      qtreader read how-does-a-hash-table-work
    """
    try:
        choice = choose_library(library_path)
    except ConfigError as error:
        raise LibraryError(str(error)) from None
    from qtreader.app import QTReaderApp  # Textual only for the full-screen reader

    app = QTReaderApp(library_path=choice.path, start_article=article)
    app.run()


@main.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def check(path: Path | None, as_json: bool) -> None:
    """Load a library and report what it holds and every problem found.

    Exits 1 when any file has a problem.

    \b
    Example:
      qtreader check ~/quicktakes --json
    """
    choice, library = _open_library(path, refresh="always")
    problems = [
        {"path": _display_path(p.path, library, choice.path), "reason": p.reason}
        for p in library.problems
    ]
    report = {
        "articles": len(library),
        "subjects": len(library.subjects),
        "cross_listed": len(library.cross_listed),
        "dangling_links": len(library.dangling_links),
        "problems": problems,
    }
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        click.echo(f"library:        {choice.path}")
        click.echo(f"articles:       {report['articles']}")
        click.echo(f"subjects:       {report['subjects']}")
        click.echo(f"cross-listed:   {report['cross_listed']}")
        click.echo(f"dangling links: {report['dangling_links']}")
        click.echo(f"problems:       {len(problems)}")
        for problem in problems:
            click.echo(f"{problem['path']}: {problem['reason']}")
    if problems:
        sys.exit(1)


def article_json(article: Article, library: Library) -> dict[str, Any]:
    """An article as ``qtreader show --format json`` prints it."""
    return {
        "id": article.id,
        "title": article.title,
        "question": article.question,
        "answer": library.answer(article.id),
        "subjects": list(article.subjects),
        "date": article.date.isoformat() if article.date else None,
        "keywords": list(article.keywords),
        "description": article.description,
        "url": article.url,
        "related": [
            {
                "id": link.id,
                "title": link.title,
                "subject": link.subject,
                "available": link.available,
            }
            for link in article.related
        ],
        "path": str(article.path),
    }


@main.command()
@click.argument("article")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
    help="markdown: the decoded answer; json: every field of the article.",
)
@_library_option
def show(article: str, output_format: str, library_path: Path | None) -> None:
    """Print one article, given its id, slug or url.

    \b
    Examples:
      qtreader show 118067 --format json
      qtreader show /learn/medicine/questions/when-is-imaging-recommended-for-pancreatic-lesions
    """
    _choice, library = _open_library(library_path)
    found = library.resolve(article)
    if found is None:
        click.echo(f"qtreader: no article {article!r} in {library.root}", err=True)
        sys.exit(EXIT_NOT_FOUND)
    _print_article(found, library, output_format)


def _print_article(article: Article, library: Library, output_format: str) -> None:
    try:
        if output_format == "json":
            click.echo(json.dumps(article_json(article, library), indent=2, ensure_ascii=False))
        else:
            click.echo(library.answer(article.id))
    except AnswerUnavailable as error:
        raise LibraryError(str(error)) from None


@main.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Parse every file again, not only changed ones.")
def index(path: Path | None, rebuild: bool) -> None:
    """Bring the library's search index up to date, with a progress bar.

    Only files added, changed or removed since the last run are parsed, unless --rebuild.

    \b
    Example:
      qtreader index ~/quicktakes --rebuild
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    _choice, library = _open_library(path, refresh="never")
    console = Console(stderr=True)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("Indexing", total=None)
        report = library.refresh(
            lambda done, total: bar.update(task, completed=done, total=total), rebuild=rebuild
        )
    click.echo(
        f"{report.total} files: {report.added} added, {report.changed} changed, "
        f"{report.removed} removed; {len(library)} articles, {len(library.problems)} problems"
    )
    click.echo(f"index: {library.index.database}")


@main.command()
@click.argument("query")
@click.option("--subject", help="Only articles listed under this subject.")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--all", "include_all", is_flag=True, help="Include articles marked no_index.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@_library_option
def search(
    query: str,
    subject: str | None,
    limit: int,
    include_all: bool,
    as_json: bool,
    library_path: Path | None,
) -> None:
    """Search every article; ranked results with id, title, subject and snippet.

    QUERY holds words (all must match), "a phrase", prefix* and subject:name.
    Exits 1 when nothing matches.

    \b
    Examples:
      qtreader search 'entropy "second law"'
      qtreader search 'hash* subject:"computer science"' --json
    """
    _choice, library = _open_library(library_path)
    hits = library.search(query, subject=subject, limit=limit, include_no_index=include_all)
    if as_json:
        rows = [
            {"id": h.id, "title": h.title, "subject": h.subject, "snippet": h.snippet} for h in hits
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for hit in hits:
            click.echo(f"{hit.id}\t{hit.title}\t{hit.subject}")
            click.echo(f"\t{hit.snippet}")
    if not hits:
        click.echo(f"qtreader: nothing matches {query!r}", err=True)
        sys.exit(EXIT_NOT_FOUND)


@main.command(name="random")
@click.option("--subject", help="Pick from this subject only.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
)
@_library_option
def random_article(subject: str | None, output_format: str, library_path: Path | None) -> None:
    """Print an article chosen at random.

    \b
    Example:
      qtreader random --subject physics
    """
    _choice, library = _open_library(library_path)
    found = library.random(subject)
    if found is None:
        where = f"subject {subject!r}" if subject else str(library.root)
        click.echo(f"qtreader: no articles in {where}", err=True)
        sys.exit(EXIT_NOT_FOUND)
    _print_article(found, library, output_format)

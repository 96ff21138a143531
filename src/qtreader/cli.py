"""The ``qtreader`` command line.

``qtreader [ARTICLE]`` opens the reader; the other commands answer in the shell and import
only the data layer, never Textual, so they start fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from qtreader.config import ConfigError, LibraryChoice, choose_library
from qtreader.models import Article
from qtreader.store import Library, load_library

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


def _open_library(library_path: Path | None) -> tuple[LibraryChoice, Library]:
    try:
        choice = choose_library(library_path)
        return choice, load_library(choice.path)
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
    choice, library = _open_library(path)
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
    if output_format == "json":
        click.echo(json.dumps(article_json(found, library), indent=2, ensure_ascii=False))
    else:
        click.echo(library.answer(found.id))

"""The lookups other than ``show``: ``search``, ``subjects`` and ``random`` print to the
shell like ``show`` and import only the data layer, never Textual.

:mod:`qtreader.cli` adds them to the ``qtreader`` group when one of them runs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from qtreader.cli import (
    EXIT_NOT_FOUND,
    EXIT_USAGE,
    F,
    _json,
    _library_option,
    _open_library,
    _output_options,
    _print_article,
    warn,
)
from qtreader.config import choose_library
from qtreader.store import Library

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from qtreader.output import OutputOptions

__all__ = ["random_article", "search", "subjects"]


def _complete_subjects(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Subject names of the chosen library, for shell completion (never fails)."""
    # Imported here: only completion needs it, and every other run would pay 0.4 ms for it.
    from click.shell_completion import CompletionItem

    try:
        choice = choose_library(ctx.params.get("library_path"))
        library = Library.open(choice.path)
        names = [subject.name for subject in library.subjects]
    except Exception:  # completion must never print a traceback
        return []
    return [CompletionItem(n) for n in names if n.casefold().startswith(incomplete.casefold())]


def _subject_option(help_text: str) -> Callable[[F], F]:
    return click.option("--subject", help=help_text, shell_complete=_complete_subjects)


@click.command()
@click.argument("query")
@_subject_option("Only articles listed under this subject.")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--all", "include_all", is_flag=True, help="Include articles marked no_index.")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@_output_options(("rich", "plain", "json"))
@_library_option
def search(
    query: str,
    subject: str | None,
    limit: int,
    include_all: bool,
    as_json: bool,
    output: OutputOptions,
    library_path: Path | None,
) -> None:
    """Search every article; ranked results with id, title, subject and snippet.

    QUERY holds words (all must match), "a phrase", prefix* (three letters or more) and
    subject:name.
    Exits 1 when nothing matches.

    \b
    Examples:
      qtreader search 'entropy "second law"'
      qtreader search 'hash* subject:"computer science"' --json
    """
    from qtreader.output import emit, hits_renderable
    from qtreader.query import QueryError

    _choice, library = _open_library(library_path)
    try:
        hits = library.search(query, subject=subject, limit=limit, include_no_index=include_all)
    except QueryError as error:  # e.g. a prefix* too short: say so, never search another
        click.echo(f"qtreader: {error}", err=True)
        sys.exit(EXIT_USAGE)
    options = output._replace(format="json") if as_json else output
    if not hits:
        warn(f"nothing matches {query!r}")
        sys.exit(EXIT_NOT_FOUND)
    output_format = options.resolved_format(sys.stdout)
    if output_format == "json":
        rows = [
            {"id": h.id, "title": h.title, "subject": h.subject, "snippet": h.snippet} for h in hits
        ]
        click.echo(_json(rows))
    elif output_format == "plain":  # one line per hit, for scripts: id, title, subject, snippet
        for hit in hits:
            fields = (str(hit.id), hit.title, hit.subject, hit.snippet)
            # A tab in a title would make a column of its own.
            click.echo("\t".join(field.replace("\t", " ") for field in fields))
    else:
        emit(hits_renderable(hits), options)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@_output_options(("rich", "plain", "json"))
@_library_option
def subjects(
    as_json: bool,
    output: OutputOptions,
    library_path: Path | None,
) -> None:
    """List the subjects with their article counts.

    \b
    Example:
      qtreader subjects --json
    """
    from qtreader.output import emit, subjects_renderable

    _choice, library = _open_library(library_path)
    options = output._replace(format="json") if as_json else output
    found = library.subjects
    if options.resolved_format(sys.stdout) == "json":
        rows = [{"name": s.name, "articles": s.count} for s in found]
        click.echo(_json(rows))
    else:
        emit(subjects_renderable(found), options)
    if not found:
        sys.exit(EXIT_NOT_FOUND)


@click.command(name="random")
@_subject_option("Pick from this subject only.")
@_output_options(("rich", "plain", "markdown", "json"))
@_library_option
def random_article(
    subject: str | None,
    output: OutputOptions,
    library_path: Path | None,
) -> None:
    """Print an article chosen at random.

    \b
    Example:
      qtreader random --subject physics
    """
    _choice, library = _open_library(library_path)
    found = library.random(subject)
    if found is None:
        where = f"subject {subject!r}" if subject else str(library.root)
        warn(f"no articles in {where}")
        sys.exit(EXIT_NOT_FOUND)
    _print_article(found, library, output, subject)

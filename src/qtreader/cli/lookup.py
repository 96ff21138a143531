"""The lookups: ``show``, ``search``, ``subjects`` and ``random`` print to the shell and
import only the data layer and Rich, never Textual.

:mod:`qtreader.cli.group` adds them to the ``qtreader`` group when one of them runs.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qtreader.cli.common import (
    EXIT_NOT_FOUND,
    EXIT_USAGE,
    IdCommand,
    LibraryError,
    chosen_subject,
    json_text,
    library_option,
    loading,
    matching_subjects,
    open_library,
    output_options,
    subject_option,
    warn,
)
from qtreader.library.store import AnswerUnavailable, Library

if TYPE_CHECKING:
    from qtreader.library.models import Article
    from qtreader.render.output import OutputOptions

__all__ = ["article_json", "random_article", "search", "show", "subjects"]


def article_json(article: Article, library: Library, answer: str) -> dict[str, Any]:
    """An article as ``qtreader show --json`` prints it."""
    links = library.links_both_ways(article)
    return {
        "id": article.id,
        "title": article.title,
        "question": article.question,
        "answer": answer,
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
        **{
            name: [{"id": x.id, "title": x.title, "subject": x.subject} for x in found]
            for name, found in (("cited_by", links.cited_by), ("similar", links.similar))
        },
        "path": str(article.path),
    }


@click.command(cls=IdCommand)
@click.argument("article", nargs=-1, required=True)
@output_options(("rich", "plain", "markdown", "json"))
@library_option
def show(
    article: tuple[str, ...],
    output: OutputOptions,
    library_path: Path | None,
) -> None:
    """Print one article: by id, slug or url, else the best search hit for the words.

    When words are searched, up to five other candidates are listed on stderr as
    "also:". Exits 1 when nothing is found.

    \b
    Examples:
      qtreader show 118067
      qtreader show how-does-a-hash-table-work --json
      qtreader show doppler effect | less
    """
    _choice, library = open_library(library_path)
    reference = " ".join(article)
    found = library.resolve(reference)
    subject = None
    if found is None:
        from qtreader.library.query import QueryError

        try:
            hits = library.search(reference, limit=6)
        except QueryError as error:
            warn(str(error))
            sys.exit(EXIT_USAGE)
        if not hits:
            warn(f"no article matches {reference!r}")
            sys.exit(EXIT_NOT_FOUND)
        found, subject = library.article(hits[0].id), hits[0].subject
        for hit in hits[1:]:
            click.echo(f"also: {hit.id}  {hit.title}  ({hit.subject})", err=True)
        if found is None:
            sys.exit(EXIT_NOT_FOUND)
    _print_article(found, library, output, subject)


def _print_article(
    article: Article, library: Library, options: OutputOptions, subject: str | None = None
) -> None:
    from qtreader.render.output import article_markdown, article_renderable, emit

    try:
        answer = library.answer(article.id)
    except AnswerUnavailable as error:
        raise LibraryError(str(error)) from None
    output_format = options.resolved_format(sys.stdout)
    if output_format == "json":
        click.echo(json_text(article_json(article, library, answer)))
    elif output_format == "markdown":
        click.echo(article_markdown(article, answer), nl=False)
    else:
        links = library.links_both_ways(article)
        with loading():  # the answer's renderer (markdown-it, Pygments), loaded on first use
            shown = article_renderable(article, answer, subject, links)
        emit(shown, options)


@click.command()
@click.argument("query")
@subject_option("Only articles listed under this subject (or subjects starting so).")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--all", "include_all", is_flag=True, help="Include articles marked no_index.")
@output_options(("rich", "plain", "json"))
@library_option
def search(
    query: str,
    subject: str | None,
    limit: int,
    include_all: bool,
    output: OutputOptions,
    library_path: Path | None,
) -> None:
    """Search every article; ranked results with id, title, subject and snippet.

    QUERY holds words (all must match), "a phrase", prefix* (three letters or more),
    subject:name and note:word (the articles whose note holds it). Your notes are searched
    too: an article whose note holds every word comes first.
    Exits 1 when nothing matches.

    \b
    Examples:
      qtreader search 'entropy "second law"'
      qtreader search 'hash* subject:"computer science"' --json
      qtreader search 'note:exam'
    """
    from qtreader.library.query import QueryError
    from qtreader.library.state import StateError, read_notes
    from qtreader.render.output import emit, hits_renderable

    _choice, library = open_library(library_path)
    if subject is not None:
        matching_subjects(library, subject)  # an unknown one is an error, not "no match"
    try:
        notes = read_notes()
    except StateError as error:  # the articles are searched all the same
        warn(f"{error}: searching the articles only")
        notes = {}
    try:
        hits = library.search(
            query, subject=subject, limit=limit, include_no_index=include_all, notes=notes
        )
    except QueryError as error:  # e.g. a prefix* too short: say so, never search another
        warn(str(error))
        sys.exit(EXIT_USAGE)
    if not hits:
        warn(f"nothing matches {query!r}")
        sys.exit(EXIT_NOT_FOUND)
    output_format = output.resolved_format(sys.stdout)
    if output_format == "json":
        rows = [
            {
                "id": h.id,
                "title": h.title,
                "subject": h.subject,
                "snippet": h.snippet,
                "in_note": h.in_note,
            }
            for h in hits
        ]
        click.echo(json_text(rows))
    elif output_format == "plain":  # one line per hit, for scripts: id, title, subject, snippet
        for hit in hits:
            fields = (str(hit.id), hit.title, hit.subject, hit.snippet)
            # A tab in a title would make a column of its own.
            click.echo("\t".join(field.replace("\t", " ") for field in fields))
    else:
        emit(hits_renderable(hits), output)


@click.command()
@output_options(("rich", "plain", "json"))
@library_option
def subjects(output: OutputOptions, library_path: Path | None) -> None:
    """List the subjects with their article counts.

    \b
    Example:
      qtreader subjects --json
    """
    from qtreader.render.output import emit, subjects_renderable

    _choice, library = open_library(library_path)
    found = library.subjects
    if output.resolved_format(sys.stdout) == "json":
        rows = [{"name": s.name, "articles": s.count} for s in found]
        click.echo(json_text(rows))
    else:
        emit(subjects_renderable(found), output)
    if not found:
        sys.exit(EXIT_NOT_FOUND)


@click.command(name="random")
@subject_option("Pick from this subject only (any case, or the start of its name).")
@output_options(("rich", "plain", "markdown", "json"))
@library_option
def random_article(
    subject: str | None,
    output: OutputOptions,
    library_path: Path | None,
) -> None:
    """Print an article chosen at random.

    \b
    Example:
      qtreader random --subject phys
    """
    _choice, library = open_library(library_path)
    name = chosen_subject(library, subject).name if subject is not None else None
    found = library.random(name)
    if found is None:
        where = f"subject {name!r}" if name else str(library.root)
        warn(f"no articles in {where}")
        sys.exit(EXIT_NOT_FOUND)
    _print_article(found, library, output, name)

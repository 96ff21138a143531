"""The ``qtreader`` command line.

``qtreader [ARTICLE]`` opens the reader; the other commands answer in the shell and import
only the data layer, never Textual, so they start fast.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

import click

from qtreader.config import ConfigError, LibraryChoice, choose_library
from qtreader.store import AnswerUnavailable, Library

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from qtreader.models import Article
    from qtreader.output import OutputOptions

__all__ = ["main"]

EXIT_NOT_FOUND = 1


class LibraryError(click.ClickException):
    """A library or configuration that cannot be used: one line on stderr, exit 2."""

    exit_code = 2


class _ReaderGroup(click.Group):
    """A group whose bare form (``qtreader`` or ``qtreader ARTICLE``) runs ``read``.

    The commands of the reading state live in :mod:`qtreader.cli_study` and are imported
    only when one of them runs, so that quick lookups do not load the study layer.
    """

    LAZY = ("history", "study", "stats")

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY and cmd_name not in self.commands:
            from qtreader import cli_study

            command: click.Command = getattr(cli_study, cmd_name)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        first = next((arg for arg in args if not arg.startswith("-")), None)
        completing = ctx.resilient_parsing  # shell completion wants the command names
        if (
            not completing
            and not any(arg in ("--help", "-h", "--version") for arg in args[:1])
            and (first is None or (first not in self.commands and first not in self.LAZY))
        ):
            args = ["read", *args]
        return super().parse_args(ctx, args)


F = TypeVar("F", bound=Callable[..., Any])


def _json(data: object) -> str:
    """``data`` as indented JSON (the module is imported only for JSON output)."""
    import json

    return json.dumps(data, indent=2, ensure_ascii=False)


#: The type of every path argument and option: each new click.Path looks its name up in the
#: translations (gettext), which took 0.2 ms of a start for the seven of them.
_PATH = click.Path(path_type=Path)


def _library_option(function: F) -> F:
    return click.option(
        "--library",
        "library_path",
        type=_PATH,
        default=None,
        help="Library folder (default: $QTREADER_LIBRARY, config.toml, or the shipped one).",
    )(function)


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


def _output_options(formats: tuple[str, ...]) -> Callable[[F], F]:
    """--format, --color, --width and --no-pager, which every printing command shares,
    handed to the command as one ``output: OutputOptions``."""

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def command(
            *args: Any,
            output_format: str | None,
            color: str,
            width: int | None,
            no_pager: bool,
            **kwargs: Any,
        ) -> Any:
            from qtreader.output import OutputOptions

            output = OutputOptions(output_format, color, width, not no_pager)  # type: ignore[arg-type]
            return function(*args, output=output, **kwargs)

        for option in reversed(
            [
                click.option(
                    "--format",
                    "output_format",
                    type=click.Choice(formats),
                    default=None,
                    help="Default: rich in a terminal, plain text in a pipe or file.",
                ),
                click.option(
                    "--color",
                    type=click.Choice(["auto", "always", "never"]),
                    default="auto",
                    show_default=True,
                    help="Colour and styles; auto honours NO_COLOR.",
                ),
                click.option("--width", type=click.IntRange(20, 1000), help="Columns to use."),
                click.option("--no-pager", is_flag=True, help="Never page long output."),
            ]
        ):
            command = option(command)
        return cast(F, command)

    return decorate


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
@click.version_option(package_name="qtreader", prog_name="qtreader")
def main() -> None:
    """A terminal reader for libraries of QuickTakes study articles.

    Run with no command to browse the library; ARTICLE (an id, slug or url) opens that
    article directly.

    \b
    Examples:
      qtreader
      qtreader --library ~/quicktakes 118067
      qtreader check ~/quicktakes
      qtreader study --subject Physics
    """


@main.command()
@click.argument("article", required=False)
@click.option("--incognito", is_flag=True, help="Record nothing: no history, no read marks.")
@_library_option
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
    from qtreader.app import QTReaderApp  # Textual only for the full-screen reader

    app = QTReaderApp(library_path=choice.path, start_article=article, incognito=incognito)
    app.run()


@main.command()
@click.argument("path", required=False, type=_PATH)
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
        click.echo(_json(report))
    else:
        click.echo(f"library:        {choice.path}")
        click.echo(f"articles:       {report['articles']}")
        click.echo(f"subjects:       {report['subjects']}")
        click.echo(f"cross-listed:   {report['cross_listed']}")
        click.echo(f"dangling links: {report['dangling_links']}")
        click.echo(f"problems:       {len(problems)}")
        from qtreader.decode import escape_controls

        for problem in problems:
            # A file name can hold escape sequences: print them visibly, never raw.
            click.echo(escape_controls(f"{problem['path']}: {problem['reason']}"))
    if problems:
        sys.exit(1)


def article_json(article: Article, library: Library, answer: str) -> dict[str, Any]:
    """An article as ``qtreader show --format json`` prints it."""
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
        "path": str(article.path),
    }


@main.command()
@click.argument("article", nargs=-1, required=True)
@_output_options(("rich", "plain", "markdown", "json"))
@_library_option
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
      qtreader show how-does-a-hash-table-work --format json
      qtreader show doppler effect | less
    """
    _choice, library = _open_library(library_path)
    reference = " ".join(article)
    found = library.resolve(reference)
    subject = None
    if found is None:
        hits = library.search(reference, limit=6)
        if not hits:
            click.echo(f"qtreader: no article matches {reference!r}", err=True)
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
    from qtreader.output import article_renderable, emit

    try:
        answer = library.answer(article.id)
    except AnswerUnavailable as error:
        raise LibraryError(str(error)) from None
    output_format = options.resolved_format(sys.stdout)
    if output_format == "json":
        click.echo(_json(article_json(article, library, answer)))
    elif output_format == "markdown":
        click.echo(answer)
    else:
        emit(article_renderable(article, answer, subject), options)


@main.command()
@click.argument("path", required=False, type=_PATH)
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

    _choice, library = _open_library(library_path)
    hits = library.search(query, subject=subject, limit=limit, include_no_index=include_all)
    options = output._replace(format="json") if as_json else output
    if not hits:
        click.echo(f"qtreader: nothing matches {query!r}", err=True)
        sys.exit(EXIT_NOT_FOUND)
    output_format = options.resolved_format(sys.stdout)
    if output_format == "json":
        rows = [
            {"id": h.id, "title": h.title, "subject": h.subject, "snippet": h.snippet} for h in hits
        ]
        click.echo(_json(rows))
    elif output_format == "plain":  # one line per hit, for scripts: id, title, subject, snippet
        for hit in hits:
            click.echo("\t".join((str(hit.id), hit.title, hit.subject, hit.snippet)))
    else:
        emit(hits_renderable(hits), options)


@main.command()
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


@main.command(name="random")
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
        click.echo(f"qtreader: no articles in {where}", err=True)
        sys.exit(EXIT_NOT_FOUND)
    _print_article(found, library, output, subject)

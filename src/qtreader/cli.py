"""The ``qtreader`` command line.

``qtreader [ARTICLE]`` opens the reader; the other commands answer in the shell and import
only the data layer, never Textual, so they start fast.

This module holds the group, what the commands share, and ``show``, the lookup run most
from the shell. The other commands are defined in :mod:`qtreader.cli_library`,
:mod:`qtreader.cli_lookup` and :mod:`qtreader.cli_study`, imported only when one of them
runs (or help lists them): building a click command with its options costs about 0.1 ms,
and ``show`` does not pay for the others.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

import click

from qtreader.library.config import ConfigError, LibraryChoice, choose_library
from qtreader.library.store import AnswerUnavailable, Library

if TYPE_CHECKING:
    from qtreader.library.models import Article
    from qtreader.render.output import OutputOptions

__all__ = ["main"]

EXIT_NOT_FOUND = 1
EXIT_USAGE = 2


class LibraryError(click.ClickException):
    """A library or configuration that cannot be used: one line on stderr, exit 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        warn(self.message)


def warn(message: str) -> None:
    """One line on stderr, ``qtreader: message``. Messages name paths and values from
    outside (a library folder, config.toml, a file): every unsafe character is shown as an
    escape, never sent to the terminal."""
    from qtreader.library.decode import escape_controls

    click.echo(f"qtreader: {escape_controls(message)}", err=True)


#: An article id typed as an argument: a negative one (``-4``) is no option.
_NEGATIVE_ID = re.compile(r"-[0-9]+")


def _negative_ids_as_arguments(ctx: click.Context, args: list[str]) -> list[str]:
    """``args`` with its arguments after ``--``, in order, so that a negative id such as
    ``-4`` (real libraries have them) is read as an argument, not an unknown option.
    Options, with their values, stay before it, for click to read as usual."""
    takes_value = {
        name
        for param in ctx.command.params
        if isinstance(param, click.Option) and not param.is_flag and not param.count
        for name in (*param.opts, *param.secondary_opts)
    }
    options: list[str] = []
    arguments: list[str] = []
    rest = iter(args)
    for arg in rest:
        if arg == "--":
            arguments.extend(rest)
        elif arg.startswith("-") and arg != "-" and not _NEGATIVE_ID.fullmatch(arg):
            options.append(arg)
            if arg in takes_value:  # its value follows, whatever it looks like
                value = next(rest, None)
                if value is None:
                    raise click.BadOptionUsage(arg, f"Option '{arg}' requires an argument.", ctx)
                options.append(value)
        else:
            arguments.append(arg)
    return [*options, "--", *arguments] if arguments else options


class _IdCommand(click.Command):
    """A command whose argument may be a negative article id (``qtreader show -4``)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not ctx.resilient_parsing:  # completion reads the words as typed
            args = _negative_ids_as_arguments(ctx, args)
        return super().parse_args(ctx, args)


class _ReaderGroup(click.Group):
    """A group whose bare form (``qtreader`` or ``qtreader ARTICLE``) runs ``read``.

    The commands of :data:`LAZY` are imported only when one of them runs; so quick
    lookups, for one, do not load the study layer.
    """

    #: Command name: (module, function) of the commands defined outside this module.
    LAZY = {
        "read": ("qtreader.cli_library", "read"),
        "check": ("qtreader.cli_library", "check"),
        "index": ("qtreader.cli_library", "index"),
        "search": ("qtreader.cli_lookup", "search"),
        "subjects": ("qtreader.cli_lookup", "subjects"),
        "random": ("qtreader.cli_lookup", "random_article"),
        "history": ("qtreader.cli_study", "history"),
        "study": ("qtreader.cli_study", "study"),
        "stats": ("qtreader.cli_study", "stats"),
        "sync": ("qtreader.cli_study", "sync"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY and cmd_name not in self.commands:
            from importlib import import_module

            module, name = self.LAZY[cmd_name]
            command: click.Command = getattr(import_module(module), name)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        first = next(
            (arg for arg in args if not arg.startswith("-") or _NEGATIVE_ID.fullmatch(arg)), None
        )
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

    from qtreader.library.decode import escape_json

    return escape_json(json.dumps(data, indent=2, ensure_ascii=False))


#: The type of every path argument and option, made once: each new click.Path looks its
#: name up in the translations (gettext), about 30 µs.
_PATH = click.Path(path_type=Path)


def _library_option(function: F) -> F:
    return click.option(
        "--library",
        "library_path",
        type=_PATH,
        default=None,
        help="Library folder (default: $QTREADER_LIBRARY, config.toml, or the shipped one).",
    )(function)


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
            from qtreader.render.output import OutputOptions

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


def tell_index_notice(library: Library) -> None:
    """Print what the user must know about the index, once (one line on stderr)."""
    notice = library.untold_notice()
    if notice:
        warn(notice)


def _open_library(
    library_path: Path | None, *, refresh: Literal["always", "if-stale", "never"] = "if-stale"
) -> tuple[LibraryChoice, Library]:
    """The chosen library with its index. Quick lookups refresh it only if files were added
    or removed since the last refresh (one stat per folder), not by a full scan."""
    try:
        choice = choose_library(library_path)
        library = Library.open(choice.path)
        tell_index_notice(library)
        if refresh == "always" or (refresh == "if-stale" and library.is_stale()):
            library.refresh()
            tell_index_notice(library)
        return choice, library
    except (ConfigError, OSError) as error:
        raise LibraryError(str(error)) from None


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


@main.command(cls=_IdCommand)
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
        from qtreader.library.query import QueryError

        try:
            hits = library.search(reference, limit=6)
        except QueryError as error:
            click.echo(f"qtreader: {error}", err=True)
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
    from qtreader.render.output import article_renderable, emit

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

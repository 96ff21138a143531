"""What the commands of ``qtreader`` share: the library option and opening a library, the
output options, one form for errors and warnings, the exit codes, JSON and ``--subject``,
and loading the modules a command imports when it runs (:func:`loading`).

Every module of :mod:`qtreader.cli` imports from here, never from another command module.
"""

from __future__ import annotations

import functools
import gc
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

import click

from qtreader.library.config import ConfigError, LibraryChoice, choose_library
from qtreader.library.store import Library

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from qtreader.library.models import Subject
    from qtreader.tui.app import QTReaderApp

__all__ = [
    "EXIT_FOUND",
    "EXIT_NOT_FOUND",
    "EXIT_USAGE",
    "NEGATIVE_ID",
    "PATH",
    "IdCommand",
    "LibraryError",
    "UsageError",
    "chosen_subject",
    "json_text",
    "launched",
    "library_argument",
    "library_option",
    "loading",
    "matching_subjects",
    "open_library",
    "output_options",
    "progress_bar",
    "run_reader",
    "subject_option",
    "tell_index_notice",
    "warn",
]

EXIT_FOUND = 0
EXIT_NOT_FOUND = 1
EXIT_USAGE = 2

F = TypeVar("F", bound=Callable[..., Any])


def warn(message: str) -> None:
    """One line on stderr, ``qtreader: message``. Messages name paths and values from
    outside (a library folder, config.toml, a file): every unsafe character is shown as an
    escape, never sent to the terminal."""
    from qtreader.library.decode import escape_controls

    click.echo(f"qtreader: {escape_controls(message)}", err=True)


class LibraryError(click.ClickException):
    """A library, configuration or value that cannot be used: one line on stderr, exit 2."""

    exit_code = EXIT_USAGE

    def show(self, file: Any = None) -> None:
        warn(self.message)


class UsageError(click.UsageError):
    """A command line click could not read, told as every other error: one line on
    stderr, ``qtreader: ...``, with the command whose help to read; exit 2."""

    def show(self, file: Any = None) -> None:
        hint = f"; see '{self.ctx.command_path} --help'" if self.ctx is not None else ""
        warn(f"{self.format_message().rstrip('.')}{hint}")


#: An article id typed as an argument: a negative one (``-4``) is no option.
NEGATIVE_ID = re.compile(r"-[0-9]+")


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
        elif arg.startswith("-") and arg != "-" and not NEGATIVE_ID.fullmatch(arg):
            options.append(arg)
            if arg in takes_value:  # its value follows, whatever it looks like
                value = next(rest, None)
                if value is None:
                    raise click.BadOptionUsage(arg, f"Option '{arg}' requires an argument.", ctx)
                options.append(value)
        else:
            arguments.append(arg)
    return [*options, "--", *arguments] if arguments else options


class IdCommand(click.Command):
    """A command whose argument may be a negative article id (``qtreader show -4``)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not ctx.resilient_parsing:  # completion reads the words as typed
            args = _negative_ids_as_arguments(ctx, args)
        return super().parse_args(ctx, args)


def json_text(data: object) -> str:
    """``data`` as indented JSON (the module is imported only for JSON output)."""
    import json

    from qtreader.library.decode import escape_json

    return escape_json(json.dumps(data, indent=2, ensure_ascii=False))


#: The type of every path argument and option, made once: each new click.Path looks its
#: name up in the translations (gettext), about 30 µs.
PATH = click.Path(path_type=Path)

LIBRARY_HELP = "Library folder (default: $QTREADER_LIBRARY, config.toml, or the shipped one)."


def _global_library(ctx: click.Context) -> Path | None:
    """The ``--library`` given before the command (``qtreader --library L search x``)."""
    root = ctx.find_root()
    return None if root is ctx else cast("Path | None", root.params.get("library_path"))


def _or_global_library(ctx: click.Context, _param: click.Parameter, value: Path | None) -> Any:
    return value if value is not None else _global_library(ctx)


def library_option(function: F) -> F:
    """``--library PATH``, given to the command as ``library_path``; when it is not given
    after the command, the one given before it counts."""
    return click.option(
        "--library",
        "library_path",
        type=PATH,
        default=None,
        callback=_or_global_library,
        help=LIBRARY_HELP,
    )(function)


def library_argument(function: F) -> F:
    """An optional PATH argument and ``--library PATH``, for the commands about one
    library (``check``, ``index``): whichever is given reaches the command as ``path``."""

    @functools.wraps(function)
    def command(*args: Any, path: Path | None, library_path: Path | None, **kwargs: Any) -> Any:
        if path is not None and library_path is not None and path != library_path:
            raise click.UsageError(f"PATH {path} and --library {library_path} disagree")
        return function(*args, path=path if path is not None else library_path, **kwargs)

    command = library_option(command)
    return cast(F, click.argument("path", required=False, type=PATH)(command))


def output_options(formats: tuple[str, ...]) -> Callable[[F], F]:
    """--format, --json, --color, --width and --no-pager, which every printing command
    shares, handed to the command as one ``output: OutputOptions``."""

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def command(
            *args: Any,
            output_format: str | None,
            as_json: bool,
            color: str,
            width: int | None,
            no_pager: bool,
            **kwargs: Any,
        ) -> Any:
            with loading():  # Rich
                from qtreader.render.output import OutputOptions

            if as_json:
                if output_format not in (None, "json"):
                    raise click.UsageError(f"--json and --format {output_format} disagree")
                output_format = "json"
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
                click.option("--json", "as_json", is_flag=True, help="Same as --format json."),
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


#: Whether this process runs one command line and ends (:func:`launched`).
_launched = False


def launched() -> None:
    """Say that this process was started by the launcher (:mod:`qtreader.cli.launch`) to
    run one command line: from now on :func:`loading` freezes what it loads."""
    global _launched
    _launched = True


@contextmanager
def loading() -> Iterator[None]:
    """Run a block that loads modules (Rich, the answer's renderer) with the cyclic
    collector paused, then freeze what it made, as the launcher does for what it loads:
    every later collection, the one at exit too, walked those tens of thousands of objects
    again (6-8 % of ``qtreader show``, bench/bench_show.py).

    Only in a process the launcher started: one that runs the command line in its own
    (tests, through click's runner) keeps its collector as it is, since a freeze would
    keep its garbage cycles ever after.
    """
    if not _launched:
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def tell_index_notice(library: Library) -> None:
    """Print what the user must know about the index, once (one line on stderr)."""
    notice = library.untold_notice()
    if notice:
        warn(notice)


def open_library(
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


# --subject ---------------------------------------------------------------------------------


def _complete_subjects(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Subject names of the chosen library, for shell completion (never fails)."""
    # Imported here: only completion needs it, and every other run would pay 0.4 ms for it.
    from click.shell_completion import CompletionItem

    try:
        choice = choose_library(ctx.params.get("library_path") or _global_library(ctx))
        library = Library.open(choice.path)
        names = [subject.name for subject in library.subjects]
    except Exception:  # completion must never print a traceback
        return []
    return [CompletionItem(n) for n in names if n.casefold().startswith(incomplete.casefold())]


def subject_option(help_text: str) -> Callable[[F], F]:
    """``--subject NAME``: a name in any case, or the start of one (see
    :meth:`Library.subjects_matching`)."""
    return click.option("--subject", help=help_text, shell_complete=_complete_subjects)


def matching_subjects(library: Library, name: str) -> list[Subject]:
    """The subjects ``--subject name`` means (one or more, as search takes them); an
    unknown one is a :class:`LibraryError` naming the subjects there are."""
    found = library.subjects_matching(name)
    if not found:
        names = ", ".join(subject.name for subject in library.subjects) or "none"
        raise LibraryError(f"no subject matches {name!r} (subjects: {names})")
    return found


def chosen_subject(library: Library, name: str) -> Subject:
    """The one subject ``--subject name`` means, for the commands that take one."""
    found = matching_subjects(library, name)
    if len(found) > 1:
        names = ", ".join(subject.name for subject in found)
        raise LibraryError(f"{name!r} matches several subjects: {names}")
    return found[0]


def run_reader(app: QTReaderApp) -> None:
    """Run the full-screen app; after an unexpected exception (Textual has printed its
    traceback), name the article that was open and exit with the app's non-zero code."""
    app.run()
    if app.return_code:
        print(app.crash_line(), file=sys.stderr)
        sys.exit(app.return_code)
    if not app.incognito:
        sync_at_quit()


def sync_at_quit() -> None:
    """The last sync of a run, through ``sync_dir`` of config.toml if it is set: what was
    read and studied since the app's last sync reaches the other machines. A failure is
    one line on stderr; the app already said why at start when the setting is wrong."""
    import sqlite3

    from qtreader.library.state import StateError, open_state
    from qtreader.library.sync import SyncError, configured_sync_dir, sync

    try:
        folder = configured_sync_dir()
    except ConfigError:
        return
    if folder is None:
        return
    try:
        store = open_state().store
    except (StateError, sqlite3.Error, OSError) as error:
        warn(f"not synced: {error}")
        return
    try:
        if store.path is not None and store.read_only is None:
            sync(store, folder)
    except (SyncError, sqlite3.Error, OSError) as error:
        warn(f"not synced: {error}")
    finally:
        store.close()


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int], None]]:
    """A callback ``(done, total)`` that draws a bar on stderr while the block runs, when
    stderr is a terminal (into a pipe or a file, it does nothing)."""
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda done, total: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)

"""``qtreader export``: the chosen articles as an Anki deck or as Markdown files.

Imports only the data layer, genanki and Rich (for the progress bar), never Textual.
:mod:`qtreader.cli` adds the group to ``qtreader`` when it runs.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from qtreader.cli.common import (
    EXIT_NOT_FOUND,
    EXIT_USAGE,
    LibraryError,
    library_option,
    open_library,
    progress_bar,
    warn,
)
from qtreader.library.export import ExportError, ExportItem, select_articles
from qtreader.library.store import Library

__all__ = ["export"]

F = TypeVar("F", bound=Callable[..., Any])

_OUT = click.Path(path_type=Path)


def _choice_options(function: F) -> F:
    """--subject, --bookmarks, --all and --force, which both formats share."""
    for option in reversed(
        [
            click.option("--subject", help="The subjects starting with this (any case)."),
            click.option("--bookmarks", is_flag=True, help="The bookmarked articles."),
            click.option("--all", "everything", is_flag=True, help="Every article."),
            click.option("--force", is_flag=True, help="Overwrite OUT if it exists."),
        ]
    ):
        function = option(function)
    return function


@click.group()
def export() -> None:
    """Write articles as an Anki deck or as Markdown files.

    Choose the articles with one of --subject, --bookmarks or --all.

    \b
    Examples:
      qtreader export anki --subject physics physics.apkg
      qtreader export markdown --bookmarks ~/notes/quicktakes
    """


def _bookmarked_ids() -> list[int]:
    """The bookmarked article ids, read without changing (or creating) the state file."""
    from qtreader.library.state import default_state_path, open_state

    if not default_state_path().exists():
        return []
    opened = open_state(incognito=True)
    if opened.notice:
        warn(opened.notice)
    return [bookmark.article_id for bookmark in opened.store.bookmarks()]


def _note_texts() -> dict[int, str]:
    """The user's notes by article id, read without changing (or creating) the state file;
    none, and a warning, if they cannot be read."""
    from qtreader.library.state import StateError, read_notes

    try:
        return read_notes()
    except StateError as error:
        warn(f"{error}: the articles are written without notes")
        return {}


def _chosen(
    out: Path,
    force: bool,
    subject: str | None,
    bookmarks: bool,
    everything: bool,
    library_path: Path | None,
) -> tuple[Library, list[ExportItem]]:
    """The library and the articles chosen; exits 2 on a wrong choice or an OUT in the way,
    1 when the choice holds no article."""
    if sum([subject is not None, bookmarks, everything]) != 1:
        raise click.UsageError("choose one of --subject, --bookmarks or --all")
    if (out.exists() or out.is_symlink()) and not force:
        warn(f"{out} exists; --force to overwrite")
        sys.exit(EXIT_USAGE)
    _choice, library = open_library(library_path)
    try:
        items = select_articles(
            library, subject=subject, only_ids=_bookmarked_ids() if bookmarks else None
        )
    except ExportError as error:
        raise LibraryError(str(error)) from None
    if not items:
        warn("no bookmarked articles in this library" if bookmarks else "no articles to export")
        sys.exit(EXIT_NOT_FOUND)
    return library, items


@export.command()
@_choice_options
@click.argument("out", type=_OUT)
@library_option
def anki(
    out: Path,
    subject: str | None,
    bookmarks: bool,
    everything: bool,
    force: bool,
    library_path: Path | None,
) -> None:
    """Write an Anki deck (.apkg): one note per article, a subdeck per subject under
    QuickTakes, keywords as tags. Importing a later export again updates the same notes.

    \b
    Example:
      qtreader export anki --all quicktakes.apkg
    """
    from qtreader.library.export import answers
    from qtreader.render.anki import build_package, write_package

    library, items = _chosen(out, force, subject, bookmarks, everything, library_path)
    done = itertools.count(1)
    with progress_bar("Exporting") as progress:
        package = build_package(
            answers(library, items, warn), lambda: progress(next(done), len(items))
        )
    # Written beside OUT and renamed: an interrupted export never leaves half a deck.
    # (Not mkstemp: its file would keep mode 0600 instead of the user's umask.)
    temporary = out.with_name(f".{out.name}.{os.getpid()}.qtreader-tmp")
    try:
        write_package(package, temporary)
        os.replace(temporary, out)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise LibraryError(f"cannot write {out}: {error.strerror or error}") from None
    notes = sum(len(deck.notes) for deck in package.decks)
    click.echo(f"{notes} notes in {len(package.decks) - 1} decks: {out}")


@export.command()
@_choice_options
@click.argument("out_dir", type=_OUT)
@library_option
def markdown(
    out_dir: Path,
    subject: str | None,
    bookmarks: bool,
    everything: bool,
    force: bool,
    library_path: Path | None,
) -> None:
    """Write each article as a Markdown file, OUT_DIR/<subject>/<slug>.md, with your note
    on it under "My notes".

    With --force, files of the same name in OUT_DIR are replaced; no other file is removed.

    \b
    Example:
      qtreader export markdown --subject physics ~/notes/physics
    """
    from qtreader.library.export import answers, markdown_document, markdown_files

    library, items = _chosen(out_dir, force, subject, bookmarks, everything, library_path)
    paths = markdown_files(items)
    texts = _note_texts()
    written = 0
    try:
        with progress_bar("Exporting") as progress:
            for item, answer in answers(library, items, warn):
                text = markdown_document(
                    item, answer, paths, notes=lambda article: texts.get(article.id)
                )
                target = out_dir / paths[item.article.id]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
                written += 1
                progress(written, len(items))
    except OSError as error:
        raise LibraryError(f"cannot write in {out_dir}: {error}") from None
    click.echo(f"{written} articles written to {out_dir}")

"""The commands about the reading state: ``history``, ``notes``, ``study``, ``stats`` and
``sync``.

``history``, ``notes`` and ``stats`` answer in the shell and import only the data layer, never
Textual; ``study`` starts the full-screen app in a session. :mod:`qtreader.cli.group` adds them
to the ``qtreader`` group.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qtreader.cli.common import (
    LibraryError,
    chosen_subject,
    json_text,
    library_option,
    open_library,
    output_options,
    run_reader,
    subject_option,
    warn,
)
from qtreader.library.config import DEFAULT_DESIRED_RETENTION
from qtreader.library.state import NotSaved, StateStore, open_state
from qtreader.library.study import (
    BOOKMARKS_SCOPE,
    DEFAULT_NEW_PER_DAY,
    LIBRARY_SCOPE,
    Progress,
    Scope,
    StudyRequest,
    overview,
    utc_now,
)

if TYPE_CHECKING:
    from qtreader.library.progress import ProgressReport
    from qtreader.render.output import OutputOptions

__all__ = ["history", "notes", "stats", "study", "sync"]


def _open_state() -> StateStore:
    """The state database; what the user must know about it goes to stderr."""
    opened = open_state(now=utc_now())
    if opened.notice:
        warn(opened.notice)
    return opened.store


# history ----------------------------------------------------------------------------------


@click.command()
@click.option("--clear", is_flag=True, help="Forget the history (bookmarks, reviews stay).")
@click.option(
    "--limit", type=click.IntRange(1), default=30, show_default=True, help="Entries to show."
)
@click.option("--json", "as_json", is_flag=True, help="Print the history as JSON.")
@library_option
def history(clear: bool, limit: int, as_json: bool, library_path: Path | None) -> None:
    """List the articles opened in the reader, latest first.

    \b
    Examples:
      qtreader history --limit 10
      qtreader history --clear
    """
    store = _open_state()
    try:
        if clear:
            try:
                removed = store.clear_history()
            except NotSaved as error:  # the state is shown read-only: the notice said why
                warn(str(error))
                raise SystemExit(1) from None
            click.echo(
                f"History cleared ({removed} entr{'y' if removed == 1 else 'ies'}). "
                "Bookmarks, read marks and reviews are kept."
            )
            return
        entries = store.history(limit)
    finally:
        store.close()
    _choice, library = open_library(library_path)
    rows = []
    for entry in entries:
        article = library.article(entry.article_id)
        rows.append(
            {
                "id": entry.article_id,
                "title": article.title if article else None,
                "subject": entry.subject,
                "opened_at": entry.opened_at.isoformat(),
                "scroll": entry.scroll,
            }
        )
    if as_json:
        click.echo(json_text(rows))
        return
    if not rows:
        click.echo("Nothing opened yet.")
    for entry, row in zip(entries, rows, strict=True):
        when = entry.opened_at.astimezone().strftime("%Y-%m-%d %H:%M")
        title = row["title"] or "(no longer in this library)"
        click.echo(f"{when}  {entry.article_id:>7}  {title}  ({entry.subject})")


# notes ------------------------------------------------------------------------------------


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print every field, the whole note too.")
@library_option
def notes(as_json: bool, library_path: Path | None) -> None:
    """List the articles you wrote notes on, the latest changed first: when, id, title and
    the note's first line.

    Notes are kept when their article leaves the library; search finds articles by their
    notes too, and note:word keeps those whose note holds the word.

    \b
    Examples:
      qtreader notes
      qtreader notes --json
      qtreader search 'note:exam'
    """
    from qtreader.library.decode import escape_controls

    store = _open_state()
    try:
        written = store.notes()
    finally:
        store.close()
    if not written:
        click.echo("[]" if as_json else "No notes yet.")
        return
    _choice, library = open_library(library_path)
    articles = {note.article_id: library.article(note.article_id) for note in written}
    if as_json:
        rows = []
        for note in written:
            article = articles[note.article_id]
            rows.append(
                {
                    "id": note.article_id,
                    "title": article.title if article else None,
                    "subjects": list(article.subjects) if article else [],
                    "in_library": article is not None,
                    "updated": note.updated.isoformat(),
                    "text": note.text,
                }
            )
        click.echo(json_text(rows))
        return
    for note in written:
        article = articles[note.article_id]
        when = note.updated.astimezone().strftime("%Y-%m-%d %H:%M")
        title = article.title if article else "(not in this library)"
        first = next(line.strip() for line in note.text.splitlines() if line.strip())
        # The note and the title are data: a control character is shown, never obeyed.
        click.echo(escape_controls(f"{when}  {note.article_id:>7}  {title}  | {first}"))


# study ------------------------------------------------------------------------------------


@click.command()
@subject_option("Study this subject (any case, or the start of its name).")
@click.option("--bookmarks", is_flag=True, help="Study the bookmarked articles.")
@click.option(
    "--new",
    "new_cards",
    type=click.IntRange(0),
    default=None,
    help="New cards in this session (default: what is left of the daily limit).",
)
@click.option("--incognito", is_flag=True, help="Record nothing: a practice session.")
@library_option
def study(
    subject: str | None,
    bookmarks: bool,
    new_cards: int | None,
    incognito: bool,
    library_path: Path | None,
) -> None:
    """Start the reader straight in a study session (the whole library by default).

    Cards due for review come first, then new cards up to the daily limit
    (new_cards_per_day in config.toml, 20 unless set there).

    \b
    Examples:
      qtreader study --subject Physics
      qtreader study --bookmarks --new 0
    """
    from qtreader.library.config import ConfigError, choose_library, new_card_order

    if subject and bookmarks:
        raise click.UsageError("choose --subject or --bookmarks, not both")
    scope = BOOKMARKS_SCOPE if bookmarks else None
    if subject:  # the subject's name as the library spells it, or an error now, in the shell
        _choice, library = open_library(library_path)
        scope = Scope.of_subject(chosen_subject(library, subject).name)
    try:
        choice = choose_library(library_path)
        new_card_order()  # a wrong value is said here, before the screen is taken
    except ConfigError as error:
        raise LibraryError(str(error)) from None
    from qtreader.tui.app import QTReaderApp  # Textual only for the full-screen reader

    request = StudyRequest(scope or LIBRARY_SCOPE, new_cards)
    run_reader(QTReaderApp(choice.path, incognito=incognito, study=request))


# stats ------------------------------------------------------------------------------------


def _figures(progress: Progress) -> dict[str, Any]:
    return {
        "articles": progress.total,
        "read": progress.read,
        "seen": progress.seen,
        "due_today": progress.due_today,
        "learned": progress.learned,
        "reviews_of_learned_cards": progress.reviews,
        "retention": _share(progress.retention),
        "new": progress.new,
        "learning": progress.learning,
        "mature": progress.mature,
    }


def _share(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def _series(report: ProgressReport) -> dict[str, Any]:
    """The raw series of the Progress report, for other tools."""
    return {
        "scope": report.scope.label,
        "today": report.today.isoformat(),
        "desired_retention": report.desired_retention,
        "streak": {"current": report.current_streak, "longest": report.longest_streak},
        "days": [
            {
                "date": day.day.isoformat(),
                "reviews": day.reviews,
                "reviews_of_learned_cards": day.learned_reviews,
                "remembered": day.remembered,
            }
            for day in report.days
        ],
        "forecast": [
            {"date": (report.today + timedelta(days=offset)).isoformat(), "due": count}
            for offset, count in enumerate(report.forecast)
        ],
        "retention_weeks": [
            {
                "week": week.start.isoformat(),
                "reviews_of_learned_cards": week.reviews,
                "remembered": week.remembered,
                "retention": _share(week.retention),
            }
            for week in report.weeks
        ],
    }


@click.command()
@subject_option("The calendar, forecast and retention of this subject.")
@click.option("--bookmarks", is_flag=True, help="Those of the bookmarked articles.")
@output_options(("rich", "plain", "json"))
@library_option
def stats(
    subject: str | None,
    bookmarks: bool,
    output: OutputOptions,
    library_path: Path | None,
) -> None:
    """Study figures: a year of reviews day by day with the streaks, the cards due in the
    next 30 days, retention week by week against desired_retention (config.toml, 0.9
    unless set), and per subject the new, learning, review and mature cards.

    In a terminal they are drawn with Rich; into a pipe or a file the figures per subject
    are printed as plain text: seen (studied at least once), due today, learned (past the
    learning steps) and the measured retention (share of reviews of learned cards
    remembered). --json gives every figure and series.

    \b
    Examples:
      qtreader stats
      qtreader stats --subject Physics --json
    """
    from qtreader.library.config import ConfigError, desired_retention, new_cards_per_day
    from qtreader.library.progress import progress_report

    if subject and bookmarks:
        raise click.UsageError("choose --subject or --bookmarks, not both")
    _choice, library = open_library(library_path)
    scope = LIBRARY_SCOPE
    if subject:
        scope = Scope.of_subject(chosen_subject(library, subject).name)
    elif bookmarks:
        scope = BOOKMARKS_SCOPE
    told: set[str] = set()  # a file that cannot be read fails every setting: say it once
    try:
        per_day = new_cards_per_day(DEFAULT_NEW_PER_DAY)
    except ConfigError as error:
        warn(f"{error}; using {DEFAULT_NEW_PER_DAY} new cards a day")
        told.add(str(error))
        per_day = DEFAULT_NEW_PER_DAY
    try:
        aim = desired_retention()
    except ConfigError as error:
        if str(error) not in told:
            warn(f"{error}; using a desired retention of {DEFAULT_DESIRED_RETENTION}")
        aim = DEFAULT_DESIRED_RETENTION
    store = _open_state()
    now = utc_now()
    try:
        figures = overview(library, store, now=now, new_per_day=per_day)
        report = progress_report(library, store, scope, figures, now=now, desired_retention=aim)
    finally:
        store.close()
    subjects = [figures.subjects[subject.key] for subject in library.subjects]
    if output.format == "json":
        summary = {
            "subjects": [{"subject": p.name, **_figures(p)} for p in subjects],
            "library": _figures(figures.library),
            "bookmarks": _figures(figures.bookmarks),
            "new_cards_left_today": figures.new_left_today,
            **_series(report),
        }
        click.echo(json_text(summary))
        return
    if output.resolved_format(sys.stdout) == "rich":
        from qtreader.render.output import emit
        from qtreader.render.progress import report_renderable

        emit(report_renderable(report), output)
        return
    width = max([len(p.name) for p in subjects] + [len("Whole library")])
    header = ("articles", "read", "seen", "due today", "learned", "retention")
    click.echo(f"{'subject':<{width}}  " + "  ".join(f"{h:>9}" for h in header))
    for progress in [*subjects, figures.library]:
        retention = f"{progress.retention:.0%}" if progress.retention is not None else "-"
        values = (
            progress.total,
            progress.read,
            progress.seen,
            progress.due_today,
            progress.learned,
            retention,
        )
        click.echo(f"{progress.name:<{width}}  " + "  ".join(f"{v:>9}" for v in values))
    click.echo(f"New cards left today: {figures.new_left_today}")


# sync -------------------------------------------------------------------------------------


@click.command()
@click.argument("folder", required=False, type=click.Path(path_type=Path))
@click.option("--status", is_flag=True, help="Show the devices seen and what a sync would change.")
def sync(folder: Path | None, status: bool) -> None:
    """Merge the reading and study state of your machines through a shared folder
    (Syncthing, Dropbox, a git repo...); FOLDER defaults to sync_dir of config.toml.

    \b
    Examples:
      qtreader sync ~/Sync/qtreader
      qtreader sync --status
    """
    from qtreader.library.config import ConfigError
    from qtreader.library.sync import SyncError, configured_sync_dir, device_id
    from qtreader.library.sync import sync as run_sync

    try:
        folder = folder or configured_sync_dir()
    except ConfigError as error:
        raise LibraryError(str(error)) from None
    if folder is None:
        raise click.UsageError("give a FOLDER, or set sync_dir in config.toml")
    store = _open_state()
    try:
        report = run_sync(store, folder, dry_run=status)
    except SyncError as error:
        warn(str(error))
        raise SystemExit(1) from None
    finally:
        store.close()
    for line in report.warnings:
        warn(line)
    me = device_id()
    if status:
        for device, last in sorted(report.devices.items()):
            click.echo(
                f"{device}{' (this machine)' if device == me else ''}  last event {last or '-'}"
            )
    counts = ", ".join(f"{n} {kind}(s)" for kind, n in sorted(report.received.items())) or "nothing"
    sent = ", ".join(f"{n} {kind}(s)" for kind, n in sorted(report.sent.items())) or "nothing"
    verb = ("would receive", "would send") if status else ("received", "sent")
    click.echo(f"{verb[0].capitalize()}: {counts}; {verb[1]}: {sent}.")

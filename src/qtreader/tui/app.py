"""The full-screen reader."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import App
from textual.command import CommandPalette
from textual.notifications import SeverityLevel
from textual.screen import Screen

from qtreader.library.clock import Clock, utc_now
from qtreader.library.resources import stylesheet
from qtreader.tui.bindings import APP_BINDINGS
from qtreader.tui.commands import ArticleCommands, Palette
from qtreader.tui.screens.help import LIST_KEYS, HelpScreen, key_rows
from qtreader.tui.screens.reader import ReaderScreen
from qtreader.tui.screens.study import StudyScreen
from qtreader.tui.widgets.library_loader import open_in_background
from qtreader.tui.widgets.plain import visible_controls

if TYPE_CHECKING:
    from qtreader.library.study import StudyRequest

__all__ = ["QTReaderApp"]


class QTReaderApp(App[None]):
    """Browse a library by subject and read its articles."""

    CSS_PATH = stylesheet()
    TITLE = "qtreader"
    COMMANDS = App.COMMANDS | {ArticleCommands}
    BINDINGS = APP_BINDINGS

    def __init__(
        self,
        library_path: Path,
        start_article: str | None = None,
        *,
        incognito: bool = False,
        study: StudyRequest | None = None,
        clock: Clock = utc_now,
    ) -> None:
        """``incognito``: record nothing; ``study``: start in that study session; ``clock``:
        the time (tests fix it)."""
        super().__init__()
        self.library_path = library_path
        self.start_article = start_article
        self.incognito = incognito
        self.study = study
        self.clock = clock
        self._opening = open_in_background(library_path)
        #: The article on screen (id and file), for the line a crash ends with.
        self.reading: tuple[int, Path] | None = None

    @on(ReaderScreen.ArticleShown)
    @on(StudyScreen.CardShown)
    def note_reading(self, message: ReaderScreen.ArticleShown | StudyScreen.CardShown) -> None:
        """The reader or a study card now shows an article: remember which, and its file."""
        self.reading = (message.article_id, message.path)

    def crash_line(self) -> str:
        """What the command prints after the traceback of an unexpected exception: the
        article that was open, so that the file that set it off can be found."""
        from qtreader.library.decode import escape_controls

        if self.reading is None:
            return "qtreader: crashed while no article was open"
        article_id, path = self.reading
        # A file name can hold escape sequences: show them, never send them.
        return (
            f"qtreader: crashed while article {article_id} ({escape_controls(str(path))}) was open"
        )

    def watch_app_focus(self, focus: bool) -> None:
        """Redraw the footer when the app gets the focus back. Textual's footer ignores a
        change of bindings while the app is blurred and not its return; the web driver
        (``qtreader serve``) starts the app blurred, so the footer stayed empty."""
        if focus:
            self.screen.refresh_bindings()

    def get_default_screen(self) -> Screen[None]:
        return ReaderScreen(
            self.library_path,
            self.start_article,
            incognito=self.incognito,
            study=self.study,
            clock=self.clock,
            opening=self._opening,
        )

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Textual's notification, with ``message`` and ``title`` always shown as written:
        they carry article titles and paths, never markup (``markup`` is ignored; every
        ``notify`` of a screen or widget comes here)."""
        super().notify(
            visible_controls(message),
            title=visible_controls(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    async def action_quit(self) -> None:
        """Quit (q, ctrl+q); a note editor holding unsaved text asks about it first."""
        from qtreader.tui.screens.note import NoteScreen

        for screen in reversed(self.screen_stack):
            if isinstance(screen, NoteScreen) and screen.unsafe:
                screen.leave(then=self.exit)
                return
        await super().action_quit()

    def action_command_palette(self) -> None:
        """The command palette (ctrl+p): Textual's, made safe against key bursts."""
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(Palette(id="--command-palette"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "progress":  # the reader's: its tree says which subject
            return isinstance(self.screen, ReaderScreen)
        return True

    def action_progress(self) -> None:
        """The progress screen, opened by the reader."""
        if isinstance(self.screen, ReaderScreen):
            self.screen.action_progress()

    def action_help(self) -> None:
        """The keys of the screen in front (the reader's, or a study session's), read from
        the bindings active there."""
        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        list_keys = LIST_KEYS if isinstance(screen, ReaderScreen) else []
        self.push_screen(HelpScreen(key_rows(screen), list_keys=list_keys))

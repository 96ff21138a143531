"""The full-screen reader."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from qtreader.clock import Clock, utc_now
from qtreader.commands import ArticleCommands
from qtreader.resources import stylesheet
from qtreader.screens.help import LIST_KEYS, HelpScreen, key_rows
from qtreader.screens.reader import ReaderScreen, open_in_background

if TYPE_CHECKING:
    from qtreader.study import StudyRequest

__all__ = ["QTReaderApp"]


class QTReaderApp(App[None]):
    """Browse a library by subject and read its articles."""

    CSS_PATH = stylesheet()
    TITLE = "qtreader"
    COMMANDS = App.COMMANDS | {ArticleCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit", tooltip="Quit qtreader", id="quit"),
        Binding(
            "question_mark", "help", "Help", key_display="?", tooltip="Show every key", id="help"
        ),
    ]

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

    def get_default_screen(self) -> Screen[None]:
        return ReaderScreen(
            self.library_path,
            self.start_article,
            incognito=self.incognito,
            study=self.study,
            clock=self.clock,
            opening=self._opening,
        )

    def action_help(self) -> None:
        """The keys of the screen in front (the reader's, or a study session's), read from
        the bindings active there."""
        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        list_keys = LIST_KEYS if isinstance(screen, ReaderScreen) else []
        self.push_screen(HelpScreen(key_rows(screen), list_keys=list_keys))

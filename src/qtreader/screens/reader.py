"""The main screen: subject tree on the left, the open article on the right."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header
from textual.worker import get_current_worker

from qtreader.index import RefreshReport
from qtreader.navigation import BrowseHistory, Visit
from qtreader.store import AnswerUnavailable, Library, subject_key
from qtreader.widgets.article_view import ArticleView, RelatedList
from qtreader.widgets.status_bar import StatusBar
from qtreader.widgets.subject_tree import SubjectTree

__all__ = ["ReaderScreen"]


class _LoadCancelled(Exception):
    """Raised from the progress callback to abandon a load nobody waits for any more."""


class ReaderScreen(Screen[None]):
    """Coordinates the tree, the article pane and the history; the widgets never reach into
    each other."""

    BINDINGS = [
        Binding(
            "left_square_bracket,backspace,alt+left",
            "back",
            "Back",
            key_display="[",
            tooltip="Back to the article read before",
            id="back",
        ),
        Binding(
            "right_square_bracket,alt+right",
            "forward",
            "Forward",
            key_display="]",
            tooltip="Forward again after going back",
            id="forward",
        ),
        Binding("n", "neighbour(1)", "Next", tooltip="Next article in this subject", id="next"),
        Binding(
            "p",
            "neighbour(-1)",
            "Prev",
            show=False,
            tooltip="Previous article in this subject",
            id="previous",
        ),
        Binding(
            "slash",
            "search",
            "Search",
            key_display="/",
            tooltip="Search every article",
            id="search",
        ),
        Binding(
            "r",
            "random",
            "Random",
            show=False,
            tooltip="Open a random article (of the selected subject)",
            id="random",
        ),
        Binding(
            "t", "toggle_tree", "Tree", tooltip="Hide or show the subject tree", id="toggle-tree"
        ),
        Binding(
            "e",
            "problems",
            "Problems",
            tooltip="List the files of the library that have problems",
            id="problems",
        ),
        *(
            Binding(str(n), f"related({n})", f"Related {n}", show=False, id=f"related-{n}")
            for n in range(1, 6)
        ),
    ]

    def __init__(self, library_path: Path, start_article: str | None = None) -> None:
        super().__init__()
        self.library_path = library_path
        self.start_article = start_article
        self.library: Library | None = None
        self.history = BrowseHistory()

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="panes"):
            yield SubjectTree(id="tree")
            yield ArticleView(id="article")
        yield StatusBar(id="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(ArticleView).show_message("Loading the library…", str(self.library_path))
        self.query_one(SubjectTree).focus()
        self.load()

    # Loading ----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        """Open the catalog and show it, then bring the index up to date in the background.

        A warm start paints the tree from the index without reading any article file; a
        cold one (no index yet) shows indexing progress until the first refresh ends.
        """
        status = self.query_one(StatusBar)
        worker = get_current_worker()

        def progress(done: int, total: int) -> None:
            if worker.is_cancelled:  # the app is closing: stop parsing
                raise _LoadCancelled
            self.app.call_from_thread(status.show_progress, done, total)

        try:
            library = Library.open(self.library_path)
            self.app.call_from_thread(self.library_opened, library)
            report = library.refresh(progress)
        except _LoadCancelled:
            return
        except (OSError, sqlite3.Error) as error:
            self.app.call_from_thread(status.show_error, f"Cannot load the library: {error}")
            return
        self.app.call_from_thread(self.library_refreshed, library, report)

    def library_opened(self, library: Library) -> None:
        """Show what the index already knows; the refresh follows."""
        self.library = library
        if library.notice:
            self.notify(library.notice, title="Index", severity="warning", timeout=8)
        if len(library):
            self._show_library(library, note="checking for changes…")

    def library_refreshed(self, library: Library, report: RefreshReport) -> None:
        """The index is up to date: show it again if anything changed."""
        if self.library is not library or not self._shown or report.changed_anything:
            self._show_library(library)
        else:
            self.query_one(StatusBar).show_library(library, _short_path(self.library_path))

    @property
    def _shown(self) -> bool:
        return self.query_one(SubjectTree).library is not None

    def _show_library(self, library: Library, note: str | None = None) -> None:
        first_time = not self._shown
        self.library = library
        self.query_one(StatusBar).show_library(library, _short_path(self.library_path), note)
        self.query_one(SubjectTree).show_library(library)
        current = self.history.current
        if current is not None and current.article_id in library:
            self.open_article(current.article_id, current.subject, record=False)
        elif first_time:
            self.query_one(ArticleView).show_welcome(library)
            self._open_start_article(library)

    def _open_start_article(self, library: Library) -> None:
        if not self.start_article:
            return
        article = library.resolve(self.start_article)
        if article is None:
            self.notify(
                f"No article {self.start_article!r} in this library.",
                title="Not found",
                severity="error",
            )
        else:
            self.open_article(article.id)

    # Opening articles --------------------------------------------------------------------

    def open_article(
        self, article_id: int, subject: str | None = None, *, record: bool = True
    ) -> None:
        """Show an article, select it in the tree and (unless going back/forward) record it.

        It is read under ``subject`` when listed there (a related link names the listing it
        points to), else under the subject being read, else under its first subject.
        """
        if self.library is None:
            return
        article = self.library.article(article_id)
        if article is None:
            self.notify(f"Article {article_id} is not in this library.", severity="warning")
            return
        keys = [subject_key(s) for s in article.subjects]
        if subject is None or subject_key(subject) not in keys:
            current = self.history.current
            subject = (
                current.subject
                if current is not None and subject_key(current.subject) in keys
                else article.subjects[0]
            )
        try:
            answer = self.library.answer(article_id)
        except AnswerUnavailable as error:
            answer = f"*This answer cannot be shown now: {error}*"
        self.query_one(ArticleView).show_article(article, answer, subject)
        self.query_one(SubjectTree).reveal(article_id, subject)
        if record:
            self.history.visit(Visit(article_id, subject))

    def on_subject_tree_article_selected(self, message: SubjectTree.ArticleSelected) -> None:
        self.open_article(message.article_id, message.subject)

    def on_related_list_related_selected(self, message: RelatedList.RelatedSelected) -> None:
        self.open_article(message.article_id, message.subject)

    # Actions ----------------------------------------------------------------------------

    def action_related(self, number: int) -> None:
        """Open related article ``number`` (1-5) of the open article."""
        current = self.history.current
        if self.library is None or current is None:
            return
        article = self.library.article(current.article_id)
        if article is None or number > len(article.related):
            self.notify(f"This article has no related article {number}.", severity="warning")
            return
        link = article.related[number - 1]
        if not link.available:
            self.notify(f"“{link.title}” is not in this library.", severity="warning")
            return
        self.open_article(link.id, link.subject)

    def action_back(self) -> None:
        visit = self.history.back()
        if visit is None:
            self.notify("Nothing further back.", timeout=2)
            return
        self.open_article(visit.article_id, visit.subject, record=False)

    def action_forward(self) -> None:
        visit = self.history.forward()
        if visit is None:
            self.notify("Nothing further forward.", timeout=2)
            return
        self.open_article(visit.article_id, visit.subject, record=False)

    def action_neighbour(self, step: int) -> None:
        """Open the next (1) or previous (-1) article of the current subject."""
        current = self.history.current
        if self.library is None or current is None:
            return
        article = self.library.neighbour(current.article_id, current.subject, step)
        if article is None:
            edge = "last" if step > 0 else "first"
            self.notify(f"This is the {edge} article in {current.subject}.", timeout=2)
            return
        self.open_article(article.id, current.subject)

    def action_search(self) -> None:
        """Open search; the chosen result opens here."""
        if self.library is None:
            return

        def chosen(choice: tuple[int, str] | None) -> None:
            if choice is not None:
                self.open_article(*choice)

        from qtreader.screens.search import SearchScreen

        self.app.push_screen(SearchScreen(self.library), chosen)

    def go_to_subject(self, subject: str) -> None:
        """Show a subject's articles in the tree, with the cursor on it."""
        tree = self.query_one(SubjectTree)
        tree.display = True
        tree.reveal_subject(subject)
        tree.focus()

    def action_random(self) -> None:
        """Open a random article of the subject under the tree cursor, else of any."""
        if self.library is None:
            return
        subject = self.query_one(SubjectTree).cursor_subject
        article = self.library.random(subject)
        if article is not None:
            self.open_article(article.id, subject)

    def action_toggle_tree(self) -> None:
        tree = self.query_one(SubjectTree)
        tree.display = not tree.display
        if not tree.display:
            self.query_one(ArticleView).focus()

    def action_problems(self) -> None:
        from qtreader.screens.problems import ProblemsScreen

        if self.library is not None:
            self.app.push_screen(ProblemsScreen(self.library))


def _short_path(path: Path) -> str:
    """A path as people write it: under the home folder as ``~/...``."""
    try:
        return str(Path("~") / path.expanduser().relative_to(Path.home()))
    except ValueError:
        return str(path)

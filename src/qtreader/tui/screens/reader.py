"""The main screen: subject tree on the left, the open article on the right."""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import get_current_worker

from qtreader.library.clock import Clock, utc_now
from qtreader.library.config import ENV_PAGE_CLIPBOARD
from qtreader.library.decode import escape_controls
from qtreader.library.navigation import BrowseHistory, Visit
from qtreader.library.store import AnswerUnavailable, Library, subject_key
from qtreader.tui.bindings import READER_BINDINGS
from qtreader.tui.widgets.article_view import (
    AnswerCache,
    AnswerLayout,
    AnswerText,
    AnswerTexts,
    ArticleView,
    RelatedList,
    shown_part,
)
from qtreader.tui.widgets.header import TitleHeader
from qtreader.tui.widgets.library_loader import LibraryLoader
from qtreader.tui.widgets.state_keeper import StateKeeper
from qtreader.tui.widgets.status_bar import StatusBar
from qtreader.tui.widgets.subject_tree import SubjectTree

if TYPE_CHECKING:
    from concurrent.futures import Future

    from qtreader.library.models import Article, LinksBothWays
    from qtreader.library.state import HistoryEntry
    from qtreader.library.study import Scope, StudyRequest
    from qtreader.render.markdown import AnswerLink

__all__ = ["ReaderScreen"]


class ReaderScreen(Screen[None]):
    """Coordinates the tree, the article pane and the history; the widgets never reach into
    each other."""

    class ArticleShown(Message):
        """The pane now shows article ``article_id``, read from ``path`` (the app names it
        if it crashes)."""

        def __init__(self, article_id: int, path: Path) -> None:
            super().__init__()
            self.article_id = article_id
            self.path = path

    BINDINGS = READER_BINDINGS

    def __init__(
        self,
        library_path: Path,
        start_article: str | None = None,
        *,
        incognito: bool = False,
        study: StudyRequest | None = None,
        clock: Clock = utc_now,
        opening: Future[Library] | None = None,
    ) -> None:
        """``opening``: the library being opened already (see
        :func:`~qtreader.tui.widgets.library_loader.open_in_background`)."""
        super().__init__()
        self.library_path = library_path
        self._opening = opening
        self.start_article = start_article
        self.library: Library | None = None
        self.history = BrowseHistory()
        self.incognito = incognito
        self.study = study
        self.clock = clock
        self._last_visit: HistoryEntry | None = None
        self._state_open = False
        self._started = False
        self._recorded: int | None = None
        self._scroll_saved = 0.0
        self._sync_warned: set[str] = set()
        #: The note of the article on screen, once the state has read it: (id, text).
        self._note: tuple[int, str] | None = None
        #: The article whose note editor opens once its note is read (``a`` pressed early).
        self._edit_when_read: int | None = None
        #: What was typed into search last: the search box opens with it.
        self.last_search = ""
        #: Cited by and Similar of the open article, once found: (its id, the links).
        self._links: tuple[int, LinksBothWays] | None = None
        #: The answers of the articles one key away, read by the thread that renders them.
        self._texts = AnswerTexts()

    def compose(self) -> ComposeResult:
        yield TitleHeader()
        with Horizontal(id="panes"):
            yield SubjectTree(id="tree")
            yield ArticleView(id="article")
        yield StatusBar(id="status")
        yield Footer(compact=True)
        yield StateKeeper(incognito=self.incognito, clock=self.clock, id="state")
        yield LibraryLoader(self.library_path, opening=self._opening, id="loader")

    def on_mount(self) -> None:
        # Focus set now, not after the next messages (``focus()``): a key pressed as soon
        # as the first article shows goes from where that article put the focus.
        self.set_focus(self.query_one(SubjectTree))
        if not self.query_one(LibraryLoader).load():  # still opening, or a cold start
            message = "Loading the library…"
            self.query_one(ArticleView).show_message(message, str(self.library_path))
        self.set_interval(1.0, self._save_scroll)

    # Loading ----------------------------------------------------------------------------

    @on(LibraryLoader.Opened)
    def library_opened(self, message: LibraryLoader.Opened) -> None:
        """Show what the index already knows (nothing on a cold start); the refresh, which
        stats every file, starts once that is painted."""
        library = message.library
        self.library = library
        self._tell_index_notice(library)
        if len(library):
            self._show_library(library, note="checking for changes…")
        self.call_after_refresh(message.control.refresh_library)

    @on(LibraryLoader.Progress)
    def library_progress(self, message: LibraryLoader.Progress) -> None:
        self.query_one(StatusBar).show_progress(message.done, message.total)

    @on(LibraryLoader.Refreshed)
    def library_refreshed(self, message: LibraryLoader.Refreshed) -> None:
        """The index is up to date: show it again if anything changed."""
        library = message.library
        self._tell_index_notice(library)  # the refresh found the disk full, or damage
        if self.library is not library or not self._shown or message.report.changed_anything:
            self._show_library(library)
        else:
            self.query_one(StatusBar).show_library(library, _short_path(self.library_path))

    @on(LibraryLoader.Failed)
    def library_failed(self, message: LibraryLoader.Failed) -> None:
        self.query_one(StatusBar).show_error(message.reason)

    def _tell_index_notice(self, library: Library) -> None:
        notice = library.untold_notice()
        if notice:
            self.notify(notice, title="Index", severity="warning", timeout=8)

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
            self._show_again(library, current)
        elif first_time:
            self.query_one(ArticleView).show_welcome(library)
            self._open_start_article(library)
        self._library_shown()

    def _show_again(self, library: Library, current: Visit) -> None:
        """After a refresh: the article being read stays as it is if it did not change, and
        where it was read (scroll, focus, marked words) if it did."""
        view = self.query_one(ArticleView)
        article = library.article(current.article_id)
        try:
            # Kept, read ahead: if it changed, open_article shows it without reading it again.
            answer = self._texts.read(library, current.article_id)
        except AnswerUnavailable:
            answer = None
        if article is not None and view.shows(article, answer):
            self.query_one(SubjectTree).reveal(current.article_id, current.subject)
            self._find_links(library, article)
            return
        y, links = view.scroll_y, self._links
        self.open_article(
            current.article_id, current.subject, record=False, marks=view.marks, focus=False
        )
        if links is not None and links[0] == current.article_id:
            # Until they are found again: the page keeps its length, so its place too.
            self._links = links
            view.show_links_both_ways(links[1])
        self.call_after_refresh(self._scroll_article, y)

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
        self,
        article_id: int,
        subject: str | None = None,
        *,
        record: bool = True,
        marks: tuple[str, ...] = (),
        focus: bool = True,
    ) -> None:
        """Show an article, select it in the tree and (unless going back/forward) record it.

        ``marks``: words of the search it was chosen from, marked in its answer until
        another article opens.

        It is read under ``subject`` when listed there (a related link names the listing it
        points to), else under the subject being read, else under its first subject.
        ``focus``: the article takes the focus, so that page keys page it (not when it is
        chosen in the tree, whose cursor goes on).
        """
        if self.library is None:
            return
        if record:
            self._remember_scroll()
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
            answer = self._texts.get(self.library, article_id) or self.library.answer(article_id)
        except AnswerUnavailable as error:
            answer = f"*This answer cannot be shown now: {error}*"
        self._note_reading(article, subject)
        self.query_one(ArticleView).show_article(article, answer, subject, marks=marks)
        self._links = None
        self._painting = article
        self.query_one(SubjectTree).reveal(article_id, subject)
        if record:
            self.history.visit(Visit(article_id, subject))
        self._opened(article_id, article.subjects, subject)
        if focus and not self.query_one(ArticleView).has_focus_within:
            self.set_focus(self.query_one(ArticleView))

    #: The article opened last, until it is on screen (see :meth:`on_article_view_painted`).
    _painting: Article | None = None

    @property
    def painting(self) -> bool:
        """Whether an article was opened and is not on screen yet: its links, note and
        the articles rendered ahead are looked for once it is."""
        return self._painting is not None

    def on_article_view_painted(self) -> None:
        """Start the work an open article asks for once it is on screen: threads would
        compete with its layout and paint, for the interpreter and for the cores."""
        article, self._painting = self._painting, None
        if article is not None and self.library is not None:
            self._find_links(self.library, article)
            self._read_note(article.id)
        self._render_ahead()

    # Rendering ahead -----------------------------------------------------------------------

    def on_answer_text_resized(self) -> None:
        """What was rendered ahead fits the old width: render it again at the new one."""
        self.call_after_refresh(self._render_ahead)

    def _render_ahead(self) -> None:
        """Once the open article is painted, render in a thread the whole of it if only a
        part is shown, then the articles a key opens next (``n``, related ``1``-``5``,
        ``p``), so that opening one only paints it."""
        current = self.history.current
        view = self.query_one(ArticleView)
        layout = view.answer_layout()
        if self.library is None or current is None or layout is None:
            return
        self._render_next(
            self.library, current.article_id, current.subject, layout, view.cache, self._texts
        )

    @work(thread=True, exclusive=True, group="render-ahead", exit_on_error=False)
    def _render_next(
        self, library: Library, article_id: int, subject: str, layout: AnswerLayout,
        cache: AnswerCache, texts: AnswerTexts,
    ) -> None:  # fmt: skip
        worker = get_current_worker()
        rendered = False
        for target in [article_id, *_next_ids(library, article_id, subject)]:
            with cache.rendering:
                if worker.is_cancelled:  # another article opened: render around that one
                    return
                try:
                    answer = shown_part(texts.read(library, target), target)
                    key = layout.key(answer)
                    if key not in cache:
                        cache.put(key, layout.render(answer, ahead=True))
                        rendered = True
                # Only a saving: a file that went, or an answer that cannot be rendered, is
                # reported when it is opened, by the code that opens it.
                except Exception:
                    continue
            if target == article_id and not worker.is_cancelled:
                self.app.call_from_thread(self._whole_answer_rendered)
        if rendered and not worker.is_cancelled:
            # The reader is reading: collect now what rendering made, which the interpreter
            # would otherwise collect in full at some later open, between its key and paint.
            gc.collect()

    def _whole_answer_rendered(self) -> None:
        self.query_one(ArticleView).show_whole_answer()

    def _note_reading(self, article: Article, subject: str) -> None:
        """Tell the app which file is on screen (a crash report names it)."""
        key = subject_key(subject)
        listing = next((x for x in article.listings if subject_key(x.subject) == key), None)
        self.post_message(self.ArticleShown(article.id, listing.path if listing else article.path))

    def on_subject_tree_article_selected(self, message: SubjectTree.ArticleSelected) -> None:
        self.open_article(message.article_id, message.subject, focus=False)

    def on_subject_tree_highlighted(self, message: SubjectTree.Highlighted) -> None:
        self.query_one(StatusBar).show_whole_label(message.title)

    def on_related_list_related_selected(self, message: RelatedList.RelatedSelected) -> None:
        self.open_article(message.article_id, message.subject)

    @work(thread=True, exclusive=True, group="links-both-ways")
    def _find_links(self, library: Library, article: Article) -> None:
        """Find Cited by and Similar off the event loop: a full-text query ranks thousands
        of articles in a large library. It reads no widget (see :meth:`_links_found`)."""
        import sqlite3

        try:
            links = library.links_both_ways(article)
        except sqlite3.Error:  # a damaged index: the article shows without them
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._links_found, article.id, links)

    def _links_found(self, article_id: int, links: LinksBothWays) -> None:
        """Show the links found, if their article is still the one open."""
        current = self.history.current
        if not self.is_attached or current is None or current.article_id != article_id:
            return
        self._links = (article_id, links)
        self.query_one(ArticleView).show_links_both_ways(links)

    # Actions ----------------------------------------------------------------------------

    def action_related(self, number: int) -> None:
        """Open related article ``number`` (1-5) of the open article."""
        current = self.history.current
        if self.library is None or current is None:
            self._no_article()
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

    def action_similar(self, number: int) -> None:
        """Open similar article ``number`` (1-5, on keys 6-9 and 0) of the open article."""
        current = self.history.current
        if self.library is None or current is None:
            self._no_article()
            return
        if self._links is None or self._links[0] != current.article_id:
            self.notify("Similar articles are still being found.", timeout=2)
            return
        similar = self._links[1].similar
        if number > len(similar):
            self.notify(f"This article has no similar article {number}.", severity="warning")
            return
        link = similar[number - 1]
        self.open_article(link.id, link.subject)

    def action_cited_by(self) -> None:
        """Put the cursor in the list of articles citing the open one."""
        cited = self.query_one("#cited-by", RelatedList)
        if not cited.option_count:
            self.notify("No article of this library lists this one as related.", timeout=2)
            return
        cited.focus()
        cited.scroll_visible(animate=False)
        if cited.highlighted is None:
            cited.highlighted = 0

    def _remember_scroll(self) -> None:
        """Note how far down the article on screen is read, before leaving it."""
        if self.history.current is not None:
            self.history.remember_scroll(self.query_one(ArticleView).scroll_y)

    def action_back(self) -> None:
        self._remember_scroll()
        visit = self.history.back()
        if visit is None:
            self.notify("Nothing further back.", timeout=2)
            return
        self._return_to(visit)

    def _return_to(self, visit: Visit) -> None:
        """Show a visit again (back or forward), scrolled where it was left."""
        self.open_article(visit.article_id, visit.subject, record=False, focus=False)
        self.call_after_refresh(self._scroll_article, self.history.scroll)

    def action_forward(self) -> None:
        self._remember_scroll()
        visit = self.history.forward()
        if visit is None:
            self.notify("Nothing further forward.", timeout=2)
            return
        self._return_to(visit)

    def action_neighbour(self, step: int) -> None:
        """Open the next (1) or previous (-1) article of the current subject."""
        current = self.history.current
        if self.library is None or current is None:
            self._no_article()
            return
        article = self.library.neighbour(current.article_id, current.subject, step)
        if article is None:
            edge = "last" if step > 0 else "first"
            self.notify(f"This is the {edge} article in {current.subject}.", timeout=2)
            return
        self.open_article(article.id, current.subject, focus=False)

    def action_copy_article(self) -> None:
        """Copy the open article to the clipboard through the terminal (OSC 52)."""
        current = self.history.current
        if self.library is None or current is None:
            self.notify("Open an article to copy it.", severity="warning", timeout=3)
            return
        article = self.library.article(current.article_id)
        try:
            answer = self.library.answer(current.article_id)
        except AnswerUnavailable as error:
            self.notify(str(error), title="Not copied", severity="error")
            return
        if self.app.is_web and os.environ.get(ENV_PAGE_CLIPBOARD) == "no":
            # The copy would reach xterm.js, whose navigator.clipboard the page lacks.
            self.notify(
                "The browser lets a page copy only over https or from localhost: open it "
                "through ssh -L 8000:localhost:8000 as http://localhost:8000.",
                title="Not copied",
                severity="warning",
            )
            return
        if article is not None:
            from qtreader.render.output import article_markdown

            self.app.copy_to_clipboard(article_markdown(article, answer))
            self.notify(f"Copied “{article.question}” as Markdown.", title="Copied", timeout=3)

    def action_search(self) -> None:
        """Open search; the chosen result opens here."""
        if self.library is None:
            return

        from qtreader.tui.screens.search import SearchScreen

        search = SearchScreen(
            self.library, self.last_search, state=self.query_one(StateKeeper).store
        )

        def chosen(choice: tuple[int, str] | None) -> None:
            self.last_search = search.query_text  # shown again at the next search
            if choice is not None:
                self.open_article(*choice, marks=search.marked_words)

        self.app.push_screen(search, chosen)

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
            self.open_article(article.id, subject, focus=False)

    def action_toggle_tree(self) -> None:
        tree = self.query_one(SubjectTree)
        view = self.query_one(ArticleView)
        # The answer wraps again at the new width: keep the same share of it above the top.
        share = view.scroll_y / view.max_scroll_y if view.max_scroll_y else 0.0
        tree.display = not tree.display
        if not tree.display:
            view.focus()
        if share:
            self.call_after_refresh(
                lambda: view.scroll_to(y=share * view.max_scroll_y, animate=False)
            )

    def action_tree_width(self, step: int) -> None:
        """Widen (``step`` > 0) or narrow the tree; the width is kept for the next start."""
        tree = self.query_one(SubjectTree)
        if not tree.display:
            tree.display = True
        width = max(16, min(tree.outer_size.width + step, self.size.width - 20))
        tree.chosen_width = width
        self.query_one(StateKeeper).save_tree_width(width)

    def _no_article(self) -> None:
        """A key that acts on the open article was pressed with none open."""
        self.notify("No article is open.", timeout=2)

    def action_toggle_tex(self) -> None:
        if self.history.current is None:
            self._no_article()
            return
        raw = self.query_one(ArticleView).toggle_raw_tex()
        self.notify("Formulas as raw TeX." if raw else "Formulas rendered.", timeout=2)

    def action_links(self) -> None:
        """List the open answer's links; the one chosen is followed."""
        if self.history.current is None:
            self._no_article()
            return
        links = self.query_one(ArticleView).links
        if not links:
            self.notify("This answer has no links.", timeout=2)
            return
        from qtreader.tui.screens.links import LinksScreen

        def chosen(link: AnswerLink | None) -> None:
            if link is not None:
                self.follow_link(link)

        self.app.push_screen(LinksScreen(links), chosen)

    def on_answer_text_link_chosen(self, message: AnswerText.LinkChosen) -> None:
        self.follow_link(message.link)

    def follow_link(self, link: AnswerLink) -> None:
        """Open a link of the answer: an article of the library here (it joins the history),
        any other address in the browser, but only once the user confirms it."""
        from qtreader.tui.screens.links import ConfirmOpenScreen, link_target

        if link.internal:
            target = link_target(self.library, link) if self.library is not None else None
            if target is None:
                self.notify(f"“{link.text}” is not in this library.", severity="warning")
            else:
                self.open_article(*target)
            return

        def confirmed(answer: bool | None) -> None:
            if answer:
                self.app.open_url(link.url)

        self.app.push_screen(ConfirmOpenScreen(link), confirmed)

    def action_refresh(self) -> None:
        """Bring the index up to date with the folder, as at start (only changed files are
        read); the open article is shown again from its file."""
        self.query_one(LibraryLoader).load()

    def action_problems(self) -> None:
        from qtreader.tui.screens.problems import ProblemsScreen

        if self.library is not None:
            self.app.push_screen(ProblemsScreen(self.library))

    # Reading state: history, bookmarks, read marks -------------------------------------

    def on_state_keeper_opened(self, message: StateKeeper.Opened) -> None:
        if message.notice:
            self.notify(message.notice, title="Reading state", severity="warning", timeout=30)
        self._last_visit = message.last
        self._state_open = True
        store = self.query_one(StateKeeper).store
        if store is not None and store.incognito:
            self.sub_title = "incognito: nothing is recorded"
        keeper = self.query_one(StateKeeper)
        if keeper.tree_width is not None:
            self.query_one(SubjectTree).chosen_width = keeper.tree_width
        if self.history.current is not None:  # shown before the state was open
            self._read_note(self.history.current.article_id)
        self._library_shown()

    def _library_shown(self) -> None:
        """The library (or a new version of it) is on screen: mark the tree, and the first
        time, start where the command line asked or where the reader left off."""
        keeper = self.query_one(StateKeeper)
        if self.library is None or not self._shown or not self._state_open:
            return
        keeper.refresh_marks(self.library)
        if self._started:
            return
        self._started = True
        if self.study is not None:
            self._study(self.study.scope, self.study.new_cards)
        elif not self.start_article and self.history.current is None and self._last_visit:
            last = self._last_visit
            if self.library.article(last.article_id) is not None:
                self._recorded = last.article_id  # the same visit goes on: no new entry
                self.open_article(last.article_id, last.subject)
                self.call_after_refresh(self._scroll_article, last.scroll)

    def _scroll_article(self, y: float) -> None:
        self.query_one(ArticleView).scroll_to(y=y, animate=False)
        self._scroll_saved = y

    def _opened(self, article_id: int, subjects: tuple[str, ...], subject: str) -> None:
        """Record an article newly on screen in the history, and tick it in the tree."""
        if article_id == self._recorded:
            return
        self._recorded = article_id
        self._scroll_saved = 0.0
        self.query_one(StateKeeper).record_open(article_id, subject)
        self.query_one(SubjectTree).mark_read(article_id, subjects)

    def _save_scroll(self) -> None:
        """Every second: remember how far down the open article is read, if that moved."""
        if self._recorded is None:
            return
        y = self.query_one(ArticleView).scroll_y
        if y != self._scroll_saved:
            self._scroll_saved = y
            self.query_one(StateKeeper).save_scroll(self._recorded, y)

    def on_state_keeper_marks_changed(self, message: StateKeeper.MarksChanged) -> None:
        self.query_one(SubjectTree).show_marks(message.overview, message.noted)

    def _read_note(self, article_id: int) -> None:
        """Ask for the note of the article just shown (it shows under the answer)."""
        if self._note is not None and self._note[0] != article_id:
            self._note = None
        if self._state_open:
            self.query_one(StateKeeper).load_note(article_id)

    def on_state_keeper_synced(self, message: StateKeeper.Synced) -> None:
        report = message.report
        for warning in report.warnings:
            if warning not in self._sync_warned:  # a file left half-written: say it once
                self._sync_warned.add(warning)
                self.notify(warning, title="Sync", severity="warning", timeout=10)
        if not report.received:
            return
        if self.library is not None:
            self.query_one(StateKeeper).refresh_marks(self.library)
        from qtreader.library.sync import counted

        devices = len(report.devices) - 1  # this machine is among them
        self.notify(
            f"Received {counted(report.received)} from {devices} other device(s).",
            title="Sync",
            timeout=4,
        )

    def on_state_keeper_sync_failed(self, message: StateKeeper.SyncFailed) -> None:
        if message.reason not in self._sync_warned:
            self._sync_warned.add(message.reason)
            self.notify(f"Not synced: {message.reason}", title="Sync", severity="warning")

    def on_state_keeper_write_failed(self, message: StateKeeper.WriteFailed) -> None:
        self.notify(
            f"The reading state could not be saved: {message.reason}",
            title="Reading state",
            severity="error",
        )

    def action_bookmark(self) -> None:
        """Bookmark the open article, or remove its bookmark."""
        current = self.history.current
        if current is None:
            self.notify("Open an article to bookmark it.", timeout=3)
            return
        self.query_one(StateKeeper).toggle_bookmark(current.article_id)

    def on_state_keeper_bookmark_toggled(self, message: StateKeeper.BookmarkToggled) -> None:
        article = self.library.article(message.article_id) if self.library else None
        title = f"“{article.title}”" if article else f"article {message.article_id}"
        done = "Bookmarked" if message.bookmarked else "Bookmark removed:"
        store = self.query_one(StateKeeper).store
        # Incognito (or a state that cannot be written) keeps the bookmark in memory only.
        note = " For this run only: nothing is recorded." if store and store.incognito else ""
        self.notify(f"{done} {title}.{note}", timeout=3 if not note else 6)
        if self.library is not None:
            self.query_one(StateKeeper).refresh_marks(self.library)

    def action_bookmarks(self) -> None:
        """List the bookmarks; the one chosen opens here."""
        from qtreader.tui.screens.bookmarks import BookmarksScreen, bookmark_items

        marks = self.query_one(StateKeeper).overview
        if self.library is None or marks is None:
            return
        items = bookmark_items(self.library, marks)

        def chosen(choice: tuple[int, str] | None) -> None:
            if choice is not None:
                self.open_article(*choice)

        self.app.push_screen(BookmarksScreen(items), chosen)

    # Notes ------------------------------------------------------------------------------

    def on_state_keeper_note_loaded(self, message: StateKeeper.NoteLoaded) -> None:
        text = message.note.text if message.note is not None else ""
        if self._edit_when_read == message.article_id:
            self._edit_when_read = None
            self._open_editor(message.article_id, text)
        current = self.history.current
        if current is not None and current.article_id == message.article_id:
            self._note = (message.article_id, text)
            self.query_one(ArticleView).show_note(text)

    def action_edit_note(self) -> None:
        """Open the note editor on the open article's note."""
        current = self.history.current
        if current is None:
            self.notify("Open an article to write a note on it.", timeout=3)
            return
        self.edit_note(current.article_id)

    def edit_note(self, article_id: int) -> None:
        """Open the note editor on the note of ``article_id`` (the open article, or a study
        card's), once the state has read it."""
        if not self._state_open:
            self.notify("The reading state is still opening.", timeout=3)
            return
        if self._note is not None and self._note[0] == article_id:
            self._open_editor(*self._note)
        else:  # its note is being read: the editor opens with it
            self._edit_when_read = article_id
            self.query_one(StateKeeper).load_note(article_id)

    def _open_editor(self, article_id: int, text: str) -> None:
        from qtreader.tui.screens.note import NoteScreen

        article = self.library.article(article_id) if self.library is not None else None
        title = article.title if article is not None else f"article {article_id}"

        def save(new_text: str) -> None:
            self.query_one(StateKeeper).save_note(article_id, new_text)

        self.app.push_screen(NoteScreen(article_id, title, text, save))

    def action_external_note(self) -> None:
        """Write the open article's note in ``$VISUAL``/``$EDITOR``; what it saves is saved."""
        current = self.history.current
        if current is None:
            self.notify("Open an article to write a note on it.", timeout=3)
            return
        if self._note is None or self._note[0] != current.article_id:
            self.notify("The note of this article is still being read.", timeout=3)
            return
        from qtreader.tui.screens.note import edit_externally

        written = edit_externally(self.app, self._note[1])
        if written is not None and written != self._note[1]:
            self.query_one(StateKeeper).save_note(current.article_id, written)

    def on_state_keeper_note_saved(self, message: StateKeeper.NoteSaved) -> None:
        from qtreader.tui.screens.note import NoteScreen

        current = self.history.current
        if current is not None and current.article_id == message.article_id:
            self._note = (message.article_id, message.text)
            self.query_one(ArticleView).show_note(message.text)
        self.query_one(SubjectTree).mark_noted(message.article_id, bool(message.text.strip()))
        store = self.query_one(StateKeeper).store
        note = " For this run only: nothing is recorded." if store and store.incognito else ""
        done = "Note saved." if message.text.strip() else "Note removed."
        self.notify(f"{done}{note}", timeout=3 if not note else 6)
        for screen in self.app.screen_stack:
            if isinstance(screen, NoteScreen) and screen.article_id == message.article_id:
                screen.saved(message.text)
        if self.library is not None:
            self.query_one(StateKeeper).refresh_marks(self.library)

    def on_state_keeper_note_not_saved(self, message: StateKeeper.NoteNotSaved) -> None:
        from qtreader.tui.screens.note import NoteScreen

        self.notify(
            f"The note could not be saved: {message.reason}",
            title="Note not saved",
            severity="error",
            timeout=10,
        )
        for screen in self.app.screen_stack:
            if isinstance(screen, NoteScreen) and screen.article_id == message.article_id:
                screen.not_saved()

    # Study --------------------------------------------------------------------------------

    def action_study(self) -> None:
        """Ask what to study (the subject under the cursor first), then study it."""
        from qtreader.tui.screens.study import StudyScopeScreen

        keeper = self.query_one(StateKeeper)
        if self.library is None or keeper.overview is None:
            self.notify("The library is still loading.", timeout=2)
            return
        tree = self.query_one(SubjectTree)

        def chosen(scope: Scope | None) -> None:
            if scope is not None:
                self._study(scope)

        screen = StudyScopeScreen(
            keeper.overview, tree.cursor_subject, bookmarks=tree.cursor_on_bookmarks
        )
        self.app.push_screen(screen, chosen)

    def action_progress(self) -> None:
        """Review calendar, due forecast and retention of the subject under the cursor, the
        bookmarks or the whole library."""
        from qtreader.tui.screens.progress import ProgressScreen, scope_at

        keeper = self.query_one(StateKeeper)
        if self.library is None or keeper.store is None:
            self.notify("The library is still loading.", timeout=2)
            return
        scope = scope_at(self.library, self.query_one(SubjectTree))
        progress = ProgressScreen(
            self.library, keeper.store, scope, clock=self.clock,
            new_per_day=keeper.new_per_day, study=self._study,
        )  # fmt: skip
        self.app.push_screen(progress)

    def _study(self, scope: Scope, new_cards: int | None = None) -> None:
        """Run a session; then its summary, and new figures in the tree."""
        from qtreader.tui.screens.study_launch import launch_study

        if self.library is not None:
            launch_study(
                self.app, self.library, self.query_one(StateKeeper), scope,
                clock=self.clock, new_cards=new_cards, edit_note=self.edit_note,
            )  # fmt: skip


def _next_ids(library: Library, article_id: int, subject: str) -> list[int]:
    """The articles one key away, the likeliest first: next in the subject, the related
    ones in order, the previous one."""
    article = library.article(article_id)
    if article is None:
        return []
    after = library.neighbour(article_id, subject, 1)
    before = library.neighbour(article_id, subject, -1)
    ids = [after.id] if after is not None else []
    ids += [link.id for link in article.related if link.available]
    if before is not None:
        ids.append(before.id)
    return list(dict.fromkeys(i for i in ids if i != article_id))


def _short_path(path: Path) -> str:
    """A path as people write it: under the home folder as ``~/...``; its unsafe
    characters (a folder name can hold an escape sequence) shown as escapes."""
    try:
        return escape_controls(Path("~") / path.expanduser().relative_to(Path.home()))
    except ValueError:
        return escape_controls(path)

"""The article pane: question, a line of facts, the answer as Markdown, related articles."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from threading import Lock
from typing import TYPE_CHECKING, Generic, TypeVar

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.segment import Segment
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from qtreader.library.models import Article, LinksBothWays, RelatedLink
from qtreader.library.store import Library
from qtreader.render.marks import MarkedWords, word_pattern
from qtreader.render.output import SIMILAR_NUMBERS
from qtreader.tui.widgets.key_scroll import KeyScroll
from qtreader.tui.widgets.plain import data, visible_controls

if TYPE_CHECKING:
    from qtreader.render.markdown import AnswerLink

__all__ = [
    "AnswerCache",
    "AnswerKey",
    "AnswerLayout",
    "AnswerText",
    "AnswerTexts",
    "ArticleView",
    "RelatedList",
    "RenderedAnswer",
    "first_part",
    "rendered_answer",
]


@dataclass(frozen=True)
class AnswerKey:
    """What a rendered answer depends on: its text (a changed file is a new key), formulas
    drawn or raw, the width it is laid out at and the app's theme."""

    answer: str
    raw_tex: bool
    width: int
    theme: str


@dataclass(frozen=True)
class RenderedAnswer:
    """An answer ready to show: the renderable, its links, and its lines laid out at each
    width it was shown at (filled by :meth:`lines_at`)."""

    renderable: RenderableType
    links: tuple[AnswerLink, ...]
    lines: dict[int, list[list[Segment]]] = field(default_factory=dict, compare=False)

    def lines_at(self, console: Console, options: ConsoleOptions) -> list[list[Segment]]:
        """The answer's lines at ``options.max_width`` (rendered once per width)."""
        width = options.max_width
        found = self.lines.get(width)
        if found is None:
            found = list(Segment.split_lines(console.render(self.renderable, options)))
            if len(self.lines) >= 4:  # a few widths: the pane's with and without scrollbar
                self.lines.clear()
            self.lines[width] = found
        return found


class AnswerLines:
    """Lines ``start`` to ``end`` of an answer as laid out at the width it is drawn at: at
    a width it was laid out at already (ahead), Textual only copies them."""

    def __init__(self, rendered: RenderedAnswer, start: int, end: int | None) -> None:
        self.rendered = rendered
        self.start = start
        self.end = end

    def height_at(self, width: int) -> int | None:
        """How many lines these are at ``width``; None if not laid out at it yet."""
        lines = self.rendered.lines.get(width)
        return None if lines is None else len(lines[self.start : self.end])

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        new_line = Segment.line()
        for line in self.rendered.lines_at(console, options)[self.start : self.end]:
            yield from line
            yield new_line


K = TypeVar("K")
V = TypeVar("V")


class Recent(Generic[K, V]):
    """The values put last, up to ``size`` of them (the least recently used go first),
    shared by the UI thread and a worker thread."""

    def __init__(self, size: int = 12) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._items

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


class AnswerCache(Recent[AnswerKey, RenderedAnswer]):
    """The most recently rendered answers, shared by the UI thread and the thread that
    renders the next ones ahead; bounded, as a long answer's lines take megabytes."""

    def __init__(self, size: int = 12) -> None:
        super().__init__(size)
        #: Held while an answer is rendered ahead: one thread at a time renders (the one
        #: replaced by a newer finishes its answer first), so the two never share a core.
        self.rendering = Lock()


class AnswerTexts:
    """Answers read ahead from their files, each with the size and time of change its file
    had before it was read: opening the article takes the text while its file is unchanged
    (a stat, not a read and a parse of 60 KB of front matter on the UI thread)."""

    def __init__(self, size: int = 12) -> None:
        self._kept: Recent[int, tuple[Path, tuple[int, int], str]] = Recent(size)

    def read(self, library: Library, article_id: int) -> str:
        """The answer, read from its file now (raises as :meth:`Library.answer`), kept."""
        path = library.answer_path(article_id)
        # Taken before the read: a change while it reads leaves the text with an old stamp.
        stamp = _stamp(path) if path is not None else None
        answer = library.answer(article_id)
        if path is not None and stamp is not None:
            self._kept.put(article_id, (path, stamp, answer))
        return answer

    def get(self, library: Library, article_id: int) -> str | None:
        """The answer read ahead, if its file is still the one read and unchanged."""
        found = self._kept.get(article_id)
        if found is None:
            return None
        path, stamp, answer = found
        if library.answer_path(article_id) != path or _stamp(path) != stamp:
            return None
        return answer


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


@dataclass(frozen=True)
class AnswerLayout:
    """How the pane lays out answers now, read on the UI thread so that another thread can
    render answers exactly as Textual will paint them: with the app's console at the
    answer's width (the renderable keeps its lines per console and width)."""

    console: Console
    options: ConsoleOptions
    theme: str

    def key(self, answer: str, raw_tex: bool = False) -> AnswerKey:
        return AnswerKey(answer, raw_tex, self.options.max_width, self.theme)

    def render(self, answer: str, raw_tex: bool = False, *, ahead: bool = False) -> RenderedAnswer:
        """``answer`` as the pane shows it; ``ahead``: its lines rendered now (in a
        thread), so that painting it later only copies them."""
        rendered = rendered_answer(answer, raw_tex)
        if ahead:
            rendered.lines_at(self.console, self.options)
        return rendered


def rendered_answer(answer: str, raw_tex: bool) -> RenderedAnswer:
    """``answer`` as the pane shows it, rendered when it is painted."""
    # Imported here, not at the top: the renderer (markdown-it and the TeX packages) is
    # needed for the first article, not for the first paint of the tree.
    from qtreader.render.markdown import answer_links, render_answer

    renderable = render_answer(answer, raw_tex=raw_tex, link_action="follow_link({})")
    return RenderedAnswer(renderable, tuple(answer_links(answer)))


class AnswerText(Static):
    """The rendered answer. A click on a link's text runs :meth:`action_follow_link`."""

    class LinkChosen(Message):
        """The user chose link ``number`` of the answer (by click or from the list)."""

        def __init__(self, link: AnswerLink) -> None:
            super().__init__()
            self.link = link

    links: list[AnswerLink] = []

    class Resized(Message):
        """The answer's width changed (a resize, the tree shown or hidden, a scrollbar):
        answers rendered ahead at the old width are of no use."""

    _width = 0

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """The height of answer lines laid out already is their count: Textual would draw
        every line of a 60 KB answer to count them. Marking words splits segments, never
        lines."""
        shown = self.content
        if isinstance(shown, MarkedWords):
            shown = shown.renderable
        height = shown.height_at(width) if isinstance(shown, AnswerLines) else None
        if height is None:
            return super().get_content_height(container, viewport, width)
        return height

    def on_resize(self, event: Resize) -> None:
        if event.size.width != self._width:  # its height changes with every article
            self._width = event.size.width
            self.post_message(self.Resized())

    def action_follow_link(self, number: int) -> None:
        """Report the link; following it (and confirming an external one) is the screen's job."""
        if 1 <= number <= len(self.links):
            self.post_message(self.LinkChosen(self.links[number - 1]))


class RelatedList(OptionList):
    """Links to articles: the related ones numbered 1-5 (links the library lacks are shown
    dimmed); the same list, numbered otherwise or not, holds Cited by and Similar."""

    _links: tuple[RelatedLink, ...] = ()

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="related.down"),
        Binding("k", "cursor_up", "Up", show=False, id="related.up"),
    ]

    class RelatedSelected(Message):
        """The user chose a related article that the library holds."""

        def __init__(self, article_id: int, subject: str) -> None:
            super().__init__()
            self.article_id = article_id
            self.subject = subject

    def show_links(
        self, links: tuple[RelatedLink, ...], numbers: Sequence[str] | None = None
    ) -> None:
        """List ``links`` in their order, numbered 1, 2... or by ``numbers`` (their keys;
        empty: none)."""
        if not links and not self._links:  # empty already: nothing to lay out
            return
        self._links = links
        self.clear_options()
        labels = [str(n) for n in range(1, len(links) + 1)] if numbers is None else numbers
        for number, link in enumerate(links):
            label = (f"{labels[number]} ", "bold") if number < len(labels) else ""
            prompt = Text.assemble(label, link.title, (f"  {link.subject}", "dim"))
            if not link.available:
                prompt.append("  (not in this library)", "italic")
            # No option id: the option's index is the link's, and an id listed twice (in a
            # stale index, or a file read before links were de-duplicated) would raise.
            self.add_option(Option(prompt, disabled=not link.available))
        self.set_class(not links, "-empty")

    # An empty list takes no room and no focus, but stays laid out (not ``display: none``):
    # Textual orders focus by place on screen, and a list just displayed has none until the
    # next layout, so a Tab pressed as Cited by appeared went to it before the related list.
    def allow_focus(self) -> bool:
        return bool(self._links)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        link = self._links[event.option_index]
        self.post_message(self.RelatedSelected(link.id, link.subject))


class ArticleView(KeyScroll):
    """Shows one article. Answers are rendered with Rich's Markdown in a ``Static``, which
    paints many times faster than Textual's ``Markdown`` widget."""

    BINDINGS = [
        Binding("j", "scroll_down", "Scroll down", show=False, id="article.down"),
        Binding("k", "scroll_up", "Scroll up", show=False, id="article.up"),
    ]

    class Painted(Message):
        """The article shown last is on screen: work that would have slowed its paint
        (rendering ahead, finding links, reading the note) may start."""

    #: An article was shown and has not been painted yet.
    unpainted = False

    def on_mount(self) -> None:
        # Called after the screen's layout refresh has written its frame to the terminal.
        # A ``call_after_refresh`` in the handler that shows the article runs before that
        # frame: the widgets tell the screen of their new content only once idle.
        self.screen.screen_layout_refresh_signal.subscribe(self, self._layout_refreshed, True)

    def _layout_refreshed(self, _screen: object) -> None:
        if self.unpainted:
            self.unpainted = False
            self.post_message(self.Painted())

    def compose(self) -> ComposeResult:
        yield Static(id="question")
        yield Static(id="facts")
        yield AnswerText(id="answer")
        # A long answer's lines after the first screens: Textual lays out a widget's lines
        # all at once when any is shown, which for 2,000 lines took 0.3 s of each open.
        yield AnswerText(id="answer-rest")
        yield Static("My note", id="note-heading")
        yield Static(id="note")
        yield Static("Related articles", id="related-heading")
        yield RelatedList(id="related", classes="-empty")
        yield Static("Cited by", id="cited-by-heading")
        yield RelatedList(id="cited-by", classes="-empty")
        yield Static("Similar articles", id="similar-heading")
        yield RelatedList(id="similar", classes="-empty")

    def show_article(
        self, article: Article, answer: str, subject: str, *, marks: tuple[str, ...] = ()
    ) -> None:
        """Show ``article`` as read under ``subject``, with the words ``marks`` (of the
        search it was chosen from) marked in its answer."""
        self._shown = (article, answer)
        self.query_one("#question", Static).update(Text(article.question))
        self.query_one("#facts", Static).update(_facts(article, subject))
        self.answer = shown_part(answer, article.id)
        # Both set quietly: their watchers would render the answer once more each.
        self.set_reactive(ArticleView.marks, marks)
        self.set_reactive(ArticleView.raw_tex, False)
        self._show_answer()
        self.show_note(None)  # the screen shows it once the state has read it
        self.query_one("#related-heading", Static).display = bool(article.related)
        self.query_one("#related", RelatedList).show_links(article.related)
        self.show_links_both_ways(None)
        self.scroll_home(animate=False)
        self.unpainted = True

    def show_links_both_ways(self, links: LinksBothWays | None) -> None:
        """List the articles citing the open one and those like it (None: none, while they
        are being found)."""
        cited_by = links.cited_by if links else ()
        similar = links.similar if links else ()
        self.query_one("#cited-by-heading", Static).display = bool(cited_by)
        self.query_one("#cited-by", RelatedList).show_links(cited_by, ())
        self.query_one("#similar-heading", Static).display = bool(similar)
        self.query_one("#similar", RelatedList).show_links(similar, SIMILAR_NUMBERS)

    answer = ""
    _shown: tuple[Article, str] | None = None

    def shows(self, article: Article, answer: str | None) -> bool:
        """Whether the pane shows ``article`` with ``answer`` as they are (the same facts,
        related links and text), so that showing them again would change nothing."""
        return self._shown == (article, answer)

    @cached_property
    def cache(self) -> AnswerCache:
        """Answers rendered on this pane or ahead of it (see :meth:`answer_layout`)."""
        return AnswerCache()

    def answer_layout(self) -> AnswerLayout | None:
        """How answers are laid out in the pane now; None before it has a size."""
        width = self.query_one("#answer", AnswerText).size.width
        if width <= 0:
            return None
        options = self.app.console_options.update_width(width).update(highlight=False)
        return AnswerLayout(self.app.console, options, self.app.theme)

    #: Formulas shown as raw TeX (``x``), until another article opens.
    raw_tex: reactive[bool] = reactive(False, init=False)
    #: The words marked in the open answer (see :meth:`show_article`).
    marks: reactive[tuple[str, ...]] = reactive((), init=False)

    def watch_raw_tex(self) -> None:
        self._show_answer()

    def watch_marks(self) -> None:
        self._show_answer()

    @property
    def links(self) -> list[AnswerLink]:
        """The links of the open answer, numbered as shown."""
        return self.query_one(AnswerText).links

    def toggle_raw_tex(self) -> bool:
        """Show the open answer's formulas as raw TeX, or rendered again; the new state."""
        self.raw_tex = not self.raw_tex
        return self.raw_tex

    #: Only the first part of a long answer is shown (the whole is being rendered).
    partial = False

    def show_whole_answer(self) -> None:
        """The whole answer has been rendered (into :attr:`cache`): show it, if only a part
        of it is shown."""
        if self.partial:
            self._show_answer()

    def _show_answer(self) -> None:
        head, rest = (
            self.query_one("#answer", AnswerText),
            self.query_one("#answer-rest", AnswerText),
        )
        layout = self.answer_layout()
        pattern = word_pattern(self.marks) if self.marks else None
        rendered: RenderedAnswer
        if layout is None:  # not laid out yet: Textual lays it out when it paints
            rendered = rendered_answer(self.answer, self.raw_tex)
            head.update(
                MarkedWords(rendered.renderable, pattern) if pattern else rendered.renderable
            )
            rest.display = False
            self.partial = False
        else:
            key = layout.key(self.answer, self.raw_tex)
            found = self.cache.get(key)
            # A long answer not rendered ahead: its first part now, the whole once the
            # render thread has it (see show_whole_answer).
            part = first_part(self.answer) if found is None and not self.raw_tex else None
            if part is not None:
                found = layout.render(part)
            elif found is None:
                found = layout.render(self.answer, self.raw_tex)
                self.cache.put(key, found)
            self.partial = part is not None
            rendered = found
            # The first screens in one widget, the rest in another that Textual lays out
            # only once it is scrolled into sight.
            cut = max(HEAD_LINES, 2 * self.app.size.height)
            first = AnswerLines(rendered, 0, cut)
            after = AnswerLines(rendered, cut, None)
            head.update(MarkedWords(first, pattern) if pattern else first)
            rest.update(MarkedWords(after, pattern) if pattern else after)
            # Shown even when empty (no height): a narrower pane makes more lines.
            rest.display = not self.partial
        head.links = rest.links = list(rendered.links)

    def show_note(self, text: str | None) -> None:
        """Show the reader's note under the answer (none: ``None`` or blank). It is Markdown
        like an answer; the characters a terminal would obey are shown as escapes."""
        shown = text is not None and bool(text.strip())
        self.query_one("#note-heading", Static).display = shown
        note = self.query_one("#note", Static)
        note.display = shown
        if shown and text is not None:
            from qtreader.render.markdown import render_answer

            note.update(render_answer(visible_controls(text)))
        else:
            note.update("")

    def show_message(self, title: str, body: str | Text) -> None:
        """Show a page that is not an article (welcome, loading, errors)."""
        self._shown = None
        self.answer = ""
        self.set_reactive(ArticleView.marks, ())
        self.set_reactive(ArticleView.raw_tex, False)
        self.query_one(AnswerText).links = []
        self.query_one("#answer-rest", AnswerText).display = False
        self.partial = False
        self.query_one("#question", Static).update(Text(title))
        self.query_one("#facts", Static).update("")
        self.query_one("#answer", Static).update(data(body))
        self.show_note(None)
        self.query_one("#related-heading", Static).display = False
        self.query_one("#related", RelatedList).show_links(())
        self.show_links_both_ways(None)

    def show_welcome(self, library: Library) -> None:
        """The page shown before any article is opened."""
        body = Text()
        articles, subjects = len(library), len(library.subjects)
        body.append(
            f"{articles} article{'s' * (articles != 1)} in "
            f"{subjects} subject{'s' * (subjects != 1)}.\n\n"
        )
        body.append("Choose a subject on the left and press ")
        body.append("enter", "bold")
        body.append(" to open an article. Press ")
        body.append("?", "bold")
        body.append(" for every key.")
        self.show_message("Welcome to qtreader", body)


def _facts(article: Article, subject: str) -> Text:
    subjects = [subject, *(s for s in article.subjects if s != subject)]
    facts = Text(" · ".join(subjects), style="bold")
    if article.date is not None:
        facts.append(f"   {article.date:%b %d, %Y}")
    if article.keywords:
        facts.append("\n")
        facts.append(", ".join(article.keywords), "italic")
    return facts


#: The fewest lines of an answer laid out at once (more on a taller screen).
HEAD_LINES = 60

#: Longer answers are cut for the reader and the study card: rendering runs on the UI
#: thread, at about 5 ms per KB, and a 2 MB answer froze the reader for 10 s. The shell
#: prints them whole.
MAX_SHOWN = 120_000
#: Short lines cost far more per KB (each a paragraph, list item or line of code): a study
#: card of 200,000 lines took 30 s and 1 GB. Real answers have under 200 lines.
MAX_SHOWN_LINES = 2_000


#: Answers longer than this many characters, not rendered ahead, show a first part of about
#: a third of it at once (it fills more than two screens at any width).
FIRST_PART = 6_000


def first_part(answer: str, size: int = FIRST_PART) -> str | None:
    """The answer up to the first blank line after ``size`` characters that is outside
    code and display math (so that its blocks render as in the whole); None for an answer
    under three times that, or with no such line."""
    if len(answer) < 3 * size:
        return None
    fence = ""
    math = False
    offset = 0
    for line in answer.splitlines(keepends=True):
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence):
                fence = ""
        elif stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
        elif stripped.count("$$") % 2:
            math = not math
        elif not stripped and not math and offset >= size:
            return answer[:offset]
        offset += len(line)
    return None


def shown_part(answer: str, article_id: int) -> str:
    """``answer``, or for a huge one its first part (cut at a paragraph, an open code
    fence closed) and a note saying so."""
    end = min(len(answer), MAX_SHOWN)
    line_end = -1
    for _ in range(MAX_SHOWN_LINES):
        line_end = answer.find("\n", line_end + 1, end)
        if line_end == -1:
            break
    if line_end != -1:
        end = line_end
    if end == len(answer):
        return answer
    cut = answer.rfind("\n\n", 0, end)
    if cut < end // 2:
        cut = end
    part = answer[:cut]
    if part.count("```") % 2:  # cut inside a code block: close it before the note
        part += "\n```"
    if line_end != -1:
        lines, shown = answer.count("\n") + 1, answer.count("\n", 0, cut) + 1
        what = f"has {lines:,} lines: the first {shown:,} are"
    else:
        what = f"is {len(answer) / 1e6:.1f} MB long: the first {cut // 1000} KB are"
    return (
        f"{part}\n\n---\n\n*This answer {what} shown here. "
        f"`qtreader show {article_id} --format markdown` prints all of it.*"
    )

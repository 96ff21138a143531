"""The subject tree: subjects with their article counts, and the articles under each.

Once the reading state is known (:meth:`SubjectTree.show_marks`), each subject shows
read/total and its due and new cards, read articles are ticked, and a Bookmarks node heads
the tree while there are bookmarks."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text, TextType
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from qtreader.library.store import Library, subject_key
from qtreader.tui.widgets.plain import visible_controls

if TYPE_CHECKING:
    from qtreader.library.study import Overview, Progress

__all__ = ["NOTE_MARK", "SubjectTree"]

#: After the title of an article with a note (``a``): kept when a long title is cut.
NOTE_MARK = " ✎"


@dataclass(frozen=True, slots=True)
class SubjectEntry:
    """A subject node; its articles are added when it is first expanded."""

    name: str


@dataclass(frozen=True, slots=True)
class ArticleEntry:
    """An article node under one of its subjects."""

    article_id: int
    subject: str


@dataclass(frozen=True, slots=True)
class BookmarksEntry:
    """The Bookmarks node at the top; its articles are added when it is expanded."""


TreeEntry = SubjectEntry | ArticleEntry | BookmarksEntry


class SubjectTree(Tree[TreeEntry]):
    """Subjects and their articles. Article nodes are built only when a subject is expanded,
    so a library of tens of thousands of articles costs one node per subject at start."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="tree.down"),
        Binding("k", "cursor_up", "Up", show=False, id="tree.up"),
    ]

    class Highlighted(Message):
        """The cursor moved, or the focus: ``title`` is the whole label of the cursor's row
        when the tree has the focus and cuts that label, else ``None``."""

        def __init__(self, title: Text | None) -> None:
            super().__init__()
            self.title = title

    class ArticleSelected(Message):
        """The user chose an article in the tree."""

        def __init__(self, article_id: int, subject: str) -> None:
            super().__init__()
            self.article_id = article_id
            self.subject = subject

    #: The width the user chose (``<`` ``>``, kept for the next start); ``None``: the
    #: stylesheet's.
    chosen_width: reactive[int | None] = reactive(None, init=False, layout=True)

    def watch_chosen_width(self, width: int | None) -> None:
        if width is None:
            return
        self.styles.width = width
        self.styles.min_width = 16
        self.styles.max_width = "75%"  # a width saved on a wide terminal leaves room here

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("Subjects", id=id)
        self.show_root = False
        self.guide_depth = 2
        self.library: Library | None = None
        self._subject_nodes: dict[str, TreeNode[TreeEntry]] = {}
        self._article_nodes: dict[tuple[str, int], TreeNode[TreeEntry]] = {}
        self._marks: Overview | None = None
        self._progress: dict[str, Progress] = {}
        self._read: set[int] = set()
        self._noted: frozenset[int] = frozenset()
        self._titles: dict[int, str] = {}
        self._bookmarks_node: TreeNode[TreeEntry] | None = None
        self._bookmark_ids: tuple[int, ...] = ()
        self._read_here: dict[int, tuple[str, ...]] = {}

    def show_library(self, library: Library) -> None:
        """Replace the tree with the subjects of ``library``."""
        self.library = library
        self.clear()
        self._subject_nodes.clear()
        self._article_nodes.clear()
        self._bookmarks_node = None
        self._titles.clear()
        for subject in library.subjects:
            label = Text.assemble(subject.name, (f" {subject.count}", "dim"))
            if subject.key in self._progress:
                label = self._subject_label(self._progress[subject.key])
            node = self.root.add(label, SubjectEntry(subject.name))
            self._subject_nodes[subject.key] = node
        self.root.expand()
        self.cursor_line = 0
        if self._marks is not None:
            self._show_bookmarks(self._marks)

    # Reading state --------------------------------------------------------------------

    def show_marks(self, marks: Overview, noted: frozenset[int] = frozenset()) -> None:
        """Show read marks, bookmarks, notes (``noted``: the articles with one) and each
        subject's read/total, due and new counts."""
        self._marks = marks
        self._noted = noted
        self._progress = dict(marks.subjects)
        self._read = set(marks.read_ids)
        for article_id, subjects in self._read_here.items():  # not yet in these figures
            self._count_read(article_id, subjects)
        for key, node in self._subject_nodes.items():
            if key in self._progress:
                node.set_label(self._subject_label(self._progress[key]))
        for (_key, article_id), node in self._article_nodes.items():
            node.set_label(self._article_label(article_id))
        self._show_bookmarks(marks)

    def mark_read(self, article_id: int, subjects: tuple[str, ...]) -> None:
        """Tick an article just opened and count it in its subjects."""
        self._read_here[article_id] = subjects
        if self._marks is None or article_id in self._read:
            return
        self._count_read(article_id, subjects)
        for node in self._nodes_of(article_id):
            node.set_label(self._article_label(article_id))

    def mark_noted(self, article_id: int, noted: bool) -> None:
        """Mark an article as having a note (a note just saved), or not (removed)."""
        self._noted = self._noted | {article_id} if noted else self._noted - {article_id}
        if self._marks is not None:
            for node in self._nodes_of(article_id):
                node.set_label(self._article_label(article_id))

    def _nodes_of(self, article_id: int) -> list[TreeNode[TreeEntry]]:
        """The article's nodes: under each subject shown, and under Bookmarks."""
        nodes = [n for (_key, i), n in self._article_nodes.items() if i == article_id]
        if self._bookmarks_node is not None:
            nodes += [n for n in self._bookmarks_node.children if _id(n) == article_id]
        return nodes

    def _count_read(self, article_id: int, subjects: tuple[str, ...]) -> None:
        if article_id in self._read:
            return
        self._read.add(article_id)
        for key in {subject_key(subject) for subject in subjects}:
            progress = self._progress.get(key)
            node = self._subject_nodes.get(key)
            if progress is not None and node is not None:
                self._progress[key] = replace(progress, read=progress.read + 1)
                node.set_label(self._subject_label(self._progress[key]))

    @property
    def cursor_on_bookmarks(self) -> bool:
        """Whether the cursor is on the Bookmarks node or one of its articles."""
        node = self.cursor_node
        while node is not None:
            if node is self._bookmarks_node:
                return True
            node = node.parent
        return False

    def _show_bookmarks(self, marks: Overview) -> None:
        """Head the tree with the Bookmarks node while there are bookmarks, the cursor
        staying on the line it was on."""
        node = self._bookmarks_node
        wanted = bool(marks.bookmark_ids) and self.library is not None
        label = Text.assemble(("★ Bookmarks", "bold"), (f" {len(marks.bookmark_ids)}", "dim"))
        if marks.bookmarks.due:
            label.append(f" {marks.bookmarks.due} due", "bold")
        if node is not None and wanted:
            node.set_label(label)
            if marks.bookmark_ids != self._bookmark_ids:
                self._bookmark_ids = marks.bookmark_ids
                node.remove_children()
                self._populate(node)
            return
        line = self.cursor_line
        if node is not None:
            size = 1 + (len(node.children) if node.is_expanded else 0)
            node.remove()
            self._bookmarks_node = None
            self.cursor_line = line - size if line >= size else 0
        elif wanted:
            self._bookmark_ids = marks.bookmark_ids
            self._bookmarks_node = self.root.add(label, BookmarksEntry(), before=0)
            if line >= 0:
                self.cursor_line = line + 1

    def _subject_label(self, progress: Progress) -> Text:
        label = Text.assemble(progress.name, (f" {progress.read}/{progress.total}", "dim"))
        if progress.due:
            label.append(f" {progress.due} due", "bold")
        new = self._marks.startable_new(progress) if self._marks is not None else 0
        if new:
            label.append(f" {new} new", "italic")
        return label

    def _article_label(self, article_id: int, title: str | None = None) -> Text:
        if title is None:
            title = self._titles.get(article_id, "")
        else:
            self._titles[article_id] = title
        if self._marks is None:
            return Text(title)
        read = article_id in self._read
        label = Text.assemble(("✓ " if read else "  ", "dim"), (title, "dim" if read else ""))
        if article_id in self._noted:
            label.append(NOTE_MARK, "bold")
        return label

    @property
    def cursor_subject(self) -> str | None:
        """The subject under the cursor, or of the article under it."""
        node = self.cursor_node
        entry = node.data if node is not None else None
        if isinstance(entry, SubjectEntry):
            return entry.name
        if isinstance(entry, ArticleEntry):
            return entry.subject
        return None

    def reveal(self, article_id: int, subject: str) -> None:
        """Expand ``subject`` and put the cursor on the article, without opening it again."""
        node = self._subject_nodes.get(subject_key(subject))
        if node is None:
            return
        self._populate(node)
        if not node.is_expanded:  # expanding again rebuilds and repaints the whole tree
            node.expand()
        article_node = self._article_nodes.get((subject_key(subject), article_id))
        if article_node is not None:
            # Expanding adds lines only on the next refresh: move once they exist.
            self.call_after_refresh(self._move_to, article_node)

    def reveal_subject(self, subject: str) -> None:
        """Expand ``subject`` and put the cursor on it."""
        node = self._subject_nodes.get(subject_key(subject))
        if node is not None:
            self._populate(node)
            node.expand()
            self.call_after_refresh(self._move_to, node)

    def _move_to(self, node: TreeNode[TreeEntry]) -> None:
        self.move_cursor(node)
        self.scroll_to_node(node, animate=False)

    def _populate(self, node: TreeNode[TreeEntry]) -> None:
        entry = node.data
        if self.library is None or node.children:
            return
        if isinstance(entry, BookmarksEntry) and self._marks is not None:
            for article_id in self._marks.bookmark_ids:
                article = self.library.article(article_id)
                if article is not None:
                    label = self._article_label(article_id, article.title)
                    node.add_leaf(label, ArticleEntry(article_id, article.subjects[0]))
            return
        if not isinstance(entry, SubjectEntry):
            return
        key = subject_key(entry.name)
        self._adding = True
        try:
            for article_id, title in self.library.titles_in(entry.name):
                label = self._article_label(article_id, title)
                child = node.add_leaf(label, ArticleEntry(article_id, entry.name))
                self._article_nodes[(key, article_id)] = child
        finally:
            self._adding = False
            self._invalidate()

    # A subject of thousands of articles is added in one go: Tree invalidates its line
    # cache and refreshes after every node otherwise (Textual 8's Tree._invalidate).
    _adding = False

    def _invalidate(self) -> None:
        if not self._adding:
            super()._invalidate()

    def get_label_width(self, node: TreeNode[TreeEntry]) -> int:
        """A leaf's width is its label's: Tree would render every label to measure it."""
        label = node.label
        if node.allow_expand or not isinstance(label, Text):
            return super().get_label_width(node)
        return label.cell_len

    def process_label(self, label: TextType) -> Text:
        """Labels are one-line ``Text`` already: skip Tree's copy of each one. A ``str`` is
        shown as written (Tree would parse it as markup)."""
        if isinstance(label, str):
            label = Text(visible_controls(label))
        if "\n" not in label.plain:
            return label
        return super().process_label(label)

    def fit_label(self, node: TreeNode[TreeEntry], label: Text, start: int = 0) -> Text | None:
        """``label`` (whose own text begins at ``start``, after the expand icon) cut to the
        room its row has, or ``None`` when it fits. A title ends in "…"; a subject keeps its
        counts whole and loses the end of its name."""
        depth = 0
        parent = node.parent
        while parent is not None and parent is not self.root:
            depth += 1
            parent = parent.parent
        room = self.scrollable_content_region.width - depth * self.guide_depth
        if room <= 0 or label.cell_len <= room:
            return None
        name = node.data.name if isinstance(node.data, SubjectEntry) else ""
        end = start + len(name)
        if name and label.plain[start:end] == name:
            counts = label[end:]
            keep = room - counts.cell_len - 1
            if keep >= start + 3:
                head = label[:end]
                head.truncate(keep)
                head.rstrip()
                head.append("…")
                head.append_text(counts)
                return head
        noted = _id(node) is not None and label.plain.endswith(NOTE_MARK)
        mark = NOTE_MARK if noted and room > 2 * len(NOTE_MARK) else ""
        cut = label[: len(label) - len(mark)] if mark else label.copy()
        cut.truncate(room - len(mark), overflow="ellipsis")
        if mark:
            cut.append_text(label[len(label) - len(mark) :])
        return cut

    def render_label(self, node: TreeNode[TreeEntry], base_style: Style, style: Style) -> Text:
        """Tree crops a long label at the edge; cut it with "…" instead, so that titles
        starting alike tell apart and a subject's counts stay readable."""
        label = super().render_label(node, base_style, style)
        start = len(self.ICON_NODE) if node.allow_expand else 0
        return self.fit_label(node, label, start) or label

    def whole_label(self) -> Text | None:
        """The label of the cursor's row when the tree cuts it."""
        node = self.cursor_node
        if node is None or not isinstance(node.label, Text):
            return None
        start = len(self.ICON_NODE) if node.allow_expand else 0
        if self.fit_label(node, Text(" " * start) + node.label, start) is None:
            return None
        return node.label.copy()

    def _tell_whole_label(self) -> None:
        """Only while the tree has the focus: reading, the question heads the article."""
        self.post_message(self.Highlighted(self.whole_label() if self.has_focus else None))

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[TreeEntry]) -> None:
        self._tell_whole_label()

    def on_resize(self) -> None:
        self._tell_whole_label()

    def on_focus(self) -> None:
        self._tell_whole_label()

    def on_blur(self) -> None:
        self.post_message(self.Highlighted(None))

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[TreeEntry]) -> None:
        self._populate(event.node)

    def on_tree_node_selected(self, event: Tree.NodeSelected[TreeEntry]) -> None:
        entry = event.node.data
        if isinstance(entry, ArticleEntry):
            event.stop()
            self.post_message(self.ArticleSelected(entry.article_id, entry.subject))


def _id(node: TreeNode[TreeEntry]) -> int | None:
    return node.data.article_id if isinstance(node.data, ArticleEntry) else None

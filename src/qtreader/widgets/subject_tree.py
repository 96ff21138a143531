"""The subject tree: subjects with their article counts, and the articles under each."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from qtreader.store import Library, subject_key

__all__ = ["SubjectTree"]


@dataclass(frozen=True, slots=True)
class SubjectEntry:
    """A subject node; its articles are added when it is first expanded."""

    name: str


@dataclass(frozen=True, slots=True)
class ArticleEntry:
    """An article node under one of its subjects."""

    article_id: int
    subject: str


TreeEntry = SubjectEntry | ArticleEntry


class SubjectTree(Tree[TreeEntry]):
    """Subjects and their articles. Article nodes are built only when a subject is expanded,
    so a library of tens of thousands of articles costs one node per subject at start."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="tree.down"),
        Binding("k", "cursor_up", "Up", show=False, id="tree.up"),
    ]

    class ArticleSelected(Message):
        """The user chose an article in the tree."""

        def __init__(self, article_id: int, subject: str) -> None:
            super().__init__()
            self.article_id = article_id
            self.subject = subject

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("Subjects", id=id)
        self.show_root = False
        self.guide_depth = 2
        self.library: Library | None = None
        self._subject_nodes: dict[str, TreeNode[TreeEntry]] = {}
        self._article_nodes: dict[tuple[str, int], TreeNode[TreeEntry]] = {}

    def show_library(self, library: Library) -> None:
        """Replace the tree with the subjects of ``library``."""
        self.library = library
        self.clear()
        self._subject_nodes.clear()
        self._article_nodes.clear()
        for subject in library.subjects:
            label = Text.assemble(subject.name, (f" {subject.count}", "dim"))
            node = self.root.add(label, SubjectEntry(subject.name))
            self._subject_nodes[subject.key] = node
        self.root.expand()
        self.cursor_line = 0

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
        if self.library is None or not isinstance(entry, SubjectEntry) or node.children:
            return
        key = subject_key(entry.name)
        for article_id, title in self.library.titles_in(entry.name):
            child = node.add_leaf(Text(title), ArticleEntry(article_id, entry.name))
            self._article_nodes[(key, article_id)] = child

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[TreeEntry]) -> None:
        self._populate(event.node)

    def on_tree_node_selected(self, event: Tree.NodeSelected[TreeEntry]) -> None:
        entry = event.node.data
        if isinstance(entry, ArticleEntry):
            event.stop()
            self.post_message(self.ArticleSelected(entry.article_id, entry.subject))

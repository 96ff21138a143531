"""The list of bookmarked articles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from qtreader.tui.screens.tint import TintedModal
from qtreader.tui.widgets.plain import data

if TYPE_CHECKING:
    from qtreader.library.store import Library
    from qtreader.library.study import Overview

__all__ = ["BookmarkItem", "BookmarksScreen", "bookmark_items"]


@dataclass(frozen=True, slots=True)
class BookmarkItem:
    """A bookmarked article as the list shows it."""

    article_id: int
    title: str
    subject: str
    read: bool


class BookmarksScreen(TintedModal[tuple[int, str] | None]):
    """Bookmarks, oldest first; ``enter`` opens one (the screen is dismissed with its id and
    subject)."""

    BINDINGS = [
        Binding("escape,b,q", "dismiss", "Close", id="bookmarks.close"),
        Binding("j", "cursor_down", "Down", show=False, id="bookmarks.down"),
        Binding("k", "cursor_up", "Up", show=False, id="bookmarks.up"),
    ]

    def __init__(self, items: list[BookmarkItem]) -> None:
        super().__init__()
        self.items = items

    def compose(self) -> ComposeResult:
        with Vertical(id="bookmarks-box") as box:
            box.border_title = data(f"Bookmarks ({len(self.items)})")
            box.border_subtitle = "enter to open · escape to close"
            if not self.items:
                yield Static(
                    Text("No bookmarks yet: press m on an article to bookmark it.", "italic")
                )
            options = []
            for item in self.items:
                prompt = Text("✓ " if item.read else "  ", style="dim")
                prompt.append(item.title)
                prompt.append(f"  {item.subject}", "dim")
                options.append(Option(prompt))
            yield OptionList(*options, id="bookmarks")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        item = self.items[event.option_index]
        self.dismiss((item.article_id, item.subject))

    def action_cursor_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()


def bookmark_items(library: Library, marks: Overview) -> list[BookmarkItem]:
    """The bookmarked articles of ``library`` that it still holds, as the list shows them."""
    return [
        BookmarkItem(article.id, article.title, article.subjects[0], article.id in marks.read_ids)
        for article_id in marks.bookmark_ids
        if (article := library.article(article_id)) is not None
    ]

"""The links of the open answer, and the question asked before an address leaves the app.

Links in an answer are numbered where they stand (``text [2]``). ``l`` lists them here; a
digit or enter chooses one. A link to an article of the library opens in the reader and
joins the history; any other address is only opened after :class:`ConfirmOpenScreen`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from qtreader.render.markdown import AnswerLink
from qtreader.tui.screens.tint import TintedModal

if TYPE_CHECKING:
    from qtreader.library.store import Library

__all__ = ["ConfirmOpenScreen", "LinksScreen", "link_target"]


def link_target(library: Library, link: AnswerLink) -> tuple[int, str | None] | None:
    """The article an internal link points to, with the subject whose listing has that
    address (an article is listed under each of its subjects); ``None``: not in ``library``."""
    found = library.by_url(link.url)
    if found is None:
        return None
    url = link.url.rstrip("/")
    return found.id, next((s.subject for s in found.listings if s.url.rstrip("/") == url), None)


class LinksScreen(TintedModal[AnswerLink | None]):
    """Every link of the answer, numbered as in the text; returns the one chosen."""

    BINDINGS = [
        Binding("escape,l,q", "dismiss(None)", "Close", id="links.close"),
        Binding("j", "cursor_down", "Down", show=False, id="links.down"),
        Binding("k", "cursor_up", "Up", show=False, id="links.up"),
        *(
            Binding(str(n), f"choose({n})", f"Link {n}", show=False, id=f"links.choose-{n}")
            for n in range(1, 10)
        ),
    ]

    def __init__(self, links: list[AnswerLink]) -> None:
        super().__init__()
        self.links = links

    def compose(self) -> ComposeResult:
        with Vertical(id="links-box") as box:
            box.border_title = "Links in this answer"
            box.border_subtitle = "1-9 or enter to follow · escape to close"
            yield OptionList(*(Option(_prompt(link)) for link in self.links), id="links-list")

    def action_cursor_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_choose(self, number: int) -> None:
        if number <= len(self.links):
            self.dismiss(self.links[number - 1])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.links[event.option_index])


def _prompt(link: AnswerLink) -> Text:
    prompt = Text.assemble((f"{link.number:>2} ", "bold"), link.text)
    if link.internal:
        prompt.append("  article in this library", "dim")
    else:
        prompt.append(f"\n   {link.url}", "dim italic")
    return prompt


class ConfirmOpenScreen(TintedModal[bool]):
    """Asks before an external address is handed to the browser; True means open it."""

    BINDINGS = [
        Binding("escape,n", "dismiss(False)", "Cancel", id="confirm-open.cancel"),
        Binding("y", "dismiss(True)", "Open", id="confirm-open.open"),
    ]

    def __init__(self, link: AnswerLink) -> None:
        super().__init__()
        self.link = link

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box") as box:
            box.border_title = "Open in your browser?"
            yield Static(
                Text.assemble("“", self.link.text, "” links to\n\n", (self.link.url, "bold"))
            )
            with Horizontal(id="confirm-buttons"):
                yield Button("Open (y)", variant="primary", id="confirm-open")
                yield Button("Cancel (n)", id="confirm-cancel")

    def on_mount(self) -> None:
        self.query_one("#confirm-cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-open")

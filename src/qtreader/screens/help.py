"""The key reference, built from the bindings themselves so that it never disagrees."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

from qtreader.widgets.key_scroll import KeyScroll
from qtreader.widgets.plain import cell

__all__ = ["LIST_KEYS", "HelpScreen"]

#: Keys that belong to Textual's own widgets rather than to a binding of qtreader's.
LIST_KEYS = [
    ("↑ ↓  j k", "Move in the tree, the related list, or scroll the article"),
    ("enter", "Open the article (or expand the subject) under the cursor"),
    ("tab  shift+tab", "Move focus between the tree, the article and its related list"),
    ("1 … 5", "Open related article 1 to 5"),
]


class HelpScreen(ModalScreen[None]):
    """Every key of a screen with what it does: ``bindings``, then ``list_keys`` (keys of
    Textual's own widgets, as pairs of keys and what they do)."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close", id="help.close")]

    def __init__(
        self, bindings: list[Binding], *, list_keys: list[tuple[str, str]] = LIST_KEYS
    ) -> None:
        super().__init__()
        self.bindings = bindings
        self.list_keys = list_keys

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for keys, description in self.list_keys:
            table.add_row(cell(keys), cell(description))
        for binding in self.bindings:
            if binding.id and binding.id.startswith("related-"):
                continue
            key_names = [_key_name(key) for key in binding.key.split(",")]
            table.add_row(cell("  ".join(key_names)), cell(binding.tooltip or binding.description))
        with KeyScroll(id="help-box") as box:
            box.border_title = "Keys"
            box.border_subtitle = "escape to close"
            yield Static(table)


def _key_name(key: str) -> str:
    return {
        "left_square_bracket": "[",
        "right_square_bracket": "]",
        "question_mark": "?",
        "slash": "/",
    }.get(key, key)

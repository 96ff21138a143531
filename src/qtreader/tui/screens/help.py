"""The key reference, built from the bindings active on the screen in front, so that it
never disagrees with what the keys do."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.keys import key_to_character
from textual.screen import Screen
from textual.widgets import Static

from qtreader.tui.screens.tint import TintedModal
from qtreader.tui.widgets.key_scroll import KeyScroll
from qtreader.tui.widgets.plain import cell

__all__ = ["LIST_KEYS", "HelpScreen", "key_rows"]

#: Keys of Textual's own widgets (the tree, lists, scrolling): they depend on which widget
#: has the focus, so they are named once here rather than read from one widget.
LIST_KEYS = [
    ("↑ ↓  j k", "Move in the tree, a list of articles, or scroll the article"),
    ("enter", "Open the article (or expand the subject) under the cursor"),
    ("tab  shift+tab", "Move focus between the tree, the article and its lists of articles"),
]

#: Related-article bindings (``related-1`` … ``related-5``) are shown as one row.
_RELATED = ("1 … 5", "Open related article 1 to 5 (dimmed ones are not in the library)")
#: And the similar ones (``similar-1`` … ``similar-5``).
_SIMILAR = ("6 … 9  0", "Open similar article 1 to 5 (listed when under 5 are related)")


def key_rows(screen: Screen[object]) -> list[tuple[str, str]]:
    """One row per action of ``screen`` and the app, in binding order: its keys and what it
    does. Keys of the focused widget (scrolling, moving) are left to :data:`LIST_KEYS`,
    but for those that run a ``screen.`` action.

    The bindings are read as :attr:`Screen.active_bindings` reads them (the first node to
    bind a key has it), but without asking ``check_action``: a key that does nothing yet
    (a grade before the answer shows) is still listed."""
    from textual.app import App

    seen: set[str] = set()
    groups: dict[tuple[int, str], list[Binding]] = {}
    for node, bindings in screen._modal_binding_chain:
        for key, binding in bindings:
            if key in seen:
                continue
            seen.add(key)
            # A widget's binding that runs an action of the screen is the screen's key.
            screens = isinstance(node, App | Screen) or binding.action.startswith("screen.")
            if not screens or binding.action.startswith("app.focus"):
                continue
            group = groups.setdefault((id(node), binding.action), [])
            if binding not in group:
                group.append(binding)
    rows: list[tuple[str, str]] = []
    for group in groups.values():
        for prefix, row in (("related-", _RELATED), ("similar-", _SIMILAR)):
            if any((b.id or "").startswith(prefix) for b in group):
                if row not in rows:
                    rows.append(row)
                break
        else:
            rows.append(_row(group))
    return rows


def _row(group: list[Binding]) -> tuple[str, str]:
    """The keys of one action and what it does."""
    keys: list[str] = []
    group.sort(key=lambda binding: not binding.show)  # the footer's key first
    for binding in group:  # the chain holds one binding per key
        name = _key_name(binding.key)
        if name not in keys:
            keys.append(name)
    shown = next((b for b in group if b.show), group[0])
    described = shown if shown.tooltip else next((b for b in group if b.tooltip), shown)
    return ("  ".join(keys), described.tooltip or described.description)


class HelpScreen(TintedModal[None]):
    """Every key of a screen with what it does: ``list_keys`` (keys of Textual's own
    widgets, as pairs of keys and what they do), then ``rows`` (see :func:`key_rows`)."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close", id="help.close")]

    def __init__(
        self, rows: list[tuple[str, str]], *, list_keys: list[tuple[str, str]] = LIST_KEYS
    ) -> None:
        super().__init__()
        self.rows = [*list_keys, *rows]

    def compose(self) -> ComposeResult:
        with KeyScroll(id="help-box") as box:
            box.border_title = "Keys"
            box.border_subtitle = "escape to close"
            yield Static(key_table(self.rows))


#: The key tables made so far, by their rows: a screen's keys are the same at each ``?``.
_TABLES: dict[tuple[tuple[str, str], ...], _Kept] = {}


def key_table(rows: list[tuple[str, str]]) -> RenderableType:
    """``rows`` as a table of keys and what they do, drawn once per width and kept: laying
    out the table (measured, then drawn) was most of the help's 160 ms to open."""
    key = tuple(rows)
    kept = _TABLES.get(key)
    if kept is None:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for keys, description in rows:
            table.add_row(cell(keys), cell(description))
        kept = _TABLES[key] = _Kept(table)
    return kept


class _Kept:
    """A renderable whose segments are kept for each width (and height) it is drawn at.

    Only for renderables whose look depends on nothing else: the key table's styles are
    plain ``bold``, never the theme's colours."""

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable
        self._drawn: dict[tuple[int, int | None], list[Segment]] = {}

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        key = (options.max_width, options.height)
        segments = self._drawn.get(key)
        if segments is None:
            segments = self._drawn[key] = list(console.render(self.renderable, options))
        return segments

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.renderable)


def _key_name(key: str) -> str:
    """A key as it is typed: ``[`` for ``left_square_bracket``, ``ctrl+p`` as it is."""
    if key == "slash":
        return "/"
    character = key_to_character(key)
    if character is not None and len(character) == 1 and character.isprintable():
        return character if character != " " else "space"
    return key
